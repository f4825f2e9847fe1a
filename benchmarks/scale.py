"""The scale world of the benchmarks: 100,000 certificates and things, 10,000 policies, 1,000 groups.

Certificates are generated once and kept in a cache file under the temporary directory, so that the
timed build measures what a user pays to load a fleet (parse, index, compile), not X.509 signing.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import boto3

from boto_iotauth_local import World, activate
from boto_iotauth_local.world import generate_certificate

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def certificate_pems(count: int) -> list[str]:
    cache = Path(tempfile.gettempdir()) / f"boto_iotauth_local-bench-certs-{count}.json"
    if cache.exists():
        return list(json.loads(cache.read_text()))
    pems = []
    for index in range(count):
        made = generate_certificate(subject={"CommonName": f"thing-{index:05d}", "Organization": "Fleet"})
        pems.append(made.certificate_pem)
    cache.write_text(json.dumps(pems))
    return pems


def policy(index: int) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Connect",
                    "Resource": f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
                    "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
                },
                {
                    "Effect": "Allow",
                    "Action": ["iot:Publish", "iot:Receive"],
                    "Resource": f"{ARN}:topic/fleet/${{iot:Connection.Thing.ThingName}}/*",
                },
                {
                    "Effect": "Deny",
                    "Action": "iot:Publish",
                    "Resource": f"{ARN}:topic/fleet/*/firmware{index}",
                },
            ],
        }
    )


def build_scale_world(certificates: int, things: int, policies: int, groups: int) -> tuple[World, str]:
    pems = certificate_pems(certificates)
    world = World(account_id=ACCOUNT, region=REGION)
    for index in range(policies):
        world.create_policy(policyName=f"Policy{index:05d}", policyDocument=policy(index))
    for index in range(groups):
        parent = f"group-{index // 10:04d}" if index >= 10 else None
        world.create_thing_group(thingGroupName=f"group-{index:04d}", parentGroupName=parent)
    for index in range(min(groups, 2 * 1_000)):
        world.attach_policy(
            policyName=f"Policy{index % policies:05d}", target=f"{ARN}:thinggroup/group-{index:04d}"
        )
    sample = ""
    for index in range(things):
        name = f"thing-{index:05d}"
        world.create_thing(thingName=name, attributePayload={"attributes": {"rack": str(index % 100)}})
        if index < certificates:
            arn = world.register_certificate_without_ca(certificatePem=pems[index], status="ACTIVE")[
                "certificateArn"
            ]
            world.attach_thing_principal(thingName=name, principal=arn)
            world.attach_policy(policyName=f"Policy{index % policies:05d}", target=arn)
            if index == min(42, certificates - 1):
                sample = arn
        world.add_thing_to_thing_group(thingGroupName=f"group-{index % groups:04d}", thingName=name)
    return world, sample


def per_call_latency(world: World, principal: str, number: int = 300) -> float:
    """Best-of-5 seconds per test_authorization call through boto3 for the sample thing."""
    client = boto3.client("iot", region_name=REGION)
    thing = world.things_for_principal(principal)[0][0]
    params = {
        "principal": principal,
        "clientId": thing,
        "authInfos": [
            {"actionType": "CONNECT", "resources": [f"{ARN}:client/{thing}"]},
            {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/fleet/{thing}/telemetry"]},
        ],
    }
    with activate(world):
        for _ in range(20):
            client.test_authorization(**params)
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(number):
                client.test_authorization(**params)
            best = min(best, (time.perf_counter() - start) / number)
    return best


def thing_policy() -> str:
    """One policy for the whole fleet, keyed on the thing name."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Connect",
                    "Resource": f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
                },
                {
                    "Effect": "Allow",
                    "Action": ["iot:Publish", "iot:Receive"],
                    "Resource": f"{ARN}:topic/fleet/${{iot:Connection.Thing.ThingName}}/*",
                },
            ],
        }
    )


def group_policy(index: int) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Subscribe",
                    "Resource": f"{ARN}:topicfilter/group{index}/*",
                },
                {
                    "Effect": "Deny",
                    "Action": "iot:Publish",
                    "Resource": f"{ARN}:topic/fleet/*/firmware{index}",
                },
            ],
        }
    )


def build_fleet_world(devices: int = 20_000, groups: int = 50) -> World:
    """Each certificate attached to its own thing, one policy keyed on the thing name for every
    certificate, and one policy on each of ``groups`` thing groups that hold the things."""
    pems = certificate_pems(100_000)[:devices]
    world = World(account_id=ACCOUNT, region=REGION)
    world.create_policy(policyName="ThingPolicy", policyDocument=thing_policy())
    for index in range(groups):
        world.create_thing_group(thingGroupName=f"group-{index:02d}")
        world.create_policy(policyName=f"GroupPolicy{index:02d}", policyDocument=group_policy(index))
        world.attach_policy(
            policyName=f"GroupPolicy{index:02d}", target=f"{ARN}:thinggroup/group-{index:02d}"
        )
    for index in range(devices):
        name = f"thing-{index:05d}"
        world.create_thing(thingName=name)
        arn = world.register_certificate_without_ca(certificatePem=pems[index], status="ACTIVE")[
            "certificateArn"
        ]
        world.attach_thing_principal(thingName=name, principal=arn)
        world.attach_policy(policyName="ThingPolicy", target=arn)
        world.add_thing_to_thing_group(thingGroupName=f"group-{index % groups:02d}", thingName=name)
    return world
