"""The state every part of the world shares: identity, ARNs, the lock and the indexes.

The world is split into one mixin per concern (policies, attachments, certificates, things, groups,
Cognito, authorizers, functions); they all read and write the tables declared here. Writers hold the one
re-entrant lock. The tables the services read hold frozen values and tuples that writers replace whole,
so those readers need no lock and never see a half-made change; the two reverse indexes that can grow
to a whole fleet (a policy's targets, a group's things) are ordered sets changed in place and read only
under the lock.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar

from boto_iotauth_local.errors import InvalidRequestException, ResourceNotFoundException
from boto_iotauth_local.world.arns import (
    ArnBuilder,
    PrincipalKind,
    partition_for_region,
    principal_kind,
    thing_group_name_from_arn,
    validate_account_and_region,
)
from boto_iotauth_local.world.audit_state import AuditState
from boto_iotauth_local.world.validation import check_string

if TYPE_CHECKING:
    from boto_iotauth_local.world.authorizers import Authorizer
    from boto_iotauth_local.world.ca_certificates import CACertificate
    from boto_iotauth_local.world.certificates import Certificate
    from boto_iotauth_local.world.cognito import CognitoIdentityPool
    from boto_iotauth_local.world.functions import FunctionSpec
    from boto_iotauth_local.world.groups import ThingGroup
    from boto_iotauth_local.world.policies import StoredPolicy
    from boto_iotauth_local.world.revocation import RevocationList
    from boto_iotauth_local.world.things import Thing, ThingType
    from boto_iotauth_local.world.weak_keys import WeakKeyList


class _WriteLock:
    """The writers' re-entrant lock; leaving the outermost hold counts one more version of the world.

    Anything computed from the world (a decided request, a resolved policy set) can be cached against
    ``World.version`` and is stale as soon as the number moves.
    """

    __slots__ = ("_depth", "_lock", "version")

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._depth = 0
        self.version = 0

    def __enter__(self) -> _WriteLock:
        self._lock.acquire()
        self._depth += 1
        return self

    def reading(self) -> AbstractContextManager[bool]:
        """Held by a reader that takes several looks which must agree: writers wait; no version counted."""
        return self._lock

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.version += 1
        self._lock.release()


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC, as botocore parses them."""
    return datetime.now(timezone.utc)


class WorldBase:
    """Identity and tables of one emulated IoT account in one region."""

    #: True when the readers' answers change only through this world's writers, so that ``version``
    #: can key caches. A world that reads live state kept elsewhere sets it False.
    version_tracks_state: ClassVar[bool] = True

    def __init__(
        self, account_id: str = "123456789012", region: str = "us-east-1", *, any_region: bool = False
    ) -> None:
        """``any_region``: accept any region name a botocore client accepts (``mars-1``, ``local``), not
        only the regions of AWS partitions; for a world standing in for a region AWS does not have."""
        validate_account_and_region(account_id, region, any_region=any_region)
        self.account_id = account_id
        self.region = region
        self.partition = partition_for_region(region)
        self.arns = ArnBuilder(self.partition, region, account_id)
        self._lock = _WriteLock()

        self._policies: dict[str, StoredPolicy] = {}
        #: target (certificate ARN, thing group ARN, Cognito id) -> policy names in attach order
        self._target_policies: dict[str, tuple[str, ...]] = {}
        #: policy name -> targets in attach order (a dict as an ordered set: one policy on a whole fleet
        #: must not make every attachment copy the list)
        self._policy_targets: dict[str, dict[str, None]] = {}

        self._certificates: dict[str, Certificate] = {}
        self._certificates_by_arn: dict[str, Certificate] = {}
        self._ca_certificates: dict[str, CACertificate] = {}
        self._revocation_lists: tuple[RevocationList, ...] = ()
        self._weak_key_lists: tuple[WeakKeyList, ...] = ()

        self._things: dict[str, Thing] = {}
        self._thing_types: dict[str, ThingType] = {}
        #: thing name -> (principal, thingPrincipalType) in attach order
        self._thing_principals: dict[str, tuple[tuple[str, str], ...]] = {}
        #: principal -> (thing name, thingPrincipalType) in attach order
        self._principal_things: dict[str, tuple[tuple[str, str], ...]] = {}

        self._groups: dict[str, ThingGroup] = {}
        #: group name -> member thing names; thing name -> group names (both in add order)
        self._group_things: dict[str, dict[str, None]] = {}
        self._thing_groups: dict[str, tuple[str, ...]] = {}

        self._cognito_pools: dict[str, CognitoIdentityPool] = {}

        self._authorizers: dict[str, Authorizer] = {}
        self._default_authorizer: str | None = None

        #: unqualified Lambda ARN -> function spec
        self._functions: dict[str, FunctionSpec] = {}

        #: Device Defender audit configuration, tasks and findings of this account and region.
        self.audit_state = AuditState()

    @property
    def version(self) -> int:
        """A number that changes whenever a writer has run: what caches of derived answers key on."""
        return self._lock.version

    def consistent(self) -> AbstractContextManager[bool]:
        """Hold writers off while several reads must see one state of the world (a request's policy
        names, then their documents); readers that take one look need no lock."""
        return self._lock.reading()

    def serves(self, account_id: str, region: str) -> bool:
        """Whether calls made for ``account_id`` in ``region`` are answered from this world."""
        return account_id == self.account_id and region == self.region

    def _require_target(self, target: str, member: str = "target", *, groups: bool = True) -> PrincipalKind:
        """Classify ``target`` and check that the certificate or thing group it names exists.

        ``groups=False`` is for thing principals, which are certificates or Cognito identities only.
        """
        check_string(target, member)
        kind = principal_kind(target)
        if kind is None or (kind == "thinggroup" and not groups):
            expected = "a certificate ARN, a thing group ARN" if groups else "a certificate ARN"
            raise InvalidRequestException(
                f"Invalid {member} {target!r}: expected {expected} or a Cognito identity id (<region>:<uuid>)"
            )
        if kind == "certificate" and target not in self._certificates_by_arn:
            raise ResourceNotFoundException(f"The certificate {target} does not exist")
        if kind == "thinggroup":
            name = thing_group_name_from_arn(target)
            group = self._groups.get(name) if name is not None else None
            if group is None or group.arn != target:
                raise ResourceNotFoundException(f"No thing group with ARN {target} exists")
        return kind

    def _forget_target(self, target: str) -> None:
        """Drop every policy attachment of ``target``, whose certificate or group is going. Hold the lock."""
        for name in self._target_policies.pop(target, ()):
            targets = self._policy_targets.get(name)
            if targets is not None:
                targets.pop(target, None)
                if not targets:
                    del self._policy_targets[name]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self.account_id!r}, region={self.region!r})"


def without(items: tuple[str, ...], item: str) -> tuple[str, ...]:
    return tuple(i for i in items if i != item)
