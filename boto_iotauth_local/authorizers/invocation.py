"""What both runtimes take and give: the function settings they read, the result, the failure.

The runtimes read a function's settings through :class:`FunctionLike` rather than importing the world's
``FunctionSpec``, so this layer stays testable on its own; any object with these attributes will do.
"""

from __future__ import annotations

import enum
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

RuntimeChoice = Literal["auto", "inprocess", "isolated"]
RuntimeName = Literal["inprocess", "isolated"]
FailureKind = Literal["raised", "timeout", "crashed", "unserializable"]


class FunctionLike(Protocol):
    """The settings of a local Lambda function that the runtimes need (matches the world's FunctionSpec)."""

    @property
    def arn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def handler(self) -> Callable[..., Any] | str: ...
    @property
    def runtime(self) -> str: ...
    @property
    def code_dir(self) -> str | os.PathLike[str] | None: ...
    @property
    def environment(self) -> Mapping[str, str]: ...
    @property
    def memory_mb(self) -> int: ...
    @property
    def timeout(self) -> float: ...


#: The start of an ``unserializable`` failure's message for a response that JSON text carries but that is not
#: JSON data this library reads (nested too deeply, NaN): see ``engine/jsondata.py``.
UNREADABLE = "The response is not JSON data"


class _SpecTimeout(enum.Enum):
    SPEC_TIMEOUT = "spec"


#: Default for ``invoke(..., timeout=)``: use the function's own ``timeout`` setting.
SPEC_TIMEOUT = _SpecTimeout.SPEC_TIMEOUT
#: A per-call timeout: seconds, ``None`` for none (in process: run inline), or :data:`SPEC_TIMEOUT`.
Timeout = float | None | _SpecTimeout


def effective_timeout(spec: FunctionLike, timeout: Timeout) -> float | None:
    """The number of seconds a call may run, checked to be positive."""
    seconds = spec.timeout if timeout is SPEC_TIMEOUT else timeout
    if seconds is not None and not seconds > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, not {seconds!r}")
    return seconds


#: What one call keeps of each of its output streams (stdout, stderr, log records), in characters. A
#: handler that prints more keeps the head of each stream and a last line saying how much was dropped,
#: so a runaway print cannot fill the host's memory through the run records.
OUTPUT_CAP = 1024 * 1024


class BoundedOutput:
    """One call's output as it arrives, keeping at most ``cap`` characters per stream (thread-safe)."""

    def __init__(self, cap: int = OUTPUT_CAP) -> None:
        self.cap = cap
        self._lock = threading.Lock()
        self._parts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._kept = {"stdout": 0, "stderr": 0, "records": 0}
        self._dropped = {"stdout": 0, "stderr": 0, "records": 0}
        self._records: list[str] = []
        self._dropped_records = 0

    def write(self, stream: str, text: str) -> None:
        """Add ``text`` to ``stream`` (``"stdout"`` or ``"stderr"``)."""
        with self._lock:
            room = self.cap - self._kept[stream]
            if len(text) <= room:
                self._parts[stream].append(text)
                self._kept[stream] += len(text)
                return
            if room > 0:
                self._parts[stream].append(text[:room])
                self._kept[stream] = self.cap
            self._dropped[stream] += len(text) - max(room, 0)

    def record(self, entry: str) -> None:
        """Add one log record (records are kept whole or dropped whole)."""
        with self._lock:
            if self._kept["records"] + len(entry) <= self.cap:
                self._records.append(entry)
                self._kept["records"] += len(entry)
            else:
                self._dropped["records"] += len(entry)
                self._dropped_records += 1

    def _note(self, what: str, amount: str) -> str:
        return f"[{amount} dropped: {what} is capped at {self.cap} characters per call (OUTPUT_CAP)]"

    def captured(self) -> CapturedOutput:
        """What was kept, each capped stream ending with a line saying what was dropped."""
        with self._lock:
            texts = {}
            for stream in ("stdout", "stderr"):
                text = "".join(self._parts[stream])
                if self._dropped[stream]:
                    separator = "" if text.endswith("\n") or not text else "\n"
                    amount = f"{self._dropped[stream]} more characters"
                    text += separator + self._note(stream, amount) + "\n"
                texts[stream] = text
            records = tuple(self._records)
            if self._dropped_records:
                amount = f"{self._dropped_records} more log records ({self._dropped['records']} characters)"
                records += (self._note("the log", amount),)
        return CapturedOutput(texts["stdout"], texts["stderr"], records)


@dataclass(frozen=True)
class CapturedOutput:
    """What a handler wrote during one call: ``stdout``, ``stderr`` and log records as Lambda logs them."""

    stdout: str = ""
    stderr: str = ""
    records: tuple[str, ...] = ()

    def __add__(self, other: CapturedOutput) -> CapturedOutput:
        return CapturedOutput(
            self.stdout + other.stdout, self.stderr + other.stderr, self.records + other.records
        )

    @property
    def text(self) -> str:
        """Everything in one string (stdout, then stderr, then the records), for messages and debugging."""
        parts = [self.stdout, self.stderr, *(record + "\n" for record in self.records)]
        return "".join(part for part in parts if part)


@dataclass(frozen=True)
class Invocation:
    """A call that returned: the value as Lambda delivers it (after its JSON marshalling) and its output."""

    value: Any
    request_id: str
    duration: float
    runtime: RuntimeName
    output: CapturedOutput = field(default_factory=CapturedOutput)

    @property
    def stdout(self) -> str:
        return self.output.stdout

    @property
    def stderr(self) -> str:
        return self.output.stderr

    @property
    def records(self) -> tuple[str, ...]:
        return self.output.records


class InvocationFailed(Exception):
    """A call that did not return a value; ``kind`` says how, ``message`` says exactly what happened.

    ``raised``: the handler (or the import of its module) raised; ``timeout``: it ran past its timeout;
    ``crashed``: the process running it died (isolated runtime only); ``unserializable``: it returned
    something JSON cannot encode.
    """

    def __init__(
        self,
        kind: FailureKind,
        message: str,
        logs: CapturedOutput | None = None,
        *,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.message = message
        self.logs = logs if logs is not None else CapturedOutput()
        self.request_id = request_id

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"
