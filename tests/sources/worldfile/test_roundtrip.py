"""load -> dump -> load gives an equivalent world, in YAML and in JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from boto_iotauth_local.sources.worldfile import WorldFileError
from boto_iotauth_local.world import World
from tests.sources.worldfile.conftest import ALLOW_CONNECT, DATA, EXAMPLE, state


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_example_round_trips(tmp_path: Path, suffix: str) -> None:
    original = World.from_file(EXAMPLE)
    out = tmp_path / f"dumped{suffix}"
    original.to_file(out)
    # The dump lies outside the example's directory, so its handler paths do too.
    reloaded = World.from_file(out, allow_external_handlers=True)
    assert state(reloaded) == state(original)
    # And the dump of the reload is the same file.
    again = tmp_path / f"again{suffix}"
    reloaded.to_file(again)
    assert again.read_text() == out.read_text()


def test_dumped_paths_are_relative_under_the_file(tmp_path: Path) -> None:
    shutil.copytree(DATA, tmp_path / "data")
    world = World.from_file(tmp_path / "data" / "example-world.yaml")
    out = tmp_path / "data" / "dumped.yaml"
    world.to_file(out)
    functions = {f["name"]: f for f in yaml.safe_load(out.read_text())["functions"]}
    assert functions["example-authorizer"]["handler"] == "handlers/app.py:handler"
    assert functions["module-authorizer"]["code_dir"] == "handlers"
    assert state(World.from_file(out)) == state(world)


def test_world_built_in_code_round_trips(tmp_path: Path) -> None:
    world = World(account_id="111122223333", region="eu-central-1")
    world.create_policy(policyName="p", policyDocument=ALLOW_CONNECT)
    world.create_policy_version(policyName="p", policyDocument=ALLOW_CONNECT.replace(", ", ",\n  "))
    world.create_policy_version(policyName="p", policyDocument=ALLOW_CONNECT, setAsDefault=True)
    world.delete_policy_version(policyName="p", policyVersionId="1")
    cert = world.create_test_certificate(subject={"CommonName": "d"}, status="INACTIVE")
    world.attach_policy(policyName="p", target=cert["certificateArn"])
    world.create_thing_group(thingGroupName="g")
    world.create_thing(thingName="t", attributePayload={"attributes": {"a": "1"}})
    world.add_thing_to_thing_group(thingGroupName="g", thingName="t")
    world.attach_thing_principal(
        thingName="t", principal=cert["certificateArn"], thingPrincipalType="EXCLUSIVE_THING"
    )
    world.create_authorizer(
        authorizerName="a",
        authorizerFunctionArn="arn:aws:lambda:eu-central-1:111122223333:function:f:live",
        signingDisabled=True,
        handler="tests.authorizers.handlers.report",
    )
    out = tmp_path / "world.json"
    world.to_file(out)
    written = json.loads(out.read_text())
    # A pretty-printed document keeps its text; version ids that do not count up are written.
    assert isinstance(written["policies"][0]["document"], str)
    assert written["policies"][0]["version_id"] == 2
    assert written["authorizers"][0]["function"] == "arn:aws:lambda:eu-central-1:111122223333:function:f:live"
    assert written["functions"] == [{"name": "f", "handler": "tests.authorizers.handlers.report"}]
    assert state(World.from_file(out)) == state(world)


def test_callable_handler_cannot_be_written(tmp_path: Path) -> None:
    world = World()

    def my_authorizer(event: Any, context: Any) -> dict[str, Any]:
        return {}

    world.register_function("inline-fn", my_authorizer)
    out = tmp_path / "world.yaml"
    with pytest.raises(WorldFileError) as caught:
        world.to_file(out)
    assert caught.value.field == "functions[0].handler"
    assert "'inline-fn'" in caught.value.message and "my_authorizer" in caught.value.message
    assert not out.exists()


@pytest.mark.parametrize("name", ["world.toml", "world"])
def test_unknown_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(WorldFileError, match=r"use \.yaml, \.yml or \.json"):
        World().to_file(tmp_path / name)
    with pytest.raises(WorldFileError, match=r"use \.yaml, \.yml or \.json"):
        World.from_file(tmp_path / name)
