"""Read a serialized rest-json request back into operation parameters, as the service would.

Decoding the wire (rather than peeking at the parameters boto3 was given) means anything that speaks the
protocol is answered the same way: boto3, the AWS CLI, or a hand-built request.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from botocore.model import OperationModel, Shape

from ..engine.jsondata import loads
from ..errors import InvalidRequestException
from .request import WireRequest


@functools.lru_cache(maxsize=512)
def uri_pattern(request_uri: str) -> re.Pattern[str]:
    """The model's ``requestUri`` template as a pattern over the raw (still percent-encoded) path."""
    path = request_uri.split("?", 1)[0]
    pattern = ""
    for part in re.split(r"(\{[^}]+\})", path):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            greedy = name.endswith("+")
            name = name.rstrip("+")
            pattern += f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"
        else:
            pattern += re.escape(part)
    return re.compile(pattern.rstrip("/") + "/?")


def _scalar(shape: Shape, text: str, where: str) -> Any:
    """Convert a string from the URI, query or headers to the member's type."""
    if shape.type_name in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            raise InvalidRequestException(f"Value '{text}' at '{where}' is not a valid integer") from None
    if shape.type_name == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise InvalidRequestException(f"Value '{text}' at '{where}' is not a valid boolean")
    return text


def _body(request: WireRequest) -> dict[str, Any]:
    raw = request.body
    if raw is None or raw in (b"", ""):
        return {}
    if hasattr(raw, "read"):
        position = raw.tell() if hasattr(raw, "tell") else None
        data = raw.read()
        if position is not None and hasattr(raw, "seek"):
            raw.seek(position)
        raw = data
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        body = loads(text)  # depth-bounded: a runaway nesting is refused, never a RecursionError
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestException(f"The request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidRequestException("The request body must be a JSON object")
    return body


def decode_request(request: WireRequest, operation: OperationModel) -> dict[str, Any]:
    """Return the operation's parameters, keyed by member name, from the serialized request."""
    input_shape = operation.input_shape
    if input_shape is None:
        return {}
    url = urlsplit(request.url)
    uri_match = uri_pattern(operation.http["requestUri"]).fullmatch(url.path)
    uri_values = {k: unquote(v) for k, v in uri_match.groupdict().items()} if uri_match else {}
    query = parse_qs(url.query, keep_blank_values=True)
    body = _body(request)
    params: dict[str, Any] = {}
    for name, member in input_shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", name)
        if location == "uri":
            if wire_name in uri_values:
                params[name] = _scalar(member, uri_values[wire_name], name)
        elif location == "querystring":
            if wire_name in query:
                values = query[wire_name]
                if member.type_name == "list":
                    params[name] = values
                else:
                    params[name] = _scalar(member, values[-1], name)
        elif location == "header":
            value = request.headers.get(wire_name)
            if value is not None:
                text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
                params[name] = _scalar(member, text, name)
        elif location is None and wire_name in body:
            params[name] = body[wire_name]
    return params
