"""The Lambda context object handlers receive."""

from __future__ import annotations

import pickle
import re
import time

import pytest

from boto_iotauth_local.authorizers import LambdaContext
from boto_iotauth_local.authorizers.context import CognitoIdentity, new_log_stream_name

ARN = "arn:aws:lambda:us-east-1:123456789012:function:myAuth"


def _context(timeout: float = 5.0) -> LambdaContext:
    return LambdaContext.create(
        function_name="myAuth",
        invoked_function_arn=ARN,
        memory_mb=256,
        timeout=timeout,
        aws_request_id="req-1",
    )


def test_attributes_as_lambda_python_runtime_sets_them() -> None:
    context = _context()
    assert context.aws_request_id == "req-1"
    assert context.function_name == "myAuth"
    assert context.function_version == "$LATEST"
    assert context.invoked_function_arn == ARN
    # awslambdaric copies AWS_LAMBDA_FUNCTION_MEMORY_SIZE, so the value is a string on Lambda
    assert context.memory_limit_in_mb == "256"
    assert context.log_group_name == "/aws/lambda/myAuth"
    assert context.client_context is None
    assert isinstance(context.identity, CognitoIdentity)
    assert context.identity.cognito_identity_id is None
    assert context.identity.cognito_identity_pool_id is None


def test_log_stream_name_has_lambdas_form() -> None:
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", _context().log_stream_name)
    assert new_log_stream_name(0).startswith("1970/01/01/[$LATEST]")


def test_request_id_defaults_to_a_uuid() -> None:
    context = LambdaContext.create(function_name="f", invoked_function_arn=ARN, memory_mb=128, timeout=1)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", context.aws_request_id
    )


def test_remaining_time_is_within_the_timeout() -> None:
    remaining = _context(timeout=5.0).get_remaining_time_in_millis()
    assert 0 < remaining <= 5000


def test_remaining_time_never_goes_negative() -> None:
    context = LambdaContext(
        aws_request_id="r",
        function_name="f",
        invoked_function_arn=ARN,
        memory_limit_in_mb="128",
        deadline_ms=int(time.time() * 1000) - 10_000,
        log_stream_name="s",
    )
    assert context.get_remaining_time_in_millis() == 0


def test_remaining_time_counts_down_to_the_deadline() -> None:
    deadline = int(time.time() * 1000) + 60_000
    context = LambdaContext(
        aws_request_id="r",
        function_name="f",
        invoked_function_arn=ARN,
        memory_limit_in_mb="128",
        deadline_ms=deadline,
        log_stream_name="s",
    )
    before = int(time.time() * 1000)
    remaining = context.get_remaining_time_in_millis()
    after = int(time.time() * 1000)
    assert deadline - after <= remaining <= deadline - before


def test_round_trips_through_dict_and_pickle() -> None:
    context = _context()
    assert LambdaContext.from_dict(context.to_dict()) == context
    copy = pickle.loads(pickle.dumps(context))
    assert copy == context
    assert copy.get_remaining_time_in_millis() <= 5000
    assert copy.identity.cognito_identity_id is None


def test_log_writes_to_stdout_without_newline(capsys: pytest.CaptureFixture[str]) -> None:
    _context().log("hello")
    assert capsys.readouterr().out == "hello"
