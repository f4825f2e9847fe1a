from __future__ import annotations

import socket

import boto3
import pytest
from botocore.config import Config

from .network_guard import NetworkAccessError


def test_a_connection_to_the_network_fails_the_test() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkAccessError):
        sock.connect(("192.0.2.1", 443))


def _chain(error: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__
    return seen


def test_a_real_aws_call_is_stopped_before_it_leaves() -> None:
    client = boto3.client(
        "iot",
        region_name="us-east-1",
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=Config(retries={"max_attempts": 1}),
    )
    with pytest.raises(Exception) as info:
        client.list_policies()
    assert any(isinstance(e, NetworkAccessError) for e in _chain(info.value))


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
