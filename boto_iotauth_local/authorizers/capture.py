"""Capturing one in-process handler call's output without disturbing anything else in the process.

``sys.stdout``/``sys.stderr`` are process-wide, so redirecting them (``contextlib.redirect_stdout``) would
steal the output of every other thread. Instead, while at least one call is running, both are wrapped in
a routing stream and the root logger gets one routing handler. Each decides per write, from a
:class:`contextvars.ContextVar`, whether the writer is a handler being captured: the handler's thread (and
any asyncio task it runs, which inherits the context) writes into its call's :class:`Sink`; every other
thread writes through to the stream that was there before. The wrappers are removed when the last call
ends, unless someone replaced them in the meantime, in which case theirs stays.

Known limits: threads the handler starts itself do not inherit the context, so their output is not
captured; a ``logging.StreamHandler`` created before the call holds the real stream and still prints.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from typing import Any, TextIO, cast

from .conventions import LambdaLogFormatter

_STREAM_NAMES = ("stdout", "stderr")


class Sink:
    """Where one call's output goes."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.records: list[str] = []

    def write(self, stream: str, text: str) -> None:
        (self.stdout if stream == "stdout" else self.stderr).append(text)


_current: contextvars.ContextVar[Sink | None] = contextvars.ContextVar("iotauth_capture_sink", default=None)


class _SinkBuffer:
    """``.buffer`` of a routing stream while capturing: bytes are decoded into the sink."""

    def __init__(self, sink: Sink, stream: str) -> None:
        self._sink = sink
        self._stream = stream

    def write(self, data: bytes) -> int:
        self._sink.write(self._stream, bytes(data).decode("utf-8", errors="replace"))
        return len(data)

    def flush(self) -> None:
        pass


class RoutingStream:
    """Stands in for ``sys.stdout``/``sys.stderr``: captured writers go to their sink, others pass through."""

    def __init__(self, name: str, fallback: TextIO | None) -> None:
        self._name = name
        self.fallback = fallback

    def write(self, text: str) -> int:
        sink = _current.get()
        if sink is not None:
            sink.write(self._name, text)
            return len(text)
        if self.fallback is None:
            return len(text)
        return self.fallback.write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if _current.get() is None and self.fallback is not None:
            self.fallback.flush()

    @property
    def buffer(self) -> Any:
        sink = _current.get()
        if sink is not None:
            return _SinkBuffer(sink, self._name)
        return getattr(self.fallback, "buffer", None)

    def isatty(self) -> bool:
        return _current.get() is None and self.fallback is not None and self.fallback.isatty()

    def __getattr__(self, name: str) -> Any:
        # encoding, errors, fileno, ... of the stream underneath
        return getattr(self.fallback, name)


class RoutingLogHandler(logging.Handler):
    """On the root logger while calls run: records from a captured context go to its sink.

    Records from anyone else are left to the process's own handlers; when there are none, Python would
    have printed them through ``logging.lastResort``, so this handler does exactly that.
    """

    def __init__(self) -> None:
        super().__init__()
        self._formatter = LambdaLogFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        sink = _current.get()
        if sink is not None:
            try:
                sink.records.append(self._formatter.format_for(record, sink.request_id))
            except Exception:
                self.handleError(record)
            return
        last_resort = logging.lastResort
        if (
            last_resort is not None
            and record.levelno >= last_resort.level
            and not self._others_handle(record)
        ):
            last_resort.handle(record)

    def _others_handle(self, record: logging.LogRecord) -> bool:
        logger: logging.Logger | None = (
            logging.getLogger(record.name) if record.name != "root" else logging.root
        )
        while logger is not None:
            if any(handler is not self for handler in logger.handlers):
                return True
            if not logger.propagate:
                return False
            logger = logger.parent
        return False


_lock = threading.Lock()
_active = 0
_installed: list[tuple[str, RoutingStream]] = []
_log_handler = RoutingLogHandler()


def acquire() -> None:
    """Start routing for one call; pair every call with :func:`release`.

    Checked on every call, not only the first: someone (a test runner's capture, for one) may have
    replaced ``sys.stdout`` while other calls were running, and this call must still be captured.
    """
    global _active
    with _lock:
        for name in _STREAM_NAMES:
            current = getattr(sys, name)
            if not isinstance(current, RoutingStream):
                stream = RoutingStream(name, current)
                _installed.append((name, stream))
                setattr(sys, name, cast(TextIO, stream))
        if _log_handler not in logging.root.handlers:
            logging.root.addHandler(_log_handler)
        _active += 1


def release() -> None:
    """Stop routing when the last running call ends, leaving streams someone else installed in place."""
    global _active
    with _lock:
        _active -= 1
        if _active > 0:
            return
        for name, stream in reversed(_installed):
            if getattr(sys, name) is stream:
                setattr(sys, name, stream.fallback)
        _installed.clear()
        logging.root.removeHandler(_log_handler)


def activate(sink: Sink) -> contextvars.Token[Sink | None]:
    """Send the current context's output to ``sink``."""
    return _current.set(sink)


def deactivate(token: contextvars.Token[Sink | None]) -> None:
    _current.reset(token)
