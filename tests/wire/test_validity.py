"""The generated validity test accepts exactly what the reference walk accepts, for every IoT input shape.

``validate_request`` asks the generated test (:mod:`boto_iotauth_local.wire.validity`) first and runs the
walk (``errors_of``) only when it says no: a test that says yes where the walk finds an error would let a
bad request through. Values are drawn from each operation's own rules (enum values, lengths at and past
the bounds, wrong types, missing required members, None items), mostly valid so that deep members are
reached, with a fixed seed so a failure is reproducible.
"""

from __future__ import annotations

import random
import types
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.services import MOTO_SERVICES, SERVICES
from boto_iotauth_local.wire.model import iot_model, operation_model
from boto_iotauth_local.wire.rules import Rule, rule_of
from boto_iotauth_local.wire.validate import errors_of, validate_request
from boto_iotauth_local.wire.validity import valid_test, written_test

OPERATIONS = sorted(iot_model().operation_names)
VALUES_PER_OPERATION = 40
_TEXTS = [
    "a",
    "Ab-1_x.y",
    "thing-1",
    "arn:aws:iot:us-east-1:123456789012:thing/t",
    "",
    " ",
    "é",
    "a\nb",
    "a b!",
]
_BLOBS = ["dGVzdA==", "", "***", "YQ", "YWJj"]


class _Draw:
    """Values for a rule: ``valid`` is how often a leaf is drawn among the values the walk accepts."""

    def __init__(self, seed: int, valid: float) -> None:
        self.random = random.Random(seed)
        self.valid = valid

    def choose(self, rule: Rule, candidates: list[Any]) -> Any:
        if self.random.random() < self.valid:
            accepted = [value for value in candidates if not errors_of(value, rule)]
            if accepted:
                return self.random.choice(accepted)
        return self.random.choice(candidates)

    def lengths(self, rule: Rule) -> list[int]:
        low = rule.min if rule.min is not None else 0
        high = rule.max if rule.max is not None else low + 3
        found = {low, min(high, low + 1), high, high + 1, max(low - 1, 0)}
        return sorted(n for n in found if n <= 3000)

    def value(self, rule: Rule, depth: int = 0) -> Any:
        kind = rule.kind
        if self.random.random() < (1 - self.valid) / 4:  # now and then, a value of the wrong type
            return self.random.choice([None, 7, True, 1.5, "text", [], {}, ["x"], {"k": "v"}])
        if kind == "string":
            texts = [*rule.enum, *_TEXTS, *("x" * n for n in self.lengths(rule))]
            return self.choose(rule, texts + [text.upper() for text in rule.enum[:1]])
        if kind == "blob":
            return self.choose(rule, [*_BLOBS, *("YQ==" * n for n in self.lengths(rule)[:3])])
        if kind in ("integer", "long", "double", "float"):
            bounds = [b for b in (rule.min, rule.max) if b is not None]
            numbers = [0, 1, -1, 2.5, *bounds, *(b + 1 for b in bounds), *(b - 1 for b in bounds)]
            return self.choose(rule, [*numbers, True, "1"])
        if kind == "boolean":
            return self.choose(rule, [True, False, "true", 1])
        if kind == "structure":
            shown = {}
            for name, member in rule.members:
                required = name in rule.required
                if depth > 6 and not required:
                    continue
                chance = self.valid + (1 - self.valid) / 2 if required else 0.5
                if self.random.random() < chance:
                    shown[name] = self.value(member, depth + 1)
            if self.random.random() < 0.1:
                shown["notAMember"] = self.random.choice([None, "x", 3])
            if self.random.random() < 0.05:
                return types.MappingProxyType(shown)
            return shown
        if kind == "list":
            assert rule.member is not None
            sizes = [n for n in self.lengths(rule) if n <= 12] or [rule.min or 0]
            return [self.value(rule.member, depth + 1) for _ in range(self.random.choice(sizes))]
        if kind == "map":
            assert rule.key is not None and rule.value is not None
            sizes = [n for n in self.lengths(rule) if n <= 6] or [rule.min or 0]
            keys = [self.value(rule.key, depth + 1) for _ in range(self.random.choice(sizes))]
            return {key: self.value(rule.value, depth + 1) for key in keys if isinstance(key, str)}
        return self.random.choice(["2024-01-01T00:00:00Z", 1700000000, None, {"doc": [1]}])


def _values(operation: str) -> Iterator[tuple[Rule, Any]]:
    shape = operation_model(operation).input_shape
    assert shape is not None
    root = rule_of(shape)
    for index in range(VALUES_PER_OPERATION):
        draw = _Draw(zlib.crc32(f"{operation}/{index}".encode()), valid=(1.0, 0.95, 0.85, 0.5)[index % 4])
        yield root, draw.value(root)


def _reference_message(value: Any, root: Rule) -> str | None:
    errors = errors_of(value, root)
    if not errors:
        return None
    plural = "error" if len(errors) == 1 else "errors"
    return f"{len(errors)} validation {plural} detected: " + "; ".join(errors)


def _message(value: Any, operation: str) -> str | None:
    try:
        validate_request(value, operation_model(operation).input_shape)
    except InvalidRequestException as refused:
        return refused.message
    return None


def test_every_answered_operation_is_in_the_model() -> None:
    assert set(SERVICES) | set(MOTO_SERVICES) <= set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_generated_test_agrees_with_the_walk(operation: str) -> None:
    outcomes = set()
    shape = operation_model(operation).input_shape
    assert shape is not None
    calls_only = written_test(rule_of(shape), inline_depth=0)  # every container in a function of its own
    for root, value in _values(operation):
        expected = _reference_message(value, root)
        assert valid_test(root)(value) is (expected is None), (operation, value, expected)
        assert calls_only(value) is (expected is None), (operation, value, expected)
        assert _message(value, operation) == expected, (operation, value)
        outcomes.add(expected is None)
    if root.members:
        assert False in outcomes  # the draws reach errors: the test is not vacuous


def test_most_operations_get_valid_values_too() -> None:
    # Patterns no candidate satisfies leave a few operations with invalid draws only.
    with_valid = sum(
        any(_reference_message(value, root) is None for root, value in _values(operation))
        for operation in OPERATIONS
    )
    assert with_valid >= 0.9 * len(OPERATIONS)


TA = operation_model("TestAuthorization").input_shape
TIA = operation_model("TestInvokeAuthorizer").input_shape


@pytest.mark.parametrize(
    ("value", "shape"),
    [
        ({"authInfos": [{"actionType": "PUBLISH", "resources": [None]}]}, TA),
        ({"authInfos": [None]}, TA),
        ({"authInfos": [{"actionType": "PUBLISH", "resources": ["r"]}], "clientId": True}, TA),
        ({"authInfos": types.MappingProxyType({"a": 1})}, TA),
        (types.MappingProxyType({"authInfos": [types.MappingProxyType({"resources": ["r"]})]}), TA),
        ({"authInfos": [{"actionType": "publish", "resources": ["r"]}]}, TA),
        ({"authInfos": [{"resources": ["r"]}], "policyNamesToAdd": ["ok", "not ok"]}, TA),
        ({"authInfos": [{"resources": []}] * 10}, TA),
        ({"authInfos": [{"resources": []}] * 11}, TA),
        ({"authorizerName": "a", "mqttContext": {"password": "YQ=="}}, TIA),
        ({"authorizerName": "a", "mqttContext": {"password": ""}}, TIA),
        ({"authorizerName": "a", "mqttContext": {"password": "YQ"}}, TIA),
        ({"authorizerName": "a", "httpContext": {"headers": {"k": None}}}, TIA),
        ({"authorizerName": "a", "httpContext": {"headers": {"": "v"}}}, TIA),
        ({"authorizerName": "a", "httpContext": {"headers": []}}, TIA),
        ({"authorizerName": "a", "tlsContext": {"serverName": "x" * 253}}, TIA),
        ({"authorizerName": "a", "tlsContext": {"serverName": "x" * 254}}, TIA),
        ({"authorizerName": "a", "token": "t", "tokenSignature": "c2ln"}, TIA),
        ({"authorizerName": "a", "token": "t", "tokenSignature": "c2ln!"}, TIA),
        ({"authorizerName": "a", "unknown": object()}, TIA),
    ],
)
def test_edge_values_agree(value: Any, shape: Any) -> None:
    root = rule_of(shape)
    expected = _reference_message(value, root)
    assert valid_test(root)(value) is (expected is None)
    try:
        validate_request(value, shape)
    except InvalidRequestException as refused:
        assert refused.message == expected
    else:
        assert expected is None


def test_string_subclasses_and_bools_are_read_as_the_walk_reads_them() -> None:
    class Name(str):
        pass

    root = rule_of(TA)
    for value in (
        {"authInfos": [{"actionType": Name("PUBLISH"), "resources": [Name("r")]}]},
        {"authInfos": [{"actionType": "PUBLISH", "resources": [False]}]},
    ):
        assert valid_test(root)(value) is (not errors_of(value, root))
