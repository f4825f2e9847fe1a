"""The in-process runtime: the handler runs in the caller's interpreter, as a plain function call would.

With a timeout (the default: the function's own, 5 s for authorizers) the handler runs on a warm daemon
worker thread and the caller waits at most that long, so a hanging handler never hangs the caller. A Python
thread cannot be killed: after a timeout the handler thread runs on until it finishes on its own, and its
output keeps going to a sink nobody reads. With ``timeout=None`` the handler runs inline on the calling
thread, which is what a debugger wants (breakpoints, stepping, no extra thread).

Lambda's behaviour kept here too: the handler gets a fresh JSON copy of the event, its return value goes
through Lambda's JSON marshalling (so what the caller sees is what Lambda would deliver, and an
unencodable value fails as ``unserializable``), and an unhandled exception is logged as Lambda logs it.
"""

from __future__ import annotations

import _thread
import contextvars
import json
import queue
import threading
import time
import uuid
from collections.abc import Mapping
from typing import Any

from ..engine.jsondata import JSONDataError, loads
from . import capture
from .context import LambdaContext, new_log_stream_name
from .conventions import MarshalError, describe_exception, error_log_entry, marshal_response, timeout_message
from .invocation import (
    SPEC_TIMEOUT,
    UNREADABLE,
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
    return sink.captured()


class _Call:
    """One handler call and what came of it."""

    def __init__(
        self, handler: Handler, event: Any, context: LambdaContext, sink: capture.Sink, lease: capture.Lease
    ) -> None:
        self.handler = handler
        self.lease = lease
        self.event = event
        self.context = context
        self.sink = sink
        self.value: Any = None
        self.error: BaseException | None = None
        self.duration = 0.0

    def run(self, *, inline: bool) -> None:
        """Call the handler with capture on, under the lease ``capture.acquire()`` gave for this call."""
        token = capture.activate(self.sink)
        started = time.perf_counter()
        try:
            self.value = self.handler(self.event, self.context)
        except BaseException as exc:  # SystemExit included: the handler must not end the caller
            if inline and isinstance(exc, KeyboardInterrupt):
                raise  # Ctrl-C while debugging inline stops the caller; it is not the handler's outcome
            self.error = exc
            self.sink.record(error_log_entry(exc, _SKIP_FILES))
        finally:
            self.duration = time.perf_counter() - started
            capture.deactivate(token)
            capture.release(self.lease)


class _Worker:
    """A warm daemon thread that runs calls handed to it: starting a thread per call costs more than
    most handlers. A worker whose call outlives its timeout is simply not handed out again until the
    call ends, so a hung handler never delays another call."""

    def __init__(self, pool: _Pool) -> None:
        self._pool = pool
        #: Set when its call timed out: the worker ends with that call instead of going back to the pool.
        self.abandoned = False
        self._jobs: queue.SimpleQueue[tuple[_Call, _thread.LockType, str] | None] = queue.SimpleQueue()
        threading.Thread(target=self._loop, name="authorizer-worker", daemon=True).start()

    def submit(self, call: _Call, done: _thread.LockType, name: str) -> None:
        self._jobs.put((call, done, name))

    def stop(self) -> None:
        self._jobs.put(None)

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            call, done, name = job
            thread = threading.current_thread()
            thread.name = name
            try:
                call.run(inline=False)
            finally:
                done.release()
            if self.abandoned or not self._pool.give_back(self):
                return
            thread.name = "authorizer-worker"


class _Pool:
    """Idle workers, at most ``keep`` of them; more are started when calls overlap."""

    def __init__(self, keep: int = 4) -> None:
        self._keep = keep
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def run(self, call: _Call, seconds: float, name: str) -> bool:
        """Run ``call`` on a worker; True when it ended within ``seconds``."""
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self)
        # A held lock the worker releases when the call ends: the cheapest hand-off between two threads.
        done = _thread.allocate_lock()
        done.acquire()
        worker.submit(call, done, name)
        finished = done.acquire(timeout=seconds)
        if not finished:
            worker.abandoned = True
        return finished

    def give_back(self, worker: _Worker) -> bool:
        with self._lock:
            if len(self._idle) < self._keep:
                self._idle.append(worker)
                return True
        return False

    def stop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


class InProcessRuntime:
    """Runs handlers in the calling process; thread-safe, and calls may overlap."""

    name = "inprocess"

    def __init__(self) -> None:
        self._log_streams: dict[str, str] = {}
        self._lock = threading.Lock()
        self._pool = _Pool()

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
        event_copy = json.loads(json.dumps(event))
        call = _Call(handler, event_copy, context, sink, capture.acquire())
        if seconds is None:
            contextvars.copy_context().run(call.run, inline=True)
        else:
            try:
                finished = self._pool.run(call, seconds, f"authorizer:{spec.name}")
            except BaseException:
                capture.release(call.lease)
                raise
            if not finished:
                # Not waited for: the host gets its streams and root logger back now, not when (if ever)
                # the handler thread ends; its lease is then already released.
                capture.release(call.lease)
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
            value = loads(marshal_response(call.value))
        except MarshalError as exc:
            raise InvocationFailed("unserializable", str(exc), output, request_id=request_id) from None
        except JSONDataError as exc:
            raise InvocationFailed(
                "unserializable", f"{UNREADABLE}: {exc}", output, request_id=request_id
            ) from None
        return Invocation(
            value=value, request_id=request_id, duration=call.duration, runtime="inprocess", output=output
        )

    def shutdown(self) -> None:
        """Stop the idle workers; handler threads that outlived their timeout cannot be killed."""
        self._pool.stop_idle()
