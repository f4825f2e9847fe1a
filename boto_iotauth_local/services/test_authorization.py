"""The TestAuthorization operation: validated request parameters in, the service's response members out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..caches import OBJECT_BYTES, ByteBoundedCache, text_bytes
from ..engine.jsondata import EncodedObject
from ..errors import InvalidRequestException
from ..world import World
from .authorization import reused_policy_set, wire_answer
from .options import ServiceOptions

#: Whole responses, encoded, by (the policy set's serial, authInfos), from their second time. Entries do not
#: hold the set: a set no longer used ages out with them.
_RESPONSES: ByteBoundedCache[tuple[object, ...], bytes] = ByteBoundedCache(
    "services.responses", second_sight=True
)


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
    infos = tuple((info["actionType"], tuple(info["resources"])) for info in auth_infos)
    key = (resolved.serial, infos)
    known = _RESPONSES.get(key)
    if known is None:
        known = EncodedObject.with_array(
            "authResults", [wire_answer(resolved, action_type, resources) for action_type, resources in infos]
        ).encoded
        size = text_bytes(*(resource for _, resources in infos for resource in resources))
        _RESPONSES.put(key, known, size + len(known) + OBJECT_BYTES * len(infos))
    return EncodedObject(known)


test_authorization.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
