"""The TestAuthorization operation: validated request parameters in, the service's response members out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..engine.jsondata import EncodedObject
from ..errors import InvalidRequestException
from ..world import World
from .authorization import reused_policy_set, wire_answer
from .options import ServiceOptions


def test_authorization(world: World, params: Mapping[str, Any], options: ServiceOptions) -> Mapping[str, Any]:
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
    # Each answer is kept on its own (``wire_answer``): a response is joined from them, whether the request
    # repeats an earlier one or shares all but one of its authInfos with it.
    return EncodedObject.with_array(
        "authResults", [wire_answer(resolved, info["actionType"], info["resources"]) for info in auth_infos]
    )


test_authorization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
