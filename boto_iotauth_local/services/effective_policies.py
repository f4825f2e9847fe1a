"""GetEffectivePolicies: the IoT policies that would apply to a device connecting with this identity.

The policies attached to the principal (a certificate, a Cognito identity, or a thing group with its
parents) and, given ``thingName``, those of every static group the thing is in with their parents: the
same sets TestAuthorization evaluates (A5, A6, A11), each with its default version's document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ResourceNotFoundException
from ..world import World
from .options import ServiceOptions
from .principals import classify_principal


def _group_policies(world: World, group: str) -> list[str]:
    names: list[str] = []
    for ancestor in world.group_ancestry(group):
        names.extend(world.policies_for_target(world.thing_group_arn(ancestor)))
    return names


def effective_policy_names(
    world: World,
    *,
    principal: str | None = None,
    cognito_identity_pool_id: str | None = None,
    thing_name: str | None = None,
) -> list[str]:
    """The names of the effective policies, in evaluation order, each once."""
    who = classify_principal(world, principal)
    if cognito_identity_pool_id is not None and world.cognito_pool(cognito_identity_pool_id) is None:
        raise ResourceNotFoundException(f"The identity pool {cognito_identity_pool_id} does not exist")
    names: list[str] = []
    if who.kind == "thing-group" and who.name is not None:
        names.extend(_group_policies(world, who.name))
    elif who.value is not None:
        names.extend(world.policies_for_target(who.value))
    if thing_name is not None:
        if world.thing(thing_name) is None:
            raise ResourceNotFoundException(f"The thing {thing_name} does not exist")
        for group in world.groups_of_thing(thing_name):
            names.extend(_group_policies(world, group))
    return list(dict.fromkeys(names))


def get_effective_policies(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    """The GetEffectivePolicies operation over validated request parameters."""
    names = effective_policy_names(
        world,
        principal=params.get("principal"),
        cognito_identity_pool_id=params.get("cognitoIdentityPoolId"),
        thing_name=params.get("thingName"),
    )
    policies: list[dict[str, str]] = []
    for name in names:
        stored = world.stored_policy(name)
        if stored is None:  # detached between the two reads
            continue
        policies.append(
            {"policyName": name, "policyArn": stored.arn, "policyDocument": stored.default_version.document}
        )
    return {"effectivePolicies": policies}
