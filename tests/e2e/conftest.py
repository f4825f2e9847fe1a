from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from boto_iotauth_local import Activation, World, activate

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str | list[str], **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def world() -> World:
    return World(account_id=ACCOUNT, region=REGION)


@pytest.fixture
def active(world: World) -> Iterator[Activation]:
    with activate(world) as handle:
        yield handle


@pytest.fixture
def iot(active: Activation) -> Any:
    return boto3.client("iot", region_name=REGION)


@pytest.fixture
def raw_iot(active: Activation) -> Any:
    """A client that skips botocore's own parameter validation, as a raw HTTP caller could."""
    return boto3.client("iot", region_name=REGION, config=Config(parameter_validation=False))
