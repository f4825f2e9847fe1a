"""The authorizer response contract: each rule accepted at its boundary and refused just past it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from boto_iotauth_local.authorizers import (
    AuthorizerResponse,
    InvalidAuthorizerResponse,
    validate_authorizer_response,
)
from boto_iotauth_local.engine import Policy

RESOURCE = "arn:aws:iot:us-east-1:123456789012:topic/"


def _document(topic: str = "t") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Action": "iot:Publish", "Effect": "Allow", "Resource": RESOURCE + topic}],
    }


def _document_of_length(length: int) -> dict[str, Any]:
    padding = length - len(json.dumps(_document(""), separators=(",", ":")))
    document = _document("a" * padding)
    assert len(json.dumps(document, separators=(",", ":"))) == length
    return document


def _response(**overrides: Any) -> dict[str, Any]:
    response: dict[str, Any] = {
        "isAuthenticated": True,
        "principalId": "principal1",
        "policyDocuments": [_document()],
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 600,
    }
    response.update(overrides)
    return response


def _refused(raw: Any) -> str:
    with pytest.raises(InvalidAuthorizerResponse) as caught:
        validate_authorizer_response(raw)
    return str(caught.value)


def test_valid_response() -> None:
    result = validate_authorizer_response(_response())
    assert isinstance(result, AuthorizerResponse)
    assert result.is_authenticated is True
    assert result.principal_id == "principal1"
    assert result.policy_documents == (json.dumps(_document(), separators=(",", ":")),)
    assert len(result.policies) == 1 and isinstance(result.policies[0], Policy)
    assert result.disconnect_after_in_seconds == 3600
    assert result.refresh_after_in_seconds == 600
    assert result.ignored_keys == ()
    assert result.to_api() == {
        "isAuthenticated": True,
        "principalId": "principal1",
        "policyDocuments": [json.dumps(_document(), separators=(",", ":"))],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


def test_whole_response_as_a_json_string() -> None:
    assert validate_authorizer_response(json.dumps(_response())).principal_id == "principal1"


def test_document_as_a_json_string_is_returned_compact_in_the_handlers_key_order() -> None:
    resource = "arn:aws:iot:us-east-1:123456789012:client/c1"
    text = (
        f'{{\n  "Statement": [{{"Resource": "{resource}", "Effect": "Allow", "Action": "iot:Connect"}}],\n'
        '  "Version": "2012-10-17"\n}'
    )
    result = validate_authorizer_response(_response(policyDocuments=[text]))
    assert result.policy_documents == (
        '{"Statement":[{"Resource":"arn:aws:iot:us-east-1:123456789012:client/c1","Effect":"Allow",'
        '"Action":"iot:Connect"}],"Version":"2012-10-17"}',
    )


def test_is_authenticated_false_is_a_valid_answer() -> None:
    assert (
        validate_authorizer_response(_response(isAuthenticated=False, policyDocuments=[])).is_authenticated
        is False
    )


@pytest.mark.parametrize("value", ["true", 1, None])
def test_is_authenticated_must_be_a_boolean(value: Any) -> None:
    assert _refused(_response(isAuthenticated=value)).startswith("isAuthenticated must be a boolean, not ")


def test_is_authenticated_is_required() -> None:
    response = _response()
    del response["isAuthenticated"]
    assert _refused(response) == "The authorizer response is missing 'isAuthenticated' (a boolean)"


def test_missing_field_with_wrong_case_gets_a_hint() -> None:
    response = _response()
    response["isauthenticated"] = response.pop("isAuthenticated")
    assert "found 'isauthenticated'; field names are case-sensitive" in _refused(response)


@pytest.mark.parametrize("principal", ["a", "A1b2C3", "x" * 128])
def test_principal_id_accepted(principal: str) -> None:
    assert validate_authorizer_response(_response(principalId=principal)).principal_id == principal


@pytest.mark.parametrize("principal", ["", "x" * 129, "a-b", "a b", "a_b", "é", "abc\n", 123])
def test_principal_id_refused(principal: Any) -> None:
    assert _refused(_response(principalId=principal)).startswith(
        "principalId must be 1 to 128 letters and digits (pattern [a-zA-Z0-9]+), not "
    )


def test_principal_id_message_shows_the_value() -> None:
    assert _refused(_response(principalId="a-b")).endswith('not string "a-b"')


def test_ten_documents_accepted_eleven_refused() -> None:
    assert len(validate_authorizer_response(_response(policyDocuments=[_document()] * 10)).policies) == 10
    assert _refused(_response(policyDocuments=[_document()] * 11)) == (
        "policyDocuments has 11 documents; at most 10 are allowed"
    )


def test_empty_document_list_accepted() -> None:
    assert validate_authorizer_response(_response(policyDocuments=[])).policy_documents == ()


def test_document_of_2048_characters_accepted_2049_refused() -> None:
    assert (
        len(
            validate_authorizer_response(
                _response(policyDocuments=[_document_of_length(2048)])
            ).policy_documents[0]
        )
        == 2048
    )
    assert _refused(_response(policyDocuments=[_document(), _document_of_length(2049)])) == (
        "policyDocuments[1] is 2049 characters long (compact JSON); a policy document may have at most 2048"
    )


def test_3000_character_document_refused() -> None:
    assert "is 3000 characters long" in _refused(_response(policyDocuments=[_document_of_length(3000)]))


def test_document_size_is_measured_compact() -> None:
    spaced = json.dumps(_document_of_length(2048), indent=4)
    assert len(spaced) > 2048
    assert len(validate_authorizer_response(_response(policyDocuments=[spaced])).policy_documents[0]) == 2048


def test_policy_documents_must_be_a_list() -> None:
    assert _refused(_response(policyDocuments=_document())).startswith(
        "policyDocuments must be a list of policy documents, not object"
    )


def test_malformed_policy_uses_aws_wording() -> None:
    bad = {
        "Version": "2012-10-17",
        "Statement": [{"Action": "iot:Publish", "Effect": "Allow", "Resource": "topic/x"}],
    }
    assert _refused(_response(policyDocuments=[_document(), bad])) == (
        "Policy document is Malformed: The resource topic/x is not in valid ARN format (policyDocuments[1])"
    )


def test_stringified_array_document_is_malformed() -> None:
    message = _refused(_response(policyDocuments=[json.dumps([_document()])]))
    assert message == (
        "Policy document is Malformed: The policy document must be a JSON object, not array "
        "(policyDocuments[0])"
    )


def test_document_string_that_is_not_json_is_malformed() -> None:
    assert _refused(_response(policyDocuments=["{not json"])).startswith(
        "Policy document is Malformed: The policy document is not valid JSON"
    )


def test_document_of_another_type_is_malformed() -> None:
    assert _refused(_response(policyDocuments=[42])) == (
        "Policy document is Malformed: The policy document must be a JSON object or a JSON string of one, "
        "not integer (policyDocuments[0])"
    )


@pytest.mark.parametrize("field", ["disconnectAfterInSeconds", "refreshAfterInSeconds"])
@pytest.mark.parametrize("seconds", [300, 86400])
def test_timers_accepted_at_their_bounds(field: str, seconds: int) -> None:
    result = validate_authorizer_response(_response(**{field: seconds}))
    assert result.to_api()[field] == seconds


@pytest.mark.parametrize("field", ["disconnectAfterInSeconds", "refreshAfterInSeconds"])
@pytest.mark.parametrize("seconds", [299, 86401, 0, -1])
def test_timers_refused_past_their_bounds(field: str, seconds: int) -> None:
    assert (
        _refused(_response(**{field: seconds}))
        == f"{field} must be an integer from 300 to 86400, not {seconds}"
    )


@pytest.mark.parametrize("field", ["disconnectAfterInSeconds", "refreshAfterInSeconds"])
@pytest.mark.parametrize(
    ("value", "shown"), [(True, "boolean true"), (600.0, "number 600.0"), ("600", 'string "600"')]
)
def test_timers_must_be_integers(field: str, value: Any, shown: str) -> None:
    assert (
        _refused(_response(**{field: value})) == f"{field} must be an integer from 300 to 86400, not {shown}"
    )


@pytest.mark.parametrize(
    "field", ["principalId", "policyDocuments", "disconnectAfterInSeconds", "refreshAfterInSeconds"]
)
def test_every_field_is_required(field: str) -> None:
    response = _response()
    del response[field]
    assert _refused(response).startswith(f"The authorizer response is missing {field!r}")


def test_none_is_refused() -> None:
    assert _refused(None) == "The authorizer response must be a JSON object; the handler returned null (None)"


def test_list_is_refused() -> None:
    assert _refused([_response()]).startswith(
        "The authorizer response must be a JSON object; the handler returned array"
    )


def test_string_that_is_not_json_is_refused() -> None:
    assert _refused("allow") == (
        "The authorizer response is a string that is not valid JSON (Expecting value at position 0)"
    )


def test_json_string_of_a_non_object_is_refused() -> None:
    assert _refused("[1, 2]") == (
        "The authorizer response must be a JSON object; the handler returned a JSON string of array [1, 2]"
    )


def test_unknown_keys_are_ignored_and_listed() -> None:
    result = validate_authorizer_response(_response(context={"user": "u"}, extra=1))
    assert result.ignored_keys == ("context", "extra")
    assert "context" not in result.to_api()
