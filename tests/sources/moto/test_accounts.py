"""Each moto account has its own IoT state and authorizers; the account is the one moto would pick."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from boto_iotauth_local import activate

from .conftest import ACCOUNT, OTHER_ACCOUNT, REGION, allow, decide, doc, moto


def _client_in(account: str) -> Any:
    sts = boto3.client("sts", region_name=REGION)
    credentials = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/admin", RoleSessionName="other-account"
    )["Credentials"]
    return boto3.client(
        "iot",
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_assumed_role_account_does_not_see_the_first_accounts_state(iot: Any) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    iot.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    iot.attach_policy(policyName="Open", target=cert)
    assert decide(iot, cert, "CONNECT", f"arn:aws:iot:{REGION}:{ACCOUNT}:client/c") == "ALLOWED"

    other = _client_in(OTHER_ACCOUNT)
    # moto itself agrees: the other account has no such certificate or policy.
    assert other.list_policies()["policies"] == []
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        decide(other, cert, "CONNECT", f"arn:aws:iot:{REGION}:{ACCOUNT}:client/c")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        decide(other, cert, "CONNECT", "*", policyNamesToAdd=["Open"])

    own = other.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    assert f":{OTHER_ACCOUNT}:cert/" in own
    other.create_policy(policyName="Mine", policyDocument=doc(allow("iot:Connect", "*")))
    other.attach_policy(policyName="Mine", target=own)
    assert decide(other, own, "CONNECT", f"arn:aws:iot:{REGION}:{OTHER_ACCOUNT}:client/c") == "ALLOWED"
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        decide(iot, own, "CONNECT", "*")


def test_authorizers_are_per_account(iot: Any) -> None:
    iot.create_authorizer(
        authorizerName="Mine",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        signingDisabled=True,
    )
    other = _client_in(OTHER_ACCOUNT)
    assert other.list_authorizers()["authorizers"] == []
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_authorizer(authorizerName="Mine")


def test_moto_account_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", OTHER_ACCOUNT)
    with moto.mock_aws(), activate() as handle:
        iot = boto3.client("iot", region_name=REGION)
        cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
        assert f":{OTHER_ACCOUNT}:cert/" in cert
        iot.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
        iot.attach_policy(policyName="Open", target=cert)
        assert decide(iot, cert, "CONNECT", "*") == "ALLOWED"
        assert handle.world_for(REGION).account_id == OTHER_ACCOUNT


def test_regions_are_separate(iot: Any) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    west = boto3.client("iot", region_name="eu-west-1")
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        decide(west, cert, "CONNECT", "*")


def test_moto_reset_drops_authorizers_with_the_rest_of_the_state() -> None:
    with activate():
        for _ in range(2):
            with moto.mock_aws():
                iot = boto3.client("iot", region_name=REGION)
                assert iot.list_authorizers()["authorizers"] == []
                iot.create_authorizer(
                    authorizerName="A",
                    authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
                    signingDisabled=True,
                )
