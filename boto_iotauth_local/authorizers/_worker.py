"""The isolated runtime's worker: one Lambda execution environment in its own interpreter.

Run by file path (``python _worker.py``), never imported as part of the package, so that a cold start costs
an interpreter start and a few standard-library imports, not the package (whose ``__init__`` may pull in
botocore). It loads its three standard-library-only siblings (``context``, ``references``,
``conventions``) by path.

Protocol: messages are 4-byte big-endian lengths followed by UTF-8 JSON. The parent starts the worker with
pipes on fds 0 and 1; the worker moves them to private descriptors at once and points fd 0 at the null
device and fd 1 at fd 2, so nothing the handler does with stdin/stdout (Python or native) can touch the
protocol. Parent to worker: ``init`` (once), then ``invoke`` messages. Worker to parent: ``out`` (a chunk
of the handler's stdout or stderr), ``log`` (one log entry), and one terminal message per request:
``ready``/``init_error`` after ``init``, ``result`` after ``invoke``. Output streams while the handler
runs, so what it printed before hanging or crashing is not lost.

Every request carries an ``id`` and every message the worker sends carries the id of the request it
serves; the parent discards any message whose id is not the one it waits for. Only the worker process
itself speaks on the protocol: a process the handler forked (``os.fork``) that returns from the handler
sends nothing and exits instead of reading the next request, so it can never answer for another request.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
# Running a script puts its directory first on sys.path; the handler must not see the package's modules
# as top-level modules (``import context`` would find ours).
if sys.path and os.path.abspath(sys.path[0] or os.curdir) == _HERE:
    del sys.path[0]

import contextlib  # noqa: E402
import importlib.util  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from types import ModuleType  # noqa: E402
from typing import Any  # noqa: E402


def _load_sibling(name: str) -> ModuleType:
    module_name = f"_iotauth_worker_{name}"
    spec = importlib.util.spec_from_file_location(module_name, os.path.join(_HERE, f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


_context = _load_sibling("context")
_references = _load_sibling("references")
_conventions = _load_sibling("conventions")
_SKIP_FILES = frozenset({os.path.abspath(__file__), __file__})
#: Output goes to the parent in messages of at most this many characters, so neither side ever holds one
#: huge message for a huge print (the parent keeps only OUTPUT_CAP characters of it).
_CHUNK = 64 * 1024


class _Channel:
    """Length-prefixed JSON messages over two private pipe descriptors; sends are thread-safe.

    ``request_id`` is the protocol id of the request being served, stamped on every message sent.
    """

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._reader = open(read_fd, "rb")  # noqa: SIM115 - lives as long as the process
        self._write_fd = write_fd
        self._lock = threading.Lock()
        self._owner = os.getpid()
        self.request_id: str | None = None

    def forked(self) -> bool:
        """True in a process the handler forked from the worker (it shares the pipes, not the role)."""
        return os.getpid() != self._owner

    def receive(self) -> dict[str, Any] | None:
        if self.forked():
            os._exit(0)  # a forked copy back in the serve loop: leave the next request to the worker
        header = self._reader.read(4)
        if len(header) < 4:
            return None
        body = self._reader.read(int.from_bytes(header, "big"))
        message: dict[str, Any] = json.loads(body)
        return message

    def send(self, message: dict[str, Any]) -> None:
        if self.forked():
            return  # only the worker answers; a forked copy's messages would belong to no request
        body = json.dumps({**message, "id": self.request_id}).encode("utf-8")
        data = memoryview(len(body).to_bytes(4, "big") + body)
        with self._lock:
            while data:
                written = os.write(self._write_fd, data)
                data = data[written:]


class _StreamBuffer(io.RawIOBase):
    """``sys.stdout.buffer`` for code that writes bytes."""

    def __init__(self, stream: _PipeStream) -> None:
        super().__init__()
        self._stream = stream

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._stream.write(chunk.decode("utf-8", errors="replace"))
        return len(chunk)


class _PipeStream(io.TextIOBase):
    """A line-buffered text stream whose lines go to the parent as ``out`` messages."""

    encoding = "utf-8"

    def __init__(self, channel: _Channel, name: str, fd: int) -> None:
        super().__init__()
        self._channel = channel
        self._name = name
        self._fd = fd
        self._pending = ""
        self._lock = threading.Lock()
        self._buffer = _StreamBuffer(self)

    @property
    def buffer(self) -> _StreamBuffer:
        return self._buffer

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        # Native writes to this descriptor land in the worker's stderr file, which the parent also reads.
        return self._fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        with self._lock:
            self._pending += text
            cut = self._pending.rfind("\n") + 1
            if cut == 0 and len(self._pending) >= _CHUNK:
                cut = len(self._pending)  # a long line without a newline yet: send what there is
            chunk, self._pending = self._pending[:cut], self._pending[cut:]
        for start in range(0, len(chunk), _CHUNK):
            self._channel.send({"t": "out", "s": self._name, "d": chunk[start : start + _CHUNK]})
        return len(text)

    def flush(self) -> None:
        with self._lock:
            chunk, self._pending = self._pending, ""
        if chunk:
            self._channel.send({"t": "out", "s": self._name, "d": chunk})


class _RecordHandler(logging.Handler):
    """Sends each log record to the parent as one Lambda-formatted entry."""

    def __init__(self, worker: _Worker) -> None:
        super().__init__()
        self._worker = worker
        self._formatter = _conventions.LambdaLogFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            entry = self._formatter.format_for(record, self._worker.request_id)
            self._worker.channel.send({"t": "log", "d": entry})
        except Exception:
            self.handleError(record)


def _limit_memory(memory_mb: int, allowance_mb: int) -> None:
    """Cap the address space at what the interpreter uses now plus the function's memory plus an allowance."""
    try:
        import resource
    except ImportError:  # Windows
        return
    mib = 1024 * 1024
    try:
        with open("/proc/self/statm") as statm:
            baseline = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        baseline = 0
    limit = baseline + (memory_mb + allowance_mb) * mib
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard if hard == resource.RLIM_INFINITY else limit))
    except (ValueError, OSError):  # not enforceable here (macOS refuses RLIMIT_AS)
        pass


class _Worker:
    def __init__(self, channel: _Channel) -> None:
        self.channel = channel
        self.request_id = "INIT"
        self.handler: Any = None
        self.memory_mb = 0
        self.stdout = _PipeStream(channel, "stdout", 1)
        self.stderr = _PipeStream(channel, "stderr", 2)

    def flush(self) -> None:
        self.stdout.flush()
        self.stderr.flush()

    def log_error(self, exc: BaseException, prefix: str = "") -> None:
        self.flush()
        self.channel.send({"t": "log", "d": _conventions.error_log_entry(exc, _SKIP_FILES, prefix=prefix)})

    def init(self, message: dict[str, Any]) -> dict[str, Any]:
        self.memory_mb = int(message["memory_mb"])
        _limit_memory(self.memory_mb, int(message["allowance_mb"]))
        for entry in reversed(message["sys_path"]):
            if entry not in sys.path:
                sys.path.insert(0, entry)
        try:
            self.handler = _references.resolve_reference(message["handler"], code_dir=message["code_dir"])
        except _references.HandlerReferenceError as exc:
            return {"t": "init_error", "kind": "reference", "message": str(exc)}
        except _references.HandlerImportError as exc:
            self.log_error(
                exc.cause, prefix=f"Runtime.ImportModuleError: Unable to import module '{exc.module}': "
            )
            return {
                "t": "init_error",
                "kind": "raised",
                "message": f"Unable to import module '{exc.module}': "
                + _conventions.describe_exception(exc.cause, _SKIP_FILES),
            }
        finally:
            self.flush()
        return {"t": "ready"}

    def invoke(self, message: dict[str, Any]) -> dict[str, Any]:
        context = _context.LambdaContext.from_dict(message["context"])
        self.request_id = context.aws_request_id
        started = time.perf_counter()
        try:
            value = self.handler(message["event"], context)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt included: the worker survives them
            duration = time.perf_counter() - started
            self.log_error(exc)
            text = _conventions.describe_exception(exc, _SKIP_FILES)
            if isinstance(exc, MemoryError):
                text += f" (the function's memory size is {self.memory_mb} MB)"
            return {"t": "result", "ok": False, "kind": "raised", "message": text, "duration": duration}
        duration = time.perf_counter() - started
        self.flush()
        try:
            encoded = _conventions.marshal_response(value)
        except _conventions.MarshalError as exc:
            return {
                "t": "result",
                "ok": False,
                "kind": "unserializable",
                "message": str(exc),
                "duration": duration,
            }
        return {"t": "result", "ok": True, "value": encoded, "duration": duration}

    def serve(self) -> None:
        while True:
            message = self.channel.receive()
            if message is None or message["t"] == "exit":
                return
            self.channel.request_id = message.get("id")
            if message["t"] == "init":
                reply = self.init(message)
            elif message["t"] == "invoke":
                reply = self.invoke(message)
            else:
                reply = {
                    "t": "result",
                    "ok": False,
                    "kind": "crashed",
                    "message": f"unknown request {message['t']!r}",
                }
            self.flush()
            self.channel.send(reply)


def main() -> None:
    """Take the protocol pipes off fds 0 and 1, set up capture, then serve requests until told to stop."""
    read_fd, write_fd = os.dup(0), os.dup(1)  # os.dup makes non-inheritable copies
    null_fd = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null_fd, 0)
    os.close(null_fd)
    os.dup2(2, 1)
    try:
        import faulthandler

        faulthandler.enable()  # a native crash leaves a Python traceback in the worker's stderr file
    except (ImportError, RuntimeError, ValueError):
        pass
    channel = _Channel(read_fd, write_fd)
    worker = _Worker(channel)
    sys.stdout = worker.stdout
    sys.stderr = worker.stderr
    logging.getLogger().addHandler(_RecordHandler(worker))
    with contextlib.suppress(BrokenPipeError, KeyboardInterrupt):
        worker.serve()


if __name__ == "__main__":
    main()
