"""A resolved policy set is reused only while it is certainly still right."""

from __future__ import annotations

import json
from typing import Any

import boto3

from boto_iotauth_local import World, activate
from boto_iotauth_local.services.authorization import reused_policy_set

ARN = "arn:aws:iot:us-east-1:123456789012"


def _doc(condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_reused_while_the_world_is_unchanged_and_rebuilt_after_any_write() -> None:
    world = World()
    world.create_policy(policyName="P", policyDocument=_doc())
    first = reused_policy_set(world, policy_names_to_add=["P"])
    assert reused_policy_set(world, policy_names_to_add=["P"]) is first
    assert reused_policy_set(world, policy_names_to_add=["P"], client_id="other") is not first
    world.create_thing(thingName="unrelated")
    assert reused_policy_set(world, policy_names_to_add=["P"]) is not first


def test_sets_reading_the_clock_are_rebuilt_every_time() -> None:
    world = World()
    world.create_policy(
        policyName="Timed",
        policyDocument=_doc({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
    )
    first = reused_policy_set(world, policy_names_to_add=["Timed"])
    assert reused_policy_set(world, policy_names_to_add=["Timed"]) is not first


def test_worlds_with_outside_state_are_never_cached() -> None:
    class Live(World):
        version_tracks_state = False

    world = Live()
    world.create_policy(policyName="P", policyDocument=_doc())
    assert reused_policy_set(world, policy_names_to_add=["P"]) is not reused_policy_set(
        world, policy_names_to_add=["P"]
    )


def test_a_detached_policy_stops_allowing_on_the_next_call() -> None:
    world = World()
    certificate = world.create_test_certificate(subject={"CommonName": "c"})["certificateArn"]
    world.create_policy(policyName="P", policyDocument=_doc())
    world.attach_policy(policyName="P", target=certificate)
    info = [{"actionType": "CONNECT", "resources": [f"{ARN}:client/c"]}]
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        assert iot.test_authorization(principal=certificate, authInfos=info)["authResults"][0][
            "authDecision"
        ] == ("ALLOWED")
        world.detach_policy(policyName="P", target=certificate)
        assert iot.test_authorization(principal=certificate, authInfos=info)["authResults"][0][
            "authDecision"
        ] == ("IMPLICIT_DENY")


def test_answers_are_remembered_per_set_but_explanations_are_always_fresh() -> None:
    from boto_iotauth_local.services.authorization import authorize

    world = World()
    world.create_policy(policyName="P", policyDocument=_doc())
    resolved = reused_policy_set(world, policy_names_to_add=["P"])
    first = authorize(resolved, "CONNECT", [f"{ARN}:client/a"])
    assert authorize(resolved, "CONNECT", [f"{ARN}:client/a"]) is first
    assert authorize(resolved, "CONNECT", [f"{ARN}:client/b"]) is not first
    explained = authorize(resolved, "CONNECT", [f"{ARN}:client/a"], explain=True)
    assert explained is not first
    assert explained.to_dict() == first.to_dict()
    assert explained.decisions[0].policies.policies[0].statements


def test_what_the_call_log_hands_out_cannot_change_later_answers() -> None:
    world = World()
    world.create_policy(policyName="P", policyDocument=_doc())
    info = [{"actionType": "CONNECT", "resources": [f"{ARN}:client/c"]}]
    with activate(world) as handle:
        iot = boto3.client("iot", region_name="us-east-1")
        first = iot.test_authorization(authInfos=info, policyNamesToAdd=["P"])["authResults"]
        logged = handle.calls.last
        logged.params["policyNamesToAdd"].append("Injected")  # type: ignore[index]
        logged.response["authResults"][0]["authDecision"] = "EXPLICIT_DENY"  # type: ignore[index]
        again = iot.test_authorization(authInfos=info, policyNamesToAdd=["P"])["authResults"]
    assert again == first
    assert first[0]["authDecision"] == "ALLOWED"
    assert handle.calls.last.params == {"authInfos": info, "policyNamesToAdd": ["P"]}
