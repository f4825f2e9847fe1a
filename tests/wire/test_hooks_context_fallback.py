"""botocore before 1.44 gives before-send no request context: the thread's last UNSIGNED call is found.

The floors session (noxfile.py) runs the end-to-end activation tests on botocore 1.34 itself; this pins
the fallback on any botocore.
"""

from __future__ import annotations

from typing import Any

from boto_iotauth_local.wire import hooks


class _Responder:
    sign_requests = False

    def answers(self, operation: str) -> bool:
        return True

    def respond(self, operation: str, request: Any) -> Any:
        raise AssertionError("not called here")


def test_before_send_without_a_context_finds_the_call_told_unsigned() -> None:
    binding = hooks.Binding(_Responder())
    context: dict[str, Any] = {}
    hooks._hold(context, binding, "TestAuthorization")
    assert id(context) in hooks._in_flight
    assert hooks._release(None, "TestAuthorization") is binding
    assert id(context) not in hooks._in_flight and hooks._CONTEXT_KEY not in context
    assert hooks._release(None, "TestAuthorization") is None  # consumed once


def test_another_operation_does_not_take_it() -> None:
    binding = hooks.Binding(_Responder())
    context: dict[str, Any] = {}
    hooks._hold(context, binding, "TestAuthorization")
    try:
        assert hooks._release(None, "TestInvokeAuthorizer") is None
    finally:
        assert hooks._release(context, "TestAuthorization") is binding
    assert id(context) not in hooks._in_flight
