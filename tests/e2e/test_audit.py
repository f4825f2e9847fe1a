"""The audit operations through real boto3 clients, answered from a World while activated."""

from __future__ import annotations

import datetime
import json

import boto3
import botocore.session
import pytest
from botocore.exceptions import ClientError

from boto_iotauth_local import Activation, World

from .conftest import ARN, REGION, allow, doc

#: botocore's IoT model gained AuditCheckConfiguration.configuration after the oldest botocore admitted.
_MODEL_HAS_CHECK_CONFIGURATION = "configuration" in (
    botocore.session.get_session().get_service_model("iot").shape_for("AuditCheckConfiguration").members
)

BROAD = doc(allow("iot:*", "*"))
DEVICE = doc(
    allow(
        "iot:Connect",
        f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
        Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
    ),
    allow("iot:Subscribe", f"{ARN}:topicfilter/$aws/things/${{iot:ClientId}}/shadow/*"),
)
CHECKS = [
    "IOT_POLICY_OVERLY_PERMISSIVE_CHECK",
    "DEVICE_CERTIFICATE_EXPIRING_CHECK",
    "CONFLICTING_CLIENT_IDS_CHECK",
]


def iot() -> object:
    return boto3.client("iot", region_name=REGION)


def configure(client: object, *names: str) -> None:
    client.update_account_audit_configuration(  # type: ignore[attr-defined]
        roleArn="arn:aws:iam::123456789012:role/audit",
        auditCheckConfigurations={name: {"enabled": True} for name in names},
    )


def test_configure_start_describe_list(world: World, active: Activation) -> None:
    world.create_policy(policyName="Broad", policyDocument=BROAD)
    world.create_policy(policyName="Device", policyDocument=DEVICE)
    client = iot()
    configure(client, *CHECKS)
    described = client.describe_account_audit_configuration()
    assert described["roleArn"] == "arn:aws:iam::123456789012:role/audit"
    assert described["auditCheckConfigurations"]["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"] == {"enabled": True}
    assert described["auditCheckConfigurations"]["LOGGING_DISABLED_CHECK"] == {"enabled": False}

    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    task_id = client.start_on_demand_audit_task(targetCheckNames=CHECKS)["taskId"]
    task = client.describe_audit_task(taskId=task_id)
    assert task["taskStatus"] == "COMPLETED"  # tasks complete before StartOnDemandAuditTask returns
    assert task["taskType"] == "ON_DEMAND_AUDIT_TASK"
    assert task["taskStatistics"] == {
        "totalChecks": 3,
        "inProgressChecks": 0,
        "waitingForDataCollectionChecks": 1,
        "compliantChecks": 1,
        "nonCompliantChecks": 1,
        "failedChecks": 0,
        "canceledChecks": 0,
    }
    details = task["auditDetails"]
    assert details["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"] == {
        "checkRunStatus": "COMPLETED_NON_COMPLIANT",
        "checkCompliant": False,
        "totalResourcesCount": 2,
        "nonCompliantResourcesCount": 2,
        "suppressedNonCompliantResourcesCount": 0,
    }
    assert details["CONFLICTING_CLIENT_IDS_CHECK"]["checkRunStatus"] == "WAITING_FOR_DATA_COLLECTION"

    after = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)
    tasks = client.list_audit_tasks(startTime=before, endTime=after)["tasks"]
    assert tasks == [{"taskId": task_id, "taskStatus": "COMPLETED", "taskType": "ON_DEMAND_AUDIT_TASK"}]
    assert client.list_audit_tasks(startTime=after, endTime=after)["tasks"] == []

    findings = client.list_audit_findings(taskId=task_id)["findings"]
    assert sorted(
        f["nonCompliantResource"]["resourceIdentifier"]["policyVersionIdentifier"]["policyName"]
        for f in findings
    ) == ["Broad", "Device"]
    device = next(f for f in findings if "Device" in json.dumps(f["nonCompliantResource"]))
    assert device["severity"] == "CRITICAL"
    assert device["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"
    assert "client connecting as +" in device["nonCompliantResource"]["additionalInfo"]["evidence"]
    assert device["taskId"] == task_id and isinstance(device["taskStartTime"], datetime.datetime)
    assert client.describe_audit_finding(findingId=device["findingId"])["finding"] == device
    by_window = client.list_audit_findings(startTime=before, endTime=after, checkName=CHECKS[0])["findings"]
    assert len(by_window) == 2
    only_device = client.list_audit_findings(
        taskId=task_id,
        resourceIdentifier={"policyVersionIdentifier": {"policyName": "Device", "policyVersionId": "1"}},
    )["findings"]
    assert [f["findingId"] for f in only_device] == [device["findingId"]]


def test_findings_are_paginated(world: World, active: Activation) -> None:
    for index in range(5):
        world.create_policy(policyName=f"Broad{index}", policyDocument=BROAD)
    client = iot()
    configure(client, CHECKS[0])
    task_id = client.start_on_demand_audit_task(targetCheckNames=[CHECKS[0]])["taskId"]
    first = client.list_audit_findings(taskId=task_id, maxResults=2)
    assert len(first["findings"]) == 2 and "nextToken" in first
    paginator = client.get_paginator("list_audit_findings")
    pages = list(paginator.paginate(taskId=task_id, PaginationConfig={"PageSize": 2}))
    assert [len(p["findings"]) for p in pages] == [2, 2, 1]
    assert len({f["findingId"] for p in pages for f in p["findings"]}) == 5


def test_audit_state_is_per_region(world: World, active: Activation) -> None:
    configure(iot(), CHECKS[0])
    other = boto3.client("iot", region_name="eu-west-1")
    assert "roleArn" not in other.describe_account_audit_configuration()


@pytest.mark.parametrize(
    ("call", "code", "fragment"),
    [
        (
            lambda c: c.start_on_demand_audit_task(targetCheckNames=["NOPE_CHECK"]),
            "InvalidRequestException",
            "unknown audit check name",
        ),
        (
            lambda c: c.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"]),
            "InvalidRequestException",
            "not enabled",
        ),
        (lambda c: c.describe_audit_task(taskId="0123abcd"), "ResourceNotFoundException", "does not exist"),
        (lambda c: c.describe_audit_task(taskId="bad_id!"), "InvalidRequestException", "regular expression"),
        (lambda c: c.describe_audit_finding(findingId="nope"), "ResourceNotFoundException", "does not exist"),
        (lambda c: c.list_audit_findings(), "InvalidRequestException", "either taskId or startTime"),
        (
            lambda c: c.update_account_audit_configuration(
                auditCheckConfigurations={"X_CHECK": {"enabled": True}}
            ),
            "InvalidRequestException",
            "unknown audit check name",
        ),
        pytest.param(
            lambda c: c.update_account_audit_configuration(
                roleArn="arn:aws:iam::123456789012:role/audit",
                auditCheckConfigurations={
                    "DEVICE_CERTIFICATE_AGE_CHECK": {
                        "enabled": True,
                        "configuration": {"CERT_AGE_THRESHOLD_IN_DAYS": "10"},
                    }
                },
            ),
            "InvalidRequestException",
            "from 30 to 3652",
            marks=pytest.mark.skipif(
                not _MODEL_HAS_CHECK_CONFIGURATION,
                reason="this botocore's IoT model predates a check's custom configuration",
            ),
        ),
    ],
)
def test_bad_requests(world: World, active: Activation, call: object, code: str, fragment: str) -> None:
    client = iot()
    configure(client, CHECKS[0])
    with pytest.raises(ClientError) as caught:
        call(client)  # type: ignore[operator]
    assert caught.value.response["Error"]["Code"] == code
    assert fragment in caught.value.response["Error"]["Message"]


def test_cancel_a_completed_task_is_refused(world: World, active: Activation) -> None:
    client = iot()
    configure(client, CHECKS[0])
    task_id = client.start_on_demand_audit_task(targetCheckNames=[CHECKS[0]])["taskId"]
    with pytest.raises(client.exceptions.InvalidRequestException, match="only an audit that is IN_PROGRESS"):
        client.cancel_audit_task(taskId=task_id)
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.cancel_audit_task(taskId="ffff")
