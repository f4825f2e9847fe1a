"""A world read from a file answers TestAuthorization (and TestInvokeAuthorizer) through real boto3."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from boto_iotauth_local import World, activate
from tests.sources.worldfile.conftest import EXAMPLE

ARN = "arn:aws:iot:us-east-1:123456789012"


@pytest.fixture(scope="module")
def world() -> World:
    return World.from_file(EXAMPLE)


@pytest.fixture
def iot(world: World) -> Iterator[Any]:
    with activate(world):
        yield boto3.client("iot", region_name="us-east-1")


def decision(iot: Any, principal: str, action: str, resource: str, **kwargs: Any) -> str:
    response = iot.test_authorization(
        principal=principal, authInfos=[{"actionType": action, "resources": [resource]}], **kwargs
    )
    return str(response["authResults"][0]["authDecision"])


def test_labelled_certificate_with_thing_variables(world: World, iot: Any) -> None:
    sensor = world.certificate_arn("sensor-cert")
    assert decision(iot, sensor, "CONNECT", f"{ARN}:client/sensor-1", clientId="sensor-1") == "ALLOWED"
    assert decision(iot, sensor, "CONNECT", f"{ARN}:client/other", clientId="other") == "IMPLICIT_DENY"
    assert (
        decision(iot, sensor, "PUBLISH", f"{ARN}:topic/sensors/sensor-1/temp", clientId="sensor-1")
        == "ALLOWED"
    )


def test_certificate_from_pem_file_with_two_policies(world: World, iot: Any) -> None:
    gateway = world.certificate_arn("gateway-cert")
    assert decision(iot, gateway, "SUBSCRIBE", f"{ARN}:topicfilter/fleet/alerts") == "ALLOWED"
    assert decision(iot, gateway, "SUBSCRIBE", f"{ARN}:topicfilter/other") == "IMPLICIT_DENY"


def test_cognito_identity_policies(iot: Any) -> None:
    identity = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"
    assert decision(iot, identity, "CONNECT", f"{ARN}:client/anything") == "ALLOWED"


def test_default_authorizer_runs_the_handler_named_in_the_file(iot: Any) -> None:
    response = iot.test_invoke_authorizer(
        authorizerName="password-authorizer",
        mqttContext={"username": "u", "password": b"letmein", "clientId": "c"},
    )
    assert response["isAuthenticated"] is True
    assert response["principalId"] == "exampleDevice"
