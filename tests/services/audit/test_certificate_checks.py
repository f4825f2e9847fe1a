"""Certificate checks on worlds with the certificates they are about.

Rules and reason codes: the check pages under
https://docs.aws.amazon.com/iot-device-defender/latest/devguide/ (audit-chk-device-cert-*.html,
audit-chk-ca-cert-*.html, audit-chk-revoked-*.html, device-certificate-age-check.html).
"""

from __future__ import annotations

import datetime

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.errors import InvalidRequestException

from .certs import NOW, make_ca, pem, roca_key

DAY = datetime.timedelta(days=1)


def world() -> World:
    return World(account_id="123456789012", region="us-east-1")


def codes(report: object, check: str) -> list[str]:
    run = next(r for r in report.runs if r.name == check)  # type: ignore[attr-defined]
    return [f.reason_code for f in run.findings]


def test_device_certificate_expiring_approaching_and_past() -> None:
    w = world()
    w.create_test_certificate(subject={"CommonName": "d1"})  # valid for 365 days from yesterday
    check = "DEVICE_CERTIFICATE_EXPIRING_CHECK"
    assert codes(w.audit([check], now=NOW), check) == []
    assert codes(w.audit([check], now=NOW + 340 * DAY), check) == ["CERTIFICATE_APPROACHING_EXPIRATION"]
    assert codes(w.audit([check], now=NOW + 400 * DAY), check) == ["CERTIFICATE_PAST_EXPIRATION"]
    # The threshold is configurable as UpdateAccountAuditConfiguration takes it.
    wide = {check: {"CERT_EXPIRATION_THRESHOLD_IN_DAYS": "60"}}
    assert codes(w.audit([check], now=NOW + 310 * DAY, configurations=wide), check) == [
        "CERTIFICATE_APPROACHING_EXPIRATION"
    ]


def test_expiring_applies_only_to_active_or_pending_transfer_certificates() -> None:
    w = world()
    w.create_test_certificate(subject={"CommonName": "d1"}, status="INACTIVE")
    w.create_test_certificate(subject={"CommonName": "d2"}, status="REVOKED")
    report = w.audit(["DEVICE_CERTIFICATE_EXPIRING_CHECK"], now=NOW + 400 * DAY)
    assert report.runs[0].total_resources == 0 and report.clean


def test_device_certificate_age() -> None:
    w = world()
    w.create_test_certificate(subject={"CommonName": "d1"})
    check = "DEVICE_CERTIFICATE_AGE_CHECK"
    assert codes(w.audit([check], now=NOW), check) == []
    assert codes(w.audit([check], now=NOW + 365 * DAY), check) == ["CERTIFICATE_PAST_AGE_THRESHOLD"]
    short = {check: {"CERT_AGE_THRESHOLD_IN_DAYS": "30"}}
    assert codes(w.audit([check], now=NOW + 30 * DAY, configurations=short), check) == [
        "CERTIFICATE_PAST_AGE_THRESHOLD"
    ]


def test_age_check_is_not_run_unless_asked() -> None:
    report = world().audit()
    assert "DEVICE_CERTIFICATE_AGE_CHECK" not in [r.name for r in report.runs]


def test_device_certificate_shared_by_things() -> None:
    w = world()
    shared = w.create_test_certificate(subject={"CommonName": "shared"})
    single = w.create_test_certificate(subject={"CommonName": "single"})
    for name in ("pump-1", "pump-2", "pump-3"):
        w.create_thing(thingName=name)
        w.attach_thing_principal(thingName=name, principal=shared["certificateArn"])
    w.create_thing(thingName="valve")
    w.attach_thing_principal(thingName="valve", principal=single["certificateArn"])
    report = w.audit(["DEVICE_CERTIFICATE_SHARED_CHECK"])
    (finding,) = report.findings
    assert finding.reason_code == "CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES"
    assert finding.resource.identifier == {"deviceCertificateId": shared["certificateId"]}
    assert [r.identifier["clientId"] for r in finding.related] == ["pump-1", "pump-2", "pump-3"]
    assert report.runs[0].total_resources == 2


def test_device_key_quality_flags_roca_keys_only() -> None:
    w = world()
    ca = make_ca()
    w.register_certificate_without_ca(pem(ca.issue("weak", key=roca_key())))
    w.create_test_certificate(subject={"CommonName": "strong"})
    report = w.audit(["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"])
    assert [f.reason_code for f in report.findings] == ["CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"]
    assert report.runs[0].total_resources == 2


def test_ca_checks() -> None:
    w = world()
    good = make_ca("Good CA")
    w.register_ca_certificate(
        caCertificate=good.pem, verificationCertificate=good.verification(), setAsActive=True
    )
    weak = make_ca("Weak CA", key=roca_key(7), days=20)
    w.register_ca_certificate(
        caCertificate=weak.pem, verificationCertificate=weak.verification(), setAsActive=True
    )
    inactive = make_ca("Old CA", days=5)
    w.register_ca_certificate(caCertificate=inactive.pem, verificationCertificate=inactive.verification())
    report = w.audit(["CA_CERTIFICATE_EXPIRING_CHECK", "CA_CERTIFICATE_KEY_QUALITY_CHECK"])
    found = {(f.check_name, f.reason_code, f.resource.label) for f in report.findings}
    weak_id = w.list_ca_certificates()["certificates"][1]["certificateId"]
    assert found == {
        ("CA_CERTIFICATE_EXPIRING_CHECK", "CERTIFICATE_APPROACHING_EXPIRATION", weak_id),
        ("CA_CERTIFICATE_KEY_QUALITY_CHECK", "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361", weak_id),
    }
    assert [r.total_resources for r in report.runs] == [2, 2]  # the INACTIVE CA is not checked


def test_revoked_device_and_ca_certificates_still_active() -> None:
    w = world()
    root = make_ca("Root")
    intermediate_cert = root.issue("Intermediate", ca=True, serial=4242)
    w.register_ca_certificate(
        caCertificate=root.pem, verificationCertificate=root.verification(), setAsActive=True
    )
    ca = make_ca("Issuing CA")
    w.register_ca_certificate(
        caCertificate=ca.pem, verificationCertificate=ca.verification(), setAsActive=True
    )
    revoked = ca.issue("revoked-device", serial=1001)
    kept = ca.issue("kept-device", serial=1002)
    inactive = ca.issue("inactive-device", serial=1003)
    revoked_id = w.register_certificate(
        certificatePem=pem(revoked), caCertificatePem=ca.pem, setAsActive=True
    )["certificateId"]
    w.register_certificate(certificatePem=pem(kept), caCertificatePem=ca.pem, setAsActive=True)
    w.register_certificate(certificatePem=pem(inactive), caCertificatePem=ca.pem, status="INACTIVE")
    checks = ["REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", "REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK"]
    assert w.audit(checks).clean  # no revocation list yet: nothing is known revoked
    w.register_revocation_list(ca.revocation_list(1001, 1003))
    report = w.audit(checks)
    (finding,) = report.findings
    assert finding.reason_code == "CERTIFICATE_REVOKED_BY_ISSUER"
    assert finding.resource.identifier == {"deviceCertificateId": revoked_id}
    # A CA certificate on its issuer's list: register the intermediate and revoke it at the root.
    intermediate_id = w.register_ca_certificate(
        caCertificate=pem(intermediate_cert), certificateMode="SNI_ONLY", setAsActive=True
    )["certificateId"]
    w.register_revocation_list(root.revocation_list(4242))
    report = w.audit(checks)
    assert {(f.check_name, f.resource.label) for f in report.findings} == {
        ("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", revoked_id),
        ("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", intermediate_id),
    }
    w.update_ca_certificate(certificateId=intermediate_id, newStatus="INACTIVE")
    assert len(w.audit(checks).findings) == 1


def test_checks_that_need_traffic_are_reported_not_run() -> None:
    report = world().audit(["CONFLICTING_CLIENT_IDS_CHECK", "LOGGING_DISABLED_CHECK"])
    assert [r.status for r in report.runs] == ["WAITING_FOR_DATA_COLLECTION"] * 2
    assert not report.clean and report.findings == ()
    assert "connection traffic" in report.runs[0].message


def test_unknown_check_name() -> None:
    with pytest.raises(InvalidRequestException, match="unknown audit check name: 'NOPE_CHECK'"):
        world().audit(["NOPE_CHECK"])


def test_bad_revocation_list() -> None:
    with pytest.raises(InvalidRequestException, match=r"not a valid PEM-encoded X\.509 CRL"):
        world().register_revocation_list("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")
