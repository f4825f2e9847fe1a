"""Certificate registration, ids, status, deletion and listing."""

from __future__ import annotations

import hashlib
import ssl
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boto_iotauth_local.errors import (
    CertificateStateException,
    DeleteConflictException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world import World, generate_certificate
from tests.world.conftest import allow

COGNITO = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"


def _sha256_of_der(pem: str) -> str:
    """The certificate id computed without the code under test: stdlib PEM decoding, then SHA-256."""
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def _ca_and_leaf() -> tuple[str, str, str]:
    """A CA certificate, a leaf it signed, and a leaf signed by another key (PEM)."""
    now = datetime.now(timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    other_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])

    def build(subject: str, issuer_key: ec.EllipticCurvePrivateKey, is_ca: bool) -> str:
        leaf_key = ca_key if is_ca else ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(ca_name if is_ca else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(ca_name)
            .public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(issuer_key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")

    return build("CA", ca_key, True), build("leaf", ca_key, False), build("forged", other_key, False)


def test_certificate_id_is_sha256_of_der(world: World) -> None:
    pem = generate_certificate({"CommonName": "d1"}).certificate_pem
    result = world.register_certificate_without_ca(pem)
    expected = _sha256_of_der(pem)
    assert result == {
        "certificateArn": f"arn:aws:iot:us-east-1:123456789012:cert/{expected}",
        "certificateId": expected,
    }
    assert len(expected) == 64 and expected == expected.lower()


def test_register_without_ca_defaults_to_active(world: World) -> None:
    pem = generate_certificate().certificate_pem
    cid = world.register_certificate_without_ca(pem)["certificateId"]
    assert world.describe_certificate(cid)["certificateDescription"]["status"] == "ACTIVE"
    pem2 = generate_certificate().certificate_pem
    cid2 = world.register_certificate_without_ca(pem2, status="INACTIVE")["certificateId"]
    assert world.describe_certificate(cid2)["certificateDescription"]["status"] == "INACTIVE"


@pytest.mark.parametrize(
    ("set_as_active", "status", "expected"),
    [
        (None, None, "INACTIVE"),
        (True, None, "ACTIVE"),
        (False, "REVOKED", "REVOKED"),
        (None, "ACTIVE", "ACTIVE"),
    ],
)
def test_register_certificate_status(
    world: World, set_as_active: bool | None, status: str | None, expected: str
) -> None:
    pem = generate_certificate().certificate_pem
    cid = world.register_certificate(pem, setAsActive=set_as_active, status=status)["certificateId"]
    certificate = world.certificate(cid)
    assert certificate is not None and certificate.status == expected


def test_register_with_its_ca(world: World) -> None:
    ca, leaf, forged = _ca_and_leaf()
    result = world.register_certificate(leaf, caCertificatePem=ca, setAsActive=True)
    description = world.describe_certificate(result["certificateId"])["certificateDescription"]
    assert description["caCertificateId"] == _sha256_of_der(ca)
    with pytest.raises(InvalidRequestException, match="not issued by"):
        world.register_certificate(forged, caCertificatePem=ca)
    with pytest.raises(InvalidRequestException, match="caCertificatePem"):
        world.register_certificate(forged, caCertificatePem="junk")


@pytest.mark.parametrize(
    "pem", ["", "hello", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
)
def test_bad_pem_is_an_invalid_request(world: World, pem: str) -> None:
    with pytest.raises(InvalidRequestException, match="certificatePem"):
        world.register_certificate_without_ca(pem)


def test_bad_status_is_an_invalid_request(world: World) -> None:
    pem = generate_certificate().certificate_pem
    with pytest.raises(InvalidRequestException, match="enum"):
        world.register_certificate_without_ca(pem, status="ENABLED")


def test_duplicate_registration(world: World) -> None:
    pem = generate_certificate().certificate_pem
    first = world.register_certificate_without_ca(pem)
    with pytest.raises(ResourceAlreadyExistsException) as caught:
        world.register_certificate(pem)
    assert caught.value.fields == {
        "resourceId": first["certificateId"],
        "resourceArn": first["certificateArn"],
    }


def test_describe_certificate_shape(world: World) -> None:
    created = world.create_test_certificate({"CommonName": "d"})
    description = world.describe_certificate(created["certificateId"])["certificateDescription"]
    assert description["certificateArn"] == created["certificateArn"]
    assert description["certificateId"] == created["certificateId"]
    assert description["certificatePem"] == created["certificatePem"]
    assert description["ownedBy"] == "123456789012"
    assert description["certificateMode"] == "DEFAULT"
    assert description["customerVersion"] == 1
    assert "caCertificateId" not in description
    validity = description["validity"]
    assert isinstance(validity["notBefore"], datetime) and validity["notBefore"] < validity["notAfter"]
    assert isinstance(description["creationDate"], datetime)


def test_describe_unknown_or_malformed_id(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.describe_certificate("0" * 64)
    with pytest.raises(InvalidRequestException):
        world.describe_certificate("abc")
    assert world.certificate("0" * 64) is None


def test_readers(world: World) -> None:
    created = world.create_test_certificate()
    by_id = world.certificate(created["certificateId"])
    assert by_id is not None
    assert world.certificate(created["certificateId"].upper()) is by_id
    assert world.certificate_by_arn(created["certificateArn"]) is by_id
    assert world.certificate_by_arn(created["certificateArn"].replace("us-east-1", "eu-west-1")) is None


def test_update_certificate(world: World) -> None:
    cid = world.create_test_certificate()["certificateId"]
    assert world.update_certificate(cid, "INACTIVE") == {}
    description = world.describe_certificate(cid)["certificateDescription"]
    assert description["status"] == "INACTIVE" and description["customerVersion"] == 2
    assert world.certificate_by_arn(description["certificateArn"]) == world.certificate(cid)
    world.update_certificate(cid, "REVOKED")
    with pytest.raises(InvalidRequestException):
        world.update_certificate(cid, "PENDING_TRANSFER")
    with pytest.raises(InvalidRequestException):
        world.update_certificate(cid, "BROKEN")
    with pytest.raises(ResourceNotFoundException):
        world.update_certificate("f" * 64, "ACTIVE")


def test_delete_active_certificate_is_a_state_error(world: World) -> None:
    cid = world.create_test_certificate()["certificateId"]
    with pytest.raises(CertificateStateException, match="deactivated"):
        world.delete_certificate(cid)


def test_delete_certificate_with_things_or_policies_is_a_conflict(world: World) -> None:
    created = world.create_test_certificate(status="INACTIVE")
    cid, arn = created["certificateId"], created["certificateArn"]
    world.create_thing("t")
    world.attach_thing_principal("t", arn)
    with pytest.raises(DeleteConflictException, match="Things"):
        world.delete_certificate(cid, forceDelete=True)
    world.detach_thing_principal("t", arn)
    world.create_policy("p", allow())
    world.attach_policy("p", arn)
    with pytest.raises(DeleteConflictException, match="policies"):
        world.delete_certificate(cid)
    assert world.delete_certificate(cid, forceDelete=True) == {}
    assert world.certificate(cid) is None and world.certificate_by_arn(arn) is None
    assert world.policies_for_target(arn) == ()
    assert world.list_targets_for_policy("p") == {"targets": []}
    world.delete_policy("p")  # no longer attached anywhere


def test_delete_unknown_certificate(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.delete_certificate("a" * 64)


def test_list_certificates(world: World) -> None:
    ids = [world.create_test_certificate()["certificateId"] for _ in range(3)]
    listed = world.list_certificates()
    assert [c["certificateId"] for c in listed["certificates"]] == ids
    entry = listed["certificates"][0]
    assert set(entry) == {"certificateArn", "certificateId", "status", "certificateMode", "creationDate"}
    page = world.list_certificates(pageSize=2)
    assert len(page["certificates"]) == 2
    rest = world.list_certificates(pageSize=2, marker=page["nextMarker"])
    assert [c["certificateId"] for c in rest["certificates"]] == ids[2:]
    assert [c["certificateId"] for c in world.list_certificates(ascendingOrder=False)["certificates"]] == ids[
        ::-1
    ]


def test_create_test_certificate_returns_keys_matching_the_certificate(world: World) -> None:
    created = world.create_test_certificate({"CommonName": "dev"})
    cert = x509.load_pem_x509_certificate(created["certificatePem"].encode())
    public = serialization.load_pem_public_key(created["keyPair"]["PublicKey"].encode())
    private = serialization.load_pem_private_key(created["keyPair"]["PrivateKey"].encode(), password=None)
    assert cert.public_key() == public == private.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    assert created["certificateId"] == _sha256_of_der(created["certificatePem"])


def test_create_test_certificate_with_own_key_and_serial(world: World) -> None:
    key = ec.generate_private_key(ec.SECP384R1())
    created = world.create_test_certificate(serial_number=4242, key=key, status="INACTIVE")
    certificate = world.certificate(created["certificateId"])
    assert certificate is not None and certificate.serial_number == 4242 and certificate.status == "INACTIVE"
    cert = x509.load_pem_x509_certificate(created["certificatePem"].encode())
    assert cert.public_key() == key.public_key()


def test_test_certificates_are_distinct(world: World) -> None:
    ids = {world.create_test_certificate({"CommonName": "same"})["certificateId"] for _ in range(20)}
    assert len(ids) == 20


def test_unknown_test_certificate_fields_are_value_errors(world: World) -> None:
    with pytest.raises(ValueError, match="Nickname"):
        world.create_test_certificate({"Nickname": "x"})
    with pytest.raises(ValueError, match="OtherName"):
        world.create_test_certificate(subject_alternative_names={"OtherName": ["x"]})
