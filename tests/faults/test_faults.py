"""The Faults object on its own: arguments, the token bucket with a fake clock, thread safety."""

from __future__ import annotations

import threading

import pytest

from boto_iotauth_local.activation.faults import Faults
from boto_iotauth_local.errors import ServiceError, ThrottlingException


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def codes(faults: Faults, operation: str, times: int) -> list[str]:
    return [error.code if (error := faults.take(operation)) else "ok" for _ in range(times)]


def test_nothing_is_injected_by_default() -> None:
    assert codes(Faults(), "TestAuthorization", 3) == ["ok"] * 3


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ServiceUnavailableException", 503),
        ("InternalFailureException", 500),
        ("LimitExceededException", 410),
        ("ResourceNotFoundException", 404),
    ],
)
def test_codes_become_modeled_errors(code: str, status: int) -> None:
    faults = Faults()
    faults.fail_next(1, code)
    error = faults.take("TestAuthorization")
    assert isinstance(error, ServiceError) and error.code == code and error.status == status
    assert error.message


def test_bad_arguments_are_refused() -> None:
    faults = Faults()
    with pytest.raises(ValueError, match="unknown error code 'Throttled'"):
        faults.fail_next(1, "Throttled")
    with pytest.raises(ValueError, match="unknown IoT operation"):
        faults.fail_next(1, operation="test_authorization")
    with pytest.raises(ValueError, match="count"):
        faults.fail_next(0)
    with pytest.raises(TypeError):
        faults.fail_next(1, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tps"):
        faults.limit_tps(None, 0)
    with pytest.raises(ValueError, match="unknown IoT operation"):
        faults.limit_tps("Nope", 1)
    assert repr(faults) == "<Faults fail_next=[] limit_tps={}>"


def test_message_overrides_an_instance_message_and_keeps_its_fields() -> None:
    faults = Faults()
    faults.fail_next(1, ServiceError("x", resourceId="r"), message="y")
    error = faults.take("TestAuthorization")
    assert error is not None and error.message == "y" and error.fields == {"resourceId": "r"}


def test_token_bucket_allows_a_second_worth_then_refills() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps("TestAuthorization", 2, clock=clock)
    assert codes(faults, "TestAuthorization", 3) == ["ok", "ok", "ThrottlingException"]
    clock.now += 0.25
    assert codes(faults, "TestAuthorization", 1) == ["ThrottlingException"]
    clock.now += 0.25
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]
    clock.now += 60
    assert codes(faults, "TestAuthorization", 3) == ["ok", "ok", "ThrottlingException"]
    error = ThrottlingException("Rate exceeded")
    clock.now += 0.1
    assert faults.take("TestAuthorization") == error


def test_a_rate_below_one_allows_one_call_per_period() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 0.5, clock=clock)
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]
    clock.now += 1.9
    assert codes(faults, "TestAuthorization", 1) == ["ThrottlingException"]
    clock.now += 0.1
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]


def test_fractional_rates_refill_exactly() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 3, clock=clock)
    assert codes(faults, "TestAuthorization", 4) == ["ok", "ok", "ok", "ThrottlingException"]
    for _ in range(6):
        clock.now += 1 / 3
        assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]


def test_the_default_limit_counts_each_operation_apart_and_a_named_one_wins() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 1, clock=clock)
    faults.limit_tps("TestInvokeAuthorizer", 2, clock=clock)
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]
    assert codes(faults, "TestInvokeAuthorizer", 3) == ["ok", "ok", "ThrottlingException"]
    assert repr(faults) == "<Faults fail_next=[] limit_tps={'*': 1.0, 'TestInvokeAuthorizer': 2.0}>"


def test_setting_a_limit_again_starts_a_fresh_bucket() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 1, clock=clock)
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]
    faults.limit_tps(None, 2, clock=clock)
    assert codes(faults, "TestAuthorization", 3) == ["ok", "ok", "ThrottlingException"]


def test_injected_failures_come_first_and_do_not_spend_tokens() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 1, clock=clock)
    faults.fail_next(2, "ServiceUnavailableException")
    assert codes(faults, "TestAuthorization", 4) == [
        "ServiceUnavailableException",
        "ServiceUnavailableException",
        "ok",
        "ThrottlingException",
    ]


def test_a_clock_going_backwards_does_not_drain_the_bucket() -> None:
    clock = FakeClock()
    faults = Faults()
    faults.limit_tps(None, 1, clock=clock)
    clock.now -= 10
    assert codes(faults, "TestAuthorization", 2) == ["ok", "ThrottlingException"]


def test_concurrent_calls_use_each_failure_exactly_once() -> None:
    faults = Faults()
    faults.fail_next(500, "ThrottlingException")
    results: list[ServiceError | None] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            error = faults.take("TestAuthorization")
            with lock:
                results.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(error is not None for error in results) == 500
    assert faults.pending == 0
