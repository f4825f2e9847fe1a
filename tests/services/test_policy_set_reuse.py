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


# -- a new client id reuses the request's resolution -------------------------------------------------------

POOL = "us-east-1:00000000-0000-0000-0000-000000000001"
COGNITO = "us-east-1:11111111-2222-3333-4444-555555555555"
CLOCK_KEYS = {"aws:CurrentTime", "aws:EpochTime"}


def _fleet() -> tuple[World, dict[str, str]]:
    """A certificate on an exclusive thing, a second on two non-exclusive things, groups
    with policies, a Cognito pool whose identity is attached to a thing, and a policy reading the clock."""
    world = World()
    one = world.create_test_certificate(subject={"CommonName": "one"})["certificateArn"]
    two = world.create_test_certificate(subject={"CommonName": "two"})["certificateArn"]
    for name in ("alpha", "beta", "gamma"):
        world.create_thing(thingName=name, attributePayload={"attributes": {"room": name[0]}})
    world.attach_thing_principal(thingName="alpha", principal=one, thingPrincipalType="EXCLUSIVE_THING")
    world.attach_thing_principal(thingName="beta", principal=two)
    world.attach_thing_principal(thingName="gamma", principal=two)
    world.attach_thing_principal(thingName="gamma", principal=COGNITO)
    world.create_thing_group(thingGroupName="floor")
    world.create_thing_group(thingGroupName="room", parentGroupName="floor")
    world.add_thing_to_thing_group(thingGroupName="room", thingName="alpha")
    world.add_thing_to_thing_group(thingGroupName="floor", thingName="gamma")
    for name in ("Own", "Floor", "Room", "Extra", "Timed"):
        condition = (
            {"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}} if name == "Timed" else None
        )
        world.create_policy(policyName=name, policyDocument=_doc(condition))
    world.attach_policy(policyName="Own", target=one)
    world.attach_policy(policyName="Own", target=two)
    world.attach_policy(policyName="Floor", target=f"{ARN}:thinggroup/floor")
    world.attach_policy(policyName="Room", target=f"{ARN}:thinggroup/room")
    world.attach_policy(policyName="Own", target=COGNITO)
    world.create_cognito_identity_pool(
        identityPoolId=POOL,
        authenticatedPolicies={"Auth": _doc()},
        unauthenticatedPolicies={"Guest": _doc()},
    )
    return world, {"one": one, "two": two}


def _same(world: World, **request: Any) -> None:
    from boto_iotauth_local.services.authorization import policy_set

    reused = reused_policy_set(world, **request)
    fresh = policy_set(world, **request)
    assert reused.principal == fresh.principal
    assert reused.thing_name == fresh.thing_name, request
    assert reused.policies == fresh.policies
    assert reused.gate == fresh.gate
    values = {k: v for k, v in reused.context.to_dict().items() if k not in CLOCK_KEYS}
    expected = {k: v for k, v in fresh.context.to_dict().items() if k not in CLOCK_KEYS}
    assert values == expected, request
    assert list(values) == list(expected)  # the same order, client id first
    assert reused.pairs == fresh.pairs and reused.identity == fresh.identity


def test_a_new_client_id_gets_the_set_a_full_resolution_gives() -> None:
    world, certs = _fleet()
    principals: list[dict[str, Any]] = [
        {"principal": certs["one"]},
        {"principal": certs["two"]},
        {"principal": f"{ARN}:thinggroup/room"},
        {"principal": COGNITO, "cognito_identity_pool_id": POOL},
        {"cognito_identity_pool_id": POOL},
        {},
        {"principal": certs["one"], "policy_names_to_add": ["Extra"], "policy_names_to_skip": ["Own"]},
        {"principal": certs["two"], "policy_names_to_add": ["Timed"]},
    ]
    client_ids = [None, "alpha", "beta", "gamma", "beta", "stranger", "ALPHA", "alpha", "+", "#", None]
    for step in range(3):
        for request in principals:
            for client_id in client_ids:
                _same(world, client_id=client_id, **request)
        # Every write is seen by the next request, whatever was resolved before it.
        if step == 0:
            world.detach_thing_principal(thingName="alpha", principal=certs["one"])
            world.attach_thing_principal(thingName="alpha", principal=certs["one"])  # no longer exclusive
            world.attach_thing_principal(thingName="beta", principal=certs["one"])
        else:
            world.update_thing(thingName="beta", attributePayload={"attributes": {"room": "z"}})
            world.remove_thing_from_thing_group(thingGroupName="floor", thingName="gamma")


def test_a_set_reading_the_clock_is_resolved_afresh_for_every_client_id() -> None:
    world, certs = _fleet()
    request = {"principal": certs["two"], "policy_names_to_add": ["Timed"], "client_id": "x"}
    assert reused_policy_set(world, **request) is not reused_policy_set(world, **request)
    request["client_id"] = "y"
    assert "aws:CurrentTime" in reused_policy_set(world, **request).context


def test_an_authenticated_role_with_no_policies_gates_every_resource_shut() -> None:
    """A Cognito gate with no policies still has to allow, and allows nothing (A5): one resource or several,
    answered, explained, and asked again."""
    from boto_iotauth_local.services.authorization import authorize

    world = World()
    world.create_policy(policyName="Open", policyDocument=_doc())
    world.attach_policy(policyName="Open", target=COGNITO)
    world.create_cognito_identity_pool(identityPoolId=POOL, authenticatedPolicies={})
    resolved = reused_policy_set(world, principal=COGNITO, cognito_identity_pool_id=POOL)
    assert resolved.gate == ()
    for resources in ([f"{ARN}:client/a"], [f"{ARN}:client/a", f"{ARN}:client/b"]):
        for explain in (False, True, False):
            result = authorize(resolved, "CONNECT", resources, explain=explain)
            assert result.auth_decision == "IMPLICIT_DENY"
            assert [d.decision for d in result.decisions] == ["IMPLICIT_DENY"] * len(resources)
