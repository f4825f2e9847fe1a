"""World identity: account and region checks, partitions, ARNs and principal forms."""

from __future__ import annotations

import pytest

from boto_iotauth_local.world import World, partition_for_region, principal_kind
from boto_iotauth_local.world.arns import thing_group_name_from_arn, thing_name_from_arn


@pytest.mark.parametrize(
    ("region", "partition"),
    [("us-east-1", "aws"), ("eu-west-2", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_partition_follows_region(region: str, partition: str) -> None:
    assert partition_for_region(region) == partition
    world = World(region=region)
    assert world.partition == partition
    assert world.policy_arn("p") == f"arn:{partition}:iot:{region}:123456789012:policy/p"


@pytest.mark.parametrize("account", ["12345678901", "1234567890123", "abcdefghijkl", ""])
def test_bad_account_id_is_a_value_error(account: str) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        World(account_id=account)


@pytest.mark.parametrize("region", ["useast1", "US-EAST-1", "us-east", "", "us_east_1"])
def test_bad_region_is_a_value_error(region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        World(region=region)


def test_serves_only_its_own_account_and_region() -> None:
    world = World(account_id="111122223333", region="eu-central-1")
    assert world.serves("111122223333", "eu-central-1")
    assert not world.serves("111122223333", "us-east-1")
    assert not world.serves("123456789012", "eu-central-1")


def test_arns_use_account_and_region() -> None:
    world = World(account_id="111122223333", region="ap-southeast-2")
    assert world.arns.certificate("ab") == "arn:aws:iot:ap-southeast-2:111122223333:cert/ab"
    assert world.arns.thing_group("g") == "arn:aws:iot:ap-southeast-2:111122223333:thinggroup/g"
    assert world.arns.authorizer("a") == "arn:aws:iot:ap-southeast-2:111122223333:authorizer/a"
    assert world.arns.iam_policy("r") == "arn:aws:iam::111122223333:policy/r"
    assert world.arns.lambda_function("f") == "arn:aws:lambda:ap-southeast-2:111122223333:function:f"


@pytest.mark.parametrize(
    ("principal", "kind"),
    [
        ("arn:aws:iot:us-east-1:123456789012:cert/" + "a" * 64, "certificate"),
        ("arn:aws-cn:iot:cn-north-1:123456789012:cert/x", "certificate"),
        ("arn:aws:iot:us-east-1:123456789012:thinggroup/g1", "thinggroup"),
        ("us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed", "cognito"),
        ("arn:aws:iot:us-east-1:123456789012:thing/t", None),
        ("us-east-1:not-a-uuid", None),
        ("", None),
    ],
)
def test_principal_kind(principal: str, kind: str | None) -> None:
    assert principal_kind(principal) == kind


def test_names_from_arns() -> None:
    assert thing_group_name_from_arn("arn:aws:iot:us-east-1:123456789012:thinggroup/g") == "g"
    assert thing_group_name_from_arn("arn:aws:iot:us-east-1:123456789012:thing/g") is None
    assert thing_name_from_arn("arn:aws:iot:us-east-1:123456789012:thing/t") == "t"
    assert thing_name_from_arn("t") is None
