"""Cognito identity pools, reduced to what AWS IoT authorization reads: their role policies.

For ``TestAuthorization`` with ``cognitoIdentityPoolId``, the pool's unauthenticated role policies apply
(or the authenticated ones, ANDed with the IoT policies, when a Cognito principal is given too). Those are
IAM policies, so they are parsed with the IAM dialect, once, when the pool is created.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from boto_iotauth_local.engine import Policy
from boto_iotauth_local.errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world.base import WorldBase
from boto_iotauth_local.world.policies import IAM_POLICY_MAX_CHARS, compile_document
from boto_iotauth_local.world.validation import check_policy_name, check_string

#: Cognito's IdentityPoolId pattern (``<region>:<guid>``).
IDENTITY_POOL_ID = r"[\w-]+:[0-9a-f-]+"


@dataclass(frozen=True)
class RolePolicy:
    """One IAM policy of a pool role, by name, with its IAM ARN and compiled form."""

    name: str
    arn: str
    document: str
    policy: Policy = field(compare=False, repr=False)


@dataclass(frozen=True)
class CognitoIdentityPool:
    """A Cognito identity pool's authenticated and unauthenticated role policies."""

    pool_id: str
    authenticated_policies: tuple[RolePolicy, ...]
    unauthenticated_policies: tuple[RolePolicy, ...]


class CognitoOperations(WorldBase):
    """Cognito identity pools, defined by their role policies."""

    #: Whether ``cognito_pool`` gives the pools' real role policies (a source that cannot read them,
    #: such as moto, sets it False, so that nothing reads "no policies" as "nothing allowed").
    cognito_roles_known: ClassVar[bool] = True

    def cognito_pool(self, pool_id: str) -> CognitoIdentityPool | None:
        """The identity pool ``pool_id``, or None."""
        return self._cognito_pools.get(pool_id)

    def all_cognito_pools(self) -> tuple[CognitoIdentityPool, ...]:
        """Every identity pool, in creation order."""
        return tuple(self._cognito_pools.values())

    def _role_policies(
        self, policies: Mapping[str, str | Mapping[str, Any]] | None
    ) -> tuple[RolePolicy, ...]:
        if policies is None:
            return ()
        if not isinstance(policies, Mapping):
            raise InvalidRequestException("Role policies must be a mapping of policy name to policy document")
        compiled: list[RolePolicy] = []
        for name, document in policies.items():
            check_policy_name(name, "policyName")
            text, policy = compile_document(document, dialect="iam", max_chars=IAM_POLICY_MAX_CHARS)
            compiled.append(RolePolicy(name, self.arns.iam_policy(name), text, policy))
        return tuple(compiled)

    def create_cognito_identity_pool(
        self,
        identityPoolId: str,
        *,
        authenticatedPolicies: Mapping[str, str | Mapping[str, Any]] | None = None,
        unauthenticatedPolicies: Mapping[str, str | Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Define an identity pool by the IAM policies of its authenticated and unauthenticated roles."""
        check_string(identityPoolId, "identityPoolId", max_len=55, pattern=IDENTITY_POOL_ID)
        pool = CognitoIdentityPool(
            pool_id=identityPoolId,
            authenticated_policies=self._role_policies(authenticatedPolicies),
            unauthenticated_policies=self._role_policies(unauthenticatedPolicies),
        )
        with self._lock:
            if identityPoolId in self._cognito_pools:
                raise ResourceAlreadyExistsException(
                    f"Identity pool {identityPoolId} already exists", resourceId=identityPoolId
                )
            self._cognito_pools[identityPoolId] = pool
        return _describe(pool)

    def describe_cognito_identity_pool(self, identityPoolId: str) -> dict[str, Any]:
        pool = self._cognito_pools.get(identityPoolId)
        if pool is None:
            raise ResourceNotFoundException(f"Identity pool {identityPoolId} does not exist")
        return _describe(pool)

    def delete_cognito_identity_pool(self, identityPoolId: str) -> dict[str, Any]:
        with self._lock:
            if self._cognito_pools.pop(identityPoolId, None) is None:
                raise ResourceNotFoundException(f"Identity pool {identityPoolId} does not exist")
        return {}


def _describe(pool: CognitoIdentityPool) -> dict[str, Any]:
    return {
        "identityPoolId": pool.pool_id,
        "authenticatedPolicies": [
            {"policyName": p.name, "policyArn": p.arn} for p in pool.authenticated_policies
        ],
        "unauthenticatedPolicies": [
            {"policyName": p.name, "policyArn": p.arn} for p in pool.unauthenticated_policies
        ],
    }
