"""Routing by method and path: every operation of the model is reachable, and nothing else is."""

from __future__ import annotations

import re

import pytest

from boto_iotauth_local.wire.model import iot_model
from boto_iotauth_local.wire.routes import route

LABEL = re.compile(r"\{[^}]+\}")


def test_every_modeled_operation_routes_to_itself() -> None:
    model = iot_model()
    for name in model.operation_names:
        http = model.operation_model(name).http
        path = LABEL.sub("some-value", http["requestUri"].split("?", 1)[0])
        assert route(http["method"], f"http://127.0.0.1:1{path}?x=1") == name, (name, http)


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("POST", "/test-authorization", "TestAuthorization"),
        ("POST", "/authorizer/my-authorizer/test", "TestInvokeAuthorizer"),
        ("PUT", "/thing-groups/addThingToThingGroup", "AddThingToThingGroup"),
        ("GET", "/thing-groups/addThingToThingGroup", "DescribeThingGroup"),  # a group may have that name
        ("POST", "/attached-policies/arn%3Aaws%3Aiot%3Aus-east-1%3A1%3Acert%2Fabc", "ListAttachedPolicies"),
        ("GET", "/things/", "ListThings"),
    ],
)
def test_literal_paths_win_and_labels_take_encoded_values(method: str, path: str, operation: str) -> None:
    assert route(method, f"http://h{path}") == operation


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("POST", "/no/such/thing"), ("PATCH", "/test-authorization"), ("GET", "/things/a/b/c/d")],
)
def test_anything_else_has_no_route(method: str, path: str) -> None:
    assert route(method, f"http://h{path}") is None
