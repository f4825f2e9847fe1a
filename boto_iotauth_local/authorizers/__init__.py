"""Custom authorizers: token signatures, the Lambda event, running the handler, checking its response.

``TestInvokeAuthorizer`` uses these in order: :mod:`.signing` verifies the token, :func:`build_event`
makes what IoT sends the function, :func:`invoke` runs the handler as Lambda would (in process or in an
isolated worker), and :func:`validate_authorizer_response` checks what it returned.
"""

from __future__ import annotations

from .context import LambdaContext
from .event import build_event
from .inprocess import InProcessRuntime
from .invocation import (
    SPEC_TIMEOUT,
    CapturedOutput,
    FailureKind,
    FunctionLike,
    Invocation,
    InvocationFailed,
    RuntimeChoice,
    RuntimeName,
)
from .isolated import IsolatedRuntime
from .references import HandlerReferenceError, resolve_handler
from .response import AuthorizerResponse, InvalidAuthorizerResponse, validate_authorizer_response
from .runtime import AuthorizerRuntime, Runtimes, choose_runtime, default_runtimes, invoke, shutdown

__all__ = [
    "SPEC_TIMEOUT",
    "AuthorizerResponse",
    "AuthorizerRuntime",
    "CapturedOutput",
    "FailureKind",
    "FunctionLike",
    "HandlerReferenceError",
    "InProcessRuntime",
    "InvalidAuthorizerResponse",
    "Invocation",
    "InvocationFailed",
    "IsolatedRuntime",
    "LambdaContext",
    "RuntimeChoice",
    "RuntimeName",
    "Runtimes",
    "build_event",
    "choose_runtime",
    "default_runtimes",
    "invoke",
    "resolve_handler",
    "shutdown",
    "validate_authorizer_response",
]
