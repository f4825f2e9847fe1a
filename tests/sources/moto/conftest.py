from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from boto_iotauth_local import Activation, activate

try:
    import moto
except ImportError:  # moto is an optional extra: without it there is nothing here to test
    collect_ignore_glob = ["test_*.py"]

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "111111111111"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(action: str, resource: str) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


@pytest.fixture(autouse=True)
def _lambda_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOTAUTH_LOCAL_LAMBDA_CACHE", str(tmp_path_factory.mktemp("lambda-cache")))
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)


@pytest.fixture
def mocked() -> Iterator[None]:
    with moto.mock_aws():
        yield


@pytest.fixture
def handle(mocked: None) -> Iterator[Activation]:
    with activate() as active:
        yield active


@pytest.fixture
def iot(handle: Activation) -> Any:
    return boto3.client("iot", region_name=REGION)


def decide(iot: Any, principal: str, action: str, resource: str, **extra: Any) -> str:
    result = iot.test_authorization(
        principal=principal, authInfos=[{"actionType": action, "resources": [resource]}], **extra
    )
    return str(result["authResults"][0]["authDecision"])


def lambda_zip(source: str) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()
