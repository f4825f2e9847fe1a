"""The isolated runtime: each function runs in warm worker subprocesses, as on Lambda.

A worker is one execution environment: started on a function's first call with the environment variables
Lambda sets, its handler imported once (the init phase, limited to 10 s as on Lambda), then reused for
later calls. Concurrent calls to the same function never share a worker: a call takes an idle worker or
starts another, up to ``max_workers_per_function`` (4 by default), beyond which calls wait for one to
free up — Lambda's own model of one request per environment, scaled out. Waiting does not count against
the call's timeout.

Limits:

* **timeout**: a call that runs past its timeout gets its worker's process group killed (so the handler's
  own children die too) and fails with ``Task timed out after N.NN seconds``; the next call starts a fresh
  worker.
* **memory**: on POSIX the worker caps its address space (``RLIMIT_AS``) at what the bare interpreter
  occupies when it starts, plus the function's ``memory_mb``, plus ``memory_allowance_mb`` (512 MiB by
  default). The allowance exists because ``RLIMIT_AS`` counts reserved address space, not resident memory:
  every thread reserves an 8 MiB stack and a malloc arena of up to 64 MiB, and imported extension modules
  map their libraries. The limit therefore catches a handler that allocates far beyond its memory size (it
  gets ``MemoryError``, reported as raised) but does not reproduce Lambda's exact out-of-memory point.
  Where ``resource`` is missing (Windows) or the limit is refused (macOS), no limit is applied.
* **crash**: a worker that dies (``os._exit``, a signal) fails the call with Lambda's
  ``Runtime exited with error: ...`` and is replaced on the next call.

:meth:`IsolatedRuntime.shutdown` kills and reaps every worker; the runtime registers it with ``atexit``
when it starts its first worker, and can be used again afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from ..engine.jsondata import JSONDataError, loads
from .context import LambdaContext, default_log_group_name, new_log_stream_name
from .conventions import timeout_message
from .invocation import (
    SPEC_TIMEOUT,
    UNREADABLE,
    BoundedOutput,
    CapturedOutput,
    FunctionLike,
    Invocation,
    InvocationFailed,
    Timeout,
    effective_timeout,
)
from .references import HandlerReferenceError, importable_reference

WORKER_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_worker.py")
#: Lambda's limit on the init phase (importing the handler's module).
INIT_TIMEOUT = 10.0
DEFAULT_MEMORY_ALLOWANCE_MB = 512
DEFAULT_MAX_WORKERS_PER_FUNCTION = 4
_STDERR_TAIL = 8192


def function_region(arn: str) -> str:
    """The region named in a Lambda function ARN (``us-east-1`` when the ARN names none)."""
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


def lambda_environment(spec: FunctionLike, log_stream_name: str, handler_setting: str) -> dict[str, str]:
    """The variables Lambda's Python runtime sets; they win over the function's own ``environment``."""
    region = function_region(spec.arn)
    variables = {
        "_HANDLER": handler_setting,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": default_log_group_name(spec.name),
        "AWS_LAMBDA_LOG_STREAM_NAME": log_stream_name,
        "TZ": ":UTC",
    }
    if spec.code_dir:
        variables["LAMBDA_TASK_ROOT"] = os.path.abspath(spec.code_dir)
    return variables


def _handler_setting(spec: FunctionLike) -> str:
    if isinstance(spec.handler, str):
        return spec.handler
    if callable(spec.handler):
        return importable_reference(spec.handler)
    raise HandlerReferenceError(
        f"handler must be a callable or a reference string, not {type(spec.handler).__name__}"
    )


def _pool_key(spec: FunctionLike, handler_setting: str) -> Hashable:
    environment = tuple(sorted((str(k), str(v)) for k, v in dict(spec.environment).items()))
    code_dir = os.path.abspath(spec.code_dir) if spec.code_dir else None
    return (spec.arn, spec.name, handler_setting, code_dir, environment, spec.memory_mb)


def _exit_description(returncode: int) -> str:
    if returncode < 0:
        number = -returncode
        try:
            name = signal.strsignal(number) or f"signal {number}"
        except (ValueError, AttributeError):
            name = f"signal {number}"
        return f"Runtime exited with error: signal: {name.lower()}"
    return f"Runtime exited with error: exit status {returncode}"


class _Output:
    """Collects one request's streamed output, capped per stream (see OUTPUT_CAP)."""

    def __init__(self) -> None:
        self._bounded = BoundedOutput()

    def add(self, message: Mapping[str, Any]) -> None:
        if message["t"] == "log":
            self._bounded.record(str(message["d"]))
        else:
            self._bounded.write("stderr" if message.get("s") == "stderr" else "stdout", str(message["d"]))

    def captured(self, native_stderr: str = "") -> CapturedOutput:
        output = self._bounded.captured()
        return CapturedOutput(output.stdout, output.stderr + native_stderr, output.records)


class _WorkerDied(Exception):
    def __init__(self, output: _Output, timed_out: bool) -> None:
        super().__init__("worker died")
        self.output = output
        self.timed_out = timed_out


@dataclass
class _Reply:
    message: dict[str, Any]
    output: _Output


class _Worker:
    """One worker process and its pipes; used by one call at a time."""

    def __init__(
        self, spec: FunctionLike, handler_setting: str, python: str, allowance_mb: int, init_timeout: float
    ) -> None:
        self.init_timeout = init_timeout
        self.log_stream_name = new_log_stream_name()
        environment = {str(k): str(v) for k, v in dict(os.environ).items()}
        environment.update({str(k): str(v) for k, v in dict(spec.environment).items()})
        environment.update(lambda_environment(spec, self.log_stream_name, handler_setting))
        code_dir = os.path.abspath(spec.code_dir) if spec.code_dir else None
        self._stderr_file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by dispose()
        self._stderr_offset = 0
        posix = os.name == "posix"
        try:
            self.process = subprocess.Popen(
                [python, WORKER_FILE],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr_file,
                env=environment,
                cwd=code_dir,
                start_new_session=posix,  # its own process group, so a kill reaches the handler's children
                close_fds=True,
            )
        except BaseException:
            self._stderr_file.close()
            raise
        self.pid = self.process.pid
        self._kill_lock = threading.Lock()
        self._closed = False
        self.init_output: CapturedOutput | None = None
        self._init_message = {
            "t": "init",
            "handler": handler_setting,
            "code_dir": code_dir,
            "sys_path": [os.path.abspath(entry) if entry else os.getcwd() for entry in sys.path],
            "memory_mb": spec.memory_mb,
            "allowance_mb": allowance_mb,
        }

    @property
    def alive(self) -> bool:
        # Reaping happens only under the kill lock, so kill() never signals a recycled process id.
        with self._kill_lock:
            return not self._closed and self.process.poll() is None

    def _send(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(len(body).to_bytes(4, "big") + body)
        self.process.stdin.flush()

    def _receive(self) -> dict[str, Any] | None:
        assert self.process.stdout is not None
        header = self.process.stdout.read(4)
        if len(header) < 4:
            return None
        body = self.process.stdout.read(int.from_bytes(header, "big"))
        if len(body) < int.from_bytes(header, "big"):
            return None
        message: dict[str, Any] = json.loads(body)
        return message

    def request(self, message: Mapping[str, Any], timeout: float | None, terminal: frozenset[str]) -> _Reply:
        """Send ``message`` and collect output until a terminal reply; kill the worker past ``timeout``.

        The request gets a fresh id; messages carrying any other id (from a process the handler forked,
        answering late for an earlier request) are discarded, so a reply always belongs to its request.
        """
        request_id = uuid.uuid4().hex
        body = json.dumps({**message, "id": request_id}).encode("utf-8")  # unencodable: the caller's error
        output = _Output()
        state = {"done": False, "fired": False}
        lock = threading.Lock()

        def expire() -> None:
            with lock:
                if state["done"]:
                    return
                state["fired"] = True
            self.kill()

        timer = threading.Timer(timeout, expire) if timeout is not None else None
        try:
            self._send(body)
            if timer is not None:
                timer.daemon = True
                timer.start()
            while True:
                reply = self._receive()
                if reply is None:
                    break
                if reply.get("id") != request_id:
                    continue
                if reply["t"] in terminal:
                    with lock:
                        state["done"] = True
                    return _Reply(reply, output)
                output.add(reply)
        except (BrokenPipeError, ConnectionError, ValueError, OSError):
            pass
        finally:
            if timer is not None:
                timer.cancel()
        with lock:
            state["done"] = True
            fired = state["fired"]
        raise _WorkerDied(output, timed_out=fired)

    def ensure_initialized(self) -> None:
        """Run the init phase once (import the handler); raise as the first call would fail."""
        if self.init_output is not None:
            return
        try:
            reply = self.request(self._init_message, self.init_timeout, frozenset({"ready", "init_error"}))
        except _WorkerDied as died:
            raise self.failure(died, self.init_timeout, init=True) from None
        message = reply.message
        if message["t"] == "init_error":
            self.close()
            if message["kind"] == "reference":
                raise HandlerReferenceError(message["message"])
            raise InvocationFailed("raised", message["message"], reply.output.captured(self.native_stderr()))
        self.init_output = reply.output.captured()

    def failure(
        self, died: _WorkerDied, timeout: float | None, *, init: bool = False, request_id: str | None = None
    ) -> InvocationFailed:
        """The failure to report for a worker that died during a request; the worker is reaped."""
        self.close()
        returncode = self.process.returncode if self.process.returncode is not None else -9
        native = self.native_stderr()
        if died.timed_out and timeout is not None:
            text = f"Init timed out after {timeout:.2f} seconds" if init else timeout_message(timeout)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            logs = died.output.captured(native)
            records = (*logs.records, f"{stamp}Z {request_id or 'INIT'} {text}")
            logs = CapturedOutput(logs.stdout, logs.stderr, records)
            return InvocationFailed("timeout", text, logs, request_id=request_id)
        return InvocationFailed(
            "crashed", _exit_description(returncode), died.output.captured(native), request_id=request_id
        )

    def native_stderr(self) -> str:
        """What reached the worker's fd 1/2 natively since last read (POSIX; empty elsewhere)."""
        if self._stderr_file.closed or not hasattr(os, "pread"):
            return ""
        fd = self._stderr_file.fileno()
        size = os.fstat(fd).st_size
        if size <= self._stderr_offset:
            return ""
        start = max(self._stderr_offset, size - _STDERR_TAIL)
        data = os.pread(fd, size - start, start)
        self._stderr_offset = size
        return data.decode("utf-8", errors="replace")

    def kill(self) -> None:
        """Kill the worker and everything it started (its process group on POSIX).

        Safe against process id reuse: the id stays reserved until the worker is reaped, and reaping
        happens only under the same lock. A worker that already exited but is not yet reaped still gets
        its group killed, so children it left behind die with it.
        """
        with self._kill_lock:
            if self.process.returncode is not None:
                return
            try:
                if os.name == "posix":
                    os.killpg(self.process.pid, signal.SIGKILL)
                else:
                    self.process.kill()
            except (ProcessLookupError, PermissionError, OSError):
                pass

    def close(self) -> None:
        """Kill, reap and release the pipes (the stderr file stays readable until :meth:`dispose`)."""
        if self._closed:
            return
        self._closed = True
        self.kill()
        with self._kill_lock:
            self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def dispose(self) -> None:
        self.close()
        self._stderr_file.close()


class _Pool:
    """The workers of one function: idle ones (most recently used last) and how many exist in all."""

    def __init__(self) -> None:
        self.idle: list[_Worker] = []
        self.busy: set[_Worker] = set()
        self.size = 0  # idle + busy + being started
        self.closed = False  # set by shutdown(); a closed pool hands out no workers and keeps none
        self.condition = threading.Condition()

    def is_closed(self) -> bool:
        with self.condition:
            return self.closed


class IsolatedRuntime:
    """Runs handlers in warm worker subprocesses, one pool per function settings."""

    name = "isolated"

    def __init__(
        self,
        *,
        max_workers_per_function: int = DEFAULT_MAX_WORKERS_PER_FUNCTION,
        memory_allowance_mb: int = DEFAULT_MEMORY_ALLOWANCE_MB,
        init_timeout: float = INIT_TIMEOUT,
        python: str | None = None,
    ) -> None:
        if max_workers_per_function < 1:
            raise ValueError("max_workers_per_function must be at least 1")
        if not init_timeout > 0:
            raise ValueError("init_timeout must be a positive number of seconds")
        self.init_timeout = init_timeout
        self.max_workers_per_function = max_workers_per_function
        self.memory_allowance_mb = memory_allowance_mb
        self.python = python or sys.executable
        self._pools: dict[Hashable, _Pool] = {}
        self._lock = threading.Lock()
        self._atexit_registered = False

    def _pool(self, key: Hashable) -> _Pool:
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool()
            if not self._atexit_registered:
                atexit.register(self.shutdown)
                self._atexit_registered = True
            return pool

    def _acquire(self, pool: _Pool, spec: FunctionLike, handler_setting: str) -> _Worker | None:
        with pool.condition:
            while True:
                if pool.closed:
                    return None
                while pool.idle:
                    worker = pool.idle.pop()
                    if worker.alive:
                        pool.busy.add(worker)
                        return worker
                    pool.size -= 1
                    worker.dispose()
                if pool.size < self.max_workers_per_function:
                    pool.size += 1
                    break
                pool.condition.wait()
        try:
            worker = _Worker(spec, handler_setting, self.python, self.memory_allowance_mb, self.init_timeout)
        except BaseException:
            with pool.condition:
                pool.size -= 1
                pool.condition.notify()
            raise
        with pool.condition:
            pool.busy.add(worker)
        if pool.is_closed():  # shut down while the worker was starting
            self._release(pool, worker)
            return None
        return worker

    def _release(self, pool: _Pool, worker: _Worker) -> None:
        with pool.condition:
            pool.busy.discard(worker)
            if worker.alive and not pool.closed:
                pool.idle.append(worker)
            else:
                pool.size -= 1
                worker.dispose()
            pool.condition.notify()

    def invoke(
        self, spec: FunctionLike, event: Mapping[str, Any], *, timeout: Timeout = SPEC_TIMEOUT
    ) -> Invocation:
        """Run the function's handler on ``event`` in a worker; see :class:`InvocationFailed` for failures."""
        seconds = effective_timeout(spec, timeout)
        handler_setting = _handler_setting(spec)
        key = _pool_key(spec, handler_setting)
        while True:
            pool = self._pool(key)
            worker = self._acquire(pool, spec, handler_setting)
            if worker is not None:
                break
        try:
            return self._invoke_on(worker, spec, event, seconds)
        finally:
            self._release(pool, worker)

    def _invoke_on(
        self, worker: _Worker, spec: FunctionLike, event: Mapping[str, Any], seconds: float | None
    ) -> Invocation:
        worker.ensure_initialized()
        init_output, worker.init_output = worker.init_output or CapturedOutput(), CapturedOutput()
        request_id = str(uuid.uuid4())
        context = LambdaContext.create(
            function_name=spec.name,
            invoked_function_arn=spec.arn,
            memory_mb=spec.memory_mb,
            timeout=seconds if seconds is not None else spec.timeout,
            aws_request_id=request_id,
            log_stream_name=worker.log_stream_name,
        )
        message = {"t": "invoke", "event": event, "context": context.to_dict()}
        try:
            reply = worker.request(message, seconds, frozenset({"result"}))
        except _WorkerDied as died:
            failure = worker.failure(died, seconds, request_id=request_id)
            failure.logs = init_output + failure.logs
            raise failure from None
        output = init_output + reply.output.captured(worker.native_stderr())
        result = reply.message
        if not result["ok"]:
            raise InvocationFailed(result["kind"], result["message"], output, request_id=request_id)
        try:
            value = loads(result["value"])
        except JSONDataError as exc:
            raise InvocationFailed(
                "unserializable", f"{UNREADABLE}: {exc}", output, request_id=request_id
            ) from None
        return Invocation(
            value=value,
            request_id=request_id,
            duration=float(result["duration"]),
            runtime="isolated",
            output=output,
        )

    def worker_pids(self) -> list[int]:
        """The process ids of the live workers (for diagnostics and tests)."""
        with self._lock:
            pools = list(self._pools.values())
        pids: list[int] = []
        for pool in pools:
            with pool.condition:
                pids.extend(w.pid for w in [*pool.idle, *pool.busy] if w.alive)
        return pids

    def shutdown(self) -> None:
        """Kill and reap every worker; calls in flight fail as crashed. The runtime stays usable."""
        with self._lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            with pool.condition:
                pool.closed = True
                idle, busy = list(pool.idle), list(pool.busy)
                pool.idle.clear()
                pool.condition.notify_all()
            for worker in (*idle, *busy):
                worker.kill()
            for worker in idle:  # busy ones are reaped by the call that holds them
                worker.dispose()
