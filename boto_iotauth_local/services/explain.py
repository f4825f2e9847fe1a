"""The Python-side question behind TestAuthorization: what is decided, and why."""

from __future__ import annotations

from collections.abc import Sequence

from ..arguments import strings
from ..world import World
from .authorization import AuthResult, authorize, policy_set


def explain_authorization(
    world: World,
    action_type: str,
    resources: str | Sequence[str],
    *,
    principal: str | None = None,
    client_id: str | None = None,
    cognito_identity_pool_id: str | None = None,
    policy_names_to_add: Sequence[str] = (),
    policy_names_to_skip: Sequence[str] = (),
) -> AuthResult:
    """Decide one authInfo exactly as TestAuthorization would, keeping every statement's reasons.

    ``str(result)`` reads as a report; ``result.to_dict()`` is the service's AuthResult; the per-resource
    engine decisions are in ``result.decisions``. Raises the same ServiceError the service would.
    """
    listed = list(strings(resources, "resources", one_allowed=True))
    resolved = policy_set(
        world,
        principal=principal,
        cognito_identity_pool_id=cognito_identity_pool_id,
        client_id=client_id,
        policy_names_to_add=strings(policy_names_to_add, "policy_names_to_add"),
        policy_names_to_skip=strings(policy_names_to_skip, "policy_names_to_skip"),
    )
    return authorize(resolved, action_type, listed, explain=True)
