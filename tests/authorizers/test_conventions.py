"""Lambda's wording and marshalling, shared by both runtimes."""

from __future__ import annotations

import decimal
import json
import logging

import pytest

from boto_iotauth_local.authorizers.conventions import (
    LambdaLogFormatter,
    MarshalError,
    describe_exception,
    error_log_entry,
    marshal_response,
    timeout_message,
)


def test_timeout_message() -> None:
    assert timeout_message(5) == "Task timed out after 5.00 seconds"
    assert timeout_message(0.25) == "Task timed out after 0.25 seconds"


def test_marshal_like_lambda() -> None:
    assert json.loads(marshal_response({"n": decimal.Decimal("1.50"), "i": decimal.Decimal("600")})) == {
        "n": 1.5,
        "i": 600,
    }
    assert json.loads(marshal_response(b'{"a": 1}')) == '{"a": 1}'
    with pytest.raises(
        MarshalError, match="Unable to marshal response: Object of type set is not JSON serializable"
    ):
        marshal_response({1})
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(MarshalError, match="Unable to marshal response: Circular reference detected"):
        marshal_response(circular)


def _raise() -> None:
    raise ValueError("nope")


def test_exception_description_and_log_entry() -> None:
    with pytest.raises(ValueError) as caught:
        _raise()
    line = _raise.__code__.co_firstlineno + 1
    assert describe_exception(caught.value) == f"ValueError: nope (at {__file__}, line {line}, in _raise)"
    assert describe_exception(RuntimeError()) == "RuntimeError"
    entry = error_log_entry(caught.value, skip_files={__file__})
    assert entry == "[ERROR] ValueError: nope"


def test_log_format() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "careful %s", ("now",), None)
    record.created = 0.0
    record.msecs = 7.0
    assert (
        LambdaLogFormatter().format_for(record, "req")
        == "[WARNING]\t1970-01-01T00:00:00.007Z\treq\tcareful now"
    )
