"""Terraform ``terraform show -json`` output as a world: plans (unknown values) and states."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local import World, explain_authorization
from boto_iotauth_local.sources.cloudformation import TemplateError

ARN = "arn:aws:iot:eu-west-1:123456789012"
POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/dt/${{iot:ClientId}}"}
        ],
    }
)


def resource(address: str, values: dict[str, Any]) -> dict[str, Any]:
    kind, name = address.split(".")
    return {"address": address, "mode": "managed", "type": kind, "name": name, "values": values}


def plan(
    tmp_path: Path, resources: list[dict[str, Any]], references: dict[str, dict[str, list[str]]]
) -> Path:
    data = {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": [
            {
                "address": r["address"],
                "change": {
                    "actions": ["create"],
                    "after_unknown": {k: True for k in references.get(r["address"], {})},
                },
            }
            for r in resources
        ],
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}}}
            },
            "root_module": {
                "resources": [
                    {"address": a, "expressions": {k: {"references": v} for k, v in refs.items()}}
                    for a, refs in references.items()
                ]
            },
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, indent=1))
    return path


RESOURCES = [
    resource("aws_iot_policy.pubsub", {"name": "PubSub", "policy": POLICY}),
    resource("aws_iot_certificate.cert", {"active": True}),
    resource("aws_iot_policy_attachment.att", {"policy": "PubSub"}),
    resource("aws_iot_thing.sensor", {"name": "sensor-1", "attributes": {}}),
    resource("aws_iot_thing_principal_attachment.tp", {"thing": "sensor-1"}),
    resource("aws_s3_bucket.logs", {"bucket": "logs"}),
]
REFERENCES = {
    "aws_iot_policy_attachment.att": {"target": ["aws_iot_certificate.cert.arn", "aws_iot_certificate.cert"]},
    "aws_iot_thing_principal_attachment.tp": {
        "principal": ["aws_iot_certificate.cert.arn", "aws_iot_certificate.cert"]
    },
}


def test_unknown_values_come_from_the_resources_they_reference(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="aws_s3_bucket: aws_s3_bucket.logs"):
        world = World.from_file(plan(tmp_path, RESOURCES, REFERENCES))
    assert world.region == "eu-west-1"  # the provider's region
    cert = world.certificate_arn("aws_iot_certificate.cert")
    assert world.policies_for_target(cert) == ("PubSub",)
    assert world.things_for_principal(cert) == (("sensor-1", "NON_EXCLUSIVE_THING"),)
    result = explain_authorization(world, "PUBLISH", f"{ARN}:topic/dt/c1", principal=cert, client_id="c1")
    assert result.auth_decision == "ALLOWED"


def test_an_unknown_value_from_nothing_built_needs_a_stand_in(tmp_path: Path) -> None:
    references = {"aws_iot_policy_attachment.att": {"target": ["aws_iot_certificate.elsewhere.arn"]}}
    path = plan(tmp_path, RESOURCES[:3], references)
    with pytest.raises(TemplateError, match=r"known only after apply") as caught:
        World.from_file(path)
    assert caught.value.logical_id == "aws_iot_policy_attachment.att"
    assert caught.value.property == "target"
    stand_in = {"aws_iot_policy_attachment.att.target": "eu-west-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"}
    world = World.from_file(path, parameters=stand_in)
    assert world.policies_for_target("eu-west-1:11a86fa8-fc2c-46da-a38b-e46762e447ed") == ("PubSub",)


def test_a_state_has_every_value(tmp_path: Path) -> None:
    data = {
        "format_version": "1.0",
        "values": {
            "root_module": {
                "resources": [
                    resource("aws_iot_policy.p", {"name": "P", "policy": POLICY}),
                    resource(
                        "aws_iot_policy_attachment.a",
                        {"policy": "P", "target": "eu-west-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"},
                    ),
                ]
            }
        },
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(data))
    world = World.from_file(path, region="eu-west-1")
    assert world.policies_for_target("eu-west-1:11a86fa8-fc2c-46da-a38b-e46762e447ed") == ("P",)


FIXTURE = Path(__file__).parent / "fixtures" / "fleet-plan.json"


def test_a_fleet_plan_with_count_resources_answers_as_applied() -> None:
    with pytest.warns(UserWarning, match=r"aws_cloudwatch_log_group: aws_cloudwatch_log_group\.iot"):
        world = World.from_file(FIXTURE)
    assert world.region == "eu-central-1"
    arn = "arn:aws:iot:eu-central-1:123456789012"
    for index in (0, 1):
        cert = world.certificate_arn(f"aws_iot_certificate.sensor[{index}]")
        assert world.policies_for_target(cert) == ("fleet-telemetry",)
        assert world.things_for_principal(cert) == ((f"sensor-{index}", "EXCLUSIVE_THING"),)
        assert world.groups_of_thing(f"sensor-{index}") == ("fleet",)
    cert0 = world.certificate_arn("aws_iot_certificate.sensor[0]")
    own = explain_authorization(
        world, "PUBLISH", f"{arn}:topic/fleet/sensor-0/t", principal=cert0, client_id="c"
    )
    other = explain_authorization(
        world, "PUBLISH", f"{arn}:topic/fleet/sensor-1/t", principal=cert0, client_id="c"
    )
    assert (own.auth_decision, other.auth_decision) == ("ALLOWED", "IMPLICIT_DENY")
    assert world.describe_thing(thingName="sensor-1")["thingTypeName"] == "sensor"
