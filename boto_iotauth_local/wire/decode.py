"""Read a serialized rest-json request back into operation parameters, as the service would.

Decoding the wire (rather than peeking at the parameters boto3 was given) means anything that speaks the
protocol is answered the same way: boto3, the AWS CLI, or a hand-built request.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
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
    if type(raw) is not bytes and hasattr(raw, "read"):  # botocore's own bodies are bytes
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


def _query(text: str) -> dict[str, list[str]]:
    """``parse_qs(text, keep_blank_values=True)``, without its work when nothing is escaped.

    With no ``%`` and no ``+`` there is nothing to unquote: the fields split on ``&`` and on their first
    ``=`` exactly as ``parse_qs`` splits them (empty fields skipped, a field without ``=`` is blank).
    """
    if type(text) is not str or "%" in text or "+" in text:
        return parse_qs(text, keep_blank_values=True)
    query: dict[str, list[str]] = {}
    for field in text.split("&"):
        if field:
            name, _, value = field.partition("=")
            if name in query:
                query[name].append(value)
            else:
                query[name] = [value]
    return query


#: ``read(body, uri_values, query, headers) -> params``: an operation's members taken off the wire.
_Reader = Callable[[dict[str, Any], dict[str, str], dict[str, list[str]], Any], dict[str, Any]]


@dataclass(frozen=True)
class _Plan:
    """How an operation's input members are read off the wire, worked out once per operation."""

    read: _Reader
    uri: bool
    query: bool
    headers: bool


#: Plans by the identity of their operation model (held, so the identity stays unique).
_PLANS: dict[int, tuple[OperationModel, _Plan]] = {}
#: Member types read from text by :func:`_scalar`; any other is the text itself.
_CONVERTED = frozenset({"integer", "long", "boolean"})


def _reader(shape: Shape) -> _Reader:
    """The members' reading, written out as one Python function (one test per member, in model order).

    A loop over the members dispatching on each one's location cost as much as parsing a small body; the
    written-out function does only the lookups.
    """
    names: dict[str, Any] = {"scalar": _scalar}
    lines = ["def read(body, uri_values, query, headers):", "    params = {}"]
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = repr(member.serialization.get("name", name))
        target = f"params[{name!r}]"
        before, after = "", ""  # around the text: a conversion to the member's type, if it has one
        if member.type_name in _CONVERTED:
            names[f"shape_{len(names)}"] = member
            before, after = f"scalar(shape_{len(names) - 1}, ", f", {name!r})"
        if location is None:
            lines += [f"    if {wire} in body:", f"        {target} = body[{wire}]"]
        elif location == "uri":
            value = f"{before}uri_values[{wire}]{after}"
            lines += [f"    if {wire} in uri_values:", f"        {target} = {value}"]
        elif location == "querystring":
            value = f"query[{wire}]" if member.type_name == "list" else f"{before}query[{wire}][-1]{after}"
            lines += [f"    if {wire} in query:", f"        {target} = {value}"]
        elif location == "header":
            text = "value.decode('utf-8') if isinstance(value, bytes) else str(value)"
            value = f"{before}{text}{after}"
            lines += [
                f"    value = headers.get({wire})",
                "    if value is not None:",
                f"        {target} = {value}",
            ]
    lines.append("    return params")
    exec(compile("\n".join(lines) + "\n", f"<read {shape.name}>", "exec"), names)
    read: _Reader = names["read"]
    return read


def _plan(operation: OperationModel) -> _Plan:
    found = _PLANS.get(id(operation))
    if found is not None and found[0] is operation:
        return found[1]
    shape = operation.input_shape
    assert shape is not None
    locations = {member.serialization.get("location") for member in shape.members.values()}
    plan = _Plan(
        _reader(shape),
        uri="uri" in locations,
        query="querystring" in locations,
        headers="header" in locations,
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
            query = _query(url.query)
    body = _body(request)
    return plan.read(body, uri_values, query, request.headers if plan.headers else None)
