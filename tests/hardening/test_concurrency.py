"""Activations started and stopped from many threads while other threads call through boto3.

Every world has a thing group ``fleet`` whose only policy is named after the world, and an authorizer whose
handler answers with the world's name as ``principalId``: every answer says which world gave it. Each
activation cycle and each call is stamped with a global sequence number before and after, so an answer can
be checked against the activations that could have given it: one of its world's, reaching that client, and
active at some point during the call.

Clients are strict: no credentials anywhere, so a call that no activation answers fails with
NoCredentialsError before anything is sent. After the last activation stops, botocore must be exactly as
before: ``HierarchicalEmitter._emit`` is the original function, a fresh session registers the same handlers
for the intercepted events, no scope marker is left on any emitter, and the wire layer holds no binding.
"""

from __future__ import annotations

import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter

from boto_iotauth_local import World, activate
from boto_iotauth_local.wire import hooks

from .stress import ACCOUNT, GROUP, INFO, REGION, stamp
from .stress import make_world as stress_world

EVENTS = [
    f"{kind}.iot.{operation}"
    for kind in ("before-send", "choose-signer")
    for operation in ("TestAuthorization", "TestInvokeAuthorizer")
]
CYCLES = 15  # activation cycles per activator thread: bounds the run
HANG_GUARD_SECONDS = 120.0
ORIGINAL_EMIT = HierarchicalEmitter.__dict__["_emit"]


def make_world(label: str) -> World:
    """The stress test's world, plus an authorizer that answers with the world's name as principalId."""
    world = stress_world(label)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "isAuthenticated": True,
            "principalId": label,
            "policyDocuments": [],
            "refreshAfterInSeconds": 300,
            "disconnectAfterInSeconds": 300,
        }

    world.create_authorizer(
        authorizerName="Auth",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth",
        signingDisabled=True,
        handler=handler,
        runtime="inprocess",
    )
    return world


@dataclass(frozen=True)
class Interval:
    """One activation cycle: ``outer`` stamps bracket start() and stop(), ``inner`` ones lie within."""

    label: str
    scope: str  # "process", or the name of the client or session it is scoped to
    before_start: int
    after_start: int
    before_stop: int
    after_stop: int


@dataclass(frozen=True)
class CallRecord:
    client: str  # which client made the call, e.g. "plain", "scoped", "session1", "session2"
    begin: int
    end: int
    answer: str | None  # the label of the world that answered, or None for NoCredentialsError


def _handlers(emitter: Any) -> dict[str, list[str]]:
    inner = getattr(emitter, "_emitter", emitter)
    return {
        event: [
            f"{getattr(h, '__module__', '?')}.{getattr(h, '__qualname__', type(h).__name__)}"
            for h in inner._handlers.prefix_search(event)
        ]
        for event in EVENTS
    }


def _markers(emitter: Any) -> list[str]:
    inner = getattr(emitter, "_emitter", emitter)
    return [key for key in inner._unique_id_handlers if str(key).startswith("boto-iotauth-local")]


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Names looked up for a connection (the suite's network guard still refuses them)."""
    seen: list[str] = []
    guarded = socket.getaddrinfo

    def recording(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(host))
        return guarded(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    yield seen


def test_activations_switching_under_concurrent_calls(network_attempts: list[str]) -> None:
    before_handlers = _handlers(botocore.session.get_session()._events)
    assert hooks.active_bindings() == ()

    session1 = boto3.Session(region_name=REGION)
    session2 = boto3.Session(region_name=REGION)
    plain = boto3.client("iot", region_name=REGION)
    scoped = boto3.client("iot", region_name=REGION)
    session1_client = session1.client("iot")  # made before any activation: session scope never reaches it
    worlds = {label: make_world(label) for label in ("procA", "procB", "procC", "client", "sessA", "sessB")}

    intervals: list[Interval] = []
    calls: list[CallRecord] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    done = threading.Event()

    def wait_for_calls(count: int) -> None:
        """Until ``count`` more calls have finished (bounded: a hang guard, not a timing claim)."""
        target = len(calls) + count
        for _ in range(5000):
            if len(calls) >= target or done.is_set():
                return
            time.sleep(0.001)

    def activator(labels: list[str], scope: str, make: Callable[[World], Any]) -> None:
        try:
            for cycle in range(CYCLES):
                label = labels[cycle % len(labels)]
                handle = make(worlds[label])
                s0 = stamp()
                handle.start()
                s1 = stamp()
                wait_for_calls(3)  # let a few calls through while active
                e0 = stamp()
                handle.stop()
                e1 = stamp()
                with lock:
                    intervals.append(Interval(label, scope, s0, s1, e0, e1))
                wait_for_calls(2)
        except BaseException as exc:
            with lock:
                failures.append(exc)

    def caller(name: str, call: Callable[[], str]) -> None:
        try:
            while not done.is_set():
                begin = stamp()
                try:
                    label: str | None = call()
                except NoCredentialsError:
                    label = None
                end = stamp()
                with lock:
                    calls.append(CallRecord(name, begin, end, label))
        except BaseException as exc:
            with lock:
                failures.append(exc)

    def authorization(client: Any) -> str:
        result = client.test_authorization(principal=GROUP, authInfos=INFO)["authResults"][0]
        assert result["authDecision"] == "ALLOWED", result
        (policy,) = result["allowed"]["policies"]
        return str(policy["policyName"]).removeprefix("World-")

    def invoke(client: Any) -> str:
        return str(client.test_invoke_authorizer(authorizerName="Auth", token="t")["principalId"])

    def fresh_session2_client() -> str:
        return authorization(session2.client("iot"))

    activators = [
        threading.Thread(target=activator, args=(["procA", "procB"], "process", lambda w: activate(w))),
        threading.Thread(target=activator, args=(["procC"], "process", lambda w: activate(w))),
        threading.Thread(target=activator, args=(["client"], "scoped", lambda w: activate(w, client=scoped))),
        threading.Thread(
            target=activator, args=(["sessA"], "session1", lambda w: activate(w, session=session1))
        ),
        threading.Thread(
            target=activator, args=(["sessB"], "session2", lambda w: activate(w, session=session2))
        ),
    ]
    callers = [
        *[threading.Thread(target=caller, args=("plain", lambda: authorization(plain))) for _ in range(10)],
        *[threading.Thread(target=caller, args=("scoped", lambda: authorization(scoped))) for _ in range(3)],
        threading.Thread(target=caller, args=("session1", lambda: authorization(session1_client))),
        threading.Thread(target=caller, args=("session2", fresh_session2_client)),
        threading.Thread(target=caller, args=("session1", lambda: authorization(session1_client))),
        threading.Thread(target=caller, args=("plain", lambda: invoke(plain))),
        threading.Thread(target=caller, args=("scoped", lambda: invoke(scoped))),
    ]
    for thread in callers + activators:
        thread.start()
    for thread in activators:
        thread.join(HANG_GUARD_SECONDS)
    done.set()
    for thread in callers:
        thread.join(HANG_GUARD_SECONDS)
    assert not any(t.is_alive() for t in callers + activators), "a thread did not finish (hang guard)"
    assert not failures, ["".join(traceback.format_exception(f)) for f in failures]
    assert len(intervals) == CYCLES * len(activators)
    assert calls

    reach = {
        "process": {"plain", "scoped", "session1", "session2"},
        "scoped": {"scoped"},
        "session1": set(),  # its only client was made before the session was activated
        "session2": {"session2"},
    }
    for call in calls:
        candidates = [i for i in intervals if call.client in reach[i.scope]]
        if call.answer is None:
            # Strict client, nothing answered: no activation reaching it was active all through the call.
            assert not any(i.after_start < call.begin and i.before_stop > call.end for i in candidates), call
            continue
        matching = [
            i
            for i in candidates
            if i.label == call.answer and i.before_start < call.end and i.after_stop > call.begin
        ]
        assert matching, f"{call} was answered by a world whose activation could not reach it then"

    answered = {c.answer for c in calls if c.answer is not None}
    assert "sessA" not in answered

    # Back to exactly as before.
    assert hooks.active_bindings() == ()
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT
    assert _handlers(botocore.session.get_session()._events) == before_handlers
    for emitter in (
        plain.meta.events,
        scoped.meta.events,
        session1_client.meta.events,
        session1._session._events,
        session2._session._events,
    ):
        assert _markers(emitter) == []
    with pytest.raises(NoCredentialsError):
        plain.test_authorization(principal=GROUP, authInfos=INFO)
    assert network_attempts == [], "a call left for the network"
    print(f"{len(calls)} calls, {len(answered)} worlds answered, {len(network_attempts)} network lookups")


def test_a_call_in_flight_when_the_last_activation_stops_stays_offline(network_attempts: list[str]) -> None:
    handle = activate(make_world("procA")).start()
    client = boto3.client(
        "iot", region_name=REGION, config=Config(retries={"mode": "standard", "max_attempts": 1})
    )

    def stop_between_signing_and_sending(**_: Any) -> None:
        handle.stop()  # stands in for another thread stopping the activation at this moment

    client.meta.events.register("before-sign.iot.TestAuthorization", stop_between_signing_and_sending)
    try:
        try:
            client.test_authorization(principal=GROUP, authInfos=INFO)
        except NoCredentialsError:
            pass
        except Exception as exc:
            pytest.fail(f"the call failed with {type(exc).__name__}: {exc}")
        assert network_attempts == []
        # The call that began under the activation was answered by it, and botocore is as before.
        assert len(handle.calls) == 1
        assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT
    finally:
        handle.stop()
        client.meta.events.unregister("before-sign.iot.TestAuthorization", stop_between_signing_and_sending)
