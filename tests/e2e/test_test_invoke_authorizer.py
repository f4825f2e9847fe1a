"""TestInvokeAuthorizer through real boto3 clients: parts A12-A14, every modeled error, the CLI example."""

from __future__ import annotations

import base64
import json
import textwrap
import time
import uuid
from itertools import combinations
from pathlib import Path
from typing import Any

import boto3
import pytest

from boto_iotauth_local import Activation, World, activate, generate_key_pair, sign_token

from .conftest import REGION
from .helpers import check_output_shape

KEYS = generate_key_pair()
OTHER_KEYS = generate_key_pair()
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:CustomAuthorizerFunction"
CLI_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Action": "iot:Publish",
            "Effect": "Allow",
            "Resource": "arn:aws:iot:us-west-2:123456789012:topic/customauthtesting",
        }
    ],
}


def answer(**overrides: Any) -> dict[str, Any]:
    response: dict[str, Any] = {
        "isAuthenticated": True,
        "principalId": "principalId",
        "policyDocuments": [CLI_POLICY],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }
    response.update(overrides)
    return response


class Recorder:
    """An in-process handler that records its events and returns whatever the test sets."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.result: Any = answer()

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        return self.result() if callable(self.result) else self.result


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def authorizer_world(world: World, recorder: Recorder) -> World:
    world.create_authorizer(
        authorizerName="IoTAuthorizer",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys={"FIRST_KEY": KEYS.public_key_pem},
        handler=recorder,
        timeout=1.0,
    )
    world.create_authorizer(
        authorizerName="Unsigned",
        authorizerFunctionArn=FUNCTION,
        signingDisabled=True,
    )
    return world


def invoke(
    iot: Any, name: str = "IoTAuthorizer", token: str | None = "allow", **kwargs: Any
) -> dict[str, Any]:
    if token is not None:
        kwargs["token"] = token
        kwargs.setdefault("tokenSignature", sign_token(token, KEYS))
    response = iot.test_invoke_authorizer(authorizerName=name, **kwargs)
    check_output_shape("TestInvokeAuthorizer", response)
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def failure(call: Any, exception: type[Exception], status: int = 400) -> str:
    with pytest.raises(exception) as info:
        call()
    response = info.value.response  # type: ignore[attr-defined]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    return str(response["Error"]["Message"])


# -- the documented example ------------------------------------------------------------------------------


def test_the_cli_documentation_example(authorizer_world: World, iot: Any) -> None:
    assert invoke(iot) == {
        "isAuthenticated": True,
        "principalId": "principalId",
        "policyDocuments": [
            '{"Version":"2012-10-17","Statement":[{"Action":"iot:Publish","Effect":"Allow",'
            '"Resource":"arn:aws:iot:us-west-2:123456789012:topic/customauthtesting"}]}'
        ],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


def test_a_denying_answer_is_still_a_200(authorizer_world: World, iot: Any, recorder: Recorder) -> None:
    recorder.result = answer(isAuthenticated=False, policyDocuments=[])
    result = invoke(iot)
    assert result["isAuthenticated"] is False
    assert result["policyDocuments"] == []


# -- A13: the event, field by field ------------------------------------------------------------------------

HTTP = {"headers": {"x-token": "abc", "Host": "example.com"}, "queryString": "?a=1"}
MQTT = {"username": "user", "password": b"p\x00ss", "clientId": "device-1"}
TLS = {"serverName": "iot.example.com"}
CONTEXTS = {"tls": ("tlsContext", TLS), "http": ("httpContext", HTTP), "mqtt": ("mqttContext", MQTT)}


@pytest.mark.parametrize(
    "given",
    [combo for size in range(4) for combo in combinations(["tls", "http", "mqtt"], size)],
    ids=lambda combo: "+".join(combo) or "none",
)
def test_event_for_each_combination_of_contexts(
    authorizer_world: World, iot: Any, recorder: Recorder, given: tuple[str, ...]
) -> None:
    kwargs = {CONTEXTS[name][0]: CONTEXTS[name][1] for name in given}
    invoke(iot, **kwargs)
    event = recorder.events[-1]
    expected_data = {
        "tls": {"serverName": "iot.example.com"},
        "http": {"headers": {"x-token": "abc", "Host": "example.com"}, "queryString": "?a=1"},
        "mqtt": {
            "username": "user",
            "password": base64.b64encode(b"p\x00ss").decode(),
            "clientId": "device-1",
        },
    }
    expected: dict[str, Any] = {"token": "allow", "signatureVerified": True, "protocols": list(given)}
    if given:
        expected["protocolData"] = {name: expected_data[name] for name in given}
    connection_id = event.pop("connectionMetadata")["id"]
    assert uuid.UUID(connection_id).version == 4
    assert event == expected
    assert list(event) == list(expected)


def test_each_event_has_a_fresh_connection_id(authorizer_world: World, iot: Any, recorder: Recorder) -> None:
    invoke(iot)
    invoke(iot)
    ids = {event["connectionMetadata"]["id"] for event in recorder.events}
    assert len(ids) == 2


def test_partial_mqtt_context_only_carries_what_was_sent(
    authorizer_world: World, iot: Any, recorder: Recorder
) -> None:
    invoke(iot, mqttContext={"username": "only-user"})
    assert recorder.events[-1]["protocolData"] == {"mqtt": {"username": "only-user"}}


def test_lambda_context_object(authorizer_world: World, iot: Any, recorder: Recorder) -> None:
    invoke(iot)
    context = recorder.contexts[-1]
    assert context.function_name == "CustomAuthorizerFunction"
    assert context.invoked_function_arn == FUNCTION
    assert context.function_version == "$LATEST"
    assert context.log_group_name == "/aws/lambda/CustomAuthorizerFunction"
    assert uuid.UUID(context.aws_request_id)
    assert int(context.memory_limit_in_mb) > 0
    assert 0 < context.get_remaining_time_in_millis() <= 1000


# -- A12: signatures, signing disabled, inactive authorizers ----------------------------------------------


def test_signing_disabled_never_verifies(authorizer_world: World, iot: Any, recorder: Recorder) -> None:
    invoke(iot, "Unsigned", token="anything", tokenSignature="AAAA")
    assert recorder.events[-1]["signatureVerified"] is False
    invoke(iot, "Unsigned", token=None)
    assert recorder.events[-1] == {
        "signatureVerified": False,
        "protocols": [],
        "connectionMetadata": recorder.events[-1]["connectionMetadata"],
    }


def test_any_of_several_keys_verifies(world: World, iot: Any, recorder: Recorder) -> None:
    world.create_authorizer(
        authorizerName="Rotating",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys={"old": OTHER_KEYS.public_key_pem, "new": KEYS.public_key_pem},
        handler=recorder,
    )
    assert invoke(iot, "Rotating")["isAuthenticated"] is True


def test_inactive_authorizer_answers_unless_asked_not_to(world: World, recorder: Recorder) -> None:
    world.create_authorizer(
        authorizerName="Off",
        authorizerFunctionArn=FUNCTION,
        signingDisabled=True,
        status="INACTIVE",
        handler=recorder,
    )
    client = boto3.client("iot", region_name=REGION)
    with activate(world):
        assert invoke(client, "Off", token=None)["isAuthenticated"] is True
    with activate(world, reject_inactive_authorizers=True):
        message = failure(
            lambda: invoke(client, "Off", token=None), client.exceptions.InvalidRequestException
        )
    assert "INACTIVE" in message


# -- bad input: every modeled error, and the handler never invoked on a bad signature ----------------------


def test_unknown_authorizer(iot: Any) -> None:
    message = failure(lambda: invoke(iot, "Nope"), iot.exceptions.ResourceNotFoundException, 404)
    assert "Nope" in message


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"token": "allow", "tokenSignature": "not base64!"}, "regular expression pattern"),
        ({"token": "allow", "tokenSignature": sign_token("allow", OTHER_KEYS)}, "could not be verified"),
        ({"token": "allow", "tokenSignature": sign_token("deny", KEYS)}, "could not be verified"),
        ({"tokenSignature": sign_token("allow", KEYS)}, "token is required"),
        ({"token": "allow"}, "tokenSignature is required"),
        ({}, "token and tokenSignature are required"),
        ({"token": "t" * 6145, "tokenSignature": "AAAA"}, "less than or equal to 6144"),
        ({"token": "allow", "tokenSignature": "A" * 2561}, "less than or equal to 2560"),
        ({"token": "allow", "tokenSignature": "QUJD\nREVG"}, "regular expression pattern"),
    ],
    ids=[
        "not-base64",
        "other-key",
        "other-token",
        "no-token",
        "no-signature",
        "neither",
        "long-token",
        "long-signature",
        "wrapped-base64",
    ],
)
def test_bad_tokens_and_signatures_never_reach_the_handler(
    authorizer_world: World, iot: Any, recorder: Recorder, kwargs: dict[str, Any], expected: str
) -> None:
    message = failure(
        lambda: iot.test_invoke_authorizer(authorizerName="IoTAuthorizer", **kwargs),
        iot.exceptions.InvalidRequestException,
    )
    assert expected in message
    assert recorder.events == []
    assert invoke(iot)["isAuthenticated"] is True  # the next call works


BAD_ANSWERS: list[tuple[str, Any, str]] = [
    ("none", None, "null"),
    ("dash-in-principal", answer(principalId="user-1"), "principalId"),
    ("long-principal", answer(principalId="a" * 129), "principalId"),
    ("eleven-documents", answer(policyDocuments=[CLI_POLICY] * 11), "10"),
    (
        "3000-character-document",
        answer(
            policyDocuments=[
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "iot:Publish",
                            "Resource": "arn:aws:iot:us-east-1:1:topic/" + "x" * 2900,
                        }
                    ],
                }
            ]
        ),
        "2048",
    ),
    ("refresh-too-short", answer(refreshAfterInSeconds=299), "refreshAfterInSeconds"),
    ("disconnect-too-long", answer(disconnectAfterInSeconds=86401), "disconnectAfterInSeconds"),
    ("timer-as-bool", answer(refreshAfterInSeconds=True), "refreshAfterInSeconds"),
    ("not-json", "this is not json", "JSON"),
    (
        "missing-authenticated",
        {k: v for k, v in answer().items() if k != "isAuthenticated"},
        "isAuthenticated",
    ),
    (
        "stringified-array-resource",
        answer(
            policyDocuments=[
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "iot:Connect",
                            "Resource": '["arn:aws:iot:eu-west-2:1:client/x"]',
                        }
                    ],
                }
            ]
        ),
        "Policy document is Malformed",
    ),
]


@pytest.mark.parametrize(("case", "result", "expected"), BAD_ANSWERS, ids=[c[0] for c in BAD_ANSWERS])
def test_answers_outside_the_contract(
    authorizer_world: World, iot: Any, recorder: Recorder, case: str, result: Any, expected: str
) -> None:
    recorder.result = result
    message = failure(lambda: invoke(iot), iot.exceptions.InvalidResponseException)
    assert expected in message
    recorder.result = answer()
    assert invoke(iot)["isAuthenticated"] is True


def test_answer_as_a_json_string_with_string_documents(
    authorizer_world: World, iot: Any, recorder: Recorder
) -> None:
    recorder.result = json.dumps(answer(policyDocuments=[json.dumps(CLI_POLICY, indent=2)]))
    assert invoke(iot)["policyDocuments"] == [json.dumps(CLI_POLICY, separators=(",", ":"))]


def test_handler_that_raises(
    authorizer_world: World, iot: Any, recorder: Recorder, active: Activation
) -> None:
    def boom() -> Any:
        print("about to fail")
        raise KeyError("missing-claim")

    recorder.result = boom
    message = failure(lambda: invoke(iot), iot.exceptions.InvalidResponseException)
    assert "KeyError" in message and "missing-claim" in message
    assert "about to fail" in active.authorizer_runs[-1].logs


def test_handler_that_sleeps_past_the_timeout(authorizer_world: World, iot: Any, recorder: Recorder) -> None:
    recorder.result = lambda: time.sleep(3)
    message = failure(lambda: invoke(iot), iot.exceptions.InvalidResponseException)
    assert "timed out" in message
    recorder.result = answer()
    assert invoke(iot)["isAuthenticated"] is True


def test_authorizer_without_a_local_function(world: World, iot: Any) -> None:
    world.create_authorizer(authorizerName="Orphan", authorizerFunctionArn=FUNCTION, signingDisabled=True)
    message = failure(lambda: invoke(iot, "Orphan", token=None), iot.exceptions.InvalidResponseException)
    assert "no local handler" in message


# -- the isolated runtime through boto3 --------------------------------------------------------------------

ISOLATED_APP = textwrap.dedent(
    """
    import os, sys, time, json

    def handler(event, context):
        token = event.get("token")
        print("isolated handler saw", token)
        if token == "exit":
            sys.exit(3)
        if token == "die":
            os._exit(7)
        if token == "hang":
            time.sleep(30)
        return {
            "isAuthenticated": token == "allow",
            "principalId": os.environ["AWS_LAMBDA_FUNCTION_NAME"].replace("-", ""),
            "policyDocuments": [],
            "refreshAfterInSeconds": 300,
            "disconnectAfterInSeconds": 300,
        }
    """
)


@pytest.fixture
def isolated_world(world: World, tmp_path: Path) -> World:
    (tmp_path / "app.py").write_text(ISOLATED_APP)
    world.register_function(
        "iso-auth", "app.handler", runtime="isolated", code_dir=str(tmp_path), timeout=1.0
    )
    world.create_authorizer(
        authorizerName="Isolated",
        authorizerFunctionArn="arn:aws:lambda:us-east-1:123456789012:function:iso-auth",
        signingDisabled=True,
    )
    return world


@pytest.mark.parametrize(
    ("token", "expected"),
    [("exit", "SystemExit"), ("die", "crashed"), ("hang", "timed out")],
)
def test_isolated_failures_then_the_next_call_works(
    isolated_world: World, iot: Any, token: str, expected: str
) -> None:
    message = failure(
        lambda: invoke(iot, "Isolated", token=token, tokenSignature="AAAA"),
        iot.exceptions.InvalidResponseException,
    )
    assert expected in message
    result = invoke(iot, "Isolated", token="allow", tokenSignature="AAAA")
    assert result == {
        "isAuthenticated": True,
        "principalId": "isoauth",
        "policyDocuments": [],
        "refreshAfterInSeconds": 300,
        "disconnectAfterInSeconds": 300,
    }


def test_isolated_output_is_captured(isolated_world: World, iot: Any, active: Activation) -> None:
    invoke(iot, "Isolated", token="allow", tokenSignature="AAAA")
    assert "isolated handler saw allow" in active.authorizer_runs[-1].logs


# -- one call from token to decision ------------------------------------------------------------------------


def test_simulate_token_decides_the_returned_policies(authorizer_world: World, recorder: Recorder) -> None:
    topic = "arn:aws:iot:us-west-2:123456789012:topic/customauthtesting"
    with activate(authorizer_world) as handle:
        simulation = handle.simulate_token(
            "IoTAuthorizer",
            [
                {"actionType": "PUBLISH", "resources": [topic]},
                {"actionType": "SUBSCRIBE", "resources": ["x"]},
            ],
            token="allow",
            token_signature=sign_token("allow", KEYS),
        )
    assert simulation.decisions == ["ALLOWED", "IMPLICIT_DENY"]
    assert simulation.authenticated
    assert "policyDocuments[0]" in str(simulation)
    recorder.result = answer(isAuthenticated=False)
    with activate(authorizer_world) as handle:
        denied = handle.simulate_token(
            "IoTAuthorizer",
            [{"actionType": "PUBLISH", "resources": [topic]}],
            token="allow",
            token_signature=sign_token("allow", KEYS),
        )
    assert denied.decisions == ["IMPLICIT_DENY"]
    assert "not authenticated" in str(denied)
