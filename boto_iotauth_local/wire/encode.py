"""Build the HTTP response the service would send, for botocore's own parser to read.

Errors carry the model's status, the ``x-amzn-ErrorType`` header in the service's form and a JSON body with
``message`` and any modeled extra members, so botocore raises ``client.exceptions.<Code>`` exactly as it
would against AWS.
"""

from __future__ import annotations

import base64
import datetime
import io
import itertools
import json
import os
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from botocore.awsrequest import AWSResponse

from ..caches import ByteBoundedCache, text_bytes
from ..engine.jsondata import EncodedObject
from ..errors import ServiceError
from .model import error_status

_ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazonaws.iot/"


class _Body(io.BytesIO):
    """The raw-response object AWSResponse reads its content from."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        data = self.getvalue()
        if data:
            yield data


def _default(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return round(value.timestamp(), 3)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot serialize {type(value).__name__}")


#: Bodies already encoded, by the identity of the result object (held, so the identity stays unique).
#: Services hand back the very same object for a repeated answer; results are never changed after. An
#: entry is counted as its encoding and the result object it holds (about twice the encoding).
_ENCODED: ByteBoundedCache[int, tuple[Mapping[str, Any], bytes]] = ByteBoundedCache("wire.encoded")


def _encode(body: Mapping[str, Any]) -> bytes:
    if type(body) is EncodedObject:
        return body.encoded
    known = _ENCODED.get(id(body))
    if known is not None and known[0] is body:
        return known[1]
    data = json.dumps(body, default=_default, separators=(",", ":")).encode("utf-8")
    _ENCODED.put(id(body), (body, data), 3 * text_bytes(data))
    return data


#: Request ids are shaped like AWS's (a version 4 UUID, lowercase) and unique per response, without the
#: system call and the UUID object ``uuid.uuid4()`` costs each time: a random version 4 UUID's first 80
#: bits are this process's prefix, and its last 48 bits are a counter from a random start, scrambled by
#: an odd multiplier (a bijection modulo 2**48, so 2**48 responses in a row get distinct ids).
_ID_SCRAMBLE = 0x9E3779B97F4A7C15
_ID_MASK = (1 << 48) - 1
_id_prefix = ""
_id_counter: Iterator[int] = itertools.count()


def _seed_request_ids() -> None:
    global _id_prefix, _id_counter
    seed = uuid.uuid4().hex
    _id_prefix = f"{seed[:8]}-{seed[8:12]}-{seed[12:16]}-{seed[16:20]}-"
    _id_counter = itertools.count(int(seed[20:], 16))


_seed_request_ids()
if hasattr(os, "register_at_fork"):  # a forked process gets a prefix of its own
    os.register_at_fork(after_in_child=_seed_request_ids)


def request_id() -> str:
    """A new ``x-amzn-RequestId``: a UUID-shaped string, unique per response."""
    return f"{_id_prefix}{(next(_id_counter) * _ID_SCRAMBLE) & _ID_MASK:012x}"


def _response(
    url: str, status: int, body: Mapping[str, Any], headers: Mapping[str, str] | None
) -> AWSResponse:
    data = _encode(body)
    all_headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(data)),
        "x-amzn-RequestId": request_id(),
    }
    if headers:
        all_headers.update(headers)
    return AWSResponse(url, status, all_headers, _Body(data))


def encode_result(url: str, result: Mapping[str, Any]) -> AWSResponse:
    """A 200 response whose JSON body is the operation's output members."""
    return _response(url, 200, result, None)


def encode_error(url: str, error: ServiceError) -> AWSResponse:
    """The service's error response: status from the model, error type header, JSON message body."""
    status = error_status(error.code) or error.status
    body = {"message": error.message, **error.fields}
    return _response(url, status, body, {"x-amzn-ErrorType": error.code + _ERROR_TYPE_SUFFIX})
