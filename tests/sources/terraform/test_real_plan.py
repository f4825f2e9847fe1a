"""Plans written by the real Terraform (``real/plan.sh``; see ``real/PROVENANCE.md``): from the provider
documentation's own examples, and from a fleet made with ``count``. Values known only after apply (the
certificates' ARNs) become the world's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boto_iotauth_local import World, explain_authorization

HERE = Path(__file__).parent / "real" / "provider-docs"
PLAN = HERE / "plan.json"


def test_the_plan_is_terraform_show_json_of_a_plan_with_unknown_values() -> None:
    data = json.loads(PLAN.read_text())
    assert data["format_version"] and data["terraform_version"]
    changes = {change["address"]: change["change"] for change in data["resource_changes"]}
    assert changes["aws_iot_certificate.cert"]["after_unknown"]["arn"] is True
    assert changes["aws_iot_policy_attachment.att"]["after_unknown"]["target"] is True


def test_the_documentation_examples_become_one_world() -> None:
    world = World.from_file(PLAN)
    assert (world.region, world.account_id) == ("us-east-1", "123456789012")
    cert = world.certificate_arn("aws_iot_certificate.cert")
    assert (
        world.describe_certificate(certificateId=cert.rsplit("/", 1)[1])["certificateDescription"]["status"]
        == "ACTIVE"
    )
    assert world.policies_for_target(cert) == ("PubSubToAnyTopic",)
    assert world.things_for_principal(cert) == (("example", "NON_EXCLUSIVE_THING"),)
    assert world.groups_of_thing("example") == ("thing_group",)
    assert world.describe_thing(thingName="example")["attributes"] == {"First": "examplevalue"}
    group = world.describe_thing_group(thingGroupName="thing_group")["thingGroupProperties"]
    assert group["thingGroupDescription"] == "test description"
    assert group["attributePayload"]["attributes"] == {"attr1": "val1", "attr2": "val2"}


def test_what_the_planned_policy_allows_is_answered_as_after_apply() -> None:
    world = World.from_file(PLAN)
    cert = world.certificate_arn("aws_iot_certificate.cert")
    arn = "arn:aws:iot:us-east-1:123456789012"
    # iot:* on *: the documentation's "PubSubToAnyTopic" allows every action of the certificate ...
    for action, resource in [
        ("PUBLISH", "topic/any/thing"),
        ("SUBSCRIBE", "topicfilter/#"),
        ("CONNECT", "client/x"),
    ]:
        result = explain_authorization(world, action, f"{arn}:{resource}", principal=cert, client_id="x")
        assert result.auth_decision == "ALLOWED", result.explain()
    # ... and nothing of a principal it is not attached to.
    other = explain_authorization(world, "PUBLISH", f"{arn}:topic/a", principal=None, client_id="x")
    assert other.auth_decision == "IMPLICIT_DENY"


FLEET = Path(__file__).parent / "real" / "fleet" / "plan.json"


def test_a_fleet_made_with_count_answers_as_applied() -> None:
    with pytest.warns(UserWarning, match=r"aws_cloudwatch_log_group"):
        world = World.from_file(FLEET)
    assert world.region == "eu-central-1"
    arn = "arn:aws:iot:eu-central-1:123456789012"
    for index in (0, 1):
        cert = world.certificate_arn(f"aws_iot_certificate.sensor[{index}]")
        assert world.policies_for_target(cert) == ("fleet-telemetry",)
        # Provider 5.100.0 has no thing_principal_type: the attachment is non-exclusive.
        assert world.things_for_principal(cert) == ((f"sensor-{index}", "NON_EXCLUSIVE_THING"),)
        assert world.groups_of_thing(f"sensor-{index}") == ("fleet",)
        assert world.describe_thing(thingName=f"sensor-{index}")["thingTypeName"] == "sensor"
    cert0 = world.certificate_arn("aws_iot_certificate.sensor[0]")

    def decision(resource: str, client_id: str) -> str:
        found = explain_authorization(
            world, "PUBLISH", f"{arn}:{resource}", principal=cert0, client_id=client_id
        )
        return found.auth_decision

    # The thing variables resolve when the client id names the attached (non-exclusive) thing (A6) ...
    assert decision("topic/fleet/sensor-0/t", "sensor-0") == "ALLOWED"
    assert decision("topic/fleet/sensor-1/t", "sensor-0") == "IMPLICIT_DENY"
    # ... and not otherwise: the policy's ${iot:Connection.Thing.ThingName} has no value.
    assert decision("topic/fleet/sensor-0/t", "another-client") == "IMPLICIT_DENY"
