"""The interception point, with a stand-in responder: reach, scoping, precedence, signing, removal."""

from __future__ import annotations

import inspect
import threading
from typing import Any

import boto3
import botocore.session
import pytest
import wrapt
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import NoCredentialsError
from botocore.hooks import HierarchicalEmitter
from botocore.stub import Stubber

from boto_iotauth_local.wire import hooks
from boto_iotauth_local.wire.encode import encode_result

INFO = [{"actionType": "PUBLISH", "resources": ["r"]}]
ORIGINAL_EMIT = HierarchicalEmitter.__dict__["_emit"]


class Answering:
    """Answers TestAuthorization with a fixed decision and remembers what it saw."""

    def __init__(self, decision: str = "ALLOWED", sign: bool = False) -> None:
        self.decision = decision
        self.sign_requests = sign
        self.seen: list[AWSPreparedRequest] = []

    def answers(self, operation: str) -> bool:
        return operation == "TestAuthorization"

    def respond(self, operation: str, request: AWSPreparedRequest) -> AWSResponse:
        self.seen.append(request)
        result = {
            "authInfo": INFO[0],
            "allowed": {"policies": []},
            "denied": {"implicitDeny": {"policies": []}, "explicitDeny": {"policies": []}},
            "authDecision": self.decision,
            "missingContextValues": [],
        }
        return encode_result(request.url, {"authResults": [result]})


def _decision(client: Any) -> str:
    return str(client.test_authorization(authInfos=INFO)["authResults"][0]["authDecision"])


@pytest.fixture
def bound() -> Any:
    made: list[hooks.Entry] = []

    def bind(responder: Any, marker: str | None = None) -> hooks.Entry:
        entry = hooks.enter(hooks.Binding(responder, marker))
        made.append(entry)
        return entry

    yield bind
    for entry in made:
        hooks.leave(entry)
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


def test_reaches_clients_made_before_and_sessions_made_after(bound: Any) -> None:
    before = boto3.client("iot", region_name="us-east-1")
    responder = Answering()
    bound(responder)
    after_session = botocore.session.get_session().create_client("iot", region_name="eu-west-1")
    own_session = boto3.Session(region_name="ap-south-1").client("iot")
    assert [_decision(c) for c in (before, after_session, own_session)] == ["ALLOWED"] * 3
    assert len(responder.seen) == 3


def test_reaches_other_threads(bound: Any) -> None:
    bound(Answering())
    client = boto3.client("iot", region_name="us-east-1")
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(_decision(client))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ALLOWED"] * 8


def test_innermost_binding_wins_and_leaving_restores_the_outer(bound: Any) -> None:
    client = boto3.client("iot", region_name="us-east-1")
    bound(Answering("ALLOWED"))
    inner = bound(Answering("EXPLICIT_DENY"))
    assert _decision(client) == "EXPLICIT_DENY"
    hooks.leave(inner)
    assert _decision(client) == "ALLOWED"


def test_scoped_binding_reaches_only_its_client(bound: Any) -> None:
    mine = boto3.client("iot", region_name="us-east-1")
    other = boto3.client("iot", region_name="us-east-1")
    bound(Answering("ALLOWED"))
    hooks.mark(mine.meta.events, "scope-test")
    bound(Answering("IMPLICIT_DENY"), "scope-test")
    assert _decision(mine) == "IMPLICIT_DENY"
    assert _decision(other) == "ALLOWED"
    hooks.unmark("scope-test")
    assert _decision(mine) == "ALLOWED"


def test_no_credentials_needed_unless_signing_is_asked_for(bound: Any) -> None:
    client = boto3.client("iot", region_name="us-east-1")
    responder = Answering()
    entry = bound(responder)
    assert _decision(client) == "ALLOWED"
    assert "Authorization" not in responder.seen[-1].headers
    hooks.leave(entry)
    bound(Answering(sign=True))
    with pytest.raises(NoCredentialsError):
        _decision(client)


def test_signed_when_credentials_exist_and_signing_is_asked_for(bound: Any) -> None:
    responder = Answering(sign=True)
    bound(responder)
    client = boto3.client("iot", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    assert _decision(client) == "ALLOWED"
    assert responder.seen[-1].headers["Authorization"].startswith(b"AWS4-HMAC-SHA256")


def test_a_stubber_answers_first(bound: Any) -> None:
    bound(Answering())
    client = boto3.client("iot", region_name="us-east-1")
    with Stubber(client) as stubber:
        stubber.add_response("test_authorization", {"authResults": []}, {"authInfos": INFO})
        assert client.test_authorization(authInfos=INFO)["authResults"] == []


def test_other_operations_and_services_are_untouched(bound: Any) -> None:
    seen: list[str] = []
    bound(Answering())
    client = boto3.client("iot", region_name="us-east-1")

    def record(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request.url)
        return encode_result(request.url, {"policies": []})

    client.meta.events.register_first("before-send.iot.ListPolicies", record)
    with pytest.raises(NoCredentialsError):  # still signed: we only answer our own operations
        client.list_policies()
    assert seen == []


def test_after_the_last_unbind_nothing_is_intercepted() -> None:
    hooks.leave(hooks.enter(hooks.Binding(Answering())))
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT
    assert hooks.active_bindings() == ()
    client = boto3.client("iot", region_name="us-east-1")
    with pytest.raises(NoCredentialsError):
        _decision(client)


def test_a_call_told_unsigned_is_answered_even_if_its_binding_stops_before_sending() -> None:
    responder = Answering()
    entry = hooks.enter(hooks.Binding(responder))
    client = boto3.client("iot", region_name="us-east-1")
    client.meta.events.register("before-sign.iot.TestAuthorization", lambda **_: hooks.leave(entry))
    assert _decision(client) == "ALLOWED"
    assert len(responder.seen) == 1
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT
    assert hooks.active_bindings() == ()


def test_went_idle_runs_once_when_the_last_entry_and_the_last_bound_call_are_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    idle: list[tuple[int, int]] = []
    monkeypatch.setattr(
        hooks, "went_idle", lambda: idle.append((len(hooks.open_entries()), hooks.calls_in_flight()))
    )
    responder = Answering()
    entry = hooks.enter(hooks.Binding(responder))
    client = boto3.client("iot", region_name="us-east-1")
    seen_at_leave: list[int] = []

    def leave_mid_call(**_: Any) -> None:
        hooks.leave(entry)
        seen_at_leave.append(len(idle))

    client.meta.events.register("before-sign.iot.TestAuthorization", leave_mid_call)
    assert _decision(client) == "ALLOWED"
    assert seen_at_leave == [0]  # the call was still bound when its entry closed
    assert idle == [(0, 0)]  # once, when the call returned
    assert HierarchicalEmitter.__dict__["_emit"] is ORIGINAL_EMIT


def test_the_wrapper_is_a_function_that_unwraps_to_botocores(bound: Any) -> None:
    bound(Answering())
    installed = HierarchicalEmitter.__dict__["_emit"]
    assert installed is not ORIGINAL_EMIT
    assert inspect.unwrap(installed) is ORIGINAL_EMIT
    assert installed.__name__ == ORIGINAL_EMIT.__name__


def test_wrapped_after_us_the_outer_wrapper_stays_and_ours_inside_is_inert() -> None:
    foreign_seen: list[str] = []

    def foreign(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        assert isinstance(instance, HierarchicalEmitter)
        foreign_seen.append(args[0])
        return wrapped(*args, **kwargs)

    responder = Answering()
    entry = hooks.enter(hooks.Binding(responder))
    ours = HierarchicalEmitter.__dict__["_emit"]
    outer = wrapt.FunctionWrapper(ours, foreign)
    HierarchicalEmitter._emit = outer
    try:
        client = boto3.client("iot", region_name="us-east-1")
        assert _decision(client) == "ALLOWED" and len(responder.seen) == 1
        hooks.leave(entry)
        assert not hooks.intercepting()
        assert HierarchicalEmitter.__dict__["_emit"] is outer  # not ours to remove
        foreign_seen.clear()
        with pytest.raises(NoCredentialsError):  # ours, still inside, lets everything through
            _decision(client)
        assert "before-sign.iot.TestAuthorization" in foreign_seen and len(responder.seen) == 1
        again = Answering("EXPLICIT_DENY")
        entry = hooks.enter(hooks.Binding(again))  # intercepting again: a new wrapper around theirs
        assert inspect.unwrap(HierarchicalEmitter.__dict__["_emit"]) is ORIGINAL_EMIT
        assert _decision(client) == "EXPLICIT_DENY"
        hooks.leave(entry)
        assert HierarchicalEmitter.__dict__["_emit"] is outer
    finally:
        hooks.leave(entry)
        HierarchicalEmitter._emit = ORIGINAL_EMIT
    assert not hooks.intercepting()


def test_a_descriptor_found_in_place_is_bound_to_the_emitter_as_the_class_would() -> None:
    instances: list[Any] = []

    def foreign(wrapped: Any, instance: Any, args: Any, kwargs: Any) -> Any:
        instances.append(instance)
        return wrapped(*args, **kwargs)

    theirs = wrapt.FunctionWrapper(ORIGINAL_EMIT, foreign)
    HierarchicalEmitter._emit = theirs
    try:
        entry = hooks.enter(hooks.Binding(Answering()))
        try:
            client = boto3.client("iot", region_name="us-east-1")
            assert _decision(client) == "ALLOWED"
            assert instances and all(isinstance(i, HierarchicalEmitter) for i in instances)
            assert HierarchicalEmitter.__dict__["_emit"].__wrapped__ is theirs
        finally:
            hooks.leave(entry)
        assert HierarchicalEmitter.__dict__["_emit"] is theirs  # put back as it was found
    finally:
        HierarchicalEmitter._emit = ORIGINAL_EMIT


def test_events_of_other_services_and_kinds_pass_through_unchanged(bound: Any) -> None:
    bound(Answering())
    emitter = HierarchicalEmitter()
    emitter.register("before-send.s3.ListBuckets", lambda **_: "s3")
    emitter.register("needs-retry.iot.TestAuthorization", lambda **_: "retry?")
    assert emitter.emit_until_response("before-send.s3.ListBuckets", request=None) == (
        emitter._handlers.prefix_search("before-send.s3.ListBuckets")[0],
        "s3",
    )
    assert [r for _, r in emitter.emit("needs-retry.iot.TestAuthorization")] == ["retry?"]


def test_a_marked_copy_is_remembered_at_its_calls_first_event_and_unmarked_with_its_session() -> None:
    # As on botocore before 1.36, which emits nothing on a new client's emitter while making it.
    session_emitter = HierarchicalEmitter()
    hooks.mark(session_emitter, "copy-test")
    entry = hooks.enter(hooks.Binding(Answering(), "copy-test"))
    try:
        copy = session_emitter.__copy__()
        assert "copy-test" in copy._unique_id_handlers
        context: dict[str, Any] = {}
        copy.emit("provide-client-params.iot.TestAuthorization", context=context)
        assert copy in hooks._marked_copies["copy-test"]
        copy.emit("after-call.iot.TestAuthorization", context=context)
    finally:
        hooks.leave(entry)
        hooks.unmark("copy-test")
    assert "copy-test" not in copy._unique_id_handlers
    assert not hooks.intercepting()
