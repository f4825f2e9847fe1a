"""Injected errors as botocore's retry handler sees them, through real boto3 clients."""

from __future__ import annotations

import types
from typing import Any

import botocore.endpoint
import pytest
from botocore.exceptions import ClientError

from boto_iotauth_local import Activation
from boto_iotauth_local.errors import ResourceAlreadyExistsException, ServiceUnavailableException

from .conftest import authorize, make_client, outcomes


def test_off_by_default(handle: Activation, iot: Any) -> None:
    assert authorize(iot) == "ALLOWED"
    assert outcomes(handle) == ["ok"]
    assert handle.faults.pending == 0


def test_two_throttles_then_success_on_the_third_attempt(
    handle: Activation, iot: Any, sleeps: list[float]
) -> None:
    handle.faults.fail_next(2, "ThrottlingException")
    assert authorize(iot) == "ALLOWED"
    assert outcomes(handle) == ["ThrottlingException", "ThrottlingException", "ok"]
    assert len(sleeps) == 2
    first = handle.calls[0]
    assert first.params is not None and first.params["policyNamesToAdd"] == ["Open"]
    assert first.error is not None and first.error.message == "Rate exceeded"
    assert handle.faults.pending == 0


def test_three_throttles_exhaust_the_standard_attempts(handle: Activation, iot: Any) -> None:
    handle.faults.fail_next(3, "ThrottlingException")
    with pytest.raises(iot.exceptions.ThrottlingException) as raised:
        authorize(iot)
    error = raised.value.response
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["RetryAttempts"] == 2
    assert outcomes(handle) == ["ThrottlingException"] * 3
    assert authorize(iot) == "ALLOWED"  # the injected failures are used up


@pytest.mark.parametrize("limit", [{"total_max_attempts": 1}, {"max_attempts": 0}])
def test_one_attempt_raises_at_once(handle: Activation, sleeps: list[float], limit: dict[str, int]) -> None:
    client = make_client("standard", **limit)
    handle.faults.fail_next(1, "ThrottlingException")
    with pytest.raises(client.exceptions.ThrottlingException):
        authorize(client)
    assert outcomes(handle) == ["ThrottlingException"]
    assert sleeps == []


def test_config_max_attempts_counts_retries_after_the_first(handle: Activation) -> None:
    client = make_client("standard", max_attempts=1)
    handle.faults.fail_next(1, "ThrottlingException")
    assert authorize(client) == "ALLOWED"
    assert outcomes(handle) == ["ThrottlingException", "ok"]


@pytest.mark.parametrize(
    ("code", "status"), [("ServiceUnavailableException", 503), ("InternalFailureException", 500)]
)
def test_server_errors_are_retried(handle: Activation, iot: Any, code: str, status: int) -> None:
    handle.faults.fail_next(2, code)
    assert authorize(iot) == "ALLOWED"
    assert outcomes(handle) == [code, code, "ok"]
    handle.faults.fail_next(3, code)
    with pytest.raises(getattr(iot.exceptions, code)) as raised:
        authorize(iot)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_server_errors_are_retried_in_both_modes(handle: Activation, mode: str) -> None:
    client = make_client(mode)
    handle.faults.fail_next(2, "ServiceUnavailableException")
    assert authorize(client) == "ALLOWED"
    assert len(handle.calls) == 3


def test_limit_exceeded_is_retried_in_standard_mode(handle: Activation) -> None:
    client = make_client("standard")
    handle.faults.fail_next(2, "LimitExceededException")
    assert authorize(client) == "ALLOWED"
    assert outcomes(handle) == ["LimitExceededException", "LimitExceededException", "ok"]


def test_limit_exceeded_is_not_retried_in_legacy_mode(handle: Activation) -> None:
    client = make_client("legacy")
    handle.faults.fail_next(2, "LimitExceededException")
    with pytest.raises(client.exceptions.LimitExceededException) as raised:
        authorize(client)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert outcomes(handle) == ["LimitExceededException"]
    assert handle.faults.pending == 1


def test_legacy_mode_retries_throttling_five_times_in_all(handle: Activation) -> None:
    client = make_client("legacy")
    handle.faults.fail_next(5, "ThrottlingException")
    with pytest.raises(client.exceptions.ThrottlingException):
        authorize(client)
    assert len(handle.calls) == 5


def test_a_non_retryable_error_with_a_custom_message(handle: Activation, iot: Any) -> None:
    handle.faults.fail_next(error="InvalidRequestException", message="Nope")
    with pytest.raises(iot.exceptions.InvalidRequestException, match="Nope"):
        authorize(iot)
    assert len(handle.calls) == 1


def test_error_classes_and_instances_with_fields(handle: Activation, iot: Any) -> None:
    handle.faults.fail_next(1, ServiceUnavailableException)
    handle.faults.fail_next(1, ResourceAlreadyExistsException("Exists", resourceId="r", resourceArn="a"))
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as raised:
        authorize(iot)  # the 503 is retried, and the retry meets the next injected failure
    assert raised.value.response["resourceId"] == "r"
    assert outcomes(handle) == ["ServiceUnavailableException", "ResourceAlreadyExistsException"]
    assert authorize(iot) == "ALLOWED"


def test_rules_are_used_in_the_order_they_were_added(handle: Activation) -> None:
    client = make_client("standard", total_max_attempts=1)
    handle.faults.fail_next(1, "ServiceUnavailableException")
    handle.faults.fail_next(2, "ThrottlingException")
    assert handle.faults.pending == 3
    for _ in range(3):
        with pytest.raises(ClientError):
            authorize(client)
    assert authorize(client) == "ALLOWED"
    assert outcomes(handle) == [
        "ServiceUnavailableException",
        "ThrottlingException",
        "ThrottlingException",
        "ok",
    ]


def test_operation_filter(handle: Activation, iot: Any) -> None:
    handle.faults.fail_next(5, "ThrottlingException", operation="TestInvokeAuthorizer")
    assert authorize(iot) == "ALLOWED"
    assert outcomes(handle) == ["ok"]
    assert handle.faults.pending == 5
    handle.faults.fail_next(1, "ThrottlingException", operation="TestAuthorization")
    assert authorize(iot) == "ALLOWED"
    assert outcomes(handle) == ["ok", "ThrottlingException", "ok"]


def test_clear_removes_every_fault(handle: Activation, iot: Any) -> None:
    handle.faults.fail_next(10)
    handle.faults.limit_tps(None, 0.001)
    handle.faults.clear()
    assert handle.faults.pending == 0
    assert [authorize(iot) for _ in range(3)] == ["ALLOWED"] * 3
    assert outcomes(handle) == ["ok"] * 3


def test_an_invalid_request_still_gets_the_injected_fault(handle: Activation) -> None:
    client = make_client("standard", total_max_attempts=1)
    handle.faults.fail_next(1, "ThrottlingException")
    with pytest.raises(client.exceptions.ThrottlingException):
        client.test_authorization(authInfos=[{"resources": ["r"] * 2}], policyNamesToAdd=["a" * 129])
    with pytest.raises(client.exceptions.InvalidRequestException):
        client.test_authorization(authInfos=[{"resources": ["r"] * 2}], policyNamesToAdd=["a" * 129])


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_tps_limit_throttles_through_every_attempt_while_time_stands_still(
    handle: Activation, iot: Any
) -> None:
    clock = FakeClock()
    handle.faults.limit_tps("TestAuthorization", 2, clock=clock)
    assert [authorize(iot) for _ in range(2)] == ["ALLOWED"] * 2
    with pytest.raises(iot.exceptions.ThrottlingException, match="Rate exceeded"):
        authorize(iot)
    assert outcomes(handle) == ["ok", "ok"] + ["ThrottlingException"] * 3
    clock.now += 0.5
    assert authorize(iot) == "ALLOWED"


def test_tps_limit_lets_a_retry_through_once_the_backoff_has_refilled_it(
    handle: Activation, iot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock()

    def sleep(_: float) -> None:
        clock.now += 1.0

    monkeypatch.setattr(botocore.endpoint, "time", types.SimpleNamespace(sleep=sleep))
    handle.faults.limit_tps(None, 1, clock=clock)
    assert [authorize(iot) for _ in range(2)] == ["ALLOWED"] * 2
    assert outcomes(handle) == ["ok", "ThrottlingException", "ok"]
