"""The pytest plugin with moto: the iot_moto fixture, and iot_auth's moto option (marker and ini)."""

from __future__ import annotations

import pytest

from .test_plugin import run

pytest_plugins = ["pytester"]

MOTO_HELPERS = """
import json

import boto3
import pytest
from moto import mock_aws

STATEMENT = {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}
OPEN = json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]})
CONNECT = [{"actionType": "CONNECT", "resources": ["arn:aws:iot:us-east-1:123456789012:client/c"]}]


def decide_with_a_moto_policy():
    iot = boto3.client("iot", region_name="us-east-1")
    iot.create_policy(policyName="MotoPolicy", policyDocument=OPEN)
    answer = iot.test_authorization(authInfos=CONNECT, policyNamesToAdd=["MotoPolicy"])
    return answer["authResults"][0]["authDecision"]
"""


def test_iot_moto_answers_from_state_made_in_moto(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        MOTO_HELPERS
        + """
def test_policy_made_in_moto(iot_moto):
    assert iot_moto.moto_backed
    assert decide_with_a_moto_policy() == "ALLOWED"
    assert iot_moto.calls.last.operation == "TestAuthorization"

def test_each_test_has_fresh_moto_state(iot_moto):
    assert boto3.client("iot", region_name="us-east-1").list_policies()["policies"] == []
"""
    )
    run(pytester, fake_loader=False).assert_outcomes(passed=2)


def test_iot_auth_moto_option_by_marker_and_by_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        MOTO_HELPERS
        + """
@pytest.mark.iot_auth(moto=True)
@mock_aws
def test_marker(iot_auth):
    assert decide_with_a_moto_policy() == "ALLOWED"

def test_without_the_option_moto_state_is_not_read(iot_auth):
    with mock_aws():
        iot = boto3.client("iot", region_name="us-east-1")
        iot.create_policy(policyName="MotoPolicy", policyDocument=OPEN)
        with pytest.raises(iot.exceptions.ResourceNotFoundException):
            iot.test_authorization(authInfos=CONNECT, policyNamesToAdd=["MotoPolicy"])
"""
    )
    run(pytester, fake_loader=False).assert_outcomes(passed=2)
    pytester.makeini("[pytest]\niot_auth_moto = true\n")
    pytester.makepyfile(
        test_ini=MOTO_HELPERS
        + """
@mock_aws
def test_ini(iot_auth):
    assert iot_auth.moto_backed and decide_with_a_moto_policy() == "ALLOWED"
"""
    )
    run(pytester, "test_ini.py", fake_loader=False).assert_outcomes(passed=1)


def test_moto_option_and_a_world_file_marker_conflict(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iot_world("w.yaml")
@pytest.mark.iot_auth(moto=True)
def test_both(iot_auth):
    pass

@pytest.mark.iot_auth(moto="yes")
def test_not_a_bool(iot_auth):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*iot_world and moto=True disagree*", "*moto takes True or False*"])
