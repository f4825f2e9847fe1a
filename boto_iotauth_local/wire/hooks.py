"""Where calls are intercepted: botocore's event emitter.

botocore emits ``before-send.iot.<Operation>`` from every client of every session, in every thread, just
before the HTTP request would leave. A wrapper on ``HierarchicalEmitter._emit`` (installed while any binding
is active, removed with the last) answers those events for the operations a binding serves, ahead of every
registered handler. Answering ahead of the emitter's handlers, instead of registering one, is what lets a
single switch reach clients created before it and keeps moto's generic ``before-send`` handler, which would
raise NotImplementedError for these operations, from running after the answer; a Stubber still answers
first because it acts at ``before-call``, an earlier event. ``choose-signer`` is answered with UNSIGNED for
the same operations so that no credentials are needed, unless the binding asks for signing.

A call that was told UNSIGNED is remembered (in its request context) until its ``before-send``: if its
binding stops in between, that binding still answers it, and the wrapper stays installed until it has,
so a call that began offline never reaches the network unsigned.

A binding is process-wide, or scoped to one session or client through a marker handler registered (inert)
on that emitter; botocore copies a session's handlers into the clients it creates, so the marker reaches
them too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import botocore
import wrapt
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.hooks import HierarchicalEmitter

_BEFORE_SEND = "before-send"
_CHOOSE_SIGNER = "choose-signer"
_SERVICE_INFIX = ".iot."


class Responder(Protocol):
    """What a binding answers with."""

    def answers(self, operation: str) -> bool: ...

    def respond(self, operation: str, request: AWSPreparedRequest) -> AWSResponse: ...

    @property
    def sign_requests(self) -> bool: ...


@dataclass(frozen=True, eq=False)
class Binding:
    """One active responder and its reach: ``marker`` None means every emitter in the process."""

    responder: Responder
    marker: str | None = None


_lock = threading.Lock()
_bindings: tuple[Binding, ...] = ()
_wrapper: Any = None

#: The request-context key holding the binding that answered a call's choose-signer with UNSIGNED.
_CONTEXT_KEY = "boto_iotauth_local.binding"
#: id(request context) -> when it was told UNSIGNED, for calls not yet at their before-send.
_in_flight: dict[int, float] = {}
#: A call still not at before-send after this long died on the way (an error between the two events).
_STALE_AFTER = 30.0


def _marker_handler(**_: Any) -> None:
    """Registered on scoped emitters only so that the binding can recognise them; answers nothing."""
    return None


def _binding_for(emitter: Any, operation: str) -> Binding | None:
    bindings = _bindings
    for binding in reversed(bindings):
        if binding.marker is not None and binding.marker not in getattr(emitter, "_unique_id_handlers", ()):
            continue
        if binding.responder.answers(operation):
            return binding
    return None


def _emit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if (_bindings or _in_flight) and args:
        event_name = args[0]
        if isinstance(event_name, str) and _SERVICE_INFIX in event_name:
            kind, _, operation = event_name.partition(_SERVICE_INFIX)
            if kind == _BEFORE_SEND:
                request = args[1].get("request")
                binding = _binding_for(instance, operation)
                held = _release(getattr(request, "context", None), operation)
                binding = binding or held
                if binding is not None:
                    responder = binding.responder
                    return [(responder.respond, responder.respond(operation, request))]
            elif kind == _CHOOSE_SIGNER:
                binding = _binding_for(instance, operation)
                if binding is not None and not binding.responder.sign_requests:
                    _hold(args[1].get("context"), binding, operation)
                    return [(binding.responder.respond, botocore.UNSIGNED)]
    return wrapped(*args, **kwargs)


#: This thread's last call told UNSIGNED: (context, operation, when). botocore before 1.44 gives
#: ``before-send`` a prepared request without the request context; a call's ``choose-signer`` and its
#: ``before-send`` run on one thread, one after the other, so the thread finds the call's context.
_thread = threading.local()


def _hold(context: Any, binding: Binding, operation: str) -> None:
    """Remember that this call will be sent unsigned, so that only ``binding`` may send it."""
    if isinstance(context, dict):
        context[_CONTEXT_KEY] = binding
        now = time.monotonic()
        _thread.held = (context, operation, now)
        with _lock:
            _in_flight[id(context)] = now


def _release(context: Any, operation: str) -> Binding | None:
    """The binding that told this call UNSIGNED, if any; the call is no longer in flight."""
    last = getattr(_thread, "held", None)
    _thread.held = None
    if context is None and last is not None:  # older botocore: the context is not on the request
        held_context, held_operation, since = last
        if held_operation == operation and time.monotonic() - since <= _STALE_AFTER:
            context = held_context
    if not isinstance(context, dict) or _CONTEXT_KEY not in context:
        return None
    held: Binding = context.pop(_CONTEXT_KEY)
    with _lock:
        _in_flight.pop(id(context), None)
        if not _bindings:
            _uninstall_when_idle()
    return held


def _install() -> None:
    global _wrapper
    if _wrapper is None:
        _wrapper = wrapt.FunctionWrapper(HierarchicalEmitter.__dict__["_emit"], _emit)
        HierarchicalEmitter._emit = _wrapper


def _uninstall_when_idle() -> None:
    """Remove the wrapper unless a call told UNSIGNED is still on its way to before-send. Hold _lock."""
    now = time.monotonic()
    for key, since in list(_in_flight.items()):
        if now - since > _STALE_AFTER:
            del _in_flight[key]
    if not _in_flight:
        _uninstall()


def _uninstall() -> None:
    global _wrapper
    if _wrapper is not None and HierarchicalEmitter.__dict__.get("_emit") is _wrapper:
        HierarchicalEmitter._emit = _wrapper.__wrapped__
        _wrapper = None
    # If something else wrapped _emit after us, our wrapper stays inside it, inert with no bindings.


def marker_event(marker: str) -> tuple[str, Callable[..., None], str]:
    """The (event, handler, unique_id) triple a scoped binding registers on its emitter."""
    return f"boto-iotauth-local-scope.{marker}", _marker_handler, marker


def bind(binding: Binding) -> None:
    global _bindings
    with _lock:
        if binding not in _bindings:
            _bindings = (*_bindings, binding)
        _install()


def unbind(binding: Binding) -> None:
    global _bindings
    with _lock:
        _bindings = tuple(b for b in _bindings if b is not binding)
        if not _bindings:
            _uninstall_when_idle()


def active_bindings() -> tuple[Binding, ...]:
    return _bindings
