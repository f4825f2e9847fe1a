"""Static thing groups: hierarchy, membership and deletion."""

from __future__ import annotations

import pytest

from boto_iotauth_local.errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world import World
from tests.world.conftest import allow

GROUP_ARN = "arn:aws:iot:us-east-1:123456789012:thinggroup/"


def test_create_and_describe_group_hierarchy(world: World) -> None:
    root = world.create_thing_group("root", thingGroupProperties={"thingGroupDescription": "top"})
    assert root["thingGroupArn"] == GROUP_ARN + "root" and root["thingGroupName"] == "root"
    world.create_thing_group("mid", parentGroupName="root")
    world.create_thing_group("leaf", parentGroupName="mid")
    described = world.describe_thing_group("leaf")
    assert described["thingGroupArn"] == GROUP_ARN + "leaf"
    assert described["thingGroupMetadata"]["parentGroupName"] == "mid"
    assert described["thingGroupMetadata"]["rootToParentThingGroups"] == [
        {"groupName": "root", "groupArn": GROUP_ARN + "root"},
        {"groupName": "mid", "groupArn": GROUP_ARN + "mid"},
    ]
    assert world.describe_thing_group("root")["thingGroupProperties"] == {"thingGroupDescription": "top"}
    assert "parentGroupName" not in world.describe_thing_group("root")["thingGroupMetadata"]
    assert world.group_ancestry("leaf") == ("leaf", "mid", "root")
    assert world.group_ancestry("root") == ("root",)
    assert world.group_ancestry("missing") == ()
    group = world.thing_group("leaf")
    assert group is not None and world.thing_group_by_arn(GROUP_ARN + "leaf") is group
    assert world.thing_group_arn("leaf") == GROUP_ARN + "leaf"
    assert world.thing_group_by_arn("arn:aws:iot:us-west-2:123456789012:thinggroup/leaf") is None


def test_create_group_is_idempotent_for_the_same_properties(world: World) -> None:
    first = world.create_thing_group("g", thingGroupProperties={"thingGroupDescription": "d"})
    assert world.create_thing_group("g", thingGroupProperties={"thingGroupDescription": "d"}) == first
    with pytest.raises(ResourceAlreadyExistsException) as caught:
        world.create_thing_group("g", thingGroupProperties={"thingGroupDescription": "other"})
    assert caught.value.fields == {"resourceId": first["thingGroupId"], "resourceArn": first["thingGroupArn"]}


def test_unknown_parent(world: World) -> None:
    with pytest.raises(InvalidRequestException, match="Parent"):
        world.create_thing_group("g", parentGroupName="nope")


def test_hierarchy_depth_is_at_most_seven(world: World) -> None:
    world.create_thing_group("g1")
    for depth in range(2, 8):
        world.create_thing_group(f"g{depth}", parentGroupName=f"g{depth - 1}")
    assert len(world.group_ancestry("g7")) == 7
    with pytest.raises(InvalidRequestException, match="depth"):
        world.create_thing_group("g8", parentGroupName="g7")


def test_membership(world: World) -> None:
    world.create_thing("t")
    world.create_thing_group("a")
    world.create_thing_group("b", parentGroupName="a")
    assert world.add_thing_to_thing_group(thingGroupName="b", thingName="t") == {}
    world.add_thing_to_thing_group(
        thingGroupArn=GROUP_ARN + "a", thingArn="arn:aws:iot:us-east-1:123456789012:thing/t"
    )
    world.add_thing_to_thing_group(thingGroupName="b", thingName="t")  # idempotent
    assert world.groups_of_thing("t") == ("b", "a")
    assert world.list_thing_groups_for_thing("t") == {
        "thingGroups": [
            {"groupName": "b", "groupArn": GROUP_ARN + "b"},
            {"groupName": "a", "groupArn": GROUP_ARN + "a"},
        ]
    }
    assert world.list_things_in_thing_group("a") == {"things": ["t"]}
    world.remove_thing_from_thing_group(thingGroupName="a", thingName="t")
    assert world.groups_of_thing("t") == ("b",)
    assert world.list_things_in_thing_group("a") == {"things": []}
    assert world.list_things_in_thing_group("a", recursive=True) == {"things": ["t"]}
    assert world.groups_of_thing("nobody") == ()


def test_membership_errors(world: World) -> None:
    world.create_thing("t")
    world.create_thing_group("g")
    with pytest.raises(InvalidRequestException, match="thingGroupArn and thingGroupName"):
        world.add_thing_to_thing_group(thingName="t")
    with pytest.raises(InvalidRequestException, match="thingArn and thingName"):
        world.add_thing_to_thing_group(thingGroupName="g")
    with pytest.raises(ResourceNotFoundException):
        world.add_thing_to_thing_group(thingGroupName="missing", thingName="t")
    with pytest.raises(ResourceNotFoundException):
        world.add_thing_to_thing_group(thingGroupName="g", thingName="missing")
    with pytest.raises(InvalidRequestException, match="does not match"):
        world.add_thing_to_thing_group(thingGroupName="g", thingGroupArn=GROUP_ARN + "other", thingName="t")
    with pytest.raises(ResourceNotFoundException):
        world.list_thing_groups_for_thing("missing")


def test_a_thing_belongs_to_at_most_ten_groups(world: World) -> None:
    world.create_thing("t")
    for index in range(11):
        world.create_thing_group(f"g{index}")
    for index in range(10):
        world.add_thing_to_thing_group(thingGroupName=f"g{index}", thingName="t")
    with pytest.raises(InvalidRequestException, match="10"):
        world.add_thing_to_thing_group(thingGroupName="g10", thingName="t")


def test_delete_group(world: World) -> None:
    world.create_thing("t")
    arn = world.create_thing_group("parent")["thingGroupArn"]
    world.create_thing_group("child", parentGroupName="parent")
    world.create_policy("p", allow())
    world.attach_policy("p", arn)
    world.add_thing_to_thing_group(thingGroupName="parent", thingName="t")
    with pytest.raises(InvalidRequestException, match="child groups"):
        world.delete_thing_group("parent")
    world.delete_thing_group("child")
    assert world.delete_thing_group("parent") == {}
    assert world.thing_group("parent") is None
    assert world.groups_of_thing("t") == ()
    assert world.policies_for_target(arn) == ()
    assert world.list_targets_for_policy("p") == {"targets": []}
    assert world.delete_thing_group("parent") == {}  # a missing group is not an error


def test_deleting_a_thing_removes_its_memberships(world: World) -> None:
    world.create_thing("t")
    world.create_thing_group("g")
    world.add_thing_to_thing_group(thingGroupName="g", thingName="t")
    world.delete_thing("t")
    assert world.list_things_in_thing_group("g") == {"things": []}
    assert world.groups_of_thing("t") == ()
