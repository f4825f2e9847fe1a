"""TestAuthorization through real boto3 clients: every rule of part A that concerns it."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from boto_iotauth_local import World

from .conftest import ARN, allow, deny, doc
from .helpers import ask, check_output_shape, names

COGNITO_ID = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"


def cert(world: World, **subject: Any) -> str:
    made = world.create_test_certificate(subject=subject or {"CommonName": "device"})
    return str(made["certificateArn"])


def policy(world: World, name: str, *statements: dict[str, Any]) -> None:
    world.create_policy(policyName=name, policyDocument=doc(*statements))


# -- A7: response shape and aggregation ------------------------------------------------------------------


def test_allowed_with_every_member_present(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "Pub", allow("iot:Publish", f"{ARN}:topic/a"))
    world.attach_policy(policyName="Pub", target=principal)
    result = ask(iot, "PUBLISH", [f"{ARN}:topic/a"], principal=principal)
    assert result == {
        "authInfo": {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/a"]},
        "allowed": {"policies": [{"policyName": "Pub", "policyArn": f"{ARN}:policy/Pub"}]},
        "denied": {"implicitDeny": {"policies": []}, "explicitDeny": {"policies": []}},
        "authDecision": "ALLOWED",
        "missingContextValues": [],
    }


def test_one_result_per_auth_info_in_order(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "Pub", allow("iot:Publish", f"{ARN}:topic/a"))
    world.attach_policy(policyName="Pub", target=principal)
    infos = [
        {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/a"]},
        {"actionType": "SUBSCRIBE", "resources": [f"{ARN}:topicfilter/a"]},
        {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/b"]},
    ]
    response = iot.test_authorization(principal=principal, authInfos=infos)
    check_output_shape("TestAuthorization", response)
    assert [r["authDecision"] for r in response["authResults"]] == [
        "ALLOWED",
        "IMPLICIT_DENY",
        "IMPLICIT_DENY",
    ]
    assert [r["authInfo"] for r in response["authResults"]] == infos


def test_several_resources_need_every_one_allowed(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "A", allow("iot:Publish", f"{ARN}:topic/a"))
    policy(world, "B", allow("iot:Publish", f"{ARN}:topic/b"))
    policy(world, "None", allow("iot:Connect", "*"))
    for name in ("A", "B", "None"):
        world.attach_policy(policyName=name, target=principal)
    both = ask(iot, "PUBLISH", [f"{ARN}:topic/a", f"{ARN}:topic/b"], principal=principal)
    assert both["authDecision"] == "ALLOWED"
    assert names(both, "allowed") == ["A", "B"]
    assert names(both, "denied", "implicitDeny") == ["None"]
    partly = ask(iot, "PUBLISH", [f"{ARN}:topic/a", f"{ARN}:topic/c"], principal=principal)
    assert partly["authDecision"] == "IMPLICIT_DENY"
    assert names(partly, "allowed") == ["A"]


def test_a_deny_on_any_resource_is_an_explicit_deny(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "All", allow("iot:*", "*"))
    policy(world, "NoSecret", deny("iot:Publish", f"{ARN}:topic/secret"))
    for name in ("All", "NoSecret"):
        world.attach_policy(policyName=name, target=principal)
    result = ask(iot, "PUBLISH", [f"{ARN}:topic/open", f"{ARN}:topic/secret"], principal=principal)
    assert result["authDecision"] == "EXPLICIT_DENY"
    assert names(result, "allowed") == ["All"]
    assert names(result, "denied", "explicitDeny") == ["NoSecret"]
    assert names(result, "denied", "implicitDeny") == []


def test_no_principal_and_no_policies_is_an_implicit_deny(iot: Any) -> None:
    result = ask(iot, "CONNECT", [f"{ARN}:client/c"])
    assert result["authDecision"] == "IMPLICIT_DENY"
    assert names(result, "allowed") == names(result, "denied", "implicitDeny") == []


# -- A5 and A11: which policies apply --------------------------------------------------------------------


def test_only_the_default_version_counts(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("iot:Publish", f"{ARN}:topic/v1"))
    world.create_policy_version(policyName="P", policyDocument=doc(allow("iot:Publish", f"{ARN}:topic/v2")))
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/v1"], principal=principal)["authDecision"] == "ALLOWED"
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/v2"], principal=principal)["authDecision"] == "IMPLICIT_DENY"
    world.set_default_policy_version(policyName="P", policyVersionId="2")
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/v2"], principal=principal)["authDecision"] == "ALLOWED"


def test_policy_names_to_add_and_skip_where_skip_wins(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "Attached", allow("iot:Publish", f"{ARN}:topic/a"))
    policy(world, "Extra", allow("iot:Publish", f"{ARN}:topic/b"))
    world.attach_policy(policyName="Attached", target=principal)
    added = ask(iot, "PUBLISH", [f"{ARN}:topic/b"], principal=principal, policyNamesToAdd=["Extra"])
    assert added["authDecision"] == "ALLOWED"
    skipped = ask(
        iot,
        "PUBLISH",
        [f"{ARN}:topic/a"],
        principal=principal,
        policyNamesToSkip=["Attached", "NoSuchPolicy"],
    )
    assert skipped["authDecision"] == "IMPLICIT_DENY"
    both = ask(
        iot,
        "PUBLISH",
        [f"{ARN}:topic/b"],
        principal=principal,
        policyNamesToAdd=["Extra"],
        policyNamesToSkip=["Extra"],
    )
    assert both["authDecision"] == "IMPLICIT_DENY"
    assert names(both, "denied", "implicitDeny") == ["Attached"]


def test_policies_reaching_twice_are_listed_once(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("iot:Publish", "*"))
    world.attach_policy(policyName="P", target=principal)
    result = ask(iot, "PUBLISH", [f"{ARN}:topic/x"], principal=principal, policyNamesToAdd=["P"])
    assert names(result, "allowed") == ["P"]


def test_policies_to_add_alone_simulate_an_authorizer(world: World, iot: Any) -> None:
    policy(world, "FromAuthorizer", allow("iot:Connect", f"{ARN}:client/c1"))
    result = ask(iot, "CONNECT", [f"{ARN}:client/c1"], policyNamesToAdd=["FromAuthorizer"])
    assert result["authDecision"] == "ALLOWED"


def test_thing_group_policies_apply_through_the_client_id_thing(world: World, iot: Any) -> None:
    principal = cert(world)
    world.create_thing(thingName="sensor-1")
    world.attach_thing_principal(thingName="sensor-1", principal=principal)
    world.create_thing_group(thingGroupName="root")
    world.create_thing_group(thingGroupName="floor", parentGroupName="root")
    world.add_thing_to_thing_group(thingGroupName="floor", thingName="sensor-1")
    policy(world, "RootPolicy", allow("iot:Publish", f"{ARN}:topic/root"))
    policy(world, "FloorPolicy", allow("iot:Publish", f"{ARN}:topic/floor"))
    world.attach_policy(policyName="RootPolicy", target=f"{ARN}:thinggroup/root")
    world.attach_policy(policyName="FloorPolicy", target=f"{ARN}:thinggroup/floor")
    for topic in ("root", "floor"):
        result = ask(iot, "PUBLISH", [f"{ARN}:topic/{topic}"], principal=principal, clientId="sensor-1")
        assert result["authDecision"] == "ALLOWED", topic
    # Without the thing's client id, group policies do not apply.
    other = ask(iot, "PUBLISH", [f"{ARN}:topic/root"], principal=principal, clientId="someone-else")
    assert other["authDecision"] == "IMPLICIT_DENY"
    assert names(other, "denied", "implicitDeny") == []


def test_thing_group_principal_uses_its_own_and_ancestor_policies(world: World, iot: Any) -> None:
    world.create_thing_group(thingGroupName="root")
    world.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    policy(world, "RootPolicy", allow("iot:Subscribe", f"{ARN}:topicfilter/root/*"))
    world.attach_policy(policyName="RootPolicy", target=f"{ARN}:thinggroup/root")
    result = ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/root/x"], principal=f"{ARN}:thinggroup/leaf")
    assert result["authDecision"] == "ALLOWED"
    assert names(result, "allowed") == ["RootPolicy"]


def test_cognito_authenticated_identity_needs_both_gates(world: World, iot: Any) -> None:
    pool = "us-east-1:00000000-0000-0000-0000-000000000001"
    world.create_cognito_identity_pool(
        pool,
        authenticatedPolicies={"RoleAllowsPublish": doc(allow("iot:Publish", f"{ARN}:topic/*"))},
        unauthenticatedPolicies={"GuestConnect": doc(allow("iot:Connect", "*"))},
    )
    policy(world, "IotPolicy", allow("iot:Publish", f"{ARN}:topic/${{cognito-identity.amazonaws.com:sub}}/*"))
    # Without an attached IoT policy the identity fails authorization whatever the role says.
    none = ask(
        iot, "PUBLISH", [f"{ARN}:topic/{COGNITO_ID}/x"], principal=COGNITO_ID, cognitoIdentityPoolId=pool
    )
    assert none["authDecision"] == "IMPLICIT_DENY"
    world.attach_policy(policyName="IotPolicy", target=COGNITO_ID)
    ok = ask(
        iot, "PUBLISH", [f"{ARN}:topic/{COGNITO_ID}/x"], principal=COGNITO_ID, cognitoIdentityPoolId=pool
    )
    assert ok["authDecision"] == "ALLOWED"
    assert names(ok, "allowed") == ["IotPolicy", "RoleAllowsPublish"]
    assert ok["allowed"]["policies"][1]["policyArn"].startswith("arn:aws:iam::123456789012:")
    # The IoT policy allows only the identity's own topics: the role alone is not enough.
    other = ask(iot, "PUBLISH", [f"{ARN}:topic/other/x"], principal=COGNITO_ID, cognitoIdentityPoolId=pool)
    assert other["authDecision"] == "IMPLICIT_DENY"


def test_cognito_unauthenticated_uses_the_pool_role_only(world: World, iot: Any) -> None:
    pool = "us-east-1:00000000-0000-0000-0000-000000000002"
    world.create_cognito_identity_pool(
        pool, unauthenticatedPolicies={"Guest": doc(allow("iot:Connect", "*"))}
    )
    result = ask(iot, "CONNECT", [f"{ARN}:client/anyone"], cognitoIdentityPoolId=pool)
    assert result["authDecision"] == "ALLOWED"
    assert names(result, "allowed") == ["Guest"]


# -- A6 and A8: things, variables, missing context values -----------------------------------------------


def test_thing_variables_resolve_for_the_attached_thing(world: World, iot: Any) -> None:
    principal = cert(world)
    world.create_thing_type(thingTypeName="Lamp")
    world.create_thing(
        thingName="lamp-7", thingTypeName="Lamp", attributePayload={"attributes": {"floor": "3"}}
    )
    world.attach_thing_principal(thingName="lamp-7", principal=principal)
    policy(
        world,
        "ThingVars",
        allow(
            "iot:Publish",
            f"{ARN}:topic/${{iot:Connection.Thing.ThingName}}/${{iot:Connection.Thing.Attributes[floor]}}",
            Condition={"StringEquals": {"iot:Connection.Thing.ThingTypeName": "Lamp"}},
        ),
    )
    world.attach_policy(policyName="ThingVars", target=principal)
    ok = ask(iot, "PUBLISH", [f"{ARN}:topic/lamp-7/3"], principal=principal, clientId="lamp-7")
    assert ok["authDecision"] == "ALLOWED"
    assert ok["missingContextValues"] == []
    # A client id that is not an attached thing leaves the thing variables unresolved (A6, A8).
    unresolved = ask(iot, "PUBLISH", [f"{ARN}:topic/lamp-7/3"], principal=principal, clientId="lamp-8")
    assert unresolved["authDecision"] == "IMPLICIT_DENY"
    assert unresolved["missingContextValues"] == [
        "iot:Connection.Thing.ThingName",
        "iot:Connection.Thing.Attributes[floor]",
        "iot:Connection.Thing.ThingTypeName",
    ]


def test_exclusive_thing_resolves_without_a_matching_client_id(world: World, iot: Any) -> None:
    principal = cert(world)
    world.create_thing(thingName="only-thing")
    world.attach_thing_principal(
        thingName="only-thing", principal=principal, thingPrincipalType="EXCLUSIVE_THING"
    )
    policy(world, "P", allow("iot:Publish", f"{ARN}:topic/${{iot:Connection.Thing.ThingName}}"))
    world.attach_policy(policyName="P", target=principal)
    result = ask(iot, "PUBLISH", [f"{ARN}:topic/only-thing"], principal=principal, clientId="whatever")
    assert result["authDecision"] == "ALLOWED"


def test_is_attached_condition(world: World, iot: Any) -> None:
    principal = cert(world)
    world.create_thing(thingName="t1")
    world.attach_thing_principal(thingName="t1", principal=principal)
    world.create_thing(thingName="t2")
    policy(
        world,
        "Connect",
        allow(
            "iot:Connect",
            f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
            Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
        ),
    )
    world.attach_policy(policyName="Connect", target=principal)
    assert (
        ask(iot, "CONNECT", [f"{ARN}:client/t1"], principal=principal, clientId="t1")["authDecision"]
        == "ALLOWED"
    )
    denied = ask(iot, "CONNECT", [f"{ARN}:client/t2"], principal=principal, clientId="t2")
    assert denied["authDecision"] == "IMPLICIT_DENY"


def test_client_id_variable_and_missing_source_ip(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(
        world,
        "P",
        allow("iot:Connect", f"{ARN}:client/${{iot:ClientId}}"),
        allow("iot:Publish", "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
    )
    world.attach_policy(policyName="P", target=principal)
    assert (
        ask(iot, "CONNECT", [f"{ARN}:client/c9"], principal=principal, clientId="c9")["authDecision"]
        == "ALLOWED"
    )
    no_client = ask(iot, "CONNECT", [f"{ARN}:client/c9"], principal=principal)
    assert no_client["authDecision"] == "IMPLICIT_DENY"
    assert no_client["missingContextValues"] == ["iot:ClientId"]
    publish = ask(iot, "PUBLISH", [f"{ARN}:topic/t"], principal=principal, clientId="c9")
    assert publish["authDecision"] == "IMPLICIT_DENY"
    assert publish["missingContextValues"] == ["aws:SourceIp"]


def test_certificate_variables(world: World, iot: Any) -> None:
    made = world.create_test_certificate(
        subject={"CommonName": "dev-42", "Organization": ["Acme", "Widgets"]}
    )
    principal = made["certificateArn"]
    policy(
        world,
        "CertVars",
        allow("iot:Publish", f"{ARN}:topic/${{iot:Certificate.Subject.CommonName}}/*"),
        allow(
            "iot:Subscribe",
            "*",
            Condition={
                "ForAnyValue:StringEquals": {"iot:Certificate.Subject.Organization.List": ["Widgets"]}
            },
        ),
    )
    world.attach_policy(policyName="CertVars", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/dev-42/x"], principal=principal)["authDecision"] == "ALLOWED"
    assert (
        ask(iot, "PUBLISH", [f"{ARN}:topic/dev-43/x"], principal=principal)["authDecision"] == "IMPLICIT_DENY"
    )
    assert ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/x"], principal=principal)["authDecision"] == "ALLOWED"


def test_missing_values_only_from_statements_whose_action_matched(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("iot:Subscribe", f"{ARN}:topicfilter/${{iot:ClientId}}"))
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/x"], principal=principal)["missingContextValues"] == []


# -- A9: matching ---------------------------------------------------------------------------------------


def test_mqtt_wildcards_are_literal_in_policies(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("iot:Subscribe", f"{ARN}:topicfilter/some/+/topic"))
    world.attach_policy(policyName="P", target=principal)
    literal = ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/some/+/topic"], principal=principal)
    assert literal["authDecision"] == "ALLOWED"
    level = ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/some/x/topic"], principal=principal)
    assert level["authDecision"] == "IMPLICIT_DENY"


def test_hash_deny_does_not_stop_a_star_subscription(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(
        world,
        "P",
        allow("iot:Subscribe", f"{ARN}:topicfilter/a/*"),
        deny("iot:Subscribe", f"{ARN}:topicfilter/a/restricted/*"),
    )
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/a/#"], principal=principal)["authDecision"] == "ALLOWED"
    restricted = ask(iot, "SUBSCRIBE", [f"{ARN}:topicfilter/a/restricted/x"], principal=principal)
    assert restricted["authDecision"] == "EXPLICIT_DENY"


def test_actions_ignore_case_and_resources_do_not(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("IOT:publish", f"{ARN}:topic/Data"))
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/Data"], principal=principal)["authDecision"] == "ALLOWED"
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/data"], principal=principal)["authDecision"] == "IMPLICIT_DENY"


def test_not_action_and_not_resource(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(
        world,
        "P",
        {"Effect": "Allow", "NotAction": "iot:Connect", "Resource": "*"},
        {"Effect": "Deny", "Action": "iot:Receive", "NotResource": f"{ARN}:topic/allowed/*"},
    )
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "CONNECT", [f"{ARN}:client/c"], principal=principal)["authDecision"] == "IMPLICIT_DENY"
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/x"], principal=principal)["authDecision"] == "ALLOWED"
    assert ask(iot, "RECEIVE", [f"{ARN}:topic/allowed/x"], principal=principal)["authDecision"] == "ALLOWED"
    assert ask(iot, "RECEIVE", [f"{ARN}:topic/other"], principal=principal)["authDecision"] == "EXPLICIT_DENY"


def test_wildcards_star_and_question_mark(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "P", allow("iot:Publish", [f"{ARN}:topic/room/?/temp", f"{ARN}:topic/log/*"]))
    world.attach_policy(policyName="P", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/room/1/temp"], principal=principal)["authDecision"] == "ALLOWED"
    assert (
        ask(iot, "PUBLISH", [f"{ARN}:topic/room/12/temp"], principal=principal)["authDecision"]
        == "IMPLICIT_DENY"
    )
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/log/a/b/c"], principal=principal)["authDecision"] == "ALLOWED"


def test_other_regions_policies_do_not_match(world: World, iot: Any) -> None:
    principal = cert(world)
    policy(world, "West", allow("iot:Publish", "arn:aws:iot:us-west-2:123456789012:topic/t"))
    world.attach_policy(policyName="West", target=principal)
    assert ask(iot, "PUBLISH", [f"{ARN}:topic/t"], principal=principal)["authDecision"] == "IMPLICIT_DENY"


def test_a_client_in_another_region_finds_nothing_of_this_world(world: World, active: Any) -> None:
    principal = cert(world)
    west = boto3.client("iot", region_name="us-west-2")
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.test_authorization(
            principal=principal, authInfos=[{"actionType": "CONNECT", "resources": ["x"]}]
        )


def test_certificate_id_variable_from_the_certificate_policy_examples(world: World, iot: Any) -> None:
    # The developer guide's "Certificate policy examples": publish to a topic named after the certificate id.
    made = world.create_test_certificate(subject={"CommonName": "device"})
    principal, certificate_id = made["certificateArn"], made["certificateId"]
    policy(world, "ById", allow("iot:Publish", f"{ARN}:topic/${{iot:CertificateId}}"))
    world.attach_policy(policyName="ById", target=principal)
    own = ask(iot, "PUBLISH", [f"{ARN}:topic/{certificate_id}"], principal=principal)
    assert own["authDecision"] == "ALLOWED"
    assert (
        ask(iot, "PUBLISH", [f"{ARN}:topic/{'0' * 64}"], principal=principal)["authDecision"]
        == "IMPLICIT_DENY"
    )
    # Without a certificate principal the variable is unresolved and reported.
    other = ask(iot, "PUBLISH", [f"{ARN}:topic/{certificate_id}"], policyNamesToAdd=["ById"])
    assert other["authDecision"] == "IMPLICIT_DENY"
    assert other["missingContextValues"] == ["iot:CertificateId"]
