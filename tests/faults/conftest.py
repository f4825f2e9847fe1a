"""Fixtures for fault injection through real boto3 clients, with botocore's retry sleep made instant."""

from __future__ import annotations

import json
import types
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.config import Config

from boto_iotauth_local import Activation, World, activate

REGION = "us-east-1"
CONNECT = [{"actionType": "CONNECT", "resources": [f"arn:aws:iot:{REGION}:123456789012:client/c"]}]


@pytest.fixture(autouse=True)
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore sleeps between attempts (in ``endpoint.py``); record the delays instead of waiting."""
    for name in ("AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    delays: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=delays.append))
    return delays


@pytest.fixture
def handle() -> Iterator[Activation]:
    world = World()
    world.create_policy(
        policyName="Open",
        policyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
        ),
    )
    with activate(world) as active:
        yield active


def make_client(mode: str | None = None, **limits: int) -> Any:
    """A client in retry ``mode``; ``limits``: ``total_max_attempts`` (all attempts) or ``max_attempts``
    (retries after the first attempt, as botocore's Config counts them)."""
    retries: dict[str, Any] = dict(limits)
    if mode is not None:
        retries["mode"] = mode
    return boto3.client("iot", region_name=REGION, config=Config(retries=retries) if retries else None)


@pytest.fixture
def iot(handle: Activation) -> Any:
    """A client with botocore's defaults (standard retry mode, 3 attempts)."""
    return make_client()


def authorize(client: Any) -> str:
    response = client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    return str(response["authResults"][0]["authDecision"])


def outcomes(handle: Activation) -> list[str]:
    return [call.error.code if call.error else "ok" for call in handle.calls]
