"""CA certificates and revocation lists in world files: loaded, dumped, loaded back the same."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.sources.worldfile import WorldFileError

from ...services.audit.certs import make_ca, pem


def _indent(text: str, spaces: int) -> str:
    return textwrap.indent(text, " " * spaces)


def test_load_dump_load(tmp_path: Path) -> None:
    ca = make_ca("Fleet CA")
    sni = make_ca("SNI CA", days=10)
    (tmp_path / "sni.pem").write_text(sni.pem)
    device = ca.issue("device", serial=77)
    path = tmp_path / "world.yaml"
    path.write_text(
        "ca_certificates:\n"
        "  - pem: |\n" + _indent(ca.pem, 6) + "    verification_pem: |\n" + _indent(ca.verification(), 6)
        + "    auto_registration: true\n"
        "  - pem_file: sni.pem\n"
        "    status: INACTIVE\n"
        "certificates:\n"
        "  - name: device\n"
        "    pem: |\n" + _indent(pem(device), 6)
        + "revocation_lists:\n"
        "  - pem: |\n" + _indent(ca.revocation_list(77), 6)
    )  # fmt: skip
    world = World.from_file(path)
    cas = world.list_ca_certificates()["certificates"]
    assert [c["status"] for c in cas] == ["ACTIVE", "INACTIVE"]
    first = world.describe_ca_certificate(certificateId=cas[0]["certificateId"])["certificateDescription"]
    second = world.describe_ca_certificate(certificateId=cas[1]["certificateId"])["certificateDescription"]
    assert (first["certificateMode"], first["autoRegistrationStatus"]) == ("DEFAULT", "ENABLE")
    assert second["certificateMode"] == "SNI_ONLY"
    assert world.revoked_by_issuer(world.all_certificates()[0].der) is not None
    assert [
        f.reason_code for f in world.audit(["REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK"]).findings
    ] == ["CERTIFICATE_REVOKED_BY_ISSUER"]

    dumped = tmp_path / "dumped.yaml"
    world.to_file(dumped)
    again = World.from_file(dumped)
    assert [
        (c.certificate_id, c.status, c.certificate_mode, c.auto_registration_status)
        for c in again.all_ca_certificates()
    ] == [
        (c.certificate_id, c.status, c.certificate_mode, c.auto_registration_status)
        for c in world.all_ca_certificates()
    ]
    assert len(again.revocation_lists()) == 1


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("  - status: ACTIVE\n", "missing 'pem'"),
        ("  - pem: not a certificate\n", "not a valid PEM-encoded X.509 certificate"),
        ("  - pem: x\n    pem_file: y.pem\n", "not both"),
        ("  - pem_file: missing.pem\n", "no such file"),
    ],
)
def test_errors_name_the_line(tmp_path: Path, entry: str, fragment: str) -> None:
    path = tmp_path / "world.yaml"
    path.write_text("ca_certificates:\n" + entry)
    with pytest.raises(WorldFileError, match=fragment):
        World.from_file(path)


def test_bad_status(tmp_path: Path) -> None:
    path = tmp_path / "world.yaml"
    path.write_text("ca_certificates:\n  - pem: |\n" + _indent(make_ca().pem, 6) + "    status: REVOKED\n")
    with pytest.raises(WorldFileError, match="status must be ACTIVE or INACTIVE"):
        World.from_file(path)
