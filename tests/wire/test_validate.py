from __future__ import annotations

import pytest

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.wire.model import operation_model
from boto_iotauth_local.wire.validate import validate_request

TA = operation_model("TestAuthorization").input_shape
TIA = operation_model("TestInvokeAuthorizer").input_shape


def _message(params: dict[str, object], shape: object = TA) -> str:
    with pytest.raises(InvalidRequestException) as info:
        validate_request(params, shape)  # type: ignore[arg-type]
    return info.value.message


def test_valid_request_passes() -> None:
    validate_request({"authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}], "clientId": "c"}, TA)


def test_more_than_ten_auth_infos() -> None:
    infos = [{"actionType": "PUBLISH", "resources": ["r"]}] * 11
    message = _message({"authInfos": infos})
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith(
        "at 'authInfos' failed to satisfy constraint: Member must have length less than or equal to 10"
    )


def test_bad_action_type_names_the_enum_and_path() -> None:
    message = _message({"authInfos": [{"actionType": "BAD", "resources": ["r"]}]})
    assert message == (
        "1 validation error detected: Value 'BAD' at 'authInfos.1.member.actionType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [PUBLISH, SUBSCRIBE, RECEIVE, CONNECT]"
    )


def test_missing_required_members() -> None:
    assert _message({}) == (
        "1 validation error detected: Value null at 'authInfos' failed to satisfy constraint: "
        "Member must not be null"
    )
    assert "'authInfos.2.member.resources'" in _message(
        {"authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}, {"actionType": "PUBLISH"}]}
    )


def test_resource_over_2048_characters() -> None:
    message = _message({"authInfos": [{"actionType": "PUBLISH", "resources": ["x" * 2049]}]})
    assert "at 'authInfos.1.member.resources.1.member'" in message
    assert message.endswith("Member must have length less than or equal to 2048")


def test_policy_name_pattern_and_length_collect_every_error() -> None:
    message = _message(
        {
            "authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}],
            "policyNamesToAdd": ["bad name!", "x" * 129],
            "policyNamesToSkip": [""],
        }
    )
    # The empty name breaks both its minimum length and its pattern: each is reported.
    assert message.startswith("4 validation errors detected: ")
    assert (
        "Value 'bad name!' at 'policyNamesToAdd.1.member' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: [\\w+=,.@-]+" in message
    )
    assert (
        "at 'policyNamesToAdd.2.member' failed to satisfy constraint: Member must have length less "
        "than or equal to 128" in message
    )
    assert (
        "at 'policyNamesToSkip.1.member' failed to satisfy constraint: Member must have length greater "
        "than or equal to 1" in message
    )


def test_patterns_match_the_whole_value_and_ascii_word_characters() -> None:
    _message({"authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}], "policyNamesToAdd": ["ok\n"]})
    _message({"authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}], "policyNamesToAdd": ["é"]})


def test_wrong_json_types_are_refused() -> None:
    assert "Member must be a list" in _message({"authInfos": "PUBLISH"})
    assert "Member must be a string" in _message({"authInfos": [{"actionType": "PUBLISH", "resources": [3]}]})
    assert "Member must be a structure" in _message({"authInfos": ["x"]})


def test_invoke_authorizer_constraints() -> None:
    assert "Member must satisfy regular expression pattern: [A-Za-z0-9+/]+={0,2}" in _message(
        {"authorizerName": "a", "token": "t", "tokenSignature": "not base64!"}, TIA
    )
    assert "Member must have length less than or equal to 6144" in _message(
        {"authorizerName": "a", "token": "t" * 6145}, TIA
    )
    assert "Member must satisfy regular expression pattern: [\\w=,@-]+" in _message(
        {"authorizerName": "bad name"}, TIA
    )


def test_blob_limits_count_decoded_bytes() -> None:
    validate_request({"authorizerName": "a", "mqttContext": {"password": "dGVzdA=="}}, TIA)
    assert "Base64" in _message({"authorizerName": "a", "mqttContext": {"password": "***"}}, TIA)


def test_map_keys_and_values_are_checked() -> None:
    message = _message({"authorizerName": "a", "httpContext": {"headers": {"": "v", "k": ""}}}, TIA)
    assert message.startswith("2 validation errors detected: ")
    assert "Map keys must satisfy constraint: [Member must have length greater than or equal to 1]" in message
    assert "at 'httpContext.headers.k'" in message


def test_long_values_are_shortened_in_messages() -> None:
    message = _message({"authInfos": [{"actionType": "PUBLISH", "resources": ["x" * 5000]}]})
    assert len(message) < 400
