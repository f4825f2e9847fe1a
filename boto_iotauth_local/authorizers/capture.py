"""Capturing one in-process handler call's output without disturbing anything else in the process.

``sys.stdout``/``sys.stderr`` are process-wide, so redirecting them (``contextlib.redirect_stdout``) would
steal the output of every other thread. Instead, while at least one call is running, both are wrapped in
a routing stream and the root logger gets one routing handler. Each decides per write, from a
:class:`contextvars.ContextVar`, whether the writer is a handler being captured: the handler's thread (and
any asyncio task it runs, which inherits the context) writes into its call's :class:`Sink`; every other
thread writes through to the stream that was there before. The wrappers are removed when the last call
ends or times out (a timed-out call is not waited for: the host gets its own streams back at once),
unless someone replaced them in the meantime, in which case theirs stays.

A handler's ``sys.stdout.close()`` (or ``sys.stderr``'s) closes nothing: while capturing, the stream a
handler sees is its call's capture, never the host's stream underneath. Each call keeps at most
``OUTPUT_CAP`` characters per stream (see ``invocation.BoundedOutput``).

Known limits: threads the handler starts itself do not inherit the context, so their output is not
captured; a ``logging.StreamHandler`` created before the call holds the real stream and still prints;
what a handler writes after its call timed out goes to the host's own streams once the last call ended.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from typing import Any, TextIO, cast

from .conventions import LambdaLogFormatter
from .invocation import BoundedOutput, CapturedOutput

_STREAM_NAMES = ("stdout", "stderr")


class Sink:
    """Where one call's output goes, capped per stream."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        self._output = BoundedOutput()

    def write(self, stream: str, text: str) -> None:
        self._output.write(stream, text)

    def record(self, entry: str) -> None:
        self._output.record(entry)

    def captured(self) -> CapturedOutput:
        return self._output.captured()


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

    def close(self) -> None:
        pass  # the handler's capture, not the host's stream: nothing to close


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

    def close(self) -> None:
        """A handler closing its stream closes its capture (nothing); anyone else closes the real one."""
        if _current.get() is None and self.fallback is not None:
            self.fallback.close()

    @property
    def closed(self) -> bool:
        if _current.get() is not None:
            return False
        return bool(getattr(self.fallback, "closed", False))

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
                sink.record(self._formatter.format_for(record, sink.request_id))
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


class Lease:
    """One call's hold on the routing; released once, by whichever comes first (the end, a timeout)."""

    __slots__ = ("released",)

    def __init__(self) -> None:
        self.released = False


def acquire() -> Lease:
    """Start routing for one call; pair every call with :func:`release` of the lease it returns.

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
        return Lease()


def release(lease: Lease) -> None:
    """End ``lease`` (a second release is a no-op); the last one out restores exactly what was there.

    Streams someone else installed meanwhile are left in place.
    """
    global _active
    with _lock:
        if lease.released:
            return
        lease.released = True
        _active -= 1
        if _active > 0:
            return
        for name, stream in reversed(_installed):
            if getattr(sys, name) is stream:
                setattr(sys, name, stream.fallback)
        _installed.clear()
        logging.root.removeHandler(_log_handler)


def routing() -> bool:
    """Whether any call is being captured now (the streams and the root logger are wrapped)."""
    with _lock:
        return _active > 0


def activate(sink: Sink) -> contextvars.Token[Sink | None]:
    """Send the current context's output to ``sink``."""
    return _current.set(sink)


def deactivate(token: contextvars.Token[Sink | None]) -> None:
    _current.reset(token)
