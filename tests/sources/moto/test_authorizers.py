"""Authorizer CRUD, which moto does not implement, answered from a per-account overlay with AWS's errors."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from boto_iotauth_local import World, activate, generate_key_pair
from boto_iotauth_local.services import MOTO_SERVICES

from .conftest import ACCOUNT, REGION, moto

FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authorizer"


def test_moto_still_raises_not_implemented_for_the_operations_taken_over() -> None:
    """Guard: the day moto implements one of these, this library must leave it to moto."""
    calls = {
        "CreateAuthorizer": lambda c: c.create_authorizer(authorizerName="a", authorizerFunctionArn=FUNCTION),
        "DescribeAuthorizer": lambda c: c.describe_authorizer(authorizerName="a"),
        "ListAuthorizers": lambda c: c.list_authorizers(),
        "UpdateAuthorizer": lambda c: c.update_authorizer(authorizerName="a", status="INACTIVE"),
        "DeleteAuthorizer": lambda c: c.delete_authorizer(authorizerName="a"),
        "SetDefaultAuthorizer": lambda c: c.set_default_authorizer(authorizerName="a"),
        "DescribeDefaultAuthorizer": lambda c: c.describe_default_authorizer(),
        "ClearDefaultAuthorizer": lambda c: c.clear_default_authorizer(),
        "GetEffectivePolicies": lambda c: c.get_effective_policies(),
    }
    assert set(calls) == set(MOTO_SERVICES)
    with moto.mock_aws():
        iot = boto3.client("iot", region_name=REGION)
        for operation, call in calls.items():
            with pytest.raises(NotImplementedError):
                call(iot)
            assert operation


def test_create_describe_list_update_delete(iot: Any) -> None:
    keys = generate_key_pair()
    created = iot.create_authorizer(
        authorizerName="TokenAuth",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys={"key1": keys.public_key_pem},
    )
    assert created["authorizerArn"] == f"arn:aws:iot:{REGION}:{ACCOUNT}:authorizer/TokenAuth"
    iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=FUNCTION, signingDisabled=True)

    described = iot.describe_authorizer(authorizerName="TokenAuth")["authorizerDescription"]
    assert described["status"] == "ACTIVE"
    assert described["tokenKeyName"] == "token"
    assert described["signingDisabled"] is False

    names = [a["authorizerName"] for a in iot.list_authorizers()["authorizers"]]
    assert names == ["Open", "TokenAuth"]
    iot.update_authorizer(authorizerName="Open", status="INACTIVE")
    assert [a["authorizerName"] for a in iot.list_authorizers(status="INACTIVE")["authorizers"]] == ["Open"]
    assert [a["authorizerName"] for a in iot.list_authorizers(ascendingOrder=False)["authorizers"]] == [
        "TokenAuth",
        "Open",
    ]

    with pytest.raises(iot.exceptions.DeleteConflictException):
        iot.delete_authorizer(authorizerName="TokenAuth")  # ACTIVE
    iot.delete_authorizer(authorizerName="Open")
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_authorizer(authorizerName="Open")


def test_default_authorizer(iot: Any) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_default_authorizer()
    iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    assert iot.set_default_authorizer(authorizerName="Open")["authorizerName"] == "Open"
    assert iot.describe_default_authorizer()["authorizerDescription"]["authorizerName"] == "Open"
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.set_default_authorizer(authorizerName="Open")
    iot.clear_default_authorizer()
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.describe_default_authorizer()


def test_errors(iot: Any) -> None:
    iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException):
        iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="tokenKeyName is required"):
        iot.create_authorizer(authorizerName="Signed", authorizerFunctionArn=FUNCTION)
    with pytest.raises(iot.exceptions.InvalidRequestException, match="public key"):
        iot.create_authorizer(
            authorizerName="BadKey",
            authorizerFunctionArn=FUNCTION,
            tokenKeyName="t",
            tokenSigningPublicKeys={"k": "not a key"},
        )
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.update_authorizer(authorizerName="Missing", status="INACTIVE")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.update_authorizer(authorizerName="Open", status="PAUSED")  # not in the model's enum


def test_invoke_without_a_function(iot: Any) -> None:
    iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    with pytest.raises(iot.exceptions.InvalidResponseException, match="could not be invoked"):
        iot.test_invoke_authorizer(authorizerName="Open", token="t")


def test_answers_claims_the_extra_operations_only_when_moto_backed() -> None:
    handle = activate()
    assert not handle.answers("CreateAuthorizer")
    assert handle.answers("TestAuthorization")
    with moto.mock_aws():
        assert handle.answers("CreateAuthorizer")
        assert handle.answers("GetEffectivePolicies")
        assert not activate(World()).answers("CreateAuthorizer")
    assert not handle.answers("CreateAuthorizer")
    assert not handle.moto_backed


def test_an_explicit_world_ignores_moto_state() -> None:
    world = World()
    with moto.mock_aws(), activate(world) as handle:
        iot = boto3.client("iot", region_name=REGION)
        cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
        assert not handle.moto_backed
        with pytest.raises(iot.exceptions.ResourceNotFoundException):
            iot.test_authorization(principal=cert, authInfos=[{"actionType": "CONNECT", "resources": ["*"]}])
        with pytest.raises(NotImplementedError):
            iot.list_authorizers()  # left to moto, which does not implement it
        assert [c.operation for c in handle.calls] == ["TestAuthorization"]
