"""The audit operations on a moto-backed world: moto has no audit, so they are answered from moto's state."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from boto_iotauth_local import activate
from boto_iotauth_local.services.audit import OPERATIONS

from ..ca_certs import ca_pair
from .conftest import ARN, REGION, allow, doc, moto


def test_moto_still_raises_not_implemented_for_the_audit_operations() -> None:
    """Guard: the day moto implements these, the suite says so."""
    assert "StartOnDemandAuditTask" in OPERATIONS
    with moto.mock_aws():
        iot = boto3.client("iot", region_name=REGION)
        with pytest.raises(NotImplementedError):
            iot.describe_account_audit_configuration()


def test_audit_reads_moto_policies_certificates_and_ca_certificates(iot: Any) -> None:
    iot.create_policy(policyName="Broad", policyDocument=doc(allow("iot:Subscribe", f"{ARN}:topicfilter/#")))
    iot.create_policy(policyName="Own", policyDocument=doc(allow("iot:Publish", f"{ARN}:topic/own")))
    ca_pem, _ = ca_pair(days=10)
    iot.register_ca_certificate(caCertificate=ca_pem, verificationCertificate=ca_pem, setAsActive=True)
    checks = ["IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "CA_CERTIFICATE_EXPIRING_CHECK"]
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/audit",
        auditCheckConfigurations={name: {"enabled": True} for name in checks},
    )
    task_id = iot.start_on_demand_audit_task(targetCheckNames=checks)["taskId"]
    assert iot.describe_audit_task(taskId=task_id)["taskStatus"] == "COMPLETED"
    findings = iot.list_audit_findings(taskId=task_id)["findings"]
    assert sorted((f["checkName"], f["reasonForNonComplianceCode"]) for f in findings) == [
        ("CA_CERTIFICATE_EXPIRING_CHECK", "CERTIFICATE_APPROACHING_EXPIRATION"),
        ("IOT_POLICY_OVERLY_PERMISSIVE_CHECK", "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"),
    ]


def test_audit_state_lives_with_moto_state(mocked: None) -> None:
    with activate():
        iot = boto3.client("iot", region_name=REGION)
        iot.update_account_audit_configuration(roleArn="arn:aws:iam::123456789012:role/audit")
        assert iot.describe_account_audit_configuration()["roleArn"].endswith("role/audit")


def test_cognito_checks_are_not_run_on_moto_worlds(iot: Any) -> None:
    """moto keeps no identity pool roles: the Cognito checks say so instead of reporting compliance."""
    checks = [
        "AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
        "UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK",
    ]
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/audit",
        auditCheckConfigurations={name: {"enabled": True} for name in checks},
    )
    task_id = iot.start_on_demand_audit_task(targetCheckNames=checks)["taskId"]
    details = iot.describe_audit_task(taskId=task_id)["auditDetails"]
    assert {d["checkRunStatus"] for d in details.values()} == {"WAITING_FOR_DATA_COLLECTION"}
    assert "role policies" in details[checks[0]]["message"]
