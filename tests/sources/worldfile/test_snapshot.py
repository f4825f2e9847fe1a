"""scripts/snapshot-world against moto: account state made with boto3, snapshotted, loaded back."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from boto_iotauth_local.sources.worldfile.snapshot import main as snapshot_main
from boto_iotauth_local.sources.worldfile.snapshot import take_snapshot, write_snapshot
from boto_iotauth_local.world import World
from tests.sources.worldfile.conftest import DATA

moto = pytest.importorskip("moto")

REPO = Path(__file__).resolve().parents[3]
REGION = "eu-west-1"


def document(effect: str, action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Resource": "*"}]}
    )


@pytest.fixture
def account() -> Iterator[dict[str, Any]]:
    """A moto account with policies (several versions), certificates, types, groups and things."""
    with moto.mock_aws():
        iot = boto3.client("iot", region_name=REGION)
        iot.create_policy(policyName="connect", policyDocument=document("Allow", "iot:Connect"))
        iot.create_policy(policyName="evolving", policyDocument=document("Allow", "iot:Publish"))
        iot.create_policy_version(policyName="evolving", policyDocument=document("Deny", "iot:Publish"))
        iot.create_policy_version(
            policyName="evolving", policyDocument=document("Allow", "iot:*"), setAsDefault=True
        )
        iot.delete_policy_version(policyName="evolving", policyVersionId="1")
        generated = iot.create_keys_and_certificate(setAsActive=True)
        pem = (DATA / "certs" / "gateway.pem").read_text()
        registered = iot.register_certificate_without_ca(certificatePem=pem, status="INACTIVE")
        iot.attach_policy(policyName="connect", target=generated["certificateArn"])
        iot.attach_policy(policyName="evolving", target=generated["certificateArn"])
        iot.create_thing_type(
            thingTypeName="sensor",
            thingTypeProperties={"thingTypeDescription": "sensors", "searchableAttributes": ["site"]},
        )
        iot.create_thing_type(thingTypeName="old")
        iot.deprecate_thing_type(thingTypeName="old")
        iot.create_thing_group(thingGroupName="campus", thingGroupProperties={"thingGroupDescription": "all"})
        iot.create_thing_group(
            thingGroupName="building",
            parentGroupName="campus",
            thingGroupProperties={"attributePayload": {"attributes": {"floors": "3"}}},
        )
        iot.create_thing(
            thingName="sensor-1", thingTypeName="sensor", attributePayload={"attributes": {"site": "lab"}}
        )
        iot.create_thing(thingName="gateway")
        iot.add_thing_to_thing_group(thingGroupName="building", thingName="sensor-1")
        iot.attach_thing_principal(thingName="sensor-1", principal=generated["certificateArn"])
        iot.attach_thing_principal(thingName="gateway", principal=registered["certificateArn"])
        yield {
            "iot": iot,
            "generated": generated,
            "registered": registered,
            "pem": pem,
        }


def test_snapshot_loads_into_the_same_state(tmp_path: Path, account: dict[str, Any]) -> None:
    snapshot = take_snapshot(account["iot"])
    out = tmp_path / "snapshot.yaml"
    write_snapshot(snapshot, out)
    world = World.from_file(out)

    assert (world.account_id, world.region) == ("123456789012", REGION)
    evolving = world.stored_policy("evolving")
    assert evolving is not None
    assert [v.version_id for v in evolving.versions] == ["2", "3"]
    assert evolving.default_version_id == "3"
    assert json.loads(evolving.default_version.document)["Statement"][0]["Action"] == "iot:*"

    # Certificates are named by the ids the account gave them (moto's are not AWS's content hashes).
    generated = world.certificate_by_arn(world.certificate_arn(account["generated"]["certificateId"]))
    assert generated is not None and generated.status == "ACTIVE"
    assert world.policies_for_target(generated.arn) == ("connect", "evolving")
    registered = world.certificate_by_arn(world.certificate_arn(account["registered"]["certificateId"]))
    assert registered is not None and registered.status == "INACTIVE" and registered.pem == account["pem"]

    sensor_type = world.thing_type("sensor")
    old_type = world.thing_type("old")
    assert sensor_type is not None and sensor_type.properties["searchableAttributes"] == ["site"]
    assert old_type is not None and old_type.deprecated
    assert world.group_ancestry("building") == ("building", "campus")
    building = world.thing_group("building")
    assert building is not None and building.properties["attributePayload"]["attributes"] == {"floors": "3"}

    sensor = world.thing("sensor-1")
    assert (
        sensor is not None
        and sensor.thing_type_name == "sensor"
        and dict(sensor.attributes) == {"site": "lab"}
    )
    assert world.groups_of_thing("sensor-1") == ("building",)
    assert world.principals_of_thing("sensor-1") == ((generated.arn, "NON_EXCLUSIVE_THING"),)
    assert world.principals_of_thing("gateway") == ((registered.arn, "NON_EXCLUSIVE_THING"),)

    # moto has no custom authorizers: the section is skipped with a note in the file.
    assert any("authorizers skipped" in note and "list_authorizers" in note for note in snapshot.notes)
    header = out.read_text().split("\naccount_id:")[0]
    assert "authorizers skipped" in header


def test_snapshot_round_trips_through_a_world(tmp_path: Path, account: dict[str, Any]) -> None:
    out = tmp_path / "snapshot.json"
    write_snapshot(take_snapshot(account["iot"]), out)
    world = World.from_file(out)
    again = tmp_path / "again.json"
    world.to_file(again)
    first, second = json.loads(out.read_text()), json.loads(again.read_text())
    assert first["policies"] == second["policies"]
    assert {c["pem"] for c in first["certificates"]} == {c["pem"] for c in second["certificates"]}


class FakeIoT:
    """An endpoint with custom authorizers and nothing else (moto has none)."""

    class meta:
        region_name = "us-east-1"

    def can_paginate(self, operation: str) -> bool:
        return False

    def __getattr__(self, operation: str) -> Any:
        def not_implemented(**kwargs: Any) -> Any:
            raise NotImplementedError(f"The {operation} action has not been implemented")

        return not_implemented

    def list_authorizers(self) -> dict[str, Any]:
        return {"authorizers": [{"authorizerName": "auth"}, {"authorizerName": "signed"}]}

    def describe_default_authorizer(self) -> dict[str, Any]:
        return {"authorizerDescription": {"authorizerName": "auth"}}

    def describe_authorizer(self, authorizerName: str) -> dict[str, Any]:
        if authorizerName == "auth":
            return {
                "authorizerDescription": {
                    "authorizerName": "auth",
                    "authorizerFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:auth-fn",
                    "status": "INACTIVE",
                    "signingDisabled": True,
                    "enableCachingForHttp": True,
                }
            }
        return {
            "authorizerDescription": {
                "authorizerName": "signed",
                "authorizerFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:signed-fn:live",
                "status": "ACTIVE",
                "tokenKeyName": "tok",
                "tokenSigningPublicKeys": {"k1": (DATA / "keys" / "signing.pem").read_text()},
                "signingDisabled": False,
            }
        }


def test_authorizers_are_written_with_their_function_arns(tmp_path: Path) -> None:
    snapshot = take_snapshot(FakeIoT(), account_id="123456789012")
    assert snapshot.data["authorizers"][0] == {
        "name": "auth",
        "function": "arn:aws:lambda:us-east-1:123456789012:function:auth-fn",
        "status": "INACTIVE",
        "signing_disabled": True,
        "enable_caching_for_http": True,
        "default": True,
    }
    assert any("add a 'functions' entry" in note for note in snapshot.notes)
    assert any(note.startswith("policies skipped") for note in snapshot.notes)
    out = tmp_path / "auth.yaml"
    write_snapshot(snapshot, out)
    world = World.from_file(out)
    default = world.default_authorizer()
    signed = world.authorizer("signed")
    assert default is not None and default.name == "auth" and default.enable_caching_for_http
    assert signed is not None and signed.function_arn.endswith("function:signed-fn:live")
    assert signed.token_key_name == "tok" and list(signed.token_signing_public_keys) == ["k1"]


def test_main_writes_the_file(tmp_path: Path, account: dict[str, Any]) -> None:
    out = tmp_path / "cli.yml"
    assert snapshot_main(["--region", REGION, "--output", str(out)]) == 0
    data = yaml.safe_load(out.read_text())
    assert data["region"] == REGION and {p["name"] for p in data["policies"]} == {"connect", "evolving"}


def test_main_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        snapshot_main(["--region", REGION, "--output", str(tmp_path / "out.txt")])


def test_script_runs_in_the_project_venv_and_documents_its_options() -> None:
    script = REPO / "scripts" / "snapshot-world"
    assert script.stat().st_mode & 0o111
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n") and '. "$here/_venv.sh" ""' in text
    result = subprocess.run(["bash", str(script), "--help"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for option in ("--region", "--profile", "--output", "--endpoint-url"):
        assert option in result.stdout


def test_without_credentials_a_clear_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert snapshot_main(["--region", REGION, "--output", str(tmp_path / "w.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "snapshot-world: error: Unable to locate credentials. The snapshot reads a real account"
    )
    assert "Traceback" not in err and not (tmp_path / "w.yaml").exists()


def test_an_unknown_profile_is_a_clear_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert snapshot_main(["--profile", "nope", "--region", REGION, "--output", str(tmp_path / "w.yaml")]) == 2
    assert "snapshot-world: error: The config profile (nope) could not be found" in capsys.readouterr().err


def test_write_snapshot_takes_a_str_path(tmp_path: Path, account: dict[str, Any]) -> None:
    from boto_iotauth_local.sources.worldfile.snapshot import take_snapshot, write_snapshot

    snapshot = take_snapshot(boto3.client("iot", region_name=REGION))
    out = str(tmp_path / "as-str.yaml")
    write_snapshot(snapshot, out)
    assert yaml.safe_load(Path(out).read_text())["region"] == REGION
