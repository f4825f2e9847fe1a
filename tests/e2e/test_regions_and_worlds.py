"""Which world answers a client: regions of every partition, regions AWS does not have, no world at all.

A client whose region no given world serves gets an empty world's answer (AWS has nothing there either),
and the errors that arise say which regions the given worlds serve, or that no world was given.
"""

from __future__ import annotations

import threading
import warnings
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from boto_iotauth_local import World, activate
from boto_iotauth_local.world import partition_for_region

from .conftest import allow, doc

CONNECT = [{"actionType": "CONNECT", "resources": ["arn:aws:iot:us-east-1:123456789012:client/c"]}]
NO_RETRIES = Config(retries={"mode": "standard", "max_attempts": 1})


def client_in(region: str) -> Any:
    return boto3.client("iot", region_name=region, config=NO_RETRIES)


def open_world(region: str = "us-east-1") -> World:
    world = World(region=region)
    world.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    return world


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
        ("mars-1", "aws"),  # botocore's default partition for a region none has
    ],
)
def test_partitions_come_from_botocores_data(region: str, partition: str) -> None:
    needs_partition(partition)
    assert partition_for_region(region) == partition


def needs_partition(partition: str) -> None:
    """Older botocore releases (the dependency floor) lack the newest partitions in their data."""
    from botocore.loaders import create_loader

    known = {p["id"] for p in create_loader().load_data("partitions")["partitions"]}
    if partition not in known:
        pytest.skip(f"this botocore's partition data has no {partition} partition")


@pytest.mark.parametrize("region", ["us-iso-east-1", "eusc-de-east-1", "cn-north-1"])
def test_worlds_in_every_partition_answer_with_their_partitions_arns(region: str) -> None:
    needs_partition({"us-iso-east-1": "aws-iso", "eusc-de-east-1": "aws-eusc"}.get(region, "aws-cn"))
    world = open_world(region)
    with activate(world):
        result = client_in(region).test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    (policy,) = result["authResults"][0]["allowed"]["policies"]
    assert policy["policyArn"] == f"arn:{partition_for_region(region)}:iot:{region}:123456789012:policy/Open"


@pytest.mark.parametrize("region", ["eusc-de-east-1", "mars-1", "local", "us-iso-east-1"])
def test_a_client_in_a_region_no_world_serves_gets_an_empty_worlds_answer(region: str) -> None:
    client = client_in(region)
    with activate(open_world("us-east-1")) as handle:
        response = client.test_authorization(authInfos=CONNECT)
        assert response["authResults"][0]["authDecision"] == "IMPLICIT_DENY"
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
        with pytest.raises(client.exceptions.ResourceNotFoundException) as unknown_authorizer:
            client.test_invoke_authorizer(authorizerName="Missing", token="t")
    message = caught.value.response["Error"]["Message"]
    assert message.startswith("The policy Open in policyNamesToAdd does not exist")
    assert f"no world given to activate() serves region '{region}'" in message
    assert "the worlds given serve us-east-1" in message
    assert "serve us-east-1" in unknown_authorizer.value.response["Error"]["Message"]
    assert [c.region for c in handle.calls] == [region] * 3  # answered once each: no retried 500


def test_a_world_filled_in_through_the_handle_gives_no_hint() -> None:
    handle = activate(open_world("us-east-1"))
    handle.world_for("eu-west-1").create_policy(policyName="Other", policyDocument=doc(allow("iot:*", "*")))
    client = client_in("eu-west-1")
    with handle, pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    assert caught.value.response["Error"]["Message"] == "The policy Open in policyNamesToAdd does not exist"


def test_no_world_and_no_moto_warns_once_and_errors_say_so() -> None:
    client = client_in("us-east-1")
    with warnings.catch_warnings(record=True) as caught_warnings, activate():
        warnings.simplefilter("always")
        client.test_authorization(authInfos=CONNECT)
        with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
            client.test_authorization(authInfos=CONNECT, policyNamesToAdd=["Open"])
    assert [str(w.message) for w in caught_warnings if "no world" in str(w.message)] == [
        "activate() was given no world and moto.mock_aws is not active: calls are answered from empty "
        "worlds (pass activate(world), or start moto.mock_aws first)"
    ]
    assert "activate() was given no world" in caught.value.response["Error"]["Message"]


def test_activate_used_bare_as_a_decorator() -> None:
    @activate
    def decide() -> str:
        response = client_in("us-east-1").test_authorization(authInfos=CONNECT)
        return str(response["authResults"][0]["authDecision"])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert decide() == "IMPLICIT_DENY"


@pytest.mark.parametrize("path", ["world.yaml", Path("world.yaml"), b"world.yaml"])
def test_a_path_given_to_activate_points_to_world_from_file(path: Any) -> None:
    with pytest.raises(TypeError, match=r"World\.from_file"):
        activate(path)


@pytest.mark.parametrize("region", ["useast1", "US-EAST-1", "us-east", "mars-1"])
def test_a_world_refuses_a_region_no_partition_has(region: str) -> None:
    with pytest.raises(ValueError, match="region"):
        World(region=region)


def test_a_world_for_any_region_a_client_accepts() -> None:
    assert World(region="local", any_region=True).policy_arn("p") == "arn:aws:iot:local:123456789012:policy/p"
    with pytest.raises(ValueError, match="region"):
        World(region="not a host label", any_region=True)


# -- hole 11: writers racing with a call ------------------------------------------------------------


class WriterInTheMiddle(World):
    """Lets another thread detach and delete a policy right after a call has read the names attached."""

    def __init__(self) -> None:
        super().__init__()
        self.victim: tuple[str, str] | None = None
        self.writer_finished: bool | None = None
        self.writer: threading.Thread | None = None

    def policies_for_target(self, target: str) -> tuple[str, ...]:
        names = super().policies_for_target(target)
        if self.victim is not None and target == self.victim[1]:
            name, certificate = self.victim
            self.victim = None

            def write() -> None:
                self.detach_policy(policyName=name, target=certificate)
                self.delete_policy(policyName=name)

            writer = self.writer = threading.Thread(target=write)
            writer.start()
            writer.join(0.5)  # a writer that cannot get in while the call reads is the point
            self.writer_finished = not writer.is_alive()
        return names


def test_a_policy_detached_and_deleted_while_a_call_reads_the_world() -> None:
    world = WriterInTheMiddle()
    world.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    world.create_policy(policyName="Temp", policyDocument=doc(allow("iot:Connect", "*")))
    certificate = world.create_test_certificate(subject={"CommonName": "racer"})["certificateArn"]
    world.attach_policy(policyName="Open", target=certificate)
    world.attach_policy(policyName="Temp", target=certificate)
    world.victim = ("Temp", certificate)
    client = client_in("us-east-1")
    with activate(world):
        response = client.test_authorization(principal=certificate, authInfos=CONNECT)
        # The call saw the world as it was when it began to read it: both policies.
        assert [p["policyName"] for p in response["authResults"][0]["allowed"]["policies"]] == [
            "Open",
            "Temp",
        ]
        assert world.writer_finished is False and world.writer is not None
        world.writer.join(10)  # it got in once the call had read what it needed
        after = client.test_authorization(principal=certificate, authInfos=CONNECT)
    assert [p["policyName"] for p in after["authResults"][0]["allowed"]["policies"]] == ["Open"]
    assert not world.has_policy("Temp")


def test_the_no_world_warning_as_an_error_does_not_break_the_call() -> None:
    client = client_in("us-east-1")
    with warnings.catch_warnings(), activate():
        warnings.simplefilter("error")
        response = client.test_authorization(authInfos=CONNECT)
    assert response["authResults"][0]["authDecision"] == "IMPLICIT_DENY"
