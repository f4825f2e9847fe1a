"""The TestAuthorization operation: validated request parameters in, the service's response members out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..caches import OBJECT_BYTES, ByteBoundedCache, text_bytes
from ..engine.jsondata import EncodedObject
from ..errors import InvalidRequestException
from ..world import World
from .authorization import authorize, reused_policy_set
from .options import ServiceOptions

#: Whole responses by (the policy set's serial, authInfos). The service hands back the same object for a
#: repeated request. Entries do not hold the set: a set no longer used ages out with them.
_RESPONSES: ByteBoundedCache[tuple[object, ...], EncodedObject] = ByteBoundedCache("services.responses")


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
    infos = tuple((info["actionType"], tuple(info["resources"])) for info in auth_infos)
    key = (resolved.serial, infos)
    known = _RESPONSES.get(key)
    if known is not None:
        return known
    results = [authorize(resolved, info["actionType"], info["resources"]) for info in auth_infos]
    response = EncodedObject.with_array(
        "authResults", [r.wire() for r in results], [r.wire_json() for r in results]
    )
    size = text_bytes(*(resource for _, resources in infos for resource in resources))
    _RESPONSES.put(key, response, size + len(response.encoded) + OBJECT_BYTES * len(infos))
    return response


test_authorization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
