"""CVE-2008-0166 key lists in world files: paths relative to the file, loaded, dumped, loaded back; a bad
list is a WorldFileError at its entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.sources.worldfile import WorldFileError

from ...services.audit.certs import make_ca, pem
from ...services.audit.weakkeys import no_system_lists, rsa_key, write_list

__all__ = ["no_system_lists"]  # the fixture, imported for this module's tests

CHECK = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
pytestmark = pytest.mark.usefixtures("no_system_lists")


def _world_file(tmp_path: Path, lists: str) -> Path:
    device = make_ca().issue("old-device", key=rsa_key(1024))
    body = "\n".join("      " + line for line in pem(device).splitlines())
    path = tmp_path / "world.yaml"
    path.write_text(f"certificates:\n  - name: old\n    pem: |\n{body}\nweak_key_lists:\n{lists}")
    return path


def test_a_world_file_names_lists_relative_to_itself(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    listed = write_list(tmp_path / "lists", 1024, [rsa_key(1024)])
    world = World.from_file(_world_file(tmp_path, "  - lists/blacklist.RSA-1024\n"))
    assert [w.path for w in world.weak_key_lists()] == [str(listed)]
    codes = [f.reason_code for f in world.audit([CHECK]).findings]
    assert codes == ["CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"]

    dumped = tmp_path / "elsewhere" / "dumped.yaml"
    dumped.parent.mkdir()
    world.to_file(dumped)
    again = World.from_file(dumped)
    assert [w.path for w in again.weak_key_lists()] == [str(listed)]
    assert [f.reason_code for f in again.audit([CHECK]).findings] == codes


def test_a_bad_list_is_an_error_at_its_entry(tmp_path: Path) -> None:
    (tmp_path / "blacklist.RSA-1024").write_text("0123456789abcdef0123\nnot a key\n")
    path = _world_file(tmp_path, "  - blacklist.RSA-1024\n")
    with pytest.raises(WorldFileError, match=r"blacklist.RSA-1024, line 2: 'not a key'") as raised:
        World.from_file(path)
    assert "world.yaml" in str(raised.value)
    with pytest.raises(WorldFileError, match="no such file"):
        World.from_file(_world_file(tmp_path, "  - missing/blacklist.RSA-2048\n"))
