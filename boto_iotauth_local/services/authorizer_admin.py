"""The custom-authorizer operations moto does not implement, answered from a world's authorizers.

Each operation passes its decoded request members to the World method of the same boto3 name, so the
validation, the stored shape and the errors are the World's, which follow AWS IoT's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..world import World
from .options import ServiceOptions


def _members(params: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: params[name] for name in names if params.get(name) is not None}


def create_authorizer(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    return world.create_authorizer(
        **_members(
            params,
            "authorizerName",
            "authorizerFunctionArn",
            "tokenKeyName",
            "tokenSigningPublicKeys",
            "status",
            "tags",
            "signingDisabled",
            "enableCachingForHttp",
        )
    )


def describe_authorizer(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    return world.describe_authorizer(params["authorizerName"])


def list_authorizers(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    return world.list_authorizers(**_members(params, "pageSize", "marker", "ascendingOrder", "status"))


def update_authorizer(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    return world.update_authorizer(
        **_members(
            params,
            "authorizerName",
            "authorizerFunctionArn",
            "tokenKeyName",
            "tokenSigningPublicKeys",
            "status",
            "enableCachingForHttp",
        )
    )


def delete_authorizer(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    return world.delete_authorizer(params["authorizerName"])


def set_default_authorizer(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    return world.set_default_authorizer(params["authorizerName"])


def describe_default_authorizer(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    return world.describe_default_authorizer()


def clear_default_authorizer(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    return world.clear_default_authorizer()
