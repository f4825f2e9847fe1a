"""The in-process runtime: the handler runs in the caller's interpreter, as a plain function call would.

With a timeout (the default: the function's own, 5 s for authorizers) the handler runs on a fresh daemon
thread and the caller waits at most that long, so a hanging handler never hangs the caller. A Python
thread cannot be killed: after a timeout the handler thread runs on until it finishes on its own, and its
output keeps going to a sink nobody reads. With ``timeout=None`` the handler runs inline on the calling
thread, which is what a debugger wants (breakpoints, stepping, no extra thread).

Lambda's behaviour kept here too: the handler gets a fresh JSON copy of the event, its return value goes
through Lambda's JSON marshalling (so what the caller sees is what Lambda would deliver, and an
unencodable value fails as ``unserializable``), and an unhandled exception is logged as Lambda logs it.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from . import capture
from .context import LambdaContext, new_log_stream_name
from .conventions import MarshalError, describe_exception, error_log_entry, marshal_response, timeout_message
from .invocation import (
    SPEC_TIMEOUT,
    CapturedOutput,
    FunctionLike,
    Invocation,
    InvocationFailed,
    Timeout,
    effective_timeout,
)
from .references import Handler, HandlerImportError, resolve_handler

_SKIP_FILES = frozenset({__file__})


def _snapshot(sink: capture.Sink) -> CapturedOutput:
    return CapturedOutput("".join(sink.stdout), "".join(sink.stderr), tuple(sink.records))


class _Call:
    """One handler call and what came of it."""

    def __init__(self, handler: Handler, event: Any, context: LambdaContext, sink: capture.Sink) -> None:
        self.handler = handler
        self.event = event
        self.context = context
        self.sink = sink
        self.value: Any = None
        self.error: BaseException | None = None
        self.duration = 0.0

    def run(self, *, inline: bool) -> None:
        """Call the handler with capture on; ``capture.acquire()`` must have been called for this call."""
        token = capture.activate(self.sink)
        started = time.perf_counter()
        try:
            self.value = self.handler(self.event, self.context)
        except BaseException as exc:  # SystemExit included: the handler must not end the caller
            if inline and isinstance(exc, KeyboardInterrupt):
                raise  # Ctrl-C while debugging inline stops the caller; it is not the handler's outcome
            self.error = exc
            self.sink.records.append(error_log_entry(exc, _SKIP_FILES))
        finally:
            self.duration = time.perf_counter() - started
            capture.deactivate(token)
            capture.release()


class InProcessRuntime:
    """Runs handlers in the calling process; thread-safe, and calls may overlap."""

    name = "inprocess"

    def __init__(self) -> None:
        self._log_streams: dict[str, str] = {}
        self._lock = threading.Lock()

    def _log_stream(self, spec: FunctionLike) -> str:
        with self._lock:
            stream = self._log_streams.get(spec.arn)
            if stream is None:
                stream = self._log_streams[spec.arn] = new_log_stream_name()
            return stream

    def invoke(
        self, spec: FunctionLike, event: Mapping[str, Any], *, timeout: Timeout = SPEC_TIMEOUT
    ) -> Invocation:
        """Call the function's handler on ``event``; see :class:`InvocationFailed` for failures."""
        seconds = effective_timeout(spec, timeout)
        request_id = str(uuid.uuid4())
        try:
            handler = resolve_handler(spec.handler, code_dir=spec.code_dir)
        except HandlerImportError as exc:
            entry = error_log_entry(exc.cause, _SKIP_FILES, prefix=f"Runtime.ImportModuleError: {exc}: ")
            raise InvocationFailed(
                "raised",
                f"{exc}: {describe_exception(exc.cause, _SKIP_FILES)}",
                CapturedOutput(records=(entry,)),
                request_id=request_id,
            ) from None
        context = LambdaContext.create(
            function_name=spec.name,
            invoked_function_arn=spec.arn,
            memory_mb=spec.memory_mb,
            timeout=seconds if seconds is not None else spec.timeout,
            aws_request_id=request_id,
            log_stream_name=self._log_stream(spec),
        )
        sink = capture.Sink(request_id)
        call = _Call(handler, json.loads(json.dumps(event)), context, sink)
        capture.acquire()
        if seconds is None:
            contextvars.copy_context().run(call.run, inline=True)
        else:
            thread = threading.Thread(
                target=call.run, kwargs={"inline": False}, name=f"authorizer:{spec.name}", daemon=True
            )
            try:
                thread.start()
            except BaseException:
                capture.release()
                raise
            thread.join(seconds)
            if thread.is_alive():
                text = timeout_message(seconds)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
                logs = _snapshot(sink)
                logs = CapturedOutput(
                    logs.stdout, logs.stderr, (*logs.records, f"{stamp}Z {request_id} {text}")
                )
                raise InvocationFailed("timeout", text, logs, request_id=request_id)
        output = _snapshot(sink)
        if call.error is not None:
            raise InvocationFailed(
                "raised", describe_exception(call.error, _SKIP_FILES), output, request_id=request_id
            )
        try:
            value = json.loads(marshal_response(call.value))
        except MarshalError as exc:
            raise InvocationFailed("unserializable", str(exc), output, request_id=request_id) from None
        return Invocation(
            value=value, request_id=request_id, duration=call.duration, runtime="inprocess", output=output
        )

    def shutdown(self) -> None:
        """Nothing to stop: handler threads that outlived their timeout cannot be killed."""
