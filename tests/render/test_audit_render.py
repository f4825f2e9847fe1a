"""Audit reports as text, HTML (escaped) and JUnit XML."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from boto_iotauth_local import World
from boto_iotauth_local.render.audit import audit_html, audit_junit, audit_text

ARN = "arn:aws:iot:us-east-1:123456789012"


def report() -> object:
    world = World()
    statements = [
        {"Effect": "Allow", "Action": "iot:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/<script>/#"},
    ]
    world.create_policy(
        policyName="Broad", policyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements})
    )
    return world.audit(["IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK", "LOGGING_DISABLED_CHECK"])


def test_text_lists_checks_findings_and_explanations() -> None:
    text = audit_text(report())  # type: ignore[arg-type]
    assert "1 noncompliant, 1 not run offline, 1 finding" in text
    assert "[MEDIUM] IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK IOT_POLICY Broad (version 1)" in text
    assert "topic/<script>/#" in text
    assert "statement #0 Allow" in text  # the engine's explanation
    assert "LOGGING_DISABLED_CHECK: Not run offline" in text


def test_html_escapes_world_values() -> None:
    html = audit_html(report())  # type: ignore[arg-type]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<details>" in html


def test_junit_is_well_formed_and_escaped() -> None:
    xml = audit_junit(report(), fail_on="MEDIUM")  # type: ignore[arg-type]
    suite = ElementTree.fromstring(xml.split("?>", 1)[1])
    assert (suite.get("failures"), suite.get("skipped")) == ("1", "1")
    failure = suite.find("testcase/failure")
    assert failure is not None and "topic/<script>/#" in (failure.text or "")
