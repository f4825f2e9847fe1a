"""Fleet questions work out only the context values a policy set reads: exactly what the full call gives."""

from __future__ import annotations

import datetime
import itertools

from boto_iotauth_local import World
from boto_iotauth_local.services.context import request_values
from boto_iotauth_local.services.principals import classify_principal, resolve_thing

ARN = "arn:aws:iot:us-east-1:123456789012"
NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


def _world() -> tuple[World, str]:
    world = World(account_id="123456789012", region="us-east-1")
    certificate = world.create_test_certificate(subject={"CommonName": "dev", "Organization": "Org"})
    arn = str(certificate["certificateArn"])
    world.create_thing_type(thingTypeName="sensor")
    world.create_thing(thingName="dev", thingTypeName="sensor", attributePayload={"attributes": {"a": "1"}})
    world.attach_thing_principal(thingName="dev", principal=arn)
    world.create_thing_group(thingGroupName="g")
    return world, arn


def test_only_gives_exactly_the_full_values_of_the_keys_asked_for() -> None:
    world, arn = _world()
    principals = [
        classify_principal(world, arn),
        classify_principal(world, f"{ARN}:thinggroup/g"),
        classify_principal(world, "us-east-1:0a1b2c3d-0000-0000-0000-000000000000"),
        classify_principal(world, None),
    ]
    for principal, client_id in itertools.product(principals, (None, "dev", "other")):
        thing = resolve_thing(world, principal, client_id)
        full = request_values(world, principal, client_id, thing, NOW)
        keys = sorted({key.lower() for key in full} | {"iot:connection.thing.attributes[b]", "aws:sourceip"})
        for size in (0, 1, 2):
            for chosen in itertools.combinations(keys, size):
                only = frozenset(chosen)
                got = request_values(world, principal, client_id, thing, NOW, only=only)
                want = {k: v for k, v in full.items() if k.lower() in only}
                assert got == want, (principal, client_id, only)
        assert request_values(world, principal, client_id, thing, NOW, only=frozenset(keys)) == full
