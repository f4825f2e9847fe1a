"""The registry of local Lambda functions behind authorizers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.errors import ResourceNotFoundException
from boto_iotauth_local.world import FunctionSpec, World, parse_lambda_arn

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return {"isAuthenticated": True}


def test_register_by_name_returns_the_arn(world: World) -> None:
    arn = world.register_function("auth", handler)
    assert arn == FN + "auth"
    spec = world.resolve_function(arn)
    assert spec == FunctionSpec(arn=FN + "auth", name="auth", handler=handler)
    assert spec.runtime == "auto" and spec.memory_mb == 128 and spec.timeout == 5.0


@pytest.mark.parametrize(
    "reference", ["auth", FN + "auth", FN + "auth:$LATEST", FN + "auth:3", FN + "auth:prod"]
)
def test_resolve_accepts_name_and_plain_versioned_or_aliased_arn(world: World, reference: str) -> None:
    world.register_function(FN + "auth:live", handler)
    assert world.resolve_function(reference).arn == FN + "auth"


def test_register_with_every_option(world: World, tmp_path: Path) -> None:
    arn = world.register_function(
        "auth",
        "pkg.module.handler",
        runtime="isolated",
        code_dir=tmp_path,
        environment={"MODE": "test"},
        memory_mb=256,
        timeout=2,
    )
    spec = world.resolve_function(arn)
    assert spec.handler == "pkg.module.handler" and spec.runtime == "isolated"
    assert spec.code_dir == tmp_path and spec.environment == {"MODE": "test"}
    assert spec.memory_mb == 256 and spec.timeout == 2.0
    with pytest.raises(TypeError):
        spec.environment["MODE"] = "other"  # type: ignore[index]
    assert world.resolve_function(world.register_function("f", "src/app.py:lambda_handler")).handler == (
        "src/app.py:lambda_handler"
    )


def test_registering_again_replaces(world: World) -> None:
    world.register_function("auth", handler)
    world.register_function("auth", "pkg.mod.other")
    assert world.resolve_function("auth").handler == "pkg.mod.other"


def test_unknown_function_is_not_found(world: World) -> None:
    for reference in ["nope", FN + "nope", FN + "nope:1", "not a name", "arn:aws:s3:::bucket"]:
        with pytest.raises(ResourceNotFoundException, match="Function not found"):
            world.resolve_function(reference)


def test_functions_of_another_region_are_distinct(world: World) -> None:
    other = "arn:aws:lambda:eu-west-1:123456789012:function:auth"
    assert world.register_function(other, handler) == other
    assert world.resolve_function(other + ":7").arn == other
    with pytest.raises(ResourceNotFoundException):
        world.resolve_function("auth")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"function": "bad name", "handler": handler}, "function"),
        ({"function": "f", "handler": "not-a-reference"}, "handler"),
        ({"function": "f", "handler": 42}, "handler"),
        ({"function": "f", "handler": handler, "runtime": "docker"}, "runtime"),
        ({"function": "f", "handler": handler, "memory_mb": 64}, "memory_mb"),
        ({"function": "f", "handler": handler, "timeout": 0}, "timeout"),
        ({"function": "f", "handler": handler, "timeout": 901}, "timeout"),
        ({"function": "f", "handler": handler, "environment": {"A": 1}}, "environment"),
    ],
)
def test_bad_registrations_are_value_errors(world: World, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        world.register_function(**kwargs)


def test_unregister(world: World) -> None:
    world.register_function("auth", handler)
    world.unregister_function(FN + "auth:1")
    with pytest.raises(ResourceNotFoundException):
        world.resolve_function("auth")


def test_parse_lambda_arn() -> None:
    parsed = parse_lambda_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f-1_x:$LATEST")
    assert parsed is not None
    assert (parsed.partition, parsed.region, parsed.account_id, parsed.name, parsed.qualifier) == (
        "aws-cn",
        "cn-north-1",
        "123456789012",
        "f-1_x",
        "$LATEST",
    )
    assert parsed.unqualified == "arn:aws-cn:lambda:cn-north-1:123456789012:function:f-1_x"
    assert parse_lambda_arn("f") is None
