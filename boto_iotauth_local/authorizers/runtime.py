"""One entry point for running a function's handler, whichever runtime it uses.

``runtime="auto"`` (the default) runs a callable in process, where it is cheapest and friendliest to a
debugger, and a string reference isolated, which is how Lambda runs code it imports from a directory:
its own interpreter, its own ``sys.modules``, its own environment variables and limits.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from .inprocess import InProcessRuntime
from .invocation import SPEC_TIMEOUT, FunctionLike, Invocation, RuntimeName, Timeout
from .isolated import IsolatedRuntime


class AuthorizerRuntime(Protocol):
    """What a runtime offers: run a handler once, and stop whatever it keeps running."""

    @property
    def name(self) -> str: ...

    def invoke(
        self, spec: FunctionLike, event: Mapping[str, Any], *, timeout: Timeout = SPEC_TIMEOUT
    ) -> Invocation:
        """Run ``spec``'s handler on ``event``; raise ``InvocationFailed`` when it does not return a value."""
        ...

    def shutdown(self) -> None: ...


def choose_runtime(spec: FunctionLike) -> RuntimeName:
    """Which runtime a function's ``runtime`` setting means."""
    if spec.runtime == "auto":
        return "isolated" if isinstance(spec.handler, str) else "inprocess"
    if spec.runtime == "inprocess":
        return "inprocess"
    if spec.runtime == "isolated":
        return "isolated"
    raise ValueError(f"runtime must be 'auto', 'inprocess' or 'isolated', not {spec.runtime!r}")


class Runtimes:
    """An in-process and an isolated runtime, dispatched per function."""

    def __init__(self, *, inprocess: InProcessRuntime | None = None, isolated: IsolatedRuntime | None = None):
        self.inprocess = inprocess or InProcessRuntime()
        self.isolated = isolated or IsolatedRuntime()

    def for_spec(self, spec: FunctionLike) -> AuthorizerRuntime:
        return self.isolated if choose_runtime(spec) == "isolated" else self.inprocess

    def invoke(
        self, spec: FunctionLike, event: Mapping[str, Any], *, timeout: Timeout = SPEC_TIMEOUT
    ) -> Invocation:
        """Run ``spec``'s handler on ``event`` in the runtime it asks for."""
        return self.for_spec(spec).invoke(spec, event, timeout=timeout)

    def shutdown(self) -> None:
        """Stop every worker process; the runtimes can be used again afterwards."""
        self.inprocess.shutdown()
        self.isolated.shutdown()


_default: Runtimes | None = None
_default_lock = threading.Lock()


def default_runtimes() -> Runtimes:
    """The process-wide runtimes used by :func:`invoke` (their workers stop at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Runtimes()
        return _default


def invoke(spec: FunctionLike, event: Mapping[str, Any], *, timeout: Timeout = SPEC_TIMEOUT) -> Invocation:
    """Run ``spec``'s handler on ``event`` with the process-wide runtimes."""
    return default_runtimes().invoke(spec, event, timeout=timeout)


def shutdown() -> None:
    """Kill every worker the process-wide runtimes started."""
    with _default_lock:
        runtimes = _default
    if runtimes is not None:
        runtimes.shutdown()
