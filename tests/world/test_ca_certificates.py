"""CA certificates in the World: RegisterCACertificate and friends with boto3's arguments and AWS's errors."""

from __future__ import annotations

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.errors import (
    CertificateStateException,
    CertificateValidationException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)

from ..services.audit.certs import make_ca, pem


def test_register_describe_update_list_delete() -> None:
    world = World(account_id="123456789012", region="eu-west-1")
    ca = make_ca("Fleet CA")
    registered = world.register_ca_certificate(
        caCertificate=ca.pem,
        verificationCertificate=ca.verification(),
        setAsActive=True,
        allowAutoRegistration=True,
        registrationConfig={"templateName": "jitp"},
    )
    certificate_id = registered["certificateId"]
    assert registered["certificateArn"] == f"arn:aws:iot:eu-west-1:123456789012:cacert/{certificate_id}"
    described = world.describe_ca_certificate(certificateId=certificate_id)
    description = described["certificateDescription"]
    assert description["status"] == "ACTIVE"
    assert description["autoRegistrationStatus"] == "ENABLE"
    assert description["certificateMode"] == "DEFAULT"
    assert description["certificatePem"] == ca.pem
    assert description["validity"]["notAfter"] == ca.certificate.not_valid_after_utc
    assert described["registrationConfig"] == {"templateName": "jitp"}

    world.update_ca_certificate(
        certificateId=certificate_id, newStatus="INACTIVE", newAutoRegistrationStatus="DISABLE"
    )
    description = world.describe_ca_certificate(certificateId=certificate_id)["certificateDescription"]
    assert (description["status"], description["autoRegistrationStatus"], description["customerVersion"]) == (
        "INACTIVE",
        "DISABLE",
        2,
    )
    sni = make_ca("SNI CA")
    world.register_ca_certificate(caCertificate=sni.pem, certificateMode="SNI_ONLY")
    listed = world.list_ca_certificates(pageSize=1)
    assert [c["certificateId"] for c in listed["certificates"]] == [certificate_id]
    rest = world.list_ca_certificates(pageSize=1, marker=listed["nextMarker"])
    assert len(rest["certificates"]) == 1 and "nextMarker" not in rest
    assert [c["certificateId"] for c in world.list_ca_certificates(templateName="jitp")["certificates"]] == [
        certificate_id
    ]
    world.delete_ca_certificate(certificateId=certificate_id)
    with pytest.raises(ResourceNotFoundException):
        world.describe_ca_certificate(certificateId=certificate_id)


def test_errors() -> None:
    world = World()
    ca = make_ca()
    other = make_ca("Other")
    with pytest.raises(InvalidRequestException, match="verificationCertificate is required"):
        world.register_ca_certificate(caCertificate=ca.pem)
    with pytest.raises(InvalidRequestException, match="must be empty when certificateMode is SNI_ONLY"):
        world.register_ca_certificate(
            caCertificate=ca.pem, verificationCertificate=ca.verification(), certificateMode="SNI_ONLY"
        )
    with pytest.raises(CertificateValidationException, match="not signed by the CA"):
        world.register_ca_certificate(caCertificate=ca.pem, verificationCertificate=other.verification())
    with pytest.raises(CertificateValidationException, match="not a CA certificate"):
        world.register_ca_certificate(caCertificate=pem(ca.issue("leaf")), certificateMode="SNI_ONLY")
    with pytest.raises(InvalidRequestException, match=r"not a valid PEM-encoded X\.509 certificate"):
        world.register_ca_certificate(caCertificate="garbage", certificateMode="SNI_ONLY")
    with pytest.raises(InvalidRequestException, match="enum value set"):
        world.register_ca_certificate(caCertificate=ca.pem, certificateMode="FAST")
    registered = world.register_ca_certificate(
        caCertificate=ca.pem, certificateMode="SNI_ONLY", setAsActive=True
    )
    with pytest.raises(ResourceAlreadyExistsException):
        world.register_ca_certificate(caCertificate=ca.pem, certificateMode="SNI_ONLY")
    with pytest.raises(CertificateStateException, match="deactivated"):
        world.delete_ca_certificate(certificateId=registered["certificateId"])
    with pytest.raises(InvalidRequestException, match="enum value set"):
        world.update_ca_certificate(certificateId=registered["certificateId"], newStatus="REVOKED")
    with pytest.raises(ResourceNotFoundException):
        world.update_ca_certificate(certificateId="a" * 64, newStatus="ACTIVE")
    with pytest.raises(InvalidRequestException, match="regular expression"):
        world.describe_ca_certificate(certificateId="z" * 64)
