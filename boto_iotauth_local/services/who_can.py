"""Who may do an action on a resource: TestAuthorization asked for every principal of the world at once.

AWS has no call for this fleet question; answering it against AWS means one TestAuthorization per principal.
Here every principal of the world is decided with TestAuthorization's own rules (``policy_set`` and
``authorize``), so each row is exactly what that call would answer for it:

- each certificate, with no clientId (its ``EXCLUSIVE_THING``, if it has exactly one, is resolved);
- for each thing attached to a certificate, that certificate with ``clientId`` = the thing's name;
- each thing group (its own and its ancestors' policies);
- each Cognito identity with policies attached, and with each thing attached to it.

Cost: a fleet of 100,000 devices shares a handful of policy sets. Per distinct policy set the keys its
statements read for the action are found once; each principal's request context keeps only those, and
principals whose policy set and read values are equal share one decision. A policy without variables is
therefore decided once for the whole fleet, and one keyed on the thing name once per thing.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..arguments import strings
from ..engine import Policy, RequestContext
from ..errors import InvalidRequestException
from ..world import World
from ..world.arns import principal_kind
from .authorization import ACTIONS, AuthDecision, decide_auth_info
from .context import request_values
from .principals import Principal, resolve_thing

AccessKind = Literal["certificate", "thing", "thing-group", "cognito-identity"]
_Outcome = tuple[AuthDecision, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Access:
    """One principal's decision, as TestAuthorization would answer it for that principal alone."""

    #: ``certificate`` (no clientId), ``thing`` (a certificate or Cognito identity with clientId = the
    #: thing's name), ``thing-group`` or ``cognito-identity`` (no clientId).
    kind: AccessKind
    #: The TestAuthorization ``principal``: certificate ARN, thing group ARN or Cognito identity id.
    principal: str
    #: A readable name: the thing's or group's name, a certificate's world-file label (else its id).
    name: str
    client_id: str | None
    #: The thing TestAuthorization resolved (clientId's thing, else an EXCLUSIVE_THING), if any.
    thing: str | None
    auth_decision: AuthDecision
    #: Policies that allowed (they decide when ALLOWED) and that explicitly denied.
    allowed_by: tuple[str, ...]
    denied_by: tuple[str, ...]
    missing_context_values: tuple[str, ...]
    #: ACTIVE, INACTIVE, REVOKED...: TestAuthorization ignores it, a fleet question should not.
    certificate_status: str | None = None

    @property
    def allowed(self) -> bool:
        return self.auth_decision == "ALLOWED"

    def to_dict(self) -> dict[str, Any]:
        """Stable keys, in camelCase like the service's own members."""
        return {
            "kind": self.kind,
            "name": self.name,
            "principal": self.principal,
            "clientId": self.client_id,
            "thing": self.thing,
            "authDecision": self.auth_decision,
            "allowedBy": list(self.allowed_by),
            "deniedBy": list(self.denied_by),
            "missingContextValues": list(self.missing_context_values),
            "certificateStatus": self.certificate_status,
        }


@dataclass(frozen=True)
class WhoCan:
    """Every principal's decision for one action on some resources; ``allowed`` is the usual question."""

    action_type: str
    resources: tuple[str, ...]
    entries: tuple[Access, ...]

    @property
    def allowed(self) -> tuple[Access, ...]:
        """The principals that may do it, in world order."""
        return tuple(entry for entry in self.entries if entry.auth_decision == "ALLOWED")

    def __iter__(self) -> Iterator[Access]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def to_dict(self, *, everyone: bool = False) -> dict[str, Any]:
        """``results`` lists the allowed principals, or every decision with ``everyone``."""
        shown = self.entries if everyone else self.allowed
        return {
            "actionType": self.action_type,
            "resources": list(self.resources),
            "evaluated": len(self.entries),
            "allowedCount": len(self.allowed),
            "results": [entry.to_dict() for entry in shown],
        }

    def __str__(self) -> str:
        from ..render.text import who_can_text

        return who_can_text(self)

    def _repr_html_(self) -> str:
        from ..render.html import who_can_html

        return who_can_html(self)


@dataclass
class _Asker:
    """The per-question caches: group policies, per-policy-set facts, and shared decisions."""

    world: World
    action_type: str
    resources: list[str]
    now: datetime.datetime
    group_names: dict[tuple[str, ...], tuple[str, ...]]
    sets: dict[tuple[str, ...], tuple[list[tuple[str, Policy]], frozenset[str]]]
    #: (policy names, read values) -> (decision, allowed by, denied by, missing context values)
    decided: dict[tuple[Any, ...], _Outcome]

    def groups_policies(self, groups: tuple[str, ...]) -> tuple[str, ...]:
        """Policies of the groups and their ancestors, as ``policy_set`` collects them (A5)."""
        found = self.group_names.get(groups)
        if found is None:
            names: list[str] = []
            for group in groups:
                for ancestor in self.world.group_ancestry(group):
                    names.extend(self.world.policies_for_target(self.world.thing_group_arn(ancestor)))
            found = self.group_names[groups] = tuple(names)
        return found

    def policy_facts(self, names: tuple[str, ...]) -> tuple[list[tuple[str, Policy]], frozenset[str]]:
        """The (name, policy) pairs of a set, and the (folded) context keys its statements read."""
        found = self.sets.get(names)
        if found is None:
            world = self.world
            pairs = [(name, world.policy(name)) for name in names]
            action = ACTIONS[self.action_type].lower()
            read: set[str] = set()
            for _, policy in pairs:
                plan = policy.plan_for(action)
                read.update(key.folded for key in plan.keys)
                read.update(variable.folded for variable in plan.variables)
            found = self.sets[names] = (pairs, frozenset(read))
        return found

    def decide(self, principal: Principal, client_id: str | None) -> tuple[str | None, _Outcome]:
        """``policy_set`` + ``authorize`` for one principal, sharing decisions between equal questions.

        Only the values the set's statements read are worked out, and principals whose set and values are
        equal share one decision; the decision itself is ``authorize``'s own (``decide_auth_info``).
        """
        world = self.world
        if principal.kind == "thing-group":
            assert principal.name is not None
            thing = None
            names = self.groups_policies((principal.name,))
        else:
            assert principal.value is not None
            thing = resolve_thing(world, principal, client_id)
            names = world.policies_for_target(principal.value)
            if thing is not None:
                names = names + self.groups_policies(world.groups_of_thing(thing))
        unique = tuple(dict.fromkeys(names))
        pairs, read = self.policy_facts(unique)
        values = request_values(world, principal, client_id, thing, self.now, only=read)
        key = (unique, *sorted((k, v if isinstance(v, str) else tuple(v)) for k, v in values.items()))
        outcome = self.decided.get(key)
        if outcome is None:
            action = ACTIONS[self.action_type]
            decision, rank, _, missing, _ = decide_auth_info(
                pairs, None, action, self.resources, RequestContext(values)
            )
            # Only what an Access keeps, so that a fleet of unique answers stays small in memory.
            outcome = self.decided[key] = (
                decision,
                tuple(name for name, strength in zip(unique, rank, strict=True) if strength == 1),
                tuple(name for name, strength in zip(unique, rank, strict=True) if strength == 2),
                missing,
            )
        return thing, outcome


def _access(
    kind: AccessKind,
    principal: str,
    name: str,
    client_id: str | None,
    thing: str | None,
    outcome: _Outcome,
    status: str | None = None,
) -> Access:
    decision, allowed_by, denied_by, missing = outcome
    return Access(kind, principal, name, client_id, thing, decision, allowed_by, denied_by, missing, status)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a fleet question, unless the caller had it off already.

    The question allocates a few small objects per principal and keeps a row for each: the collector
    would otherwise walk the whole world again and again as the rows pile up (a fifth of the time on a
    fleet of 20,000). Nothing made here forms reference cycles, so nothing is left for it to find.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def who_can(
    world: World,
    action_type: str,
    resources: str | Sequence[str],
    *,
    now: datetime.datetime | None = None,
) -> WhoCan:
    """Decide ``action_type`` (CONNECT, PUBLISH, SUBSCRIBE, RECEIVE) on ``resources`` for every principal.

    Each entry is what TestAuthorization answers for that principal (and clientId) with those resources
    as one authInfo; ``result.allowed`` lists who may. ``now`` fixes ``aws:CurrentTime`` for the whole
    question (default: the moment of the call). Raises InvalidRequestException for an unknown action type
    or no resource, as the service would.
    """
    listed = list(strings(resources, "resources", one_allowed=True))
    if action_type not in ACTIONS:
        raise InvalidRequestException(f"actionType must be one of {', '.join(ACTIONS)}, not {action_type!r}")
    if not listed:
        raise InvalidRequestException("authInfos[].resources must name at least one resource")
    asker = _Asker(
        world,
        action_type,
        listed,
        now or datetime.datetime.now(datetime.timezone.utc),
        {},
        {},
        {},
    )
    labels = {certificate_id: label for label, certificate_id in world.certificate_labels.items()}
    entries: list[Access] = []

    def with_things(kind: AccessKind, value: str, who: Principal, name: str, status: str | None) -> None:
        thing, result = asker.decide(who, None)
        entries.append(_access(kind, value, name, None, thing, result, status))
        for thing_name, _ in world.things_for_principal(value):
            thing, result = asker.decide(who, thing_name)
            entries.append(_access("thing", value, thing_name, thing_name, thing, result, status))

    with _collector_paused():
        for certificate in world.all_certificates():
            who = Principal("certificate", certificate.arn, certificate.certificate_id)
            label = labels.get(certificate.certificate_id, certificate.certificate_id)
            with_things("certificate", certificate.arn, who, label, certificate.status)
        for group in world.all_thing_groups():
            _, result = asker.decide(Principal("thing-group", group.arn, group.name), None)
            entries.append(_access("thing-group", group.arn, group.name, None, None, result))
        for target in world.policy_targets():
            if principal_kind(target) == "cognito":
                with_things("cognito-identity", target, Principal("cognito", target), target, None)
    return WhoCan(action_type, tuple(listed), tuple(entries))
