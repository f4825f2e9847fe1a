"""botocore before 1.44 gives before-send no request context: the call under way on the thread is found.

The floors session (noxfile.py) runs the end-to-end activation tests on botocore 1.34 itself; this pins
the fallback on any botocore, through ``hooks.intercept`` with a request that carries no context, with the
thread's call noted as that botocore has it noted (``hooks._track_thread``).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from boto_iotauth_local.wire import hooks
from boto_iotauth_local.wire.encode import encode_result


@pytest.fixture
def contextless(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a botocore whose before-send carries no request context."""
    monkeypatch.setattr(hooks, "_track_thread", True)


class _Responder:
    sign_requests = False

    def __init__(self) -> None:
        self.answered: list[str] = []

    def answers(self, operation: str) -> bool:
        return True

    def respond(self, operation: str, request: Any) -> Any:
        self.answered.append(operation)
        return "answer"


class _NoContext:
    """A prepared request as botocore before 1.44 builds it: no ``context`` attribute."""


@pytest.mark.usefixtures("contextless")
def test_before_send_without_a_context_finds_the_call_under_way_even_after_a_stop() -> None:
    responder = _Responder()
    entry = hooks.enter(hooks.Binding(responder))
    context: dict[str, Any] = {}
    emitter = object()
    hooks.intercept(emitter, "provide-client-params.iot.TestAuthorization", {"context": context})
    hooks.intercept(emitter, "choose-signer.iot.TestAuthorization", {"context": context})
    hooks.leave(entry)  # stopped while the call is under way
    assert hooks.calls_in_flight() == 1
    answered = hooks.intercept(emitter, "before-send.iot.TestAuthorization", {"request": _NoContext()})
    assert answered is not hooks.PASS and responder.answered == ["TestAuthorization"]
    hooks.intercept(emitter, "after-call.iot.TestAuthorization", {"context": context})
    assert hooks.calls_in_flight() == 0 and not hooks.intercepting()


@pytest.mark.usefixtures("contextless")
def test_another_operation_does_not_take_it() -> None:
    responder = _Responder()
    entry = hooks.enter(hooks.Binding(responder))
    context: dict[str, Any] = {}
    emitter = object()
    try:
        hooks.intercept(emitter, "choose-signer.iot.TestAuthorization", {"context": context})
        hooks.leave(entry)
        request = {"request": _NoContext()}
        assert hooks.intercept(emitter, "before-send.iot.TestInvokeAuthorizer", request) is hooks.PASS
    finally:
        hooks.leave(entry)
        hooks.intercept(emitter, "after-call.iot.TestAuthorization", {"context": context})
    assert hooks.calls_in_flight() == 0 and not hooks.intercepting()


def test_the_thread_is_tracked_exactly_when_this_botocore_sends_without_a_context() -> None:
    seen: list[AWSPreparedRequest] = []

    def capture(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        seen.append(request)
        return encode_result(request.url, {"authResults": []})

    client = boto3.client("iot", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    client.meta.events.register_first("before-send.iot.TestAuthorization", capture)
    client.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r"]}])
    carries = isinstance(getattr(seen[0], "context", None), dict)
    assert hooks._prepared_requests_carry_context() is carries
    if not carries:
        assert hooks._track_thread


def test_a_before_send_without_a_context_turns_tracking_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "_track_thread", False)
    responder = _Responder()
    entry = hooks.enter(hooks.Binding(responder))
    try:
        answered = hooks.intercept(object(), "before-send.iot.TestAuthorization", {"request": _NoContext()})
    finally:
        hooks.leave(entry)
    assert answered is not hooks.PASS and hooks._track_thread is True
