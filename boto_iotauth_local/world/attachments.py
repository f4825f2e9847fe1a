"""Which policies are attached to which targets (certificates, thing groups, Cognito identities).

The index is kept both ways and in attach order: the services read ``policies_for_target`` on every
call, and ``DeletePolicy`` needs to know whether a policy is attached anywhere.
"""

from __future__ import annotations

from typing import Any

from boto_iotauth_local.errors import LimitExceededException, ResourceNotFoundException
from boto_iotauth_local.world.arns import thing_group_name_from_arn
from boto_iotauth_local.world.base import WorldBase, without
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import check_policy_name

#: "You can attach a maximum number of two policies to a group." (thing-groups developer guide)
MAX_POLICIES_PER_GROUP = 2
#: Policies per certificate or Cognito identity (AWS IoT Core quota).
MAX_POLICIES_PER_PRINCIPAL = 10


class AttachmentOperations(WorldBase):
    """AttachPolicy, DetachPolicy and their list calls."""

    # ----------------------------------------------------------------------------------------- readers

    def policies_for_target(self, target: str) -> tuple[str, ...]:
        """Names of the policies attached to ``target``, in attach order (empty when none)."""
        return self._target_policies.get(target, ())

    def policy_targets(self) -> tuple[str, ...]:
        """Every target with at least one policy attached, in first-attach order (a snapshot)."""
        return tuple(self._target_policies)

    # ----------------------------------------------------------------------------------------- writers

    def attach_policy(self, policyName: str, target: str) -> dict[str, Any]:
        """Attach a policy to a certificate ARN, a thing group ARN or a Cognito identity id."""
        check_policy_name(policyName)
        with self._lock:
            kind = self._require_target(target)
            if policyName not in self._policies:
                raise ResourceNotFoundException(f"Policy {policyName} does not exist")
            attached = self._target_policies.get(target, ())
            if policyName in attached:
                return {}
            limit = MAX_POLICIES_PER_GROUP if kind == "thinggroup" else MAX_POLICIES_PER_PRINCIPAL
            if len(attached) >= limit:
                raise LimitExceededException(
                    f"The target {target} already has the maximum number of attached policies ({limit})"
                )
            self._target_policies[target] = (*attached, policyName)
            self._policy_targets.setdefault(policyName, {})[target] = None
        return {}

    def attach_principal_policy(self, policyName: str, principal: str) -> dict[str, Any]:
        """The deprecated spelling of :meth:`attach_policy`."""
        check_policy_name(policyName)
        with self._lock:
            self._require_target(principal, "principal")
            return self.attach_policy(policyName, principal)

    def detach_policy(self, policyName: str, target: str) -> dict[str, Any]:
        check_policy_name(policyName)
        with self._lock:
            self._require_target(target)
            if policyName not in self._policies:
                raise ResourceNotFoundException(f"Policy {policyName} does not exist")
            attached = self._target_policies.get(target, ())
            if policyName not in attached:
                raise ResourceNotFoundException(f"Policy {policyName} is not attached to {target}")
            remaining = without(attached, policyName)
            if remaining:
                self._target_policies[target] = remaining
            else:
                del self._target_policies[target]
            targets = self._policy_targets.get(policyName, {})
            targets.pop(target, None)
            if not targets:
                self._policy_targets.pop(policyName, None)
        return {}

    def detach_principal_policy(self, policyName: str, principal: str) -> dict[str, Any]:
        """The deprecated spelling of :meth:`detach_policy`."""
        check_policy_name(policyName)
        with self._lock:
            self._require_target(principal, "principal")
            return self.detach_policy(policyName, principal)

    def list_attached_policies(
        self,
        target: str,
        recursive: bool = False,
        marker: str | None = None,
        pageSize: int | None = None,
    ) -> dict[str, Any]:
        """Policies attached to ``target``; with ``recursive`` a thing group's ancestors' policies too."""
        with self._lock:
            kind = self._require_target(target)
            names = list(self._target_policies.get(target, ()))
            if recursive and kind == "thinggroup":
                group_name = thing_group_name_from_arn(target)
                assert group_name is not None
                for ancestor in self._groups[group_name].ancestry[1:]:
                    for name in self._target_policies.get(self._groups[ancestor].arn, ()):
                        if name not in names:
                            names.append(name)
            page, next_marker = paginate(names, page_size=pageSize, marker=marker)
            result: dict[str, Any] = {
                "policies": [{"policyName": n, "policyArn": self._policies[n].arn} for n in page]
            }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result

    def list_principal_policies(
        self,
        principal: str,
        marker: str | None = None,
        pageSize: int | None = None,
        ascendingOrder: bool = True,
    ) -> dict[str, Any]:
        """The deprecated ListPrincipalPolicies: policies attached to ``principal``."""
        with self._lock:
            self._require_target(principal, "principal")
            names = sorted(self._target_policies.get(principal, ()), reverse=not ascendingOrder)
            page, next_marker = paginate(names, page_size=pageSize, marker=marker)
            result: dict[str, Any] = {
                "policies": [{"policyName": n, "policyArn": self._policies[n].arn} for n in page]
            }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result

    def list_targets_for_policy(
        self, policyName: str, marker: str | None = None, pageSize: int | None = None
    ) -> dict[str, Any]:
        check_policy_name(policyName)
        with self._lock:
            if policyName not in self._policies:
                raise ResourceNotFoundException(f"Policy {policyName} does not exist")
            page, next_marker = paginate(
                tuple(self._policy_targets.get(policyName, ())), page_size=pageSize, marker=marker
            )
        result: dict[str, Any] = {"targets": page}
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result
