"""Cognito identity pools and their IAM role policies."""

from __future__ import annotations

import pytest

from boto_iotauth_local.engine import Policy
from boto_iotauth_local.errors import (
    InvalidRequestException,
    MalformedPolicyException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world import World
from tests.world.conftest import allow

POOL = "us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100"


def test_create_pool_with_role_policies(world: World) -> None:
    result = world.create_cognito_identity_pool(
        POOL,
        authenticatedPolicies={"AuthRole": allow("iot:*"), "Extra": allow("iot:Publish")},
        unauthenticatedPolicies={"GuestRole": allow("iot:Connect")},
    )
    assert result == {
        "identityPoolId": POOL,
        "authenticatedPolicies": [
            {"policyName": "AuthRole", "policyArn": "arn:aws:iam::123456789012:policy/AuthRole"},
            {"policyName": "Extra", "policyArn": "arn:aws:iam::123456789012:policy/Extra"},
        ],
        "unauthenticatedPolicies": [
            {"policyName": "GuestRole", "policyArn": "arn:aws:iam::123456789012:policy/GuestRole"}
        ],
    }
    pool = world.cognito_pool(POOL)
    assert pool is not None
    assert [p.name for p in pool.authenticated_policies] == ["AuthRole", "Extra"]
    assert all(
        isinstance(p.policy, Policy) for p in pool.authenticated_policies + pool.unauthenticated_policies
    )
    assert world.describe_cognito_identity_pool(POOL) == result
    assert world.cognito_pool("us-east-1:ffffffff-0000-0000-0000-000000000000") is None


def test_role_policies_use_the_iam_dialect(world: World) -> None:
    # an IAM resource that is not an ARN: refused by the IoT dialect, accepted by IAM's
    document = allow("iot:Connect", "not-an-arn")
    with pytest.raises(MalformedPolicyException):
        world.create_policy("iot", document)
    world.create_cognito_identity_pool(POOL, unauthenticatedPolicies={"Guest": document})


def test_partition_of_iam_arns(world: World) -> None:
    china = World(region="cn-north-1")
    result = china.create_cognito_identity_pool(
        "cn-north-1:00000000-0000-0000-0000-000000000000", authenticatedPolicies={"R": allow()}
    )
    assert result["authenticatedPolicies"][0]["policyArn"] == "arn:aws-cn:iam::123456789012:policy/R"


def test_pool_errors(world: World) -> None:
    with pytest.raises(MalformedPolicyException, match="Malformed"):
        world.create_cognito_identity_pool(POOL, authenticatedPolicies={"Bad": "{"})
    assert world.cognito_pool(POOL) is None
    with pytest.raises(InvalidRequestException):
        world.create_cognito_identity_pool("no colon here")
    with pytest.raises(InvalidRequestException):
        world.create_cognito_identity_pool(POOL, authenticatedPolicies={"bad name": allow()})
    world.create_cognito_identity_pool(POOL)
    with pytest.raises(ResourceAlreadyExistsException):
        world.create_cognito_identity_pool(POOL)
    assert world.delete_cognito_identity_pool(POOL) == {}
    with pytest.raises(ResourceNotFoundException):
        world.delete_cognito_identity_pool(POOL)
    with pytest.raises(ResourceNotFoundException):
        world.describe_cognito_identity_pool(POOL)
