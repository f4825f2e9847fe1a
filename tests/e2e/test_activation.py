"""How the emulator is switched on and what it reaches: process, session, client, threads, moto, Stubber."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter
from botocore.stub import Stubber

from boto_iotauth_local import World, activate

from .conftest import ARN, REGION, allow, doc

ORIGINAL_EMIT = HierarchicalEmitter.__dict__["_emit"]
CONNECT = [{"actionType": "CONNECT", "resources": [f"{ARN}:client/c"]}]


def open_world(decision: str = "Allow") -> World:
    world = World()
    world.create_policy(
        policyName="Open", policyDocument=doc({"Effect": decision, "Action": "iot:*", "Resource": "*"})
    )
    return world


def decide(client: Any) -> str:
    response = client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    return str(response["authResults"][0]["authDecision"])


@pytest.fixture(autouse=True)
def _emit_is_restored() -> Any:
    yield
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


def test_context_manager_reaches_clients_made_before_and_sessions_made_after() -> None:
    before = boto3.client("iot", region_name=REGION)
    with activate(open_world()):
        later_session = botocore.session.get_session().create_client("iot", region_name=REGION)
        own = boto3.Session(region_name=REGION).client("iot")
        assert [decide(c) for c in (before, later_session, own)] == ["ALLOWED"] * 3
    with pytest.raises(NoCredentialsError):
        decide(before)


def test_start_and_stop_by_hand() -> None:
    handle = activate(open_world())
    assert not handle.active
    assert handle.start() is handle
    assert handle.active
    try:
        assert decide(boto3.client("iot", region_name=REGION)) == "ALLOWED"
    finally:
        handle.stop()
    handle.stop()  # idempotent
    assert not handle.active


def test_decorator_for_plain_and_async_functions() -> None:
    handle = activate(open_world())

    @handle
    def plain() -> str:
        return decide(boto3.client("iot", region_name=REGION))

    @handle
    async def coroutine() -> str:
        return decide(boto3.client("iot", region_name=REGION))

    assert plain() == "ALLOWED"
    assert asyncio.run(coroutine()) == "ALLOWED"
    assert not handle.active
    assert len(handle.calls) == 2


def test_nesting_innermost_wins_and_leaving_restores_the_outer() -> None:
    client = boto3.client("iot", region_name=REGION)
    with activate(open_world("Allow")):
        assert decide(client) == "ALLOWED"
        with activate(open_world("Deny")):
            assert decide(client) == "EXPLICIT_DENY"
        assert decide(client) == "ALLOWED"


def test_calls_from_other_threads() -> None:
    client = boto3.client("iot", region_name=REGION)
    results: list[str] = []
    with activate(open_world()) as handle:
        threads = [threading.Thread(target=lambda: results.append(decide(client))) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == ["ALLOWED"] * 8
    assert len(handle.calls) == 8


def test_client_scope_reaches_only_that_client() -> None:
    mine = boto3.client("iot", region_name=REGION)
    other = boto3.client("iot", region_name=REGION)
    with activate(open_world(), client=mine):
        assert decide(mine) == "ALLOWED"
        with pytest.raises(NoCredentialsError):
            decide(other)


def test_session_scope_reaches_that_session_and_its_new_clients_only() -> None:
    session = boto3.Session(region_name=REGION)
    with activate(open_world(), session=session):
        assert decide(session.client("iot")) == "ALLOWED"
        with pytest.raises(NoCredentialsError):
            decide(boto3.Session(region_name=REGION).client("iot"))
    with pytest.raises(NoCredentialsError):
        decide(session.client("iot"))


def test_scoped_activation_nested_in_a_process_one() -> None:
    mine = boto3.client("iot", region_name=REGION)
    other = boto3.client("iot", region_name=REGION)
    with activate(open_world("Allow")), activate(open_world("Deny"), client=mine):
        assert decide(mine) == "EXPLICIT_DENY"
        assert decide(other) == "ALLOWED"


def test_require_credentials_restores_the_strict_behaviour() -> None:
    with activate(open_world(), require_credentials=True):
        with pytest.raises(NoCredentialsError):
            decide(boto3.client("iot", region_name=REGION))
        signed = boto3.client("iot", region_name=REGION, aws_access_key_id="k", aws_secret_access_key="s")
        assert decide(signed) == "ALLOWED"


def test_the_handle_records_calls_with_params_and_outcomes() -> None:
    client = boto3.client("iot", region_name=REGION)
    with activate(open_world()) as handle:
        decide(client)
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Missing"])
    assert [c.operation for c in handle.calls] == ["TestAuthorization", "TestAuthorization"]
    first, second = handle.calls
    assert first.ok and first.params is not None and first.params["policyNamesToAdd"] == ["Open"]
    assert first.response is not None and first.response["authResults"][0]["authDecision"] == "ALLOWED"
    assert not second.ok and second.error is not None and second.error.code == "ResourceNotFoundException"
    assert handle.calls.last is second
    assert handle.calls.of("TestInvokeAuthorizer") == []


def test_a_stubber_on_the_client_answers_first() -> None:
    client = boto3.client("iot", region_name=REGION)
    with activate(open_world()) as handle, Stubber(client) as stubber:
        stubber.add_response("test_authorization", {"authResults": []})
        assert client.test_authorization(authInfos=CONNECT)["authResults"] == []
    assert len(handle.calls) == 0


def test_several_worlds_for_several_regions() -> None:
    east, west = World(region="us-east-1"), World(region="us-west-2")
    west.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    with activate([east, west]):
        assert decide(boto3.client("iot", region_name="us-west-2")) == "ALLOWED"
        with pytest.raises(boto3.client("iot", region_name="us-east-1").exceptions.ResourceNotFoundException):
            decide(boto3.client("iot", region_name="us-east-1"))
    with pytest.raises(ValueError, match="two worlds"):
        activate([World(), World()])


def test_explain_through_the_handle() -> None:
    with activate(open_world("Deny")) as handle:
        result = handle.explain("CONNECT", f"{ARN}:client/c", policy_names_to_add=["Open"])
    assert result.auth_decision == "EXPLICIT_DENY"
    assert "Open" in str(result)


@pytest.mark.parametrize("order", ["moto-first", "moto-inside"])
def test_moto_serves_every_other_iot_call(order: str) -> None:
    moto = pytest.importorskip("moto")
    world = World()
    world.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    mock = moto.mock_aws()
    handle = activate(world)
    if order == "moto-first":
        mock.start()
        handle.start()
    else:
        handle.start()
        mock.start()
    try:
        client = boto3.client("iot", region_name=REGION)
        client.create_thing(thingName="from-moto")
        assert [t["thingName"] for t in client.list_things()["things"]] == ["from-moto"]
        assert decide(client) == "ALLOWED"
    finally:
        if order == "moto-first":
            handle.stop()
            mock.stop()
        else:
            mock.stop()
            handle.stop()
