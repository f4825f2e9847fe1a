"""CVE-2008-0166 through boto3: StartOnDemandAuditTask and ListAuditFindings while activated find a key on
a list the world holds (``world.register_weak_key_list``), with AWS's reason code and severity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local import Activation, World

from ..services.audit.certs import make_ca, pem
from ..services.audit.weakkeys import no_system_lists, rsa_key, write_list

__all__ = ["no_system_lists"]  # the fixture, imported for this module's tests

CHECKS = ["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CA_CERTIFICATE_KEY_QUALITY_CHECK"]
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
pytestmark = pytest.mark.usefixtures("no_system_lists")


def start(iot: Any) -> str:
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/audit",
        auditCheckConfigurations={name: {"enabled": True} for name in CHECKS},
    )
    return str(iot.start_on_demand_audit_task(targetCheckNames=CHECKS)["taskId"])


def test_listed_device_and_ca_keys_are_found_through_boto3(
    world: World, active: Activation, iot: Any, tmp_path: Path
) -> None:
    weak_device, good_device, weak_ca_key, big = (
        rsa_key(1024),
        rsa_key(1024, 1),
        rsa_key(1024, 2),
        rsa_key(2048),
    )
    ca = make_ca("Weak CA", key=weak_ca_key)
    world.register_ca_certificate(
        caCertificate=ca.pem, verificationCertificate=ca.verification(), setAsActive=True
    )
    ca_id = world.list_ca_certificates()["certificates"][0]["certificateId"]
    issuer = make_ca()
    weak_id = world.register_certificate_without_ca(
        pem(issuer.issue("weak", key=weak_device)), status="ACTIVE"
    )["certificateId"]
    world.register_certificate_without_ca(pem(issuer.issue("good", key=good_device)), status="ACTIVE")
    world.register_certificate_without_ca(pem(issuer.issue("big", key=big)), status="ACTIVE")
    # The 2048-bit key is named in the 1024-bit list only: not flagged (a list covers its own key size).
    world.register_weak_key_list(write_list(tmp_path, 1024, [weak_device, weak_ca_key, big]))

    task_id = start(iot)
    found = iot.list_audit_findings(taskId=task_id)["findings"]
    assert sorted(
        (
            f["checkName"],
            f["severity"],
            f["reasonForNonComplianceCode"],
            f["nonCompliantResource"]["resourceIdentifier"],
        )
        for f in found
    ) == [
        ("CA_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", DEBIAN, {"caCertificateId": ca_id}),
        ("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", DEBIAN, {"deviceCertificateId": weak_id}),
    ]
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"]["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"]
    assert details == {
        "checkRunStatus": "COMPLETED_NON_COMPLIANT",
        "checkCompliant": False,
        "totalResourcesCount": 3,
        "nonCompliantResourcesCount": 1,
        "suppressedNonCompliantResourcesCount": 0,
    }


def test_without_lists_the_task_keeps_aws_shapes(world: World, active: Activation, iot: Any) -> None:
    issuer = make_ca()
    world.register_certificate_without_ca(pem(issuer.issue("weak", key=rsa_key(1024))), status="ACTIVE")
    task_id = start(iot)
    assert iot.list_audit_findings(taskId=task_id)["findings"] == []
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"]["DEVICE_CERTIFICATE_KEY_QUALITY_CHECK"]
    assert details["checkRunStatus"] == "COMPLETED_COMPLIANT" and "message" not in details
