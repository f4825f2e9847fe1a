"""The TestAuthorization operation: validated request parameters in, the service's response members out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestException
from ..world import World
from .authorization import authorize, reused_policy_set
from .options import ServiceOptions


def test_authorization(world: World, params: Mapping[str, Any], options: ServiceOptions) -> dict[str, Any]:
    auth_infos = params["authInfos"]
    for index, info in enumerate(auth_infos, start=1):
        # actionType is optional in the model, but without it there is nothing to decide.
        if info.get("actionType") is None:
            raise InvalidRequestException(
                f"1 validation error detected: Value null at 'authInfos.{index}.member.actionType' "
                "failed to satisfy constraint: Member must not be null"
            )
    resolved = reused_policy_set(
        world,
        principal=params.get("principal"),
        cognito_identity_pool_id=params.get("cognitoIdentityPoolId"),
        client_id=params.get("clientId"),
        policy_names_to_add=params.get("policyNamesToAdd") or (),
        policy_names_to_skip=params.get("policyNamesToSkip") or (),
    )
    return {
        "authResults": [
            authorize(resolved, info["actionType"], info["resources"]).to_dict() for info in auth_infos
        ]
    }


test_authorization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
