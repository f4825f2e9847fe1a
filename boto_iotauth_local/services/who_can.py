"""Who may do an action on a resource: TestAuthorization asked for every principal of the world at once.

AWS has no call for this fleet question; answering it against AWS means one TestAuthorization per principal.
Here every principal of the world is decided with TestAuthorization's rules (those of ``policy_set`` and
``authorize``), so each row is exactly what that call would answer for it (the property tests compare
every row with those two functions):

- each certificate, with no clientId (its ``EXCLUSIVE_THING``, if it has exactly one, is resolved);
- for each thing attached to a certificate, that certificate with ``clientId`` = the thing's name;
- each thing group (its own and its ancestors' policies);
- each Cognito identity with policies attached, and with each thing attached to it.

Cost: a fleet of 100,000 devices shares a handful of policy sets. Each distinct set is compiled once per
question against the fixed resources (``engine.fixed``); a principal then costs the values of the keys
its set reads (its reading) and, for a reading not met before, a few string tests, no pattern compiled.
A policy without variables is therefore decided once for the whole fleet, and one keyed on the thing name
once per thing, by one ``startswith``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..arguments import strings
from ..engine import RequestContext
from ..engine.fixed import ALLOW, DENY, FixedDecision, FixedQuestion, Signature
from ..errors import InvalidRequestException
from ..world import World
from ..world.arns import principal_kind
from .authorization import ACTIONS, AuthDecision
from .context import request_values
from .principals import Principal, PrincipalKind

AccessKind = Literal["certificate", "thing", "thing-group", "cognito-identity"]
_Outcome = tuple[AuthDecision, tuple[str, ...], tuple[str, ...], tuple[str, ...]]
#: A principal as ``Principal`` holds it (kind, value, name), made a ``Principal`` only when needed.
_Who = tuple[PrincipalKind, str, str | None]


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


#: The context keys a row's reading can be taken from directly: the client id, the thing name and whether a
#: thing is attached (all a fleet policy usually reads). Any other key is worked out by ``request_values``.
_DIRECT_KEYS = ("iot:clientid", "iot:connection.thing.thingname", "iot:connection.thing.isattached")


class _Set:
    """One distinct policy set of the question: its compiled tests, and its answers per reading.

    A reading is the values of the keys the set's statements read, so principals with equal readings share
    an answer; a new reading costs the set's few string tests (``engine.fixed``), no compiled pattern.
    """

    __slots__ = (
        "answers",
        "by_signature",
        "constant",
        "direct",
        "fixed",
        "names",
        "only",
        "outcomes",
        "reads",
    )

    def __init__(self, asker: _Asker, names: tuple[str, ...]) -> None:
        world = asker.world
        self.names = names
        self.fixed = asker.question.policy_set([(name, world.policy(name)) for name in names])
        self.reads = self.fixed.reads
        self.only = frozenset(self.reads)
        #: Where each key read comes from in ``(client id, thing, is attached)``, when all can be taken
        #: from there (for certificates and Cognito identities), else None.
        self.direct: Callable[[tuple[str | None, ...]], Any] | None = None
        if self.reads and all(key in _DIRECT_KEYS for key in self.reads):
            self.direct = operator.itemgetter(*[_DIRECT_KEYS.index(key) for key in self.reads])
        #: Answers by reading, and the answers themselves shared by equal outcomes.
        self.answers: dict[object, _Outcome] = {}
        self.outcomes: dict[tuple[object, ...], _Outcome] = {}
        self.by_signature: dict[Signature, _Outcome] = {}
        fixed = self.fixed.constant
        self.constant = None if fixed is None else self._outcome(fixed)

    def _outcome(self, decided: FixedDecision) -> _Outcome:
        """TestAuthorization's rules for one authInfo (A7), as ``decide_auth_info`` applies them."""
        decisions, ranks, missing = decided
        final: AuthDecision
        if "EXPLICIT_DENY" in decisions:
            final = "EXPLICIT_DENY"
        elif all(decision == "ALLOWED" for decision in decisions):
            final = "ALLOWED"
        else:
            final = "IMPLICIT_DENY"
        key = (final, ranks, missing)
        found = self.outcomes.get(key)
        if found is None:
            names = self.names
            found = self.outcomes[key] = (
                final,
                tuple(name for name, rank in zip(names, ranks, strict=True) if rank == ALLOW),
                tuple(name for name, rank in zip(names, ranks, strict=True) if rank == DENY),
                missing,
            )
        return found

    def decide(self, key: object, reading: tuple[str | tuple[str, ...] | None, ...]) -> _Outcome:
        """The answer for a reading (aligned with ``reads``), from the set's tests; kept under ``key``."""
        reads = self.reads
        if len(reads) == 1:
            values = {} if reading[0] is None else {reads[0]: reading[0]}
        else:
            values = {read: value for read, value in zip(reads, reading, strict=True) if value is not None}
        signature = self.fixed.signature(values)
        found = self.by_signature.get(signature)
        if found is None:
            found = self.by_signature[signature] = self._outcome(self.fixed.decision(signature))
        self.answers[key] = found
        return found

    def answer(self, asker: _Asker, who: Principal, client_id: str | None, thing: str | None) -> _Outcome:
        """The answer for any principal, its reading worked out by ``request_values``."""
        if self.constant is not None:
            return self.constant
        values = request_values(asker.world, who, client_id, thing, asker.now, only=self.only)
        reading = RequestContext(values).read(self.reads)
        found = self.answers.get(reading)
        return found if found is not None else self.decide(reading, reading)


@dataclass
class _Asker:
    """The per-question caches: the compiled question, group policies and the distinct policy sets."""

    world: World
    question: FixedQuestion
    now: datetime.datetime
    group_names: dict[tuple[str, ...], tuple[str, ...]]
    #: Policy sets by (the principal's own policies, the groups of its thing or None).
    sets: dict[tuple[tuple[str, ...], tuple[str, ...] | None], _Set]
    #: Policy sets by the names they hold (sets reached from different attachments may be the same).
    by_names: dict[tuple[str, ...], _Set]

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

    def named_set(self, names: tuple[str, ...]) -> _Set:
        unique = tuple(dict.fromkeys(names))
        found = self.by_names.get(unique)
        if found is None:
            found = self.by_names[unique] = _Set(self, unique)
        return found

    def policy_set(self, own: tuple[str, ...], groups: tuple[str, ...] | None) -> _Set:
        """``policy_set``'s policies for a principal with these policies and a thing in these groups."""
        names = own + self.groups_policies(groups) if groups is not None else own
        found = self.sets[(own, groups)] = self.named_set(names)
        return found

    def attached(
        self, kind: AccessKind, who: _Who, name: str, status: str | None, rows: list[Access]
    ) -> None:
        """The rows of a certificate or Cognito identity: alone, then with each attached thing as clientId.

        ``policy_set`` + ``authorize`` for each: the thing resolved as ``resolve_thing`` resolves it (A6),
        the values read as ``request_values`` gives them.
        """
        world = self.world
        value = who[1]
        own = world.policies_for_target(value)
        things = world.things_for_principal(value)
        thing = None
        if things:
            exclusive = [thing for thing, attachment in things if attachment == "EXCLUSIVE_THING"]
            thing = exclusive[0] if len(exclusive) == 1 else None
        rows.append(_access(kind, value, name, None, thing, self.answer(own, who, None, thing), status))
        for attached, _ in things:  # the clientId names an attached thing: that thing is resolved
            answer = self.answer(own, who, attached, attached)
            rows.append(_access("thing", value, attached, attached, attached, answer, status))

    def answer(self, own: tuple[str, ...], who: _Who, client_id: str | None, thing: str | None) -> _Outcome:
        """``authorize``'s answer for ``who`` (kind, value, name), a certificate or Cognito identity."""
        groups = self.world.groups_of_thing(thing) if thing is not None else None
        policies = self.sets.get((own, groups))
        if policies is None:
            policies = self.policy_set(own, groups)
        constant = policies.constant
        if constant is not None:
            return constant
        direct = policies.direct
        if direct is None:
            return policies.answer(self, Principal(*who), client_id, thing)
        key = direct((client_id, thing, "false" if thing is None else "true"))
        found = policies.answers.get(key)
        if found is not None:
            return found
        # One key read: the itemgetter gives the value itself, not a tuple of one.
        return policies.decide(key, key if len(policies.reads) > 1 else (key,))


def _slot_setters() -> tuple[Any, ...]:
    return tuple(getattr(Access, field.name).__set__ for field in dataclasses.fields(Access))


(
    _set_kind,
    _set_principal,
    _set_name,
    _set_client_id,
    _set_thing,
    _set_decision,
    _set_allowed_by,
    _set_denied_by,
    _set_missing,
    _set_status,
) = _slot_setters()
_new = object.__new__


def _access(
    kind: AccessKind,
    principal: str,
    name: str,
    client_id: str | None,
    thing: str | None,
    outcome: _Outcome,
    status: str | None = None,
) -> Access:
    """``Access(...)`` with these values, its slots set directly.

    A frozen dataclass's ``__init__`` goes through ``object.__setattr__`` for each of its ten fields, about
    a fifth of a fleet question's time per principal; the object made here is the same (equal, hashed and
    shown alike), only built without that detour.
    """
    row: Access = _new(Access)
    _set_kind(row, kind)
    _set_principal(row, principal)
    _set_name(row, name)
    _set_client_id(row, client_id)
    _set_thing(row, thing)
    _set_decision(row, outcome[0])
    _set_allowed_by(row, outcome[1])
    _set_denied_by(row, outcome[2])
    _set_missing(row, outcome[3])
    _set_status(row, status)
    return row


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
            if not gc.get_freeze_count():
                # What the question made (its rows above all) is handed to the oldest generation, as if it
                # had survived the young collections: otherwise the first one after ``enable`` walks
                # every row made meanwhile (a tenth of a question of 200,000 rows). Only when nothing was
                # frozen before: ``unfreeze`` releases every frozen object, not only these.
                gc.freeze()
                gc.unfreeze()
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
    question = FixedQuestion(ACTIONS[action_type], listed)
    asker = _Asker(world, question, now or datetime.datetime.now(datetime.timezone.utc), {}, {}, {})
    labels = {certificate_id: label for label, certificate_id in world.certificate_labels.items()}
    rows: list[Access] = []
    with _collector_paused():
        for certificate in world.all_certificates():
            certificate_id = certificate.certificate_id
            who: _Who = ("certificate", certificate.arn, certificate_id)
            label = labels.get(certificate_id, certificate_id)
            asker.attached("certificate", who, label, certificate.status, rows)
        for group in world.all_thing_groups():
            policies = asker.named_set(asker.groups_policies((group.name,)))
            who = ("thing-group", group.arn, group.name)
            result = policies.answer(asker, Principal(*who), None, None)
            rows.append(_access("thing-group", group.arn, group.name, None, None, result))
        for target in world.policy_targets():
            # A Cognito identity id never starts with "arn:" (COGNITO_ID_RE): skip the ARNs unparsed.
            if not target.startswith("arn:") and principal_kind(target) == "cognito":
                asker.attached("cognito-identity", ("cognito", target, None), target, None, rows)
    return WhoCan(action_type, tuple(listed), tuple(rows))
