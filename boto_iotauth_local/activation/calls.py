"""The record of intercepted calls, for assertions in tests."""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import ServiceError
from ..wire.exchange import Exchange, read_params


@dataclass(frozen=True)
class Call:
    """One intercepted call: what was asked, and the answer or the service error.

    The request and the answer are kept as the bytes that were sent (which the garbage collector never has
    to walk: a long test session keeps thousands of calls) and decoded on first access.
    """

    operation: str
    region: str
    #: The request as (URL, body), its parameters read again on first access; or the parameters themselves
    #: when they cannot be read from those alone.
    request: tuple[str, bytes] | Mapping[str, Any] | None = field(repr=False)
    error: ServiceError | None
    body: bytes = field(default=b"", repr=False)

    @classmethod
    def of(cls, exchange: Exchange, body: bytes) -> Call:
        kept = exchange.recorded if exchange.recorded is not None else exchange.params
        return cls(exchange.operation, exchange.region, kept, exchange.error, body)

    @functools.cached_property
    def params(self) -> Mapping[str, Any] | None:
        """The request's parameters as the service read them (a copy of your own to inspect or change)."""
        if isinstance(self.request, tuple):
            return read_params(self.operation, self.request)
        return copy.deepcopy(self.request) if self.request is not None else None

    @functools.cached_property
    def response(self) -> Mapping[str, Any] | None:
        """The output members as sent on the wire (timestamps as epoch seconds), or None after an error."""
        if self.error is not None or not self.body:
            return None
        decoded: Mapping[str, Any] = json.loads(self.body)
        return decoded

    @property
    def ok(self) -> bool:
        return self.error is None


class CallLog:
    """Thread-safe, ordered list of calls with the look-ups tests need."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def record(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    def of(self, operation: str) -> list[Call]:
        """The calls of one operation, e.g. ``calls.of("TestAuthorization")``."""
        return [call for call in self if call.operation == operation]

    @property
    def last(self) -> Call:
        with self._lock:
            if not self._calls:
                raise IndexError("no call was intercepted")
            return self._calls[-1]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            return iter(list(self._calls))

    def __getitem__(self, index: int) -> Call:
        with self._lock:
            return self._calls[index]

    def __repr__(self) -> str:
        outcomes = [f"{c.operation}:{c.error.code if c.error else 'ok'}" for c in self]
        return f"CallLog({outcomes})"
