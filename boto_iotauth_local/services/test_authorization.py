"""The TestAuthorization operation: validated request parameters in, the service's response members out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidRequestException
from ..world import World
from .authorization import authorize, reused_policy_set
from .options import ServiceOptions

_RESPONSES_PER_SET = 256


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
    key = tuple((info["actionType"], tuple(info["resources"])) for info in auth_infos)
    known = resolved.responses.get(key)
    if known is not None:
        return known  # the same object: the wire layer reuses its encoding
    response = {
        "authResults": [
            authorize(resolved, info["actionType"], info["resources"]).wire() for info in auth_infos
        ]
    }
    if len(resolved.responses) >= _RESPONSES_PER_SET:
        resolved.responses.clear()
    resolved.responses[key] = response
    return response


test_authorization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
