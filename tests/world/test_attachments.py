"""AttachPolicy and friends: targets, limits, order, and unknown targets."""

from __future__ import annotations

import pytest

from boto_iotauth_local.errors import (
    InvalidRequestException,
    LimitExceededException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world import World
from tests.world.conftest import allow

COGNITO = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"


@pytest.fixture
def cert_arn(world: World) -> str:
    return str(world.create_test_certificate({"CommonName": "dev"})["certificateArn"])


def test_attach_to_certificate_group_and_cognito(world: World, cert_arn: str) -> None:
    world.create_policy("p", allow())
    group_arn = world.create_thing_group("g")["thingGroupArn"]
    for target in (cert_arn, group_arn, COGNITO):
        assert world.attach_policy("p", target) == {}
        assert world.policies_for_target(target) == ("p",)
        listed = world.list_attached_policies(target)
        assert listed == {"policies": [{"policyName": "p", "policyArn": world.policy_arn("p")}]}
    assert world.list_targets_for_policy("p") == {"targets": [cert_arn, group_arn, COGNITO]}


def test_attach_order_is_kept_and_attach_is_idempotent(world: World) -> None:
    for name in ["z", "a", "m"]:
        world.create_policy(name, allow())
        world.attach_policy(name, COGNITO)
    world.attach_policy("z", COGNITO)
    assert world.policies_for_target(COGNITO) == ("z", "a", "m")
    assert world.policies_for_target("us-east-1:00000000-0000-0000-0000-000000000000") == ()


def test_unknown_policy_or_target_is_not_found(world: World, cert_arn: str) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.attach_policy("missing", cert_arn)
    world.create_policy("p", allow())
    with pytest.raises(ResourceNotFoundException, match="certificate"):
        world.attach_policy("p", "arn:aws:iot:us-east-1:123456789012:cert/" + "0" * 64)
    with pytest.raises(ResourceNotFoundException, match="thing group"):
        world.attach_policy("p", "arn:aws:iot:us-east-1:123456789012:thinggroup/nope")
    other_region = cert_arn.replace("us-east-1", "us-west-2")
    with pytest.raises(ResourceNotFoundException):
        world.attach_policy("p", other_region)
    with pytest.raises(ResourceNotFoundException):
        world.list_targets_for_policy("missing")


@pytest.mark.parametrize("target", ["not-a-principal", "arn:aws:iot:us-east-1:123456789012:thing/t", ""])
def test_malformed_target_is_an_invalid_request(world: World, target: str) -> None:
    world.create_policy("p", allow())
    with pytest.raises(InvalidRequestException):
        world.attach_policy("p", target)


def test_thing_group_takes_at_most_two_policies(world: World) -> None:
    group_arn = world.create_thing_group("g")["thingGroupArn"]
    for name in ["a", "b", "c"]:
        world.create_policy(name, allow())
    world.attach_policy("a", group_arn)
    world.attach_policy("b", group_arn)
    world.attach_policy("b", group_arn)  # re-attaching is not a new attachment
    with pytest.raises(LimitExceededException):
        world.attach_policy("c", group_arn)
    assert world.policies_for_target(group_arn) == ("a", "b")


def test_certificate_takes_at_most_ten_policies(world: World, cert_arn: str) -> None:
    for index in range(11):
        world.create_policy(f"p{index}", allow())
    for index in range(10):
        world.attach_policy(f"p{index}", cert_arn)
    with pytest.raises(LimitExceededException):
        world.attach_policy("p10", cert_arn)


def test_detach(world: World, cert_arn: str) -> None:
    world.create_policy("p", allow())
    world.create_policy("q", allow())
    world.attach_policy("p", cert_arn)
    world.attach_policy("q", cert_arn)
    assert world.detach_policy("p", cert_arn) == {}
    assert world.policies_for_target(cert_arn) == ("q",)
    assert world.list_targets_for_policy("p") == {"targets": []}
    with pytest.raises(ResourceNotFoundException):
        world.detach_policy("p", cert_arn)


def test_deprecated_principal_policy_calls(world: World, cert_arn: str) -> None:
    world.create_policy("p", allow())
    assert world.attach_principal_policy("p", cert_arn) == {}
    assert world.policies_for_target(cert_arn) == ("p",)
    assert [p["policyName"] for p in world.list_principal_policies(cert_arn)["policies"]] == ["p"]
    with pytest.raises(InvalidRequestException, match="principal"):
        world.attach_principal_policy("p", "junk")
    assert world.detach_principal_policy("p", cert_arn) == {}
    assert world.policies_for_target(cert_arn) == ()


def test_recursive_listing_includes_ancestor_group_policies(world: World) -> None:
    root = world.create_thing_group("root")["thingGroupArn"]
    leaf = world.create_thing_group("leaf", parentGroupName="root")["thingGroupArn"]
    world.create_policy("rootp", allow())
    world.create_policy("leafp", allow())
    world.attach_policy("rootp", root)
    world.attach_policy("leafp", leaf)
    assert [p["policyName"] for p in world.list_attached_policies(leaf)["policies"]] == ["leafp"]
    names = [p["policyName"] for p in world.list_attached_policies(leaf, recursive=True)["policies"]]
    assert names == ["leafp", "rootp"]


def test_list_targets_paginates(world: World) -> None:
    world.create_policy("p", allow())
    ids = [f"us-east-1:{index:08d}-0000-0000-0000-000000000000" for index in range(3)]
    for cognito in ids:
        world.attach_policy("p", cognito)
    first = world.list_targets_for_policy("p", pageSize=2)
    assert first["targets"] == ids[:2]
    assert world.list_targets_for_policy("p", pageSize=2, marker=first["nextMarker"]) == {"targets": ids[2:]}
    with pytest.raises(InvalidRequestException):
        world.list_targets_for_policy("p", marker="not*base64")
    with pytest.raises(InvalidRequestException, match="pageSize"):
        world.list_targets_for_policy("p", pageSize=0)


def test_one_policy_on_a_whole_fleet_keeps_order_and_detaches_cleanly() -> None:
    # A fleet usually shares one policy: attaching it to every certificate must stay linear (the targets
    # are an ordered set, not a tuple copied on each attachment), and listing keeps attach order.
    from boto_iotauth_local import World

    world = World()
    world.create_policy(
        policyName="Fleet",
        policyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}',
    )
    targets = [f"us-east-1:00000000-0000-0000-0000-{index:012d}" for index in range(3000)]
    for target in targets:
        world.attach_policy(policyName="Fleet", target=target)
    world.attach_policy(policyName="Fleet", target=targets[0])  # idempotent
    listed: list[str] = []
    marker = None
    while True:
        page = world.list_targets_for_policy(policyName="Fleet", marker=marker, pageSize=250)
        listed.extend(page["targets"])
        marker = page.get("nextMarker")
        if not marker:
            break
    assert listed == targets
    world.detach_policy(policyName="Fleet", target=targets[1])
    assert world.list_targets_for_policy(policyName="Fleet", pageSize=2)["targets"] == [
        targets[0],
        targets[2],
    ]
