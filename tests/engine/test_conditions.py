from __future__ import annotations

from typing import Any

import pytest

from ._support import condition

B64_HELLO = "aGVsbG8="  # b"hello"


@pytest.mark.parametrize(
    ("operator", "policy", "request_value", "expected"),
    [
        ("StringEquals", "abc", "abc", True),
        ("StringEquals", "abc", "ABC", False),
        ("StringEquals", ["x", "abc"], "abc", True),
        ("StringEquals", "a*", "abc", False),
        ("StringNotEquals", "abc", "abd", True),
        ("StringNotEquals", ["abc", "abd"], "abd", False),
        ("StringEqualsIgnoreCase", "AbC", "aBc", True),
        ("StringEqualsIgnoreCase", "abc", "abd", False),
        ("StringNotEqualsIgnoreCase", "AbC", "abc", False),
        ("StringNotEqualsIgnoreCase", "AbC", "abd", True),
        ("StringLike", "a*c", "a/b:c", True),
        ("StringLike", "a?c", "abbc", False),
        ("StringLike", "A*", "abc", False),
        ("StringLike", "+/#", "+/#", True),
        ("StringNotLike", ["x*", "a*"], "abc", False),
        ("StringNotLike", ["x*", "y*"], "abc", True),
        ("NumericEquals", "10", "10.0", True),
        ("NumericEquals", 10, "10", True),
        ("NumericEquals", "10", "11", False),
        ("NumericNotEquals", "10", "11", True),
        ("NumericNotEquals", "10", "10", False),
        ("NumericLessThan", "10", "9.5", True),
        ("NumericLessThan", "10", "10", False),
        ("NumericLessThanEquals", "10", "10", True),
        ("NumericGreaterThan", "10", "10", False),
        ("NumericGreaterThan", "-1", "0", True),
        ("NumericGreaterThanEquals", "10", "10", True),
        ("NumericEquals", "10", "ten", False),
        ("NumericNotEquals", "10", "ten", False),
        ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
        ("DateEquals", "2020-01-01T01:00:00+01:00", "2020-01-01T00:00:00Z", True),
        ("DateEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
        ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2019-12-31T23:59:59Z", True),
        ("DateLessThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00.5Z", False),
        ("DateLessThanEquals", "1577836800", "2020-01-01T00:00:00Z", True),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "2021-06-01T12:30:00-07:00", True),
        ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", False),
        ("DateGreaterThan", "2020-01-01T00:00:00Z", "soon", False),
        ("Bool", "true", "true", True),
        ("Bool", "true", "TRUE", True),
        ("Bool", True, "true", True),
        ("Bool", "false", "true", False),
        ("Bool", "true", "yes", False),
        ("BinaryEquals", B64_HELLO, B64_HELLO, True),
        ("BinaryEquals", B64_HELLO, "aGVsbG8h", False),
        ("BinaryEquals", B64_HELLO, "***", False),
        ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
        ("IpAddress", "203.0.113.0/24", "203.0.114.7", False),
        ("IpAddress", "203.0.113.7", "203.0.113.7", True),
        ("IpAddress", "2001:db8::/32", "2001:db8:1::5", True),
        ("IpAddress", "2001:db8::/32", "203.0.113.7", False),
        ("IpAddress", "0.0.0.0/0", "not-an-ip", False),
        ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
        ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
        ("NotIpAddress", "203.0.113.0/24", "not-an-ip", False),
        (
            "ArnEquals",
            "arn:aws:iot:us-east-1:123456789012:topic/a",
            "arn:aws:iot:us-east-1:123456789012:topic/a",
            True,
        ),
        (
            "ArnEquals",
            "arn:aws:iot:*:123456789012:topic/*",
            "arn:aws:iot:eu-west-1:123456789012:topic/a/b",
            True,
        ),
        (
            "ArnLike",
            "arn:aws:iot:*:123456789012:topic/*",
            "arn:aws:iot:eu-west-1:999999999999:topic/a",
            False,
        ),
        ("ArnLike", "arn:aws:iot:us-?ast-1:*:*", "arn:aws:iot:us-east-1:1:topic/x:y", True),
        # Field-wise: the account field's star cannot swallow a colon (a whole-string glob would match).
        ("ArnLike", "arn:aws:iot:*:*:topic/x", "arn:aws:iot:us-east-1:1:extra:topic/x", False),
        ("ArnLike", "arn:aws:iot:*:*:*", "not-an-arn", False),
        ("ArnNotEquals", "arn:aws:iot:*:*:topic/a", "arn:aws:iot:r:1:topic/b", True),
        ("ArnNotLike", "arn:aws:iot:*:*:topic/*", "arn:aws:iot:r:1:topic/b", False),
        ("ArnNotLike", "arn:aws:iot:*:*:topic/*", "not-an-arn", False),
    ],
)
def test_operator(operator: str, policy: Any, request_value: str, expected: bool) -> None:
    assert condition({operator: {"k": policy}}, {"k": request_value}) is expected


POSITIVE = ["StringEquals", "StringLike", "NumericEquals", "Bool", "IpAddress", "ArnLike", "DateEquals"]
NEGATED = [
    "StringNotEquals",
    "StringNotEqualsIgnoreCase",
    "StringNotLike",
    "NumericNotEquals",
    "DateNotEquals",
    "NotIpAddress",
    "ArnNotEquals",
    "ArnNotLike",
]
_VALUE = {
    "NumericEquals": "1",
    "NumericNotEquals": "1",
    "Bool": "true",
    "IpAddress": "10.0.0.0/8",
    "NotIpAddress": "10.0.0.0/8",
    "ArnLike": "arn:aws:s3:::*",
    "ArnNotEquals": "arn:aws:s3:::*",
    "ArnNotLike": "arn:aws:s3:::*",
    "DateEquals": "2020-01-01",
    "DateNotEquals": "2020-01-01",
}


@pytest.mark.parametrize("operator", POSITIVE)
def test_missing_key_positive_is_false_and_if_exists_true(operator: str) -> None:
    value = _VALUE.get(operator, "v")
    assert condition({operator: {"absent": value}}) is False
    assert condition({operator + "IfExists": {"absent": value}}) is True
    assert condition({"ForAnyValue:" + operator: {"absent": value}}) is False
    assert condition({"ForAllValues:" + operator: {"absent": value}}) is True


@pytest.mark.parametrize("operator", NEGATED)
def test_missing_key_negated_is_true(operator: str) -> None:
    value = _VALUE.get(operator, "v")
    assert condition({operator: {"absent": value}}) is True
    assert condition({operator + "IfExists": {"absent": value}}) is True


def test_if_exists_still_tests_a_present_key() -> None:
    assert condition({"StringEqualsIfExists": {"k": "a"}}, {"k": "a"}) is True
    assert condition({"StringEqualsIfExists": {"k": "a"}}, {"k": "b"}) is False
    assert condition({"StringNotEqualsIfExists": {"k": "a"}}, {"k": "a"}) is False


def test_null() -> None:
    assert condition({"Null": {"k": "true"}}) is True
    assert condition({"Null": {"k": "true"}}, {"k": "v"}) is False
    assert condition({"Null": {"k": "false"}}, {"k": "v"}) is True
    assert condition({"Null": {"k": "false"}}) is False
    assert condition({"Null": {"k": True}}, {"k": []}) is True  # an empty list is no value


def test_keys_and_operators_are_anded_values_ored() -> None:
    block = {"StringEquals": {"a": ["1", "2"], "b": "3"}, "StringLike": {"c": "x*"}}
    assert condition(block, {"a": "2", "b": "3", "c": "xyz"}) is True
    assert condition(block, {"a": "2", "b": "4", "c": "xyz"}) is False
    assert condition(block, {"a": "2", "b": "3", "c": "yz"}) is False


def test_condition_keys_are_case_insensitive() -> None:
    assert condition({"StringEquals": {"AWS:UserName": "bob"}}, {"aws:username": "bob"}) is True


def test_for_any_value_and_for_all_values() -> None:
    tags = {"aws:TagKeys": ["env", "owner"]}
    assert condition({"ForAnyValue:StringEquals": {"aws:TagKeys": ["owner", "x"]}}, tags) is True
    assert condition({"ForAnyValue:StringEquals": {"aws:TagKeys": ["x"]}}, tags) is False
    assert condition({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "owner", "x"]}}, tags) is True
    assert condition({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, tags) is False
    assert condition({"ForAllValues:StringLike": {"aws:TagKeys": ["*n*"]}}, tags) is True
    assert condition({"ForAllValues:StringEquals": {"aws:TagKeys": "env"}}, {"aws:TagKeys": []}) is True
    assert condition({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}, {"aws:TagKeys": []}) is False
    # Negated operators under a set qualifier: "some value is none of" / "every value is none of".
    assert condition({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env"]}}, tags) is True
    assert condition({"ForAnyValue:StringNotEquals": {"aws:TagKeys": ["env", "owner"]}}, tags) is False
    assert condition({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["x"]}}, tags) is True
    assert condition({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["env"]}}, tags) is False


def test_iot_connect_attributes_empty_set() -> None:
    only_default = {"ForAllValues:StringEquals": {"iot:ConnectAttributes": []}}
    assert condition(only_default, {"iot:ConnectAttributes": []}) is True
    assert condition(only_default, {"iot:ConnectAttributes": ["PersistentConnect"]}) is False


def test_multi_valued_request_without_qualifier() -> None:
    assert condition({"StringEquals": {"k": "b"}}, {"k": ["a", "b"]}) is True
    assert condition({"StringNotEquals": {"k": "b"}}, {"k": ["a", "b"]}) is False
    assert condition({"StringNotEquals": {"k": "c"}}, {"k": ["a", "b"]}) is True


def test_variables_in_condition_values() -> None:
    block = {"StringEquals": {"iot:ClientId": "${iot:Connection.Thing.ThingName}"}}
    assert condition(block, {"iot:ClientId": "t1", "iot:Connection.Thing.ThingName": "t1"}) is True
    assert condition(block, {"iot:ClientId": "t1", "iot:Connection.Thing.ThingName": "t2"}) is False
    assert condition(block, {"iot:ClientId": "t1"}) is False
    like = {"StringLike": {"k": "pre/${v}/*"}}
    assert condition(like, {"k": "pre/a*/x", "v": "a*"}) is True
    assert condition(like, {"k": "pre/abc/x", "v": "a*"}) is False  # the substituted '*' is literal


def test_unresolved_variable_never_makes_a_negated_condition_true() -> None:
    block = {"StringNotEquals": {"iot:ClientId": "${iot:Connection.Thing.ThingName}"}}
    assert condition(block, {"iot:ClientId": "t1", "iot:Connection.Thing.ThingName": "t2"}) is True
    assert condition(block, {"iot:ClientId": "t1"}) is False
    mixed = {"StringEquals": {"k": ["${absent}", "v"]}}
    assert condition(mixed, {"k": "v"}) is True


def test_variable_value_of_wrong_type_matches_nothing() -> None:
    block = {"NumericLessThan": {"n": "${limit}"}}
    assert condition(block, {"n": "1", "limit": "5"}) is True
    assert condition(block, {"n": "1", "limit": "five"}) is False
    assert condition({"NumericNotEquals": {"n": "${limit}"}}, {"n": "1", "limit": "five"}) is False


def test_multi_valued_key_is_not_substituted() -> None:
    assert condition({"StringEquals": {"k": "${v}"}}, {"k": "a", "v": ["a"]}) is False
