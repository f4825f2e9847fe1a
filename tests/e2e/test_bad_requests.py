"""Bad TestAuthorization input gets the modeled exception, the model's status and a message that says why."""

from __future__ import annotations

from typing import Any

import pytest

from boto_iotauth_local import World

from .conftest import ARN

INFO = {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/t"]}


def _error(call: Any, exception: type[Exception], status: int) -> str:
    with pytest.raises(exception) as info:
        call()
    response = info.value.response  # type: ignore[attr-defined]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    return str(response["Error"]["Message"])


def test_more_than_ten_auth_infos(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[INFO] * 11),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert (
        "at 'authInfos' failed to satisfy constraint: Member must have length less than or equal to 10"
        in message
    )


def test_bad_action_type(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[{"actionType": "DANCE", "resources": ["r"]}]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "Value 'DANCE' at 'authInfos.1.member.actionType'" in message
    assert "[PUBLISH, SUBSCRIBE, RECEIVE, CONNECT]" in message


def test_missing_action_type(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[{"resources": ["r"]}]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "'authInfos.1.member.actionType' failed to satisfy constraint: Member must not be null" in message


def test_missing_and_empty_resources(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[{"actionType": "PUBLISH"}]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "'authInfos.1.member.resources' failed to satisfy constraint: Member must not be null" in message
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": []}]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "at least one resource" in message


def test_missing_auth_infos(raw_iot: Any) -> None:
    message = _error(lambda: raw_iot.test_authorization(), raw_iot.exceptions.InvalidRequestException, 400)
    assert "Value null at 'authInfos'" in message


def test_resource_over_2048_characters(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r" * 2049]}]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "Member must have length less than or equal to 2048" in message


@pytest.mark.parametrize("field", ["policyNamesToAdd", "policyNamesToSkip"])
@pytest.mark.parametrize("bad", ["has space", "x" * 129, "semi;colon"])
def test_bad_policy_names(raw_iot: Any, field: str, bad: str) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[INFO], **{field: [bad]}),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert f"at '{field}.1.member'" in message


def test_unknown_certificate(raw_iot: Any) -> None:
    principal = f"{ARN}:cert/{'a' * 64}"
    message = _error(
        lambda: raw_iot.test_authorization(principal=principal, authInfos=[INFO]),
        raw_iot.exceptions.ResourceNotFoundException,
        404,
    )
    assert principal in message


def test_unknown_thing_group(raw_iot: Any) -> None:
    _error(
        lambda: raw_iot.test_authorization(principal=f"{ARN}:thinggroup/nope", authInfos=[INFO]),
        raw_iot.exceptions.ResourceNotFoundException,
        404,
    )


def test_unknown_policy_to_add(raw_iot: Any) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(authInfos=[INFO], policyNamesToAdd=["Ghost"]),
        raw_iot.exceptions.ResourceNotFoundException,
        404,
    )
    assert "Ghost" in message


def test_unknown_identity_pool(raw_iot: Any) -> None:
    _error(
        lambda: raw_iot.test_authorization(
            authInfos=[INFO], cognitoIdentityPoolId="us-east-1:00000000-0000-0000-0000-00000000dead"
        ),
        raw_iot.exceptions.ResourceNotFoundException,
        404,
    )


@pytest.mark.parametrize(
    "principal", ["device-1", "arn:aws:iam::123456789012:user/bob", f"{ARN}:thing/t", ""]
)
def test_principal_of_no_known_form(raw_iot: Any, principal: str) -> None:
    message = _error(
        lambda: raw_iot.test_authorization(principal=principal, authInfos=[INFO]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )
    assert "certificate ARN" in message and "Cognito identity id" in message


def test_pool_with_a_certificate_principal_is_refused(world: World, raw_iot: Any) -> None:
    principal = world.create_test_certificate(subject={"CommonName": "c"})["certificateArn"]
    pool = "us-east-1:00000000-0000-0000-0000-000000000003"
    world.create_cognito_identity_pool(pool)
    _error(
        lambda: raw_iot.test_authorization(principal=principal, cognitoIdentityPoolId=pool, authInfos=[INFO]),
        raw_iot.exceptions.InvalidRequestException,
        400,
    )


def test_body_that_is_not_json(iot: Any) -> None:
    def corrupt(request: Any, **_: Any) -> None:
        request.data = b"{this is not json"

    iot.meta.events.register("before-sign.iot.TestAuthorization", corrupt)
    message = _error(
        lambda: iot.test_authorization(authInfos=[INFO]), iot.exceptions.InvalidRequestException, 400
    )
    assert "not valid JSON" in message


def test_the_next_call_after_errors_still_works(raw_iot: Any) -> None:
    with pytest.raises(raw_iot.exceptions.InvalidRequestException):
        raw_iot.test_authorization(authInfos=[INFO] * 11)
    response = raw_iot.test_authorization(authInfos=[INFO])
    assert response["authResults"][0]["authDecision"] == "IMPLICIT_DENY"
