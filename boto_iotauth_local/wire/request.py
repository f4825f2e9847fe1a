"""The request the wire layer reads: an HTTP method, URL, headers and body, from whichever caller.

botocore's ``AWSPreparedRequest`` (the in-process ``before-send`` path) already has this form; the local
HTTP endpoint builds an :class:`HttpRequest` from what its server received. Decoding, validation and
encoding see only these four fields, so both ways in are answered by the same code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class Headers(Protocol):
    """Case-insensitive header lookup, as botocore's and the standard library's header objects offer."""

    def get(self, name: str, default: Any = None) -> Any: ...


class WireRequest(Protocol):
    """What decoding needs from a request; ``AWSPreparedRequest`` and :class:`HttpRequest` both fit."""

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> str: ...

    @property
    def headers(self) -> Headers: ...

    @property
    def body(self) -> Any: ...


@dataclass(frozen=True)
class HttpRequest:
    """A request received over HTTP: ``url`` is the full URL as the client addressed it."""

    method: str
    url: str
    headers: Headers
    body: bytes = field(default=b"", repr=False)
