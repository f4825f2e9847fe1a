"""``who_can``: each row is exactly what TestAuthorization answers for that principal, through boto3."""

from __future__ import annotations

import datetime
import gc
import json

import boto3
import pytest

from boto_iotauth_local import World, activate
from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.services.who_can import who_can

from .conftest import ARN, COGNITO_ID, build_world, policy

NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def varied_world() -> World:
    """Shared and per-device policies, variables, conditions, group ancestry, exclusive things."""
    world, cert, _ = build_world()
    world.create_policy(
        policyName="Fleet",
        policyDocument=policy(
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Connect"],
                "Resource": [f"{ARN}:topic/fleet/${{iot:ClientId}}", f"{ARN}:client/${{iot:ClientId}}"],
                "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": "iot:Publish",
                "Resource": f"{ARN}:topic/site/${{iot:Connection.Thing.Attributes[site]}}",
            },
            {
                "Effect": "Deny",
                "Action": "iot:Publish",
                "Resource": f"{ARN}:topic/fleet/*",
                "Condition": {"StringEquals": {"iot:Certificate.Subject.CommonName": "revoked"}},
            },
        ),
    )
    world.create_thing_group(thingGroupName="site-a")
    world.create_thing_group(thingGroupName="line-1", parentGroupName="site-a")
    world.attach_policy(policyName="Fleet", target=world.thing_group_arn("site-a"))
    for index, name in enumerate(["dev-1", "dev-2", "revoked"]):
        device = world.create_test_certificate(subject={"CommonName": name})["certificateArn"]
        world.create_thing(thingName=name, attributePayload={"attributes": {"site": f"s{index % 2}"}})
        kind = "EXCLUSIVE_THING" if index else "NON_EXCLUSIVE_THING"  # dev-2 and revoked: exclusive
        world.attach_thing_principal(thingName=name, principal=device, thingPrincipalType=kind)
        world.add_thing_to_thing_group(thingGroupName="line-1", thingName=name)
    world.create_thing(thingName="phone")
    world.attach_thing_principal(thingName="phone", principal=COGNITO_ID)
    world.add_thing_to_thing_group(thingGroupName="line-1", thingName="phone")
    world.attach_thing_principal(thingName="dev-1", principal=cert)  # two things on one certificate
    return world


RESOURCES = [
    f"{ARN}:topic/fleet/dev-1",
    f"{ARN}:topic/fleet/revoked",
    f"{ARN}:topic/site/s1",
    f"{ARN}:topic/ops/x",
    f"{ARN}:topic/sensor-1/a",
    f"{ARN}:topic/sensor-1/admin",
]


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_row_is_what_test_authorization_answers(resource: str) -> None:
    world = varied_world()
    answer = who_can(world, "PUBLISH", resource, now=NOW)
    assert len(answer) == 5 + 5 + 3 + 2  # certificates, their things, groups, the identity and its thing
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        for entry in answer:
            params = {"principal": entry.principal}
            if entry.client_id is not None:
                params["clientId"] = entry.client_id
            (answer,) = iot.test_authorization(
                authInfos=[{"actionType": "PUBLISH", "resources": [resource]}], **params
            )["authResults"]
            assert entry.auth_decision == answer["authDecision"], entry
            assert list(entry.allowed_by) == [p["policyName"] for p in answer["allowed"]["policies"]]
            assert list(entry.denied_by) == [
                p["policyName"] for p in answer["denied"]["explicitDeny"]["policies"]
            ]
            assert list(entry.missing_context_values) == answer["missingContextValues"]


def test_rows_and_resolved_things() -> None:
    world = varied_world()
    answer = who_can(world, "PUBLISH", f"{ARN}:topic/fleet/dev-2")
    (allowed,) = answer.allowed
    assert (allowed.kind, allowed.name, allowed.client_id, allowed.thing) == (
        "thing",
        "dev-2",
        "dev-2",
        "dev-2",
    )
    assert allowed.allowed_by == ("Fleet",)
    exclusive = next(e for e in answer if e.kind == "certificate" and e.thing == "dev-2")
    assert exclusive.client_id is None  # the EXCLUSIVE_THING is resolved without a clientId...
    assert exclusive.auth_decision == "IMPLICIT_DENY"  # ...but ${iot:ClientId} is not set
    assert {e.certificate_status for e in answer if e.principal.startswith(f"{ARN}:cert/")} == {"ACTIVE"}
    assert {e.certificate_status for e in answer if e.principal == COGNITO_ID} == {None}
    groups = [(e.name, e.principal, e.thing, e.certificate_status) for e in answer if e.kind == "thing-group"]
    assert groups == [(n, world.thing_group_arn(n), None, None) for n in ("operators", "site-a", "line-1")]


def test_deny_and_group_ancestry() -> None:
    world = varied_world()
    answer = who_can(world, "PUBLISH", f"{ARN}:topic/fleet/revoked")
    denied = [e for e in answer if e.auth_decision == "EXPLICIT_DENY"]
    assert [(e.kind, e.thing, e.denied_by) for e in denied] == [
        ("certificate", "revoked", ("Fleet",)),  # its EXCLUSIVE_THING gives the certificate its groups
        ("thing", "revoked", ("Fleet",)),
    ]
    site = who_can(world, "PUBLISH", f"{ARN}:topic/site/s1")  # dev-2's attribute, through line-1 -> site-a
    # the certificate alone resolves its EXCLUSIVE_THING, so its attribute is known without a clientId
    assert [(e.kind, e.thing) for e in site.allowed] == [("certificate", "dev-2"), ("thing", "dev-2")]


def test_several_resources_are_one_auth_info() -> None:
    world = varied_world()
    both = who_can(world, "PUBLISH", [f"{ARN}:topic/ops/a", f"{ARN}:topic/ops/b"])
    assert [(e.kind, e.name) for e in both.allowed] == [
        ("thing-group", "operators"),
        ("cognito-identity", COGNITO_ID),
        ("thing", "phone"),  # the identity with clientId = its thing
    ]
    mixed = who_can(world, "PUBLISH", [f"{ARN}:topic/ops/a", f"{ARN}:topic/fleet/x"])
    assert mixed.allowed == ()
    assert mixed.to_dict()["resources"] == [f"{ARN}:topic/ops/a", f"{ARN}:topic/fleet/x"]


def test_world_file_labels_name_certificates(tmp_path: object) -> None:
    world = World()
    world.create_policy(
        policyName="All", policyDocument=policy({"Effect": "Allow", "Action": "iot:*", "Resource": "*"})
    )
    arn = world.create_test_certificate(subject={"CommonName": "x"})["certificateArn"]
    world.attach_policy(policyName="All", target=arn)
    world.certificate_labels = {"gateway": arn.rsplit("/", 1)[1]}  # as World.from_file sets it
    (entry,) = who_can(world, "CONNECT", f"{ARN}:client/c").allowed
    assert entry.name == "gateway"
    assert json.loads(json.dumps(entry.to_dict()))["name"] == "gateway"


def test_bad_requests_fail_as_the_service_does() -> None:
    with pytest.raises(InvalidRequestException, match="actionType must be one of"):
        who_can(World(), "FLY", "x")
    with pytest.raises(InvalidRequestException, match="at least one resource"):
        who_can(World(), "PUBLISH", [])
    empty = who_can(World(), "PUBLISH", "x")
    assert empty.entries == () and empty.to_dict()["evaluated"] == 0


def test_the_collector_is_left_as_it_was() -> None:
    """Paused for the question, then resumed; what the caller froze stays frozen, a disabled one stays off."""
    world = varied_world()
    assert gc.isenabled()
    who_can(world, "PUBLISH", f"{ARN}:topic/fleet/dev-2")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        who_can(world, "PUBLISH", f"{ARN}:topic/fleet/dev-2")
        assert gc.isenabled() and gc.get_freeze_count() == frozen > 0
    finally:
        gc.unfreeze()
    gc.disable()
    try:
        who_can(world, "PUBLISH", f"{ARN}:topic/fleet/dev-2")
        assert not gc.isenabled()
    finally:
        gc.enable()
