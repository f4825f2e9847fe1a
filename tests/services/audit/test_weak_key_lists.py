"""CVE-2008-0166 in the key-quality checks: lists in the openssl-blacklist format, matched by key size.

Format: ``openssl-vulnkey(1)``, section "BLACKLIST SHA1SUM FORMAT" (Debian/Ubuntu ``openssl-blacklist``).
Reason code and severity: https://docs.aws.amazon.com/iot-device-defender/latest/devguide/
audit-chk-device-cert-key-quality.html and audit-chk-ca-cert-key-quality.html.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from boto_iotauth_local import World
from boto_iotauth_local.world import WeakKeyListError, weak_keys

from .certs import make_ca, pem
from .weakkeys import modulus, no_system_lists, rsa_key, vulnkey_line, write_list

__all__ = ["no_system_lists"]  # the fixture, imported for this module's tests

DEVICE = "DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"
CA = "CA_CERTIFICATE_KEY_QUALITY_CHECK"
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
pytestmark = pytest.mark.usefixtures("no_system_lists")


def world_with_devices(*keys: object) -> tuple[World, list[str]]:
    """A world with one ACTIVE device certificate per key; their ids in order."""
    world = World(account_id="123456789012", region="us-east-1")
    ca = make_ca()
    ids = [
        world.register_certificate_without_ca(pem(ca.issue(f"device-{i}", key=key)), status="ACTIVE")[
            "certificateId"
        ]
        for i, key in enumerate(keys)
    ]
    return world, ids


def flagged(report: object, check: str = DEVICE) -> list[tuple[str, str]]:
    run = next(r for r in report.runs if r.name == check)  # type: ignore[attr-defined]
    return [(f.resource.label, f.reason_code) for f in run.findings]


# -- the format ---------------------------------------------------------------------------------------------


def test_the_fingerprint_is_the_last_80_bits_of_sha1_of_the_printed_modulus() -> None:
    key = rsa_key(1024)
    assert weak_keys.modulus_fingerprint(modulus(key)).hex() == vulnkey_line(key)
    assert len(vulnkey_line(key)) == 20


@pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl command on this machine")
def test_the_fingerprint_matches_what_openssl_prints(tmp_path: Path) -> None:
    """``openssl rsa -noout -modulus | sha1sum | cut -c21-40``, as the man page builds a list line."""
    key = rsa_key(1024)
    path = tmp_path / "key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    printed = subprocess.run(
        ["openssl", "rsa", "-noout", "-modulus", "-in", str(path)], capture_output=True, check=True
    ).stdout
    assert printed.startswith(b"Modulus=") and printed.endswith(b"\n")
    import hashlib

    assert hashlib.sha1(printed).hexdigest()[20:] == weak_keys.modulus_fingerprint(modulus(key)).hex()


def test_a_list_is_read_once_and_cached(tmp_path: Path) -> None:
    path = write_list(tmp_path, 1024, [rsa_key(1024)])
    first = weak_keys.read_weak_key_list(path)
    assert weak_keys.read_weak_key_list(path) is first
    assert first.bits == 1024 and len(first.fingerprints) == 3
    assert all(len(value) == 10 for value in first.fingerprints)
    # A changed file is read again.
    path.write_text(vulnkey_line(rsa_key(1024, 1)) + "\n", encoding="ascii")
    os.utime(path, ns=(1, 1))
    again = weak_keys.read_weak_key_list(path)
    assert again is not first and len(again.fingerprints) == 1


# -- world.audit() ----------------------------------------------------------------------------------------


def test_a_listed_key_is_flagged_and_others_are_not(tmp_path: Path) -> None:
    weak, other, big = rsa_key(1024), rsa_key(1024, 1), rsa_key(2048)
    world, (weak_id, _, _) = world_with_devices(weak, other, big)
    # The 2048-bit key's fingerprint sits in the 1024-bit list: a list covers only its own size.
    lists = [str(write_list(tmp_path, 1024, [weak, big]))]
    report = world.audit([DEVICE], weak_key_lists=lists)
    assert flagged(report) == [(weak_id, DEBIAN)]
    (finding,) = report.findings
    assert finding.severity == "CRITICAL"
    assert "blacklist.RSA-1024" in finding.reason
    assert report.runs[0].total_resources == 3
    # The 2048-bit key was not checked, and the report says so.
    (note,) = report.runs[0].notes
    assert "not checked for 1 of 3 RSA keys (2048 bits)" in note and "blacklist.RSA-1024" in note


def test_a_2048_bit_key_in_its_own_list_is_flagged(tmp_path: Path) -> None:
    big, other = rsa_key(2048), rsa_key(1024)
    world, (big_id, _) = world_with_devices(big, other)
    folder = tmp_path / "lists"
    folder.mkdir()
    lists = [write_list(folder, 2048, [big]), write_list(folder, 1024, [])]
    report = world.audit([DEVICE], weak_key_lists=lists)
    assert flagged(report) == [(big_id, DEBIAN)]
    assert report.runs[0].notes == ()  # every RSA key had a list of its size


def test_lists_registered_in_the_world_are_used_by_every_audit(tmp_path: Path) -> None:
    weak = rsa_key(1024)
    world, (weak_id,) = world_with_devices(weak)
    path = write_list(tmp_path, 1024, [weak])
    assert world.register_weak_key_list(path) == {"path": str(path), "keySize": 1024, "keys": 3}
    assert world.register_weak_key_list(str(path))["keys"] == 3  # the same file again: still one list
    assert len(world.weak_key_lists()) == 1
    assert flagged(world.audit([DEVICE])) == [(weak_id, DEBIAN)]


def test_the_ca_key_quality_check_uses_the_lists(tmp_path: Path) -> None:
    weak_key, good_key = rsa_key(1024, 2), rsa_key(1024, 3)
    world = World(account_id="123456789012", region="us-east-1")
    for name, key in (("Weak CA", weak_key), ("Good CA", good_key)):
        ca = make_ca(name, key=key)
        world.register_ca_certificate(
            caCertificate=ca.pem, verificationCertificate=ca.verification(), setAsActive=True
        )
    weak_id = world.list_ca_certificates()["certificates"][0]["certificateId"]
    report = world.audit([CA, DEVICE], weak_key_lists=[write_list(tmp_path, 1024, [weak_key])])
    assert flagged(report, CA) == [(weak_id, DEBIAN)]
    assert report.findings[0].severity == "CRITICAL"
    assert [run.notes for run in report.runs] == [(), ()]


def test_the_system_directory_is_read_when_it_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weak = rsa_key(1024)
    world, (weak_id,) = world_with_devices(weak)
    folder = tmp_path / "openssl-blacklist"
    folder.mkdir()
    write_list(folder, 1024, [weak])
    (folder / "README").write_text("not a list\n")  # other files there are not lists: ignored
    monkeypatch.setattr(weak_keys, "SYSTEM_DIRECTORY", folder)
    assert flagged(world.audit([DEVICE])) == [(weak_id, DEBIAN)]


def test_a_bad_list_in_the_system_directory_fails_the_check_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, _ = world_with_devices(rsa_key(1024))
    folder = tmp_path / "openssl-blacklist"
    folder.mkdir()
    (folder / "blacklist.RSA-1024").write_text("# list\nnot hex\n")
    monkeypatch.setattr(weak_keys, "SYSTEM_DIRECTORY", folder)
    (run,) = world.audit([DEVICE]).runs
    assert run.status == "FAILED"
    assert "blacklist.RSA-1024, line 2" in run.message


def test_roca_and_debian_both_reported(tmp_path: Path) -> None:
    from .certs import roca_key

    roca = roca_key()
    world, (roca_id,) = world_with_devices(roca)
    bits = modulus(roca).bit_length()  # its primes' product can fall a bit short of 1024
    report = world.audit([DEVICE], weak_key_lists=[write_list(tmp_path, bits, [roca])])
    assert sorted(flagged(report)) == [
        (roca_id, DEBIAN),
        (roca_id, "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"),
    ]
    assert report.runs[0].details()["nonCompliantResourcesCount"] == 1


# -- not checked: said to people, not in AWS's shapes -----------------------------------------------------


def test_without_lists_the_outputs_say_cve_2008_0166_was_not_checked() -> None:
    world, _ = world_with_devices(rsa_key(1024))
    world.create_test_certificate(subject={"CommonName": "ec-device"})  # EC keys: not in these lists
    report = world.audit([DEVICE])
    (run,) = report.runs
    assert run.status == "COMPLETED_COMPLIANT"
    (note,) = run.notes
    assert "CVE-2008-0166" in note and "was not checked for 1 of 1 RSA key (1024 bits)" in note
    assert "no list of its keys was given" in note
    assert f"note: {DEVICE}: {note}" in str(report)
    assert "not checked" in report._repr_html_()
    assert report.to_dict()["notes"] == {DEVICE: [note]}
    # AWS's shapes are unchanged: no message on a completed check.
    assert run.details() == {
        "checkRunStatus": "COMPLETED_COMPLIANT",
        "checkCompliant": True,
        "totalResourcesCount": 2,
        "nonCompliantResourcesCount": 0,
        "suppressedNonCompliantResourcesCount": 0,
    }


def test_no_note_when_no_rsa_key_is_in_scope() -> None:
    world = World()
    world.create_test_certificate(subject={"CommonName": "ec-device"})
    assert world.audit([DEVICE]).runs[0].notes == ()


# -- bad lists are rejected at the door --------------------------------------------------------------------

BAD_LINES = {
    "upper-case": "0123456789ABCDEF0123",
    "too-short": "0123456789abcdef012",
    "too-long": "0123456789abcdef01234",
    "full-sha1": "0123456789abcdef0123456789abcdef01234567",
    "not-hex": "0123456789abcdefg123",
    "trailing-space": "0123456789abcdef0123 ",
    "crlf": "0123456789abcdef0123\r",
    "blank": "",
    "late-comment": "# a comment after the first key",
}


@pytest.mark.parametrize("bad", sorted(BAD_LINES), ids=sorted(BAD_LINES))
def test_a_line_out_of_format_rejects_the_whole_file(tmp_path: Path, bad: str) -> None:
    weak = rsa_key(1024)
    world, _ = world_with_devices(weak)
    path = tmp_path / "blacklist.RSA-1024"
    path.write_text(f"# comment\n{vulnkey_line(weak)}\n{BAD_LINES[bad]}\n{vulnkey_line(weak)}\n")
    with pytest.raises(WeakKeyListError, match=rf"{path}, line 3: .* not 20 lower-case hex characters"):
        world.register_weak_key_list(path)
    with pytest.raises(WeakKeyListError, match="line 3"):
        world.audit([DEVICE], weak_key_lists=[path])
    assert world.weak_key_lists() == ()  # nothing of it was kept


def test_a_late_comment_says_comments_come_first(tmp_path: Path) -> None:
    path = tmp_path / "blacklist.RSA-1024"
    path.write_text("0123456789abcdef0123\n# late\n")
    with pytest.raises(WeakKeyListError, match="comments are allowed only before the first key"):
        weak_keys.read_weak_key_list(path)


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("weak-keys.txt", "0123456789abcdef0123\n", "must be named blacklist.RSA-<bits>"),
        ("blacklist.RSA-", "0123456789abcdef0123\n", "must be named blacklist.RSA-<bits>"),
        ("blacklist.RSA-02048", "0123456789abcdef0123\n", "must be named blacklist.RSA-<bits>"),
        ("blacklist.RSA-2048", "# only a comment\n", "holds no keys"),
        ("blacklist.RSA-2048", "", "holds no keys"),
    ],
)
def test_bad_names_and_empty_lists(tmp_path: Path, name: str, content: str, fragment: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(WeakKeyListError, match=fragment):
        weak_keys.read_weak_key_list(path)


def test_missing_files_directories_and_fifos(tmp_path: Path) -> None:
    with pytest.raises(WeakKeyListError, match="no such file"):
        weak_keys.read_weak_key_list(tmp_path / "blacklist.RSA-1024")
    folder = tmp_path / "dir" / "blacklist.RSA-2048"
    folder.mkdir(parents=True)
    with pytest.raises(WeakKeyListError, match="not a regular file"):
        weak_keys.read_weak_key_list(folder)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo" / "blacklist.RSA-4096"
        fifo.parent.mkdir()
        os.mkfifo(fifo)
        with pytest.raises(WeakKeyListError, match="not a regular file"):  # never waits for a writer
            weak_keys.read_weak_key_list(fifo)


def test_an_oversized_list_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weak_keys, "MAX_LIST_BYTES", 42)
    path = tmp_path / "blacklist.RSA-1024"
    path.write_text("0123456789abcdef0123\n" * 3)
    with pytest.raises(WeakKeyListError, match="more than the 42"):
        weak_keys.read_weak_key_list(path)


def test_a_lone_path_is_not_a_list_of_paths(tmp_path: Path) -> None:
    path = write_list(tmp_path, 1024, [rsa_key(1024)])
    world = World()
    with pytest.raises(TypeError, match=r"weak_key_lists takes a list of paths, not one path"):
        world.audit(weak_key_lists=str(path))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not one path"):
        world.audit(weak_key_lists=path)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"paths \(str or os.PathLike\), not int"):
        world.audit(weak_key_lists=[7])  # type: ignore[list-item]
