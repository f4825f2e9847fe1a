"""``iotauth-local audit``: exit codes for CI, json, table and JUnit output."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.faces.cli.main import main

ARN = "arn:aws:iot:us-east-1:123456789012"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def policy(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def risky(tmp_path: Path) -> Path:
    world = World()
    world.create_policy(
        policyName="ClientIdTopics",
        policyDocument=policy(
            {
                "Effect": "Allow",
                "Action": "iot:Subscribe",
                "Resource": f"{ARN}:topicfilter/$aws/things/${{iot:ClientId}}/*",
            }
        ),
    )
    world.create_policy(
        policyName="DenyWithHash",
        policyDocument=policy(
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/building/*"},
            {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/building/control_room/#"},
        ),
    )
    path = tmp_path / "risky.yaml"
    world.to_file(path)
    return path


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    world = World()
    world.create_policy(
        policyName="Own",
        policyDocument=policy(
            {
                "Effect": "Allow",
                "Action": "iot:Publish",
                "Resource": f"{ARN}:topic/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*",
            }
        ),
    )
    path = tmp_path / "clean.yaml"
    world.to_file(path)
    return path


def test_findings_fail_the_run_with_evidence(risky: Path) -> None:
    code, out, _ = run("audit", "--world", str(risky))
    assert code == 1
    assert "IOT_POLICY_OVERLY_PERMISSIVE_CHECK" in out and "ClientIdTopics" in out
    assert "a client connecting as +" in out
    assert "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT" in out


def test_fail_on_severity(risky: Path) -> None:
    code, _, _ = run(
        "audit",
        "--world",
        str(risky),
        "--checks",
        "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK",
        "--fail-on",
        "HIGH",
    )
    assert code == 0  # a MEDIUM finding does not reach HIGH
    code, _, _ = run("audit", "--world", str(risky), "--fail-on", "CRITICAL")
    assert code == 1


def test_clean_world_passes(clean: Path) -> None:
    code, out, _ = run("audit", "--world", str(clean), "--output", "json")
    assert code == 0
    report = json.loads(out)
    assert report["findings"] == [] and report["failed"] is False
    assert (
        report["auditDetails"]["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"]["checkRunStatus"]
        == "COMPLETED_COMPLIANT"
    )


def test_json_output(risky: Path) -> None:
    code, out, _ = run(
        "audit", "--world", str(risky), "--output", "json", "--checks", "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
    )
    report = json.loads(out)
    assert code == 1 and report["failed"] is True
    (finding,) = report["findings"]
    assert finding["reasonForNonComplianceCode"] == "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"
    assert finding["evidence"][0]["request"]["clientId"] == "+"
    assert "ALLOWED" in finding["evidence"][0]["explanation"]


def test_junit_output(risky: Path) -> None:
    code, out, _ = run(
        "audit",
        "--world",
        str(risky),
        "--output",
        "junit",
        "--checks",
        "IOT_POLICY_OVERLY_PERMISSIVE_CHECK",
        "CONFLICTING_CLIENT_IDS_CHECK",
        "DEVICE_CERTIFICATE_EXPIRING_CHECK",
    )
    assert code == 1
    suite = ElementTree.fromstring(out.split("?>", 1)[1])
    assert suite.get("tests") == "3" and suite.get("failures") == "1" and suite.get("skipped") == "1"
    cases = {case.get("name"): case for case in suite}
    assert cases["IOT_POLICY_OVERLY_PERMISSIVE_CHECK"].find("failure") is not None
    assert cases["CONFLICTING_CLIENT_IDS_CHECK"].find("skipped") is not None
    assert len(cases["DEVICE_CERTIFICATE_EXPIRING_CHECK"]) == 0


def test_unknown_check_is_a_service_error(clean: Path) -> None:
    code, _, err = run("audit", "--world", str(clean), "--checks", "NOPE_CHECK")
    assert code == 3
    assert "InvalidRequestException" in err and "NOPE_CHECK" in err


def test_bad_time_is_a_usage_error(clean: Path) -> None:
    code, _, err = run("audit", "--world", str(clean), "--at", "tomorrow")
    assert code == 2 and "ISO 8601" in err


def test_expiry_as_of_a_later_time(tmp_path: Path) -> None:
    world = World()
    world.create_test_certificate(subject={"CommonName": "d1"})
    path = tmp_path / "certs.yaml"
    world.to_file(path)
    code, out, _ = run(
        "audit",
        "--world",
        str(path),
        "--checks",
        "DEVICE_CERTIFICATE_EXPIRING_CHECK",
        "--at",
        "2999-01-01T00:00:00Z",
        "--output",
        "json",
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["reasonForNonComplianceCode"] == "CERTIFICATE_PAST_EXPIRATION"
