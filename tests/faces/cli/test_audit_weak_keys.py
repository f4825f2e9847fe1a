"""``iotauth-local audit --weak-key-list``: CVE-2008-0166 lists for the key-quality checks, the note when
no list covers a key, and a malformed list refused with exit 4."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.faces.cli.main import main

from ...services.audit.certs import make_ca, pem
from ...services.audit.weakkeys import no_system_lists, rsa_key, write_list

__all__ = ["no_system_lists"]  # the fixture, imported for this module's tests

CHECK = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
pytestmark = pytest.mark.usefixtures("no_system_lists")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def fleet(tmp_path: Path) -> tuple[Path, str]:
    """A world file with a weak 1024-bit, a good 1024-bit and a 2048-bit device key; the weak one's id."""
    world = World()
    issuer = make_ca()
    weak_id = world.register_certificate_without_ca(
        pem(issuer.issue("weak", key=rsa_key(1024))), status="ACTIVE"
    )["certificateId"]
    world.register_certificate_without_ca(pem(issuer.issue("good", key=rsa_key(1024, 1))), status="ACTIVE")
    world.register_certificate_without_ca(pem(issuer.issue("big", key=rsa_key(2048))), status="ACTIVE")
    path = tmp_path / "fleet.yaml"
    world.to_file(path)
    return path, weak_id


def test_a_listed_key_fails_the_audit(fleet: tuple[Path, str], tmp_path: Path) -> None:
    path, weak_id = fleet
    lists = tmp_path / "lists"
    lists.mkdir()
    small = write_list(lists, 1024, [rsa_key(1024)])
    big = write_list(lists, 2048, [rsa_key(1024, 1)])  # a 1024-bit key in the 2048-bit list: no match
    code, out, _ = run(
        "audit",
        "--world",
        str(path),
        "--checks",
        CHECK,
        "--weak-key-list",
        str(small),
        "--weak-key-list",
        str(big),
    )
    assert code == 1
    assert out.count(DEBIAN) == 2 and weak_id in out  # its row in the findings table, and its details
    assert "not checked" not in out  # both sizes had a list
    code, out, _ = run(
        "audit", "--world", str(path), "--checks", CHECK, "--weak-key-list", str(small), "--output", "json"
    )
    report = json.loads(out)
    found = [
        (f["nonCompliantResource"]["resourceIdentifier"], f["reasonForNonComplianceCode"], f["severity"])
        for f in report["findings"]
    ]
    assert found == [({"deviceCertificateId": weak_id}, DEBIAN, "CRITICAL")]
    (note,) = report["notes"][CHECK]
    assert "not checked for 1 of 3 RSA keys (2048 bits)" in note


def test_without_lists_the_table_and_json_say_not_checked(fleet: tuple[Path, str]) -> None:
    path, _ = fleet
    code, out, _ = run("audit", "--world", str(path), "--checks", CHECK)
    assert code == 0
    assert (
        f"note: {CHECK}: CVE-2008-0166 (Debian's predictable OpenSSL keys) was not checked for 3 of 3" in out
    )
    code, out, _ = run("audit", "--world", str(path), "--checks", CHECK, "--output", "json")
    report = json.loads(out)
    assert "no list of its keys was given" in report["notes"][CHECK][0]
    assert "message" not in report["auditDetails"][CHECK]
    code, out, _ = run("audit", "--world", str(path), "--checks", CHECK, "--output", "junit")
    assert "was not checked" in out


def test_a_malformed_list_is_refused_with_exit_4(fleet: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = fleet
    bad = tmp_path / "blacklist.RSA-1024"
    bad.write_text("0123456789abcdef0123\nABCDEF0123456789ABCD\n")
    code, out, err = run("audit", "--world", str(path), "--weak-key-list", str(bad))
    assert code == 4 and out == ""
    assert f"{bad}, line 2" in err and "not 20 lower-case hex characters" in err
