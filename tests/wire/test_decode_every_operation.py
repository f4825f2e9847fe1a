"""Decoding reads every IoT operation's members exactly as a plain walk over the model would.

``decode_request`` reads members through a function written out per operation and splits simple query
strings itself; the reference here is the straightforward reading: ``parse_qs``, then one loop over the
members dispatching on each one's location. Requests are built by hand for every operation (URI labels,
query values that are and are not numbers or booleans, escaped and repeated fields, headers as text and
bytes, body members and unknown keys), so both readings meet the same wire and must give the same
parameters, in the same order, or the same error.
"""

from __future__ import annotations

import json
import random
import zlib
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.model import OperationModel
from hypothesis import example, given
from hypothesis import strategies as st

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.wire import decode
from boto_iotauth_local.wire.model import iot_model, operation_model

OPERATIONS = sorted(iot_model().operation_names)
_TEXTS = ["a", "7", "-3", "x y", "true", "FALSE", "", "a/b", "é", "a+b", "a=b", "a&b", "%zz", "10000000000"]


def _reference(request: AWSPreparedRequest, operation: OperationModel) -> dict[str, Any]:
    """The plain reading: parse the URL, then each member by its location, in model order."""
    shape = operation.input_shape
    assert shape is not None
    url = urlsplit(request.url)
    match = decode.uri_pattern(operation.http["requestUri"]).fullmatch(url.path)
    uri_values = {k: unquote(v) for k, v in match.groupdict().items()} if match else {}
    query = parse_qs(url.query, keep_blank_values=True) if url.query else {}
    body = decode._body(request)
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if location is None:
            if wire in body:
                params[name] = body[wire]
        elif location == "uri":
            if wire in uri_values:
                params[name] = decode._scalar(member, uri_values[wire], name)
        elif location == "querystring":
            if wire in query:
                values = query[wire]
                params[name] = (
                    values if member.type_name == "list" else decode._scalar(member, values[-1], name)
                )
        elif location == "header":
            value = request.headers.get(wire)
            if value is not None:
                text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
                params[name] = decode._scalar(member, text, name)
    return params


def _request(operation: OperationModel, draw: random.Random) -> AWSPreparedRequest:
    shape = operation.input_shape
    assert shape is not None
    path = operation.http["requestUri"].split("?", 1)[0]
    query: list[str] = []
    headers: dict[str, Any] = {"Content-Type": "application/json"}
    body: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        text = draw.choice(_TEXTS)
        if location == "uri":
            path = path.replace(f"{{{wire}}}", quote(text or "label", safe="")).replace(f"{{{wire}+}}", "a/b")
        elif draw.random() < 0.3:
            continue  # absent
        elif location == "querystring":
            for _ in range(draw.choice([1, 1, 2])):
                raw = draw.choice([quote(text, safe=""), text.replace("&", ""), ""])
                query.append(draw.choice([f"{wire}={raw}", wire, f"{wire}={raw}&"]))
        elif location == "header":
            headers[wire] = text.encode() if draw.random() < 0.5 else text
        elif location is None:
            body[wire] = draw.choice([text, 3, None, [text], {"k": text}])
    if draw.random() < 0.3:
        body["notAMember"] = 1
        query.append(draw.choice(["other=1", "&", "other"]))
    url = "https://iot.us-east-1.amazonaws.com" + path + ("?" + "&".join(query) if query else "")
    raw_body = draw.choice([json.dumps(body).encode(), json.dumps(body)]) if body else b""
    return AWSPreparedRequest(operation.http["method"], url, headers, raw_body, stream_output=False)


def _outcome(read: Any, request: AWSPreparedRequest, operation: OperationModel) -> Any:
    try:
        return list(read(request, operation).items())  # in order: the order members were read
    except InvalidRequestException as refused:
        return ("refused", refused.message)


@pytest.mark.parametrize("name", OPERATIONS)
def test_every_operation_is_read_as_the_plain_walk_reads_it(name: str) -> None:
    operation = operation_model(name)
    draw = random.Random(zlib.crc32(name.encode()))
    for _ in range(25):
        request = _request(operation, draw)
        assert _outcome(decode.decode_request, request, operation) == _outcome(_reference, request, operation)


@given(st.text(alphabet="ab=&%+; 2é\t", max_size=30))
@example("a=1&a=2&&b&=c&d=")
@example("clientId=a%20b+c")
def test_simple_query_strings_split_as_parse_qs_splits_them(text: str) -> None:
    assert decode._query(text) == parse_qs(text, keep_blank_values=True)
