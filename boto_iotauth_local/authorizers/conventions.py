"""How AWS Lambda's Python runtime words things: log lines, error messages, response marshalling.

Both runtimes (in-process and the isolated worker) must describe a handler's outcome identically, so the
wording lives here once. It follows ``awslambdaric``: log records as
``[LEVEL]\\t<UTC time>Z\\t<request id>\\t<message>``, an unhandled error logged as
``[ERROR] Type: message`` plus the traceback, a response that JSON cannot encode reported as
``Unable to marshal response: ...``, ``Decimal`` encoded as a JSON number, ``bytes`` passed through as text,
and a timeout as ``Task timed out after 5.00 seconds``.

This module imports only the standard library: the isolated worker loads it by file path without
importing the package.
"""

from __future__ import annotations

import decimal
import json
import logging
import time
import traceback
from collections.abc import Collection
from typing import Any

#: Lambda's text log format (``awslambdaric`` bootstrap), with times in UTC.
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class MarshalError(ValueError):
    """The handler returned something Lambda cannot send back as JSON."""


def _utc(seconds: float | None = None) -> time.struct_time:
    return time.gmtime(seconds)


class LambdaLogFormatter(logging.Formatter):
    """Formats records as Lambda's runtime does, stamping the request id of the current invocation."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT, LOG_DATE_FORMAT)
        self.converter = _utc

    def format_for(self, record: logging.LogRecord, request_id: str) -> str:
        """The record as one (possibly multi-line) log entry of invocation ``request_id``."""
        record.aws_request_id = request_id
        return self.format(record)


def timeout_message(seconds: float) -> str:
    """Lambda's words for an invocation that ran out of time."""
    return f"Task timed out after {seconds:.2f} seconds"


def exception_title(exc: BaseException) -> str:
    """``Type: message`` (just ``Type`` when the message is empty), with Lambda's short type name."""
    message = str(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _user_frames(exc: BaseException, skip_files: Collection[str]) -> list[traceback.FrameSummary]:
    return [frame for frame in traceback.extract_tb(exc.__traceback__) if frame.filename not in skip_files]


def describe_exception(exc: BaseException, skip_files: Collection[str] = ()) -> str:
    """``Type: message (at file, line N, in function)`` naming where the exception was raised."""
    title = exception_title(exc)
    frames = _user_frames(exc, skip_files)
    if not frames:
        return title
    last = frames[-1]
    return f"{title} (at {last.filename}, line {last.lineno}, in {last.name})"


def error_log_entry(exc: BaseException, skip_files: Collection[str] = (), *, prefix: str = "") -> str:
    """The ``[ERROR]`` entry Lambda's runtime logs for an unhandled exception, with the handler's frames."""
    lines = [f"[ERROR] {prefix}{exception_title(exc)}"]
    frames = _user_frames(exc, skip_files)
    if frames:
        lines.append("Traceback (most recent call last):")
        lines.extend(entry.rstrip("\n") for entry in traceback.format_list(frames))
    return "\n".join(lines)


def _encode_default(obj: Any) -> Any:
    if isinstance(obj, decimal.Decimal):
        # Lambda writes a Decimal's digits as a raw JSON number; a JSON reader then sees exactly this.
        return json.loads(str(obj)) if obj.is_finite() else float(obj)
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def marshal_response(value: Any) -> str:
    """The JSON text Lambda would send back for ``value``; :class:`MarshalError` when there is none."""
    if isinstance(value, (bytes, bytearray)):
        # Lambda passes bytes through untouched; the caller reads them as (JSON) text.
        return json.dumps(bytes(value).decode("utf-8", errors="replace"))
    try:
        return json.dumps(value, default=_encode_default)
    except (TypeError, ValueError, RecursionError) as exc:
        raise MarshalError(f"Unable to marshal response: {exc}") from None
