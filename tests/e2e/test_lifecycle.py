"""One lifecycle for a call, one model for nesting and re-entrancy: nothing that began offline goes online.

Clients here carry (fake) credentials, as a user's real ones would be in the environment: a call that
escaped the activation would be signed and sent, and the suite's network guard, plus the recorder below,
would see it try. ``stop()`` is called from inside botocore's event chain to stand in for another thread
stopping the handle at exactly that moment.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ParamValidationError
from botocore.hooks import HierarchicalEmitter

from boto_iotauth_local import World, activate
from boto_iotauth_local.wire import hooks

from .conftest import ARN, REGION, allow, deny, doc

ORIGINAL_EMIT = HierarchicalEmitter.__dict__["_emit"]
CONNECT = [{"actionType": "CONNECT", "resources": [f"{ARN}:client/c"]}]
EVENT = "TestAuthorization"


def world_saying(effect: str) -> World:
    world = World()
    rule = allow if effect == "Allow" else deny
    world.create_policy(policyName="Open", policyDocument=doc(rule("iot:*", "*")))
    return world


def signed_client(**config: Any) -> Any:
    """A client with credentials, as with a user's real ones in the environment."""
    return boto3.client(
        "iot",
        region_name=REGION,
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-real-secret",
        config=Config(**config) if config else None,
    )


def decide(client: Any) -> str:
    response = client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    return str(response["authResults"][0]["authDecision"])


def once(action: Callable[[], object]) -> Callable[..., None]:
    done: list[bool] = []

    def handler(**_: Any) -> None:
        if not done:
            done.append(True)
            action()

    return handler


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


@pytest.fixture(autouse=True)
def _botocore_restored() -> Iterator[None]:
    yield
    gc.collect()  # a call that died without after-call ends when its request context is collected
    assert hooks.active_bindings() == ()
    assert hooks.calls_in_flight() == 0
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


# -- hole 1: a stop racing with the call's first steps ---------------------------------------------------


def test_a_stop_while_the_call_is_being_bound_cannot_let_it_out(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    answers = handle.answers

    def answers_then_stopped(operation: str) -> bool:
        # Another thread stops the handle at the moment this call checks whether the handle answers it.
        result = answers(operation)
        handle.stop()
        return result

    handle.answers = answers_then_stopped  # type: ignore[method-assign]
    handle.start()
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})
    assert decide(client) == "ALLOWED"
    assert network_attempts == []
    assert len(handle.calls) == 1 and not handle.active


def test_a_call_that_fails_between_signing_and_sending_leaves_nothing_installed() -> None:
    client = boto3.client("iot", region_name=REGION)

    def broken(**_: Any) -> None:
        raise RuntimeError("a before-sign handler fails")

    client.meta.events.register(f"before-sign.iot.{EVENT}", broken)
    with activate(world_saying("Allow")), pytest.raises(RuntimeError, match="before-sign"):
        decide(client)
    # Not 30 s later: at once, the call having ended in after-call-error.
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


def test_a_call_refused_before_it_is_sent_leaves_nothing_installed() -> None:
    client = boto3.client("iot", region_name=REGION)
    with activate(world_saying("Allow")), pytest.raises(ParamValidationError):
        client.test_authorization(authInfos="not a list")
    # botocore emitted neither after-call nor after-call-error; the call ended with its context.
    gc.collect()
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


# -- hole 3: a call stays with its handle until botocore returns, retries included -----------------------


def test_retries_after_a_throttle_stay_offline_when_the_handle_stops_during_backoff(
    network_attempts: list[str],
) -> None:
    handle = activate(world_saying("Allow")).start()
    handle.faults.fail_next(1)
    client = signed_client(retries={"mode": "standard", "max_attempts": 3})
    client.meta.events.register(f"needs-retry.iot.{EVENT}", once(handle.stop))
    assert decide(client) == "ALLOWED"
    assert network_attempts == []
    assert [c.error.code if c.error else "ok" for c in handle.calls] == ["ThrottlingException", "ok"]


def test_require_credentials_a_call_in_flight_at_stop_is_still_answered(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"), require_credentials=True).start()
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})
    client.meta.events.register(f"before-sign.iot.{EVENT}", once(handle.stop))
    assert decide(client) == "ALLOWED"
    assert network_attempts == []
    assert len(handle.calls) == 1


def test_a_call_stays_with_the_inner_handle_it_began_under() -> None:
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})
    with activate(world_saying("Allow")):
        inner = activate(world_saying("Deny")).start()
        client.meta.events.register(f"before-sign.iot.{EVENT}", once(inner.stop))
        assert decide(client) == "EXPLICIT_DENY"  # not the outer handle's answer
        assert decide(client) == "ALLOWED"  # the next call begins under the outer one
    assert len(inner.calls) == 1


# -- hole 2: re-entrancy -------------------------------------------------------------------------------


def test_with_inside_a_function_decorated_with_the_same_handle(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})

    @handle
    def decorated() -> list[str]:
        with handle:
            first = decide(client)
        return [first, decide(client)]

    assert decorated() == ["ALLOWED", "ALLOWED"]
    assert not handle.active and network_attempts == []


def test_start_inside_with_and_stop_only_close_their_own_entries() -> None:
    handle = activate(world_saying("Allow"))
    with handle:
        handle.start()
        handle.start()  # one start() entry at most
        handle.stop()
        assert handle.active  # the with block is still open
        assert decide(signed_client()) == "ALLOWED"
    assert not handle.active


def test_two_threads_sharing_a_decorated_function(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})
    first_done = threading.Event()
    second_in = threading.Event()
    results: dict[str, str] = {}

    @handle
    def work(name: str) -> None:
        if name == "first":
            second_in.wait(10)
            results[name] = decide(client)
        else:
            second_in.set()
            first_done.wait(10)  # the first thread has left the handle by now
            results[name] = decide(client)

    def first() -> None:
        work("first")
        first_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=work, args=("second",))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"first": "ALLOWED", "second": "ALLOWED"}
    assert network_attempts == [] and not handle.active


def test_two_asyncio_tasks_sharing_a_decorated_coroutine(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})

    async def main() -> list[str]:
        first_left = asyncio.Event()

        @handle
        async def short() -> str:
            return decide(client)

        @handle
        async def long() -> str:
            await first_left.wait()
            return decide(client)

        async def run_short() -> str:
            result = await short()
            first_left.set()
            return result

        return list(await asyncio.gather(long(), run_short()))  # long enters first, leaves last

    assert asyncio.run(main()) == ["ALLOWED", "ALLOWED"]
    assert network_attempts == [] and not handle.active


def test_with_blocks_in_two_tasks_close_their_own_entries() -> None:
    outer, inner = activate(world_saying("Allow")), activate(world_saying("Deny"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})

    async def main() -> list[str]:
        entered = asyncio.Event()
        leave = asyncio.Event()

        async def holder() -> None:
            with inner:
                entered.set()
                await leave.wait()

        async def nester() -> list[str]:
            await entered.wait()
            with outer:  # most recent entry: outer answers
                first = decide(client)
                with inner:  # inner entered again, in this task
                    second = decide(client)
                third = decide(client)  # this task's inner entry is closed, not the holder's
            leave.set()
            return [first, second, third]

        _, seen = await asyncio.gather(holder(), nester())
        return seen

    assert asyncio.run(main()) == ["ALLOWED", "EXPLICIT_DENY", "ALLOWED"]


# -- hole 4: generators ---------------------------------------------------------------------------------


def test_a_decorated_generator_is_active_through_its_iteration(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})

    @handle
    def fixture_like() -> Iterator[str]:
        yield decide(client)
        yield decide(client)

    steps = fixture_like()
    assert not handle.active  # nothing runs before the first step
    assert next(steps) == "ALLOWED"
    assert handle.active and decide(client) == "ALLOWED"  # between steps too, as for a yield fixture
    assert list(steps) == ["ALLOWED"]
    assert not handle.active and network_attempts == []


def test_a_decorated_generator_closed_early_leaves_the_handle() -> None:
    handle = activate(world_saying("Allow"))

    @handle
    def steps() -> Iterator[int]:
        yield 1
        yield 2

    iterator = steps()
    assert next(iterator) == 1 and handle.active
    iterator.close()
    assert not handle.active


def test_a_decorated_async_generator_is_active_through_its_iteration(network_attempts: list[str]) -> None:
    handle = activate(world_saying("Allow"))
    client = signed_client(retries={"mode": "standard", "max_attempts": 1})

    @handle
    async def produce() -> AsyncIterator[str]:
        received = yield decide(client)
        yield f"{received}:{decide(client)}"

    async def main() -> list[str]:
        agen = produce()
        first = await agen.__anext__()
        second = await agen.asend("sent")
        with pytest.raises(StopAsyncIteration):
            await agen.__anext__()
        return [first, second]

    assert asyncio.run(main()) == ["ALLOWED", "sent:ALLOWED"]
    assert not handle.active and network_attempts == []


# -- hole 7: nothing left after the last stop ----------------------------------------------------------


def _markers(client: Any) -> list[str]:
    inner = getattr(client.meta.events, "_emitter", client.meta.events)
    return [key for key in inner._unique_id_handlers if str(key).startswith("boto-iotauth-local")]


def test_clients_made_under_a_session_scope_lose_the_marker_at_stop() -> None:
    session = boto3.Session(region_name=REGION)
    with activate(world_saying("Allow"), session=session):
        client = session.client("iot")
        assert decide(client) == "ALLOWED"
        assert _markers(client)
    assert _markers(client) == []
    assert _markers(session.client("iot")) == []
