"""Where calls are intercepted: botocore's event emitter, and the lifecycle of an intercepted call.

botocore emits ``before-send.iot.<Operation>`` from every client of every session, in every thread, just
before the HTTP request would leave. A wrapper on ``HierarchicalEmitter._emit`` answers those events for
the operations a binding serves, ahead of every registered handler. Answering ahead of the emitter's
handlers, instead of registering one, is what lets a single switch reach clients created before it and
keeps moto's generic ``before-send`` handler, which would raise NotImplementedError for these operations,
from running after the answer; a Stubber still answers first because it acts at ``before-call``, an
earlier event. ``choose-signer`` is answered with UNSIGNED for the same operations so that no credentials
are needed, unless the binding asks for signing.

One lifecycle for a call. A call belongs to the innermost binding that reaches it at its first event
(``provide-client-params``; or, for a call that began while none did, at the first later event one does).
The binding is kept in botocore's request context, the dict that lives through every retry attempt, and
the call stays with it until botocore is done with the call: ``after-call`` or ``after-call-error``, or,
for a call that dies on a path that emits neither, when botocore drops its context. Every later event of
the call (each attempt's ``choose-signer`` and ``before-send``) is answered by that binding, whether or
not it has been stopped since, so a call that began offline never finishes online; and while any call is
bound the wrapper stays installed. When no binding has an open entry and no call is bound, the wrapper is
removed and botocore is exactly as before: :func:`went_idle` is that moment.

Bindings are entered and left (:func:`enter`, :func:`leave`): each entry is a token on one stack, so the
same binding may be entered many times (nesting, re-entrancy, threads, tasks) and stays reachable while
any of its entries is open; the binding with the most recent open entry is the innermost.

A binding is process-wide, or scoped to one session or client through a marker handler registered (inert)
on that emitter (:func:`mark`); botocore copies a session's handlers into the clients it creates, so the
marker reaches them too, and those copies are remembered so that :func:`unmark` removes it from them.

The decision for one event is :func:`intercept`, a plain function, so that another emitter (an async one)
can reuse the whole model and only differ in how it awaits the emitter it wraps.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import FunctionType
from typing import Any, Protocol

import botocore
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
from botocore.hooks import HierarchicalEmitter

from .. import caches

_SERVICE_INFIX = ".iot."
_CLIENT_CREATED = "creating-serializer."
#: The event the scope marker is registered under. botocore registers a handler of its own at exactly this
#: node of every session's event tree, so registering ours adds no node: a client being made from the
#: session in another thread copies that tree, and a node added meanwhile would break its copy
#: ("dictionary changed size during iteration"). The marker handler is inert whenever it runs.
_MARKER_EVENT = "before-parameter-build"
#: The request-context key holding the call's :class:`_Call`.
_CONTEXT_KEY = "boto_iotauth_local.call"


class Responder(Protocol):
    """What a binding answers with."""

    def answers(self, operation: str) -> bool: ...

    def respond(self, operation: str, request: AWSPreparedRequest) -> AWSResponse: ...

    @property
    def sign_requests(self) -> bool: ...


@dataclass(frozen=True, eq=False)
class Binding:
    """One responder and its reach: ``marker`` None means every emitter in the process."""

    responder: Responder
    marker: str | None = None


@dataclass(frozen=True, eq=False)
class Entry:
    """One open entry of a binding (a ``with`` block, a decorated call, a ``start()``)."""

    binding: Binding


#: Re-entrant: a bound call's context can be dropped (and its call ended) by the garbage collector at any
#: allocation, including one made while this thread holds the lock.
_lock = threading.RLock()
_entries: tuple[Entry, ...] = ()
_live_calls = 0
_wrapper: Any = None
#: marker -> client emitters that were created carrying it.
_marked_copies: dict[str, weakref.WeakSet[Any]] = {}
#: marker -> the emitters it was registered on by :func:`mark`.
_marked: dict[str, list[Any]] = {}


class _Call:
    """A call bound to ``binding``, from its first intercepted event until botocore is done with it."""

    __slots__ = ("__weakref__", "binding", "open")

    def __init__(self, binding: Binding) -> None:
        self.binding = binding
        self.open = True

    def end(self) -> None:
        """The call is over; idempotent."""
        if self.open:
            self.open = False
            _call_ended()

    def __del__(self) -> None:
        # A call that died on a path emitting neither after-call nor after-call-error (a parameter
        # validation error, a failing before-call handler) ends when botocore drops its request context.
        if self.open:
            with contextlib.suppress(Exception):  # at interpreter shutdown there is nothing left to restore
                self.end()


def _open_call(binding: Binding) -> _Call:
    global _live_calls
    with _lock:
        _live_calls += 1
        # The binding may have been left by another thread since this call saw it: the call still began
        # under it, so the wrapper must be (or be again) in place for its remaining events.
        if _wrapper is None:
            _install()
    return _Call(binding)


def _call_ended() -> None:
    global _live_calls
    with _lock:
        _live_calls -= 1
        idle = _idle_now()
    if idle:
        went_idle()


def _binding_for(emitter: Any, operation: str) -> Binding | None:
    entries = _entries
    for entry in reversed(entries):
        binding = entry.binding
        if binding.marker is not None and binding.marker not in getattr(emitter, "_unique_id_handlers", ()):
            continue
        if binding.responder.answers(operation):
            return binding
    return None


def _prepared_requests_carry_context() -> bool:
    """Whether this botocore hands ``before-send`` a request carrying the request context (1.44 and later)."""
    request = AWSRequest(method="POST", url="https://iot.us-east-1.amazonaws.com/")
    context: dict[str, Any] = {}
    request.context = context
    return getattr(request.prepare(), "context", None) is context


#: Whether a call's events note it as this thread's call under way, for a ``before-send`` that comes
#: without a request context (botocore before 1.44, such as the AWS CLI v2's own copy). Set again if such a
#: ``before-send`` ever arrives anyway.
_track_thread = not _prepared_requests_carry_context()


def _call_for(context: Any, emitter: Any, operation: str) -> Binding | None:
    """The binding this call belongs to, binding it now if it has none yet and one reaches it."""
    if isinstance(context, dict):
        call = context.get(_CONTEXT_KEY)
        if call is None:
            binding = _binding_for(emitter, operation)
            if binding is None:
                return None
            call = context[_CONTEXT_KEY] = _open_call(binding)
        if _track_thread:
            _thread.current = (weakref.ref(call), operation)
        return call.binding
    return _call_under_way(emitter, operation)


def _call_under_way(emitter: Any, operation: str) -> Binding | None:
    """No request context: the call under way on this thread, else the innermost binding reaching it."""
    # A call's events run on one thread, one after the other, so the call under way on this thread is the
    # one its earlier events bound.
    ref, current_operation = getattr(_thread, "current", (None, None))
    current = ref() if ref is not None and current_operation == operation else None
    if current is not None and current.open:
        return current.binding  # type: ignore[no-any-return]
    return _binding_for(emitter, operation)


#: This thread's call under way: (weak reference to its _Call, operation); weak, so that a call that dies
#: without after-call still ends when botocore drops its context.
_thread = threading.local()


#: What :func:`intercept` returns when the event is not answered here: emit it as botocore would.
PASS: Any = object()


class Send:
    """A ``before-send`` that ``responder`` answers: :meth:`answer` makes the response.

    :func:`decide` returns it instead of answering, so that each emitter runs the answer its own way:
    botocore's at once, aiobotocore's in a worker thread (:mod:`.aio`).
    """

    __slots__ = ("operation", "request", "responder")

    def __init__(self, responder: Responder, operation: str, request: AWSPreparedRequest) -> None:
        self.responder = responder
        self.operation = operation
        self.request = request

    def answer(self) -> AWSResponse:
        return self.responder.respond(self.operation, self.request)


# -- what each kind of event does; each takes (emitter, operation, the event's kwargs) -------------------


def _send(emitter: Any, operation: str, kwargs: dict[str, Any]) -> Any:
    request = kwargs.get("request")
    context = getattr(request, "context", None)
    if not isinstance(context, dict) and not _track_thread:
        _note_contextless_send()
    binding = _call_for(context, emitter, operation)
    if binding is not None:
        return Send(binding.responder, operation, request)
    return PASS


def _note_contextless_send() -> None:
    # A before-send without a context on a botocore that was found to give one: from now on note each
    # call as its thread's call under way, as on older botocore.
    global _track_thread
    _track_thread = True


def _choose_signer(emitter: Any, operation: str, kwargs: dict[str, Any]) -> Any:
    binding = _call_for(kwargs.get("context"), emitter, operation)
    if binding is not None and not binding.responder.sign_requests:
        return [(binding.responder.respond, botocore.UNSIGNED)]
    return PASS


def _begin(emitter: Any, operation: str, kwargs: dict[str, Any]) -> Any:
    if _marked:
        # botocore before 1.36 emits nothing on a new client's emitter: remember it at its calls' first
        # event (what markers an emitter carries is fixed when it is made, but for mark() on it, which
        # remembers it by itself).
        _remember_copy(emitter)
    _call_for(kwargs.get("context"), emitter, operation)  # the call begins: bind it
    return PASS


def _finish(emitter: Any, operation: str, kwargs: dict[str, Any]) -> Any:
    context = kwargs.get("context")
    if isinstance(context, dict):
        call = context.pop(_CONTEXT_KEY, None)
        if call is not None:
            call.end()
    return PASS


_Act = Callable[[Any, str, dict[str, Any]], Any]
#: The events of a call acted on, by kind; every other event is passed.
_ACTS: dict[str, _Act] = {
    "provide-client-params": _begin,
    "choose-signer": _choose_signer,
    "before-send": _send,
    "after-call": _finish,
    "after-call-error": _finish,
}
#: event name -> (what its kind does or None, operation), for the names seen: a call emits about a dozen
#: events, all named alike, so each is parsed once. Bounded: names beyond it are parsed each time.
_routes: dict[str, tuple[_Act | None, str]] = {}
_MAX_ROUTES = 4096


def _route(event_name: str) -> tuple[_Act | None, str]:
    kind, _, operation = event_name.partition(_SERVICE_INFIX)
    route = (_ACTS.get(kind), operation)
    if len(_routes) < _MAX_ROUTES:
        _routes[event_name] = route
    return route


def intercept(emitter: Any, event_name: Any, kwargs: dict[str, Any]) -> Any:
    """Answer one emitted event, or return :data:`PASS` to let the emitter's handlers run."""
    decision = decide(emitter, event_name, kwargs)
    if type(decision) is Send:
        return [(decision.responder.respond, decision.answer())]
    return decision


def decide(emitter: Any, event_name: Any, kwargs: dict[str, Any]) -> Any:
    """What to do with one emitted event: :data:`PASS`, the handlers' responses, or a :class:`Send`."""
    if type(event_name) is not str:
        return PASS
    if _SERVICE_INFIX not in event_name:
        if _marked and event_name.startswith(_CLIENT_CREATED):
            _remember_copy(emitter)
        return PASS
    act, operation = _routes.get(event_name) or _route(event_name)
    if act is None:
        return PASS
    return act(emitter, operation, kwargs)


def _wrapping(original: Any) -> Callable[..., Any]:
    """A function to put in place of ``HierarchicalEmitter._emit`` (``original``), intercepting first.

    A plain function, which Python binds to the emitter as it does the original, costs nothing beyond its
    own body on each of the dozen events a call emits (a proxy object costs a microsecond an event).
    ``__wrapped__`` names ``original``, for :func:`inspect.unwrap` and for removing it again.
    """
    forward: Callable[..., Any] = original
    bind = getattr(type(original), "__get__", None)
    if type(original) is not FunctionType and bind is not None:  # (a proxy passes isinstance)
        # Something else's wrapper (a descriptor) was put there first: bind it as the class would.

        def forward(emitter: Any, *args: Any) -> Any:
            return bind(original, emitter, type(emitter))(*args)

    elif bind is None:  # a plain callable is not bound to the emitter

        def forward(emitter: Any, *args: Any) -> Any:
            return original(*args)

    def _emit(self: Any, event_name: Any, kwargs: Any, stop_on_response: bool = False) -> Any:
        # Every event of every client passes here. Those of a call that nothing here acts on (seven of its
        # dozen) are let through on their parsed name alone; ``intercept`` decides the others.
        if type(event_name) is not str or (
            _SERVICE_INFIX in event_name and (_routes.get(event_name) or _route(event_name))[0] is None
        ):
            return forward(self, event_name, kwargs, stop_on_response)
        answered = intercept(self, event_name, kwargs)
        if answered is not PASS:
            return answered
        return forward(self, event_name, kwargs, stop_on_response)

    functools.update_wrapper(_emit, original)
    return _emit


def _install() -> None:
    """Put the wrapper in place if it is not. Hold _lock."""
    global _wrapper
    if _wrapper is None:
        _wrapper = _wrapping(HierarchicalEmitter.__dict__["_emit"])
        HierarchicalEmitter._emit = _wrapper
        from . import aio  # aiobotocore's emitter, when it is installed

        aio.install()


def _idle_now() -> bool:
    """Remove the wrapper when nothing is entered and no call is bound; whether it was. Hold _lock."""
    global _wrapper
    wrapper = _wrapper
    if _entries or _live_calls or wrapper is None:
        return False
    _wrapper = None  # first: a call ended by the collector during what follows finds nothing to undo
    if HierarchicalEmitter.__dict__.get("_emit") is wrapper:
        HierarchicalEmitter._emit = wrapper.__wrapped__
    from . import aio

    aio.uninstall()
    # If something else wrapped _emit after us, our wrapper stays inside it, inert with nothing bound.
    return True


def went_idle() -> None:
    """Interception has ended: no binding is entered, no call is bound, botocore is as before.

    Called once each time that happens, outside the lock: the one place for releasing what only
    intercepted calls need (caches of answered requests).
    """
    from .exchange import forget_requests

    forget_requests()
    caches.release()  # every byte-bounded cache of the call path: nothing the activations cached is kept


def enter(binding: Binding) -> Entry:
    """Open one entry of ``binding``: it is the innermost binding until a later entry is opened."""
    global _entries
    entry = Entry(binding)
    with _lock:
        _entries = (*_entries, entry)
        _install()
    return entry


def leave(entry: Entry) -> None:
    """Close ``entry`` (once; leaving it again does nothing). Calls bound to its binding stay bound."""
    global _entries
    with _lock:
        _entries = tuple(e for e in _entries if e is not entry)
        idle = _idle_now()
    if idle:
        went_idle()


def open_entries() -> tuple[Entry, ...]:
    """Every open entry, innermost last."""
    return _entries


def active_bindings() -> tuple[Binding, ...]:
    """The bindings with an open entry, innermost last, each once."""
    return tuple(dict.fromkeys(entry.binding for entry in _entries))


def calls_in_flight() -> int:
    """How many calls are bound and not yet returned from botocore."""
    return _live_calls


def intercepting() -> bool:
    """Whether the wrapper is installed."""
    return _wrapper is not None


# -- scoping -------------------------------------------------------------------------------------------


def _marker_handler(**_: Any) -> None:
    """Registered on scoped emitters only so that the binding can recognise them; answers nothing."""
    return None


def mark(emitter: Any, marker: str) -> None:
    """Register ``marker`` (inert) on a session's or client's emitter, so that a scoped binding reaches it."""
    with _lock:
        emitter.register(_MARKER_EVENT, _marker_handler, unique_id=marker)
        _marked.setdefault(marker, []).append(emitter)
        _marked_copies.setdefault(marker, weakref.WeakSet())


def unmark(marker: str) -> None:
    """Remove ``marker`` from every emitter it was registered on and every client emitter copied from one."""
    with _lock:
        emitters = _marked.pop(marker, [])
        copies = list(_marked_copies.pop(marker, ()))
    for emitter in [*emitters, *copies]:
        emitter.unregister(_MARKER_EVENT, unique_id=marker)


def _remember_copy(emitter: Any) -> None:
    """A client's emitter is being made (a copy of its session's): remember which markers it carries."""
    handlers = getattr(emitter, "_unique_id_handlers", None)
    if not handlers:
        return
    with _lock:
        for marker, copies in _marked_copies.items():
            if marker in handlers:
                copies.add(emitter)
