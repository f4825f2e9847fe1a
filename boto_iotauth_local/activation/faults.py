"""Injected errors and rate limits, so that code can be tested against a throttled or failing service.

Off by default. When a fault applies, the call is answered with the modeled error through the same wire
encoding as any other service error, so botocore's own retry handler sees exactly what the real service
would send: ``ThrottlingException`` and ``LimitExceededException`` are retried in botocore's standard
mode (3 attempts in total), 5xx errors in both modes, and every attempt reaches the handle and is recorded.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSPreparedRequest

from ..errors import ERRORS_BY_CODE, ServiceError, ThrottlingException
from ..wire.decode import decode_request
from ..wire.encode import encode_error
from ..wire.exchange import Exchange, request_region
from ..wire.model import iot_model, operation_model

Clock = Callable[[], float]

#: What ``fail_next`` accepts as the error: a code, an error class, or a ready error (message, fields).
ErrorSpec = str | type[ServiceError] | ServiceError

THROTTLED_MESSAGE = "Rate exceeded"

_DEFAULT_MESSAGES: dict[str, str] = {
    "ThrottlingException": THROTTLED_MESSAGE,
    "LimitExceededException": "Limit exceeded",
    "InternalFailureException": "Internal failure",
    "ServiceUnavailableException": "Service unavailable",
}


def _check_operation(operation: str | None) -> None:
    """Refuse names the IoT model does not know, so that a typo cannot silently disable a fault."""
    if operation is not None and operation not in iot_model().operation_names:
        raise ValueError(f"unknown IoT operation {operation!r} (use the API name, e.g. 'TestAuthorization')")


def _make_error(error: ErrorSpec, message: str | None) -> ServiceError:
    if isinstance(error, ServiceError):
        if message is not None:
            return type(error)(message, **error.fields)
        return error
    if isinstance(error, str):
        cls = ERRORS_BY_CODE.get(error)
        if cls is None:
            known = ", ".join(sorted(ERRORS_BY_CODE))
            raise ValueError(f"unknown error code {error!r}; expected one of: {known}")
    elif isinstance(error, type) and issubclass(error, ServiceError):
        cls = error
    else:
        raise TypeError(f"expected an error code, a ServiceError class or instance, got {error!r}")
    return cls(message if message is not None else _DEFAULT_MESSAGES.get(cls.code, f"{cls.code}"))


@dataclass
class _Failure:
    """``remaining`` more calls (of ``operation``, or of any operation) are answered with ``error``."""

    error: ServiceError
    remaining: int
    operation: str | None


@dataclass
class _TokenBucket:
    """Holds up to one second's worth of calls (at least one), refilled continuously at ``tps`` a second.

    A token bucket rather than a sliding window: it allows the short bursts a real rate limiter allows and
    needs no per-call history; a call that finds no token is refused and consumes nothing.
    """

    tps: float
    clock: Clock
    tokens: float = field(init=False)
    updated: float = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = max(1.0, self.tps)
        self.updated = self.clock()

    def allow(self) -> bool:
        now = self.clock()
        capacity = max(1.0, self.tps)
        self.tokens = min(capacity, self.tokens + max(0.0, now - self.updated) * self.tps)
        self.updated = now
        if self.tokens >= 1.0 - 1e-9:  # tolerate float error when refilled to exactly one token
            self.tokens = max(0.0, self.tokens - 1.0)
            return True
        return False


class Faults:
    """The faults of one activation handle (``handle.faults``); nothing is injected until configured.

    ``fail_next`` rules are used first, in the order they were added; a call they fail does not count
    against a rate limit. Faults apply only to the operations the handle answers.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        #: Limits by operation name; the ``None`` entry is the limit for every other operation.
        self._limits: dict[str | None, tuple[float, Clock]] = {}
        self._buckets: dict[str, _TokenBucket] = {}

    def fail_next(
        self,
        count: int = 1,
        error: ErrorSpec = "ThrottlingException",
        *,
        operation: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``count`` calls (of ``operation`` only, if given) with ``error``.

        ``error`` is a code from :data:`boto_iotauth_local.errors.ERRORS_BY_CODE` (for example
        ``"ServiceUnavailableException"``), an error class, or an error instance (to carry extra fields).
        Each retry attempt botocore makes is a call, so ``fail_next(2)`` lets the third attempt through.
        """
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        _check_operation(operation)
        failure = _Failure(_make_error(error, message), count, operation)
        with self._lock:
            self._failures.append(failure)

    def limit_tps(self, operation: str | None, tps: float, *, clock: Clock = time.monotonic) -> None:
        """Throttle calls beyond ``tps`` a second with ``ThrottlingException: Rate exceeded``.

        ``operation`` None limits every answered operation, each at its own rate, as AWS sets its
        TestAuthorization and TestInvokeAuthorizer quotas per API; a limit on a named operation takes
        precedence over it. ``clock`` returns seconds; pass a fake one to test without waiting.
        """
        if not tps > 0:
            raise ValueError(f"tps must be positive, got {tps}")
        _check_operation(operation)
        with self._lock:
            self._limits[operation] = (float(tps), clock)
            if operation is None:
                self._buckets = {op: b for op, b in self._buckets.items() if op in self._limits}
            else:
                self._buckets[operation] = _TokenBucket(float(tps), clock)

    def clear(self) -> None:
        """Remove every injected error and rate limit."""
        with self._lock:
            self._failures.clear()
            self._limits.clear()
            self._buckets.clear()

    @property
    def pending(self) -> int:
        """How many injected failures are still to be answered."""
        with self._lock:
            return sum(failure.remaining for failure in self._failures)

    def take(self, operation: str) -> ServiceError | None:
        """The error to answer this call of ``operation`` with, or None; an injected failure is used up."""
        if not self._failures and not self._limits:
            return None  # nothing injected: the common case, on every call, needs no lock
        with self._lock:
            for index, failure in enumerate(self._failures):
                if failure.operation is None or failure.operation == operation:
                    failure.remaining -= 1
                    if failure.remaining == 0:
                        del self._failures[index]
                    return failure.error
            bucket = self._buckets.get(operation)
            if bucket is None:
                limit = self._limits.get(operation) or self._limits.get(None)
                if limit is None:
                    return None
                bucket = self._buckets[operation] = _TokenBucket(*limit)
            if bucket.allow():
                return None
            return ThrottlingException(THROTTLED_MESSAGE)

    def __repr__(self) -> str:
        with self._lock:
            failures = [f"{f.error.code}x{f.remaining}" for f in self._failures]
            limits = {op or "*": tps for op, (tps, _) in self._limits.items()}
        return f"<Faults fail_next={failures} limit_tps={limits}>"


def refuse(operation: str, request: AWSPreparedRequest, error: ServiceError) -> Exchange:
    """Answer ``request`` with an injected ``error``, before any validation, as a front-door refusal is.

    The parameters are still decoded (when they can be) so that the call log shows what was asked.
    """
    params: dict[str, Any] | None
    try:
        params = decode_request(request, operation_model(operation))
    except ServiceError:
        params = None
    response = encode_error(request.url, error)
    return Exchange(operation, request_region(request), params, None, error, response)
