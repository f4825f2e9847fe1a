"""Read a serialized rest-json request back into operation parameters, as the service would.

Decoding the wire (rather than peeking at the parameters boto3 was given) means anything that speaks the
protocol is answered the same way: boto3, the AWS CLI, or a hand-built request.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class _Member:
    name: str
    location: str | None
    wire_name: str
    shape: Shape


@dataclass(frozen=True)
class _Plan:
    """How an operation's input members are read off the wire, worked out once per operation."""

    members: tuple[_Member, ...]
    uri: bool
    query: bool


#: Plans by the identity of their operation model (held, so the identity stays unique).
_PLANS: dict[int, tuple[OperationModel, _Plan]] = {}


def _plan(operation: OperationModel) -> _Plan:
    found = _PLANS.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    shape = operation.input_shape
    members = tuple(
        _Member(name, member.serialization.get("location"), member.serialization.get("name", name), member)
        for name, member in (shape.members.items() if shape is not None else ())
    )
    plan = _Plan(
        members,
        uri=any(m.location == "uri" for m in members),
        query=any(m.location == "querystring" for m in members),
    )
    _PLANS[id(operation)] = (operation, plan)
    return plan


def decode_request(request: WireRequest, operation: OperationModel) -> dict[str, Any]:
    """Return the operation's parameters, keyed by member name, from the serialized request."""
    if operation.input_shape is None:
        return {}
    plan = _plan(operation)
    uri_values: dict[str, str] = {}
    query: dict[str, list[str]] = {}
    if plan.uri or plan.query:
        url = urlsplit(request.url)
        if plan.uri:
            uri_match = uri_pattern(operation.http["requestUri"]).fullmatch(url.path)
            if uri_match:
                uri_values = {k: unquote(v) for k, v in uri_match.groupdict().items()}
        if plan.query and url.query:
            query = parse_qs(url.query, keep_blank_values=True)
    body = _body(request)
    params: dict[str, Any] = {}
    for member in plan.members:
        name, location, wire_name = member.name, member.location, member.wire_name
        if location is None:
            if wire_name in body:
                params[name] = body[wire_name]
        elif location == "uri":
            if wire_name in uri_values:
                params[name] = _scalar(member.shape, uri_values[wire_name], name)
        elif location == "querystring":
            if wire_name in query:
                values = query[wire_name]
                if member.shape.type_name == "list":
                    params[name] = values
                else:
                    params[name] = _scalar(member.shape, values[-1], name)
        elif location == "header":
            value = request.headers.get(wire_name)
            if value is not None:
                text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
                params[name] = _scalar(member.shape, text, name)
    return params
