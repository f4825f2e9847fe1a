from __future__ import annotations

import json
from typing import Any

import pytest

from boto_iotauth_local.engine import Policy, PolicyError, parse_policy

from ._support import ARN, allow, doc


def _reject(document: Any, dialect: str = "iot") -> str:
    with pytest.raises(PolicyError) as caught:
        parse_policy(document, dialect=dialect)  # type: ignore[arg-type]
    return str(caught.value)


def test_accepts_string_and_mapping() -> None:
    text = json.dumps(doc(allow("iot:Connect", f"{ARN}:client/c1")))
    from_text = parse_policy(text)
    from_dict = parse_policy(json.loads(text))
    assert isinstance(from_text, Policy)
    assert from_text.text == text
    assert from_text.document == from_dict.document == json.loads(text)
    assert json.loads(from_dict.text) == json.loads(text)


def test_document_is_a_private_copy() -> None:
    original = doc(allow("iot:Connect", "*"))
    policy = parse_policy(original)
    original["Statement"][0]["Effect"] = "Deny"
    assert policy.document["Statement"][0]["Effect"] == "Allow"


def test_single_statement_object_and_missing_version() -> None:
    policy = parse_policy({"Statement": {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}})
    assert len(policy.statements) == 1
    assert policy.version == "2008-10-17"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "The policy document is not valid JSON"),
        ("[]", "The policy document must be a JSON object"),
        ('{"Statement": [], "Statement": []}', "duplicate key: Statement"),
        ({"Version": "2012-10-17"}, "The policy document has no Statement"),
        ({"Version": "2012-10-17", "Statement": []}, "Statement must be an object or a non-empty list"),
        ({"Version": "2012-10-17", "Statement": "x"}, "Statement must be an object or a non-empty list"),
        ({"Version": "2012-10-17", "Statement": ["x"]}, "Statement 0 must be an object"),
        (
            {"Version": "2020-01-01", "Statement": [allow()]},
            'The policy version "2020-01-01" is not supported',
        ),
        ({"Statement": [allow()], "Extra": 1}, "unsupported element: Extra"),
        ({"Statement": [allow()], "Id": 5}, "Id must be a string"),
        (doc({"Action": "iot:*", "Resource": "*"}), 'Effect must be "Allow" or "Deny" (it is missing)'),
        (doc(allow(Effect="allow")), 'Effect must be "Allow" or "Deny" (it is "allow")'),
        (doc({"Effect": "Allow", "Resource": "*"}), "must have exactly one of Action or NotAction"),
        (doc(allow(NotAction="iot:Publish")), "must have exactly one of Action or NotAction"),
        (doc({"Effect": "Allow", "Action": "*"}), "must have exactly one of Resource or NotResource"),
        (doc(allow(NotResource="*")), "must have exactly one of Resource or NotResource"),
        (doc(allow(action=[])), "Action must be a string or a non-empty list of strings"),
        (doc(allow(action="")), "Action entries must be non-empty strings"),
        (doc(allow(action=["iot:Publish", 3])), "Action entries must be non-empty strings, not 3"),
        (doc(allow(resource=[])), "Resource must be a string or a non-empty list of strings"),
        (doc(allow(action="Publish")), "the action Publish is not in service:action format"),
        (doc(allow(action=":Publish")), "the action :Publish is not in service:action format"),
        (
            doc(allow(Principal={"AWS": "arn:aws:iam::1:root"})),
            "Principal is not allowed in an identity policy",
        ),
        (doc(allow(NotPrincipal={"AWS": "*"})), "NotPrincipal is not allowed in an identity policy"),
        (doc(allow(Sid="S1", Extra=1)), "Statement 'S1' has an unsupported element: Extra"),
        (doc(allow(Sid=7)), "Sid must be a string"),
        (doc(allow(Condition=[])), "Condition must be an object"),
        (doc(allow(Condition={"StringEquals": {}})), "Condition StringEquals must be a non-empty object"),
        (
            doc(allow(Condition={"StringEqualz": {"k": "v"}})),
            "Condition operator StringEqualz is not supported",
        ),
        (doc(allow(Condition={"ForSomeValues:StringEquals": {"k": "v"}})), "unknown qualifier ForSomeValues"),
        (doc(allow(Condition={"IfExists": {"k": "v"}})), "Condition operator IfExists is not supported"),
        (doc(allow(Condition={"ForAnyValue:Null": {"k": "true"}})), "Null takes no qualifier"),
        (doc(allow(Condition={"NullIfExists": {"k": "true"}})), "Null takes no qualifier"),
        (
            doc(allow(Condition={"StringEquals": {"k": {"a": 1}}})),
            "values must be strings, numbers or booleans",
        ),
        (doc(allow(Condition={"StringEquals": {"k": None}})), "values must be strings, numbers or booleans"),
        (doc(allow(Condition={"StringEquals": {"bad key": "v"}})), "has an invalid key"),
        (doc(allow(Condition={"NumericLessThan": {"k": "ten"}})), "'ten' is not a number"),
        (doc(allow(Condition={"DateLessThan": {"k": "yesterday"}})), "'yesterday' is not a date"),
        (doc(allow(Condition={"DateLessThan": {"k": "2020-02-30"}})), "is not a valid date"),
        (doc(allow(Condition={"Bool": {"k": "yes"}})), "'yes' is not a boolean"),
        (doc(allow(Condition={"Null": {"k": "maybe"}})), "'maybe' is not a boolean"),
        (doc(allow(Condition={"Null": {"k": "${aws:username}"}})), "Null does not accept policy variables"),
        (doc(allow(Condition={"BinaryEquals": {"k": "not base64!"}})), "is not base64"),
        (doc(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}})), "not an IP address or CIDR"),
        (doc(allow(Condition={"ArnLike": {"k": "*"}})), "'*' is not an ARN"),
        (doc(allow(resource="arn:aws:s3:::b/${unclosed")), "is not closed"),
        (doc(allow(resource="arn:aws:s3:::b/${}")), "is not a valid context key"),
        (doc(allow(resource="arn:aws:s3:::b/${a b}")), "is not a valid context key"),
    ],
)
def test_rejections(document: Any, message: str) -> None:
    assert message in _reject(document, dialect="iam")


@pytest.mark.parametrize(
    "resource",
    [
        '["arn:aws:iot:eu-west-2:123456789012:client/thing1"]',
        "iot:topic/foo",
        "topic/foo",
        "arn:aws:iot:us-east-1:123456789012",
        "arn::iot:us-east-1:123456789012:topic/x",
        "arn:aws::us-east-1:123456789012:topic/x",
        "ARN:aws:iot:us-east-1:123456789012:topic/x",
        "arn:aws:iot:us east-1:123456789012:topic/x",
    ],
)
def test_iot_dialect_requires_arns(resource: str) -> None:
    message = _reject(doc(allow("iot:Connect", resource)))
    assert message == f"The resource {resource} is not in valid ARN format"
    # The same text is an ordinary (if useless) resource in the IAM dialect.
    parse_policy(doc(allow("iot:Connect", resource)), dialect="iam")


def test_iot_dialect_stringified_array_message_matches_aws() -> None:
    message = _reject(doc(allow("iot:Connect", '["foo"]')))
    assert message == 'The resource ["foo"] is not in valid ARN format'


def test_iot_dialect_checks_not_resource_too() -> None:
    assert "not in valid ARN format" in _reject(doc({"Effect": "Deny", "Action": "*", "NotResource": "x"}))


@pytest.mark.parametrize(
    "resource",
    [
        "*",
        f"{ARN}:topic/a/b",
        "arn:aws:iot:*:*:topic/${iot:ClientId}",
        "arn:aws:iot:${aws:Region}:123456789012:client/*",
        "arn:aws-cn:iot:cn-north-1::topic/x:with:colons",
    ],
)
def test_iot_dialect_accepts(resource: str) -> None:
    parse_policy(doc(allow("iot:Publish", resource)))


def test_principal_wildcard_is_tolerated_only_in_iam_dialect() -> None:
    parse_policy(doc(allow(Principal="*")), dialect="iam")
    parse_policy(doc(allow(Principal={"AWS": "*"})), dialect="iam")
    assert "Principal is not allowed" in _reject(doc(allow(Principal="*")), dialect="iot")
    assert "Principal is not allowed" in _reject(doc(allow(Principal={"AWS": "arn:aws:iam::1:root"})), "iam")


def test_default_value_variables_only_parse_as_variables() -> None:
    policy = parse_policy(doc(allow(resource="arn:aws:s3:::b/${aws:username, 'anon'}")), dialect="iam")
    (variable,) = policy.statements[0].variables
    assert (variable.key, variable.default, variable.supported) == ("aws:username", "anon", True)
    policy = parse_policy(doc(allow(resource=f"{ARN}:topic/${{iot:ClientId, 'x'}}")), dialect="iot")
    (variable,) = policy.statements[0].variables
    assert variable.supported is False


def test_numbers_and_booleans_become_their_json_text() -> None:
    policy = parse_policy(
        doc(allow(Condition={"NumericEquals": {"n": [1, 2.5]}, "Bool": {"b": True}})), dialect="iam"
    )
    numeric, boolean = policy.statements[0].conditions
    assert [v.source for v in numeric.values] == ["1", "2.5"]
    assert [v.source for v in boolean.values] == ["true"]


def test_unknown_dialect_and_bad_input_type() -> None:
    with pytest.raises(ValueError, match="dialect"):
        parse_policy(doc(allow()), dialect="s3")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_policy(42)  # type: ignore[arg-type]
    with pytest.raises(PolicyError, match="not JSON data"):
        parse_policy({"Statement": [allow()], "Id": {1, 2}})


def test_policy_error_is_a_value_error_with_reason() -> None:
    error = PolicyError("why")
    assert isinstance(error, ValueError)
    assert str(error) == error.reason == "why"
