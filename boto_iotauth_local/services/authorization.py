"""TestAuthorization's semantics: which policies apply (A5, A6, A11), and how an authInfo is decided (A7, A8).

The result keeps the engine's per-resource decisions, so the same object answers boto3 (``to_dict``) and a
person asking why (``explain``).
"""

from __future__ import annotations

import datetime
import itertools
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import Any, Literal

from ..caches import OBJECT_BYTES, ByteBoundedCache, text_bytes
from ..engine import Decision, Policy, RequestContext, context_reading, evaluate, evaluate_all
from ..engine.footguns import Note
from ..engine.footguns import notes as footgun_notes
from ..errors import InvalidRequestException, ResourceNotFoundException
from ..world import World
from ..world.cognito import CognitoIdentityPool
from .context import request_values
from .principals import Principal, choose_thing, classify_principal, resolve_thing

ACTIONS: dict[str, str] = {
    "CONNECT": "iot:Connect",
    "PUBLISH": "iot:Publish",
    "SUBSCRIBE": "iot:Subscribe",
    "RECEIVE": "iot:Receive",
}

AuthDecision = Literal["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY"]


@dataclass(frozen=True)
class PolicyRef:
    """A policy as TestAuthorization names it, with its compiled default version."""

    name: str
    arn: str
    policy: Policy
    #: ``to_dict`` as compact JSON, written when first needed (see :func:`auth_result_json`).
    _json: str | None = field(default=None, init=False, compare=False, repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"policyName": self.name, "policyArn": self.arn}

    def json(self) -> str:
        """:meth:`to_dict` as compact JSON (ASCII, as the service writes it), written once."""
        text = self._json
        if text is None:
            text = f'{{"policyName":{_quoted(self.name)},"policyArn":{_quoted(self.arn)}}}'
            object.__setattr__(self, "_json", text)
        return text


#: A string as compact JSON writes it (``json.dumps`` with ``ensure_ascii``): quoted and escaped.
_quoted = encode_basestring_ascii


def auth_result_json(
    action_type: str,
    resources: Sequence[str],
    decision: str,
    allowed: Iterable[PolicyRef],
    implicit_deny: Iterable[PolicyRef],
    explicit_deny: Iterable[PolicyRef],
    missing_context_values: Iterable[str],
) -> bytes:
    """The service's ``AuthResult`` as compact JSON: exactly ``compact(AuthResult.to_dict())``.

    Written from its parts, with each policy's JSON written once, instead of building the dictionaries
    and encoding them: a request with one new authInfo encodes just that one.
    """
    return "".join(
        (
            '{"authInfo":{"actionType":',
            _quoted(action_type),
            ',"resources":[',
            ",".join(map(_quoted, resources)),
            ']},"allowed":{"policies":[',
            ",".join(ref.json() for ref in allowed),
            ']},"denied":{"implicitDeny":{"policies":[',
            ",".join(ref.json() for ref in implicit_deny),
            ']},"explicitDeny":{"policies":[',
            ",".join(ref.json() for ref in explicit_deny),
            ']}},"authDecision":',
            _quoted(decision),
            ',"missingContextValues":[',
            ",".join(map(_quoted, missing_context_values)),
            "]}",
        )
    ).encode("ascii")


_SERIALS = itertools.count()
#: A number for each distinct (main, gate) of policies, so that keys of shared answers hash one int instead
#: of a tuple per policy. A number dropped for room is never given again: the same policies then get a
#: new one, and only miss the answers kept under the old.
_IDENTITIES: ByteBoundedCache[tuple[object, ...], int] = ByteBoundedCache("services.identities")
_IDENTITY_NUMBERS = itertools.count()


def _identity_number(policies: tuple[tuple[object, ...], tuple[object, ...] | None]) -> int:
    found = _IDENTITIES.get(policies)
    if found is None:
        found = next(_IDENTITY_NUMBERS)
        _IDENTITIES.put(policies, found, OBJECT_BYTES * (2 + 4 * (len(policies[0]) + len(policies[1] or ()))))
    return found


@dataclass(frozen=True)
class PolicySet:
    """Everything that applies to one request, resolved once and reused for every authInfo."""

    principal: Principal
    thing_name: str | None
    policies: tuple[PolicyRef, ...]
    #: The Cognito pool's authenticated role policies: a second gate that must allow too (A5).
    gate: tuple[PolicyRef, ...] | None
    context: RequestContext
    #: (name, policy) pairs for the engine, and the identity of the set's policies for shared answers.
    pairs: list[tuple[str, Policy]] = field(init=False, compare=False, repr=False)
    gate_pairs: list[tuple[str, Policy]] | None = field(init=False, compare=False, repr=False)
    identity: int = field(init=False, compare=False, repr=False)
    #: Unique for the life of the process: caches of this set's answers key on it without holding the set.
    serial: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "serial", next(_SERIALS))
        gate = self.gate
        object.__setattr__(self, "pairs", [(ref.name, ref.policy) for ref in self.policies])
        pairs = [(ref.name, ref.policy) for ref in gate] if gate is not None else None
        object.__setattr__(self, "gate_pairs", pairs)
        # The policies by name, ARN and serial (never reused, so that keys need not hold the policies).
        main = tuple((ref.name, ref.arn, ref.policy.serial) for ref in self.policies)
        gated = None if gate is None else tuple((ref.name, ref.arn, ref.policy.serial) for ref in gate)
        object.__setattr__(self, "identity", _identity_number((main, gated)))

    def with_context(self, context: RequestContext) -> PolicySet:
        """The same principal, thing and policies in another context, sharing what was made from them."""
        made = object.__new__(PolicySet)
        made.__dict__.update(self.__dict__)
        object.__setattr__(made, "context", context)
        object.__setattr__(made, "serial", next(_SERIALS))
        return made

    @property
    def size(self) -> int:
        """Estimated bytes it keeps alive, for the caches that hold it."""
        # The context also keeps the patterns substituted for it: a few objects per policy.
        return OBJECT_BYTES * (10 + 6 * len(self.policies) + len(self.gate or ()) + 3 * len(self.context))


@dataclass(frozen=True)
class ResourceDecision:
    """One resource of an authInfo: the engine's decision for the IoT policies, and for the gate."""

    resource: str
    decision: AuthDecision
    policies: Decision
    gate: Decision | None

    def __str__(self) -> str:
        from ..render.text import resource_decision_text

        return resource_decision_text(self)

    def _repr_html_(self) -> str:
        from ..render.html import resource_decision_html

        return resource_decision_html(self)


@dataclass(frozen=True)
class AuthResult:
    """The answer for one authInfo, as AWS shapes it, with the reasons behind it."""

    action_type: str
    resources: tuple[str, ...]
    auth_decision: AuthDecision
    allowed: tuple[PolicyRef, ...]
    implicit_deny: tuple[PolicyRef, ...]
    explicit_deny: tuple[PolicyRef, ...]
    missing_context_values: tuple[str, ...]
    decisions: tuple[ResourceDecision, ...]
    variables: dict[str, Any]
    _notes: tuple[Note, ...] | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def notes(self) -> tuple[Note, ...]:
        """Foot-guns of these policies and this request (``engine.footguns``), found when first read.

        They explain; they never change the decision.
        """
        found = self._notes
        if found is None:
            refs = {ref.name: ref for ref in self.explicit_deny + self.allowed + self.implicit_deny}
            order = [p.name for item in self.decisions[:1] for p in item.policies.policies]
            ordered = [refs.pop(name) for name in order if name in refs] + list(refs.values())
            found = footgun_notes(
                [(r.name, r.policy) for r in ordered], ACTIONS[self.action_type], self.resources
            )
            object.__setattr__(self, "_notes", found)
        return found

    def to_dict(self) -> dict[str, Any]:
        """The service's ``AuthResult`` shape; every member present, empty lists included (A7)."""
        return {
            "authInfo": {"actionType": self.action_type, "resources": list(self.resources)},
            "allowed": {"policies": [p.to_dict() for p in self.allowed]},
            "denied": {
                "implicitDeny": {"policies": [p.to_dict() for p in self.implicit_deny]},
                "explicitDeny": {"policies": [p.to_dict() for p in self.explicit_deny]},
            },
            "authDecision": self.auth_decision,
            "missingContextValues": list(self.missing_context_values),
        }

    def explain(self) -> str:
        """A readable account of the decision: per resource, per policy, per statement."""
        lines = [f"{self.action_type} {list(self.resources)} -> {self.auth_decision}"]
        for item in self.decisions:
            lines.append(f"  resource {item.resource}: {item.decision}")
            for label, decision in (("policies", item.policies), ("Cognito role gate", item.gate)):
                if decision is None:
                    continue
                if label != "policies":
                    lines.append(f"    {label}: {decision.decision}")
                for text in str(decision).splitlines():
                    lines.append("    " + text)
        if self.missing_context_values:
            lines.append(f"  missing context values: {', '.join(self.missing_context_values)}")
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()

    def __repr__(self) -> str:
        """One line: the decision and the policies behind it (``explain()`` gives the full account)."""
        names = {
            "allowed": self.allowed,
            "explicit_deny": self.explicit_deny,
            "implicit_deny": self.implicit_deny,
        }
        listed = ", ".join(f"{key}={[ref.name for ref in refs]}" for key, refs in names.items() if refs)
        missing = f", missing={list(self.missing_context_values)}" if self.missing_context_values else ""
        shown = f", {listed}" if listed else ""
        return f"<AuthResult {self.action_type} {list(self.resources)} {self.auth_decision}{shown}{missing}>"

    def _repr_html_(self) -> str:
        from ..render.html import auth_result_html

        return auth_result_html(self)


def _refs(world: World, names: Iterable[str]) -> list[PolicyRef]:
    return [PolicyRef(name, world.policy_arn(name), world.policy(name)) for name in names]


def _group_policies(world: World, groups: Iterable[str]) -> list[str]:
    names: list[str] = []
    for group in groups:
        for ancestor in world.group_ancestry(group):
            names.extend(world.policies_for_target(world.thing_group_arn(ancestor)))
    return names


def _principal_and_pool(
    world: World, principal: str | None, cognito_identity_pool_id: str | None
) -> tuple[Principal, CognitoIdentityPool | None]:
    who = classify_principal(world, principal)
    if cognito_identity_pool_id is None:
        return who, None
    if who.kind not in ("cognito", "none"):
        raise InvalidRequestException(
            "cognitoIdentityPoolId applies to a Cognito identity principal, or alone for an "
            f"unauthenticated identity; the principal is a {who.kind}"
        )
    pool = world.cognito_pool(cognito_identity_pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"The identity pool {cognito_identity_pool_id} does not exist")
    return who, pool


def _check_added(world: World, policy_names_to_add: Sequence[str]) -> None:
    for name in policy_names_to_add:
        if not world.has_policy(name):
            raise ResourceNotFoundException(f"The policy {name} in policyNamesToAdd does not exist")


def _applying(
    world: World,
    who: Principal,
    pool: CognitoIdentityPool | None,
    thing: str | None,
    policy_names_to_add: Sequence[str],
    policy_names_to_skip: Sequence[str],
) -> tuple[tuple[PolicyRef, ...], tuple[PolicyRef, ...] | None]:
    """The policies that apply, and the Cognito gate (A5, A11); names to add are known to exist."""
    names: list[str] = []
    if who.kind == "thing-group" and who.name is not None:
        names.extend(_group_policies(world, [who.name]))
    elif who.value is not None:
        names.extend(world.policies_for_target(who.value))
        if thing is not None:
            names.extend(_group_policies(world, world.groups_of_thing(thing)))
    names.extend(policy_names_to_add)
    skipped = set(policy_names_to_skip)
    unique = list(dict.fromkeys(n for n in names if n not in skipped))
    refs = _refs(world, unique)
    gate: list[PolicyRef] | None = None
    if pool is not None:
        role = pool.authenticated_policies if who.kind == "cognito" else pool.unauthenticated_policies
        role_refs = [PolicyRef(p.name, p.arn, p.policy) for p in role]
        if who.kind == "cognito":
            gate = role_refs
        else:
            refs = [r for r in role_refs if r.name not in skipped] + refs
    return tuple(refs), tuple(gate) if gate is not None else None


def policy_set(
    world: World,
    *,
    principal: str | None = None,
    cognito_identity_pool_id: str | None = None,
    client_id: str | None = None,
    policy_names_to_add: Sequence[str] = (),
    policy_names_to_skip: Sequence[str] = (),
    now: datetime.datetime | None = None,
) -> PolicySet:
    """Resolve the principal, the thing and the policies that apply (A5, A6, A11)."""
    # One state of the world for every look below: a policy detached and deleted meanwhile must not
    # surface as a missing policy the request never named.
    with world.consistent():
        who, pool = _principal_and_pool(world, principal, cognito_identity_pool_id)
        thing = resolve_thing(world, who, client_id)
        _check_added(world, policy_names_to_add)
        refs, gate = _applying(world, who, pool, thing, policy_names_to_add, policy_names_to_skip)
        context = RequestContext(request_values(world, who, client_id, thing, now))
        return PolicySet(who, thing, refs, gate, context)


class _Resolution:
    """What a request resolves to whatever its client id: the principal, the pool, the principal's things,
    and per thing the policies and the context values other than the client id.

    A new client id picks a thing (A6) and prefixes its value to that thing's context, instead of resolving
    everything again; the set is then what :func:`policy_set` gives (a test holds the two equal). Held
    only while the world is unchanged, like the sets themselves.
    """

    __slots__ = ("add", "attached", "pool", "sets", "skip", "who")

    def __init__(
        self,
        world: World,
        principal: str | None,
        cognito_identity_pool_id: str | None,
        policy_names_to_add: Sequence[str],
        policy_names_to_skip: Sequence[str],
    ) -> None:
        self.who, self.pool = _principal_and_pool(world, principal, cognito_identity_pool_id)
        _check_added(world, policy_names_to_add)
        who = self.who
        resolvable = who.kind in ("certificate", "cognito") and who.value is not None
        self.attached = world.things_for_principal(who.value) if resolvable and who.value is not None else ()
        self.add = tuple(policy_names_to_add)
        self.skip = tuple(policy_names_to_skip)
        #: Per thing (None: no thing), the set without a client id; None when its policies read the clock.
        self.sets: dict[str | None, PolicySet | None] = {}

    def policy_set(self, world: World, client_id: str | None) -> PolicySet | None:
        """The set for ``client_id``, or None when it must be resolved afresh (it reads the clock)."""
        thing = choose_thing(self.attached, client_id)
        try:
            base = self.sets[thing]
        except KeyError:
            refs, gate = _applying(world, self.who, self.pool, thing, self.add, self.skip)
            values = request_values(world, self.who, None, thing)
            made = PolicySet(self.who, thing, refs, gate, RequestContext(values))
            base = self.sets[thing] = None if _reads_clock(made) else made
        if base is None or client_id is None:
            return base
        return base.with_context(base.context.prefixed({"iot:ClientId": client_id}))


_RANK = {"none": 0, "allow": 1, "deny": 2}

#: Condition keys whose values move with the clock: a policy set reading them is never reused.
_CLOCK_KEYS = frozenset({"aws:currenttime", "aws:epochtime"})
#: Resolved sets by (id of the world, request fields): (the world, weakly, its version then, the set).
_POLICY_SETS: ByteBoundedCache[tuple[object, ...], tuple[weakref.ref[World], int, PolicySet]] = (
    ByteBoundedCache("services.policy_sets")
)
#: Resolutions by (id of the world, principal, pool, names to add, names to skip): (the world, weakly, its
#: version then, the resolution), so that a new client id reuses everything but its own value.
_RESOLUTIONS: ByteBoundedCache[tuple[object, ...], tuple[weakref.ref[World], int, _Resolution]] = (
    ByteBoundedCache("services.resolutions")
)
#: Estimated bytes of the few sets a resolution keeps (one per thing its requests pick).
_RESOLUTION_SETS_BYTES = 8 * 1024
#: Results already decided (without explanations), by (the set's policies by identity, actionType,
#: resources, the reading of the context keys their statements read). A result is a function of exactly
#: these (``context_reading``), so requests whose sets differ only in values no statement reads (a new
#: client id, say) share it. Keys hold no policy: policies are told apart by serials (``Policy.serial``).
_ANSWERS: ByteBoundedCache[tuple[object, ...], AuthResult] = ByteBoundedCache("services.answers")
#: The same results by (the set's serial, actionType, resources): a repeated question on a set already asked
#: skips working out its reading. Entries do not hold the set: a set no longer used ages out with them.
_ANSWERS_BY_SET: ByteBoundedCache[tuple[int, str, tuple[str, ...]], AuthResult] = ByteBoundedCache(
    "services.answers_by_set"
)


def _reads_clock(resolved: PolicySet) -> bool:
    refs = resolved.policies + (resolved.gate or ())
    return any(ref.folded in _CLOCK_KEYS for p in refs for s in p.policy.statements for ref in s.keys)


def reused_policy_set(
    world: World,
    *,
    principal: str | None = None,
    cognito_identity_pool_id: str | None = None,
    client_id: str | None = None,
    policy_names_to_add: Sequence[str] = (),
    policy_names_to_skip: Sequence[str] = (),
) -> PolicySet:
    """:func:`policy_set`, reused while the world is unchanged.

    A resolved set keeps its request context, on which the engine caches its prepared plans, so a
    repeated request is decided by a few string tests. Sets whose policies read the clock are rebuilt
    every time, and so is everything from a world whose state can change behind its writers.
    """
    key = (
        principal,
        cognito_identity_pool_id,
        client_id,
        tuple(policy_names_to_add),
        tuple(policy_names_to_skip),
    )
    cacheable = type(world).version_tracks_state
    if cacheable:
        # A set kept for the version now current was resolved from that very state: returned without
        # holding writers off (a writer still under way has not moved the version yet).
        found = _POLICY_SETS.get((id(world), *key))
        if found is not None and found[0]() is world and found[1] == world.version:
            return found[2]
    with world.consistent():  # the version read is the version of the state the set is resolved from
        if cacheable:
            version = world.version
            general = (id(world), principal, cognito_identity_pool_id, key[3], key[4])
            known = _RESOLUTIONS.get(general)
            if known is not None and known[0]() is world and known[1] == version:
                resolution = known[2]
            else:
                resolution = _Resolution(
                    world, principal, cognito_identity_pool_id, policy_names_to_add, policy_names_to_skip
                )
                size = OBJECT_BYTES * (20 + 2 * len(resolution.attached)) + _RESOLUTION_SETS_BYTES
                _RESOLUTIONS.put(general, (weakref.ref(world), version, resolution), size)
            # None when the set reads the clock: then it is resolved afresh, and never kept.
            resolved = resolution.policy_set(world, client_id)
            if resolved is not None:
                texts = [t for t in (principal, cognito_identity_pool_id, client_id) if t is not None]
                size = resolved.size + text_bytes(*texts, *policy_names_to_add, *policy_names_to_skip)
                _POLICY_SETS.put((id(world), *key), (weakref.ref(world), version, resolved), size)
                return resolved
        return policy_set(
            world,
            principal=principal,
            cognito_identity_pool_id=cognito_identity_pool_id,
            client_id=client_id,
            policy_names_to_add=policy_names_to_add,
            policy_names_to_skip=policy_names_to_skip,
        )


def _combine(main: Decision, gate: Decision | None) -> AuthDecision:
    if main.decision == "EXPLICIT_DENY" or (gate is not None and gate.decision == "EXPLICIT_DENY"):
        return "EXPLICIT_DENY"
    if main.decision == "ALLOWED" and (gate is None or gate.decision == "ALLOWED"):
        return "ALLOWED"
    return "IMPLICIT_DENY"


def decide_auth_info(
    main_pairs: Sequence[tuple[str, Policy]],
    gate_pairs: Sequence[tuple[str, Policy]] | None,
    action: str,
    resources: Sequence[str],
    context: RequestContext,
    *,
    explain: bool = False,
    reasons: bool = True,
) -> tuple[AuthDecision, list[int], tuple[ResourceDecision, ...], tuple[str, ...], dict[str, Any]]:
    """The rules of one authInfo (A7), for ``authorize`` and for answers that need no AuthResult.

    Returns the decision; per policy (main, then gate), its strongest outcome over the resources (deny 2
    over allow 1 over none 0); the per-resource decisions; the missing context values; the variables.
    Without ``reasons``, the per-resource decisions and the variables (the why, for people) are left empty.
    """
    rank = [0] * (len(main_pairs) + len(gate_pairs or ()))
    decisions: list[ResourceDecision] = []
    per_resource: list[AuthDecision] = []
    missing: dict[str, None] = {}
    variables: dict[str, Any] = {}
    if explain:
        mains = [evaluate(main_pairs, action, r, context, explain=True) for r in resources]
        gates = (
            [evaluate(gate_pairs, action, r, context, explain=True) for r in resources]
            if gate_pairs is not None
            else None
        )
    else:
        mains = evaluate_all(main_pairs, action, resources, context)
        gates = evaluate_all(gate_pairs, action, resources, context) if gate_pairs is not None else None
    for position, main in enumerate(mains):
        gate = gates[position] if gates is not None else None
        decided = _combine(main, gate)
        per_resource.append(decided)
        results = main.policies if gate is None else main.policies + gate.policies
        if position == 0:
            rank = [_RANK[policy_result.outcome] for policy_result in results]
        else:
            for index, policy_result in enumerate(results):
                strength = _RANK[policy_result.outcome]
                if strength > rank[index]:
                    rank[index] = strength
        for decision in (main, gate):
            if decision is not None:
                for key in decision.missing_keys:
                    missing[key] = None
                if reasons and decision.variables:
                    variables.update(decision.variables)
        if reasons:
            decisions.append(ResourceDecision(resources[position], decided, main, gate))
    if "EXPLICIT_DENY" in per_resource:
        final: AuthDecision = "EXPLICIT_DENY"
    elif per_resource.count("ALLOWED") == len(per_resource):
        final = "ALLOWED"
    else:
        final = "IMPLICIT_DENY"
    return final, rank, tuple(decisions), tuple(missing), variables


def _action(action_type: str, resources: Sequence[str]) -> str:
    """The IAM action of ``action_type``; an authInfo that cannot be decided is refused, as by the service."""
    action = ACTIONS.get(action_type)
    if action is None:
        raise InvalidRequestException(f"actionType must be one of {', '.join(ACTIONS)}, not {action_type!r}")
    if not resources:
        raise InvalidRequestException("authInfos[].resources must name at least one resource")
    return action


def _shared_key(
    policy_set: PolicySet, action_type: str, action: str, listed: tuple[str, ...]
) -> tuple[object, ...]:
    """The key of an answer shared by every set with these policies and this reading of what they read."""
    context = policy_set.context
    gate_pairs = policy_set.gate_pairs
    reading = (
        context_reading(policy_set.pairs, action, context),
        None if gate_pairs is None else context_reading(gate_pairs, action, context),
    )
    return (policy_set.identity, action_type, listed, reading)


def _by_outcome(
    policy_set: PolicySet, rank: Sequence[int]
) -> tuple[list[PolicyRef], list[PolicyRef], list[PolicyRef]]:
    """The set's policies (main, then gate) by their strongest outcome: none, allow, deny."""
    split: tuple[list[PolicyRef], list[PolicyRef], list[PolicyRef]] = ([], [], [])
    for ref, strength in zip(policy_set.policies + (policy_set.gate or ()), rank, strict=True):
        split[strength].append(ref)
    return split


def authorize(
    policy_set: PolicySet, action_type: str, resources: Sequence[str], *, explain: bool = False
) -> AuthResult:
    """Decide one authInfo (A7): deny wins per resource; ALLOWED only when every resource is allowed."""
    action = _action(action_type, resources)
    listed = tuple(resources)
    key: tuple[object, ...] = ()
    mine = (policy_set.serial, action_type, listed)
    if not explain:
        asked = _ANSWERS_BY_SET.get(mine)
        if asked is not None:
            return asked
        key = _shared_key(policy_set, action_type, action, listed)
        known = _ANSWERS.get(key)
        if known is not None:
            # Not remembered for this set too: every entry kept is one more for the garbage collector to
            # walk (a new client id asks five of these).
            return known
    final, rank, decisions, missing, variables = decide_auth_info(
        policy_set.pairs, policy_set.gate_pairs, action, listed, policy_set.context, explain=explain
    )
    implicit_deny, allowed, explicit_deny = _by_outcome(policy_set, rank)
    result = AuthResult(
        action_type=action_type,
        resources=listed,
        auth_decision=final,
        allowed=tuple(allowed),
        implicit_deny=tuple(implicit_deny),
        explicit_deny=tuple(explicit_deny),
        missing_context_values=missing,
        decisions=decisions,
        variables=variables,
    )
    if not explain:
        size = 2 * text_bytes(*listed) + 5 * OBJECT_BYTES * (len(listed) + len(rank))
        _ANSWERS.put(key, result, size)
        _ANSWERS_BY_SET.put(mine, result, size)  # the result it keeps alive, as in _ANSWERS
    return result


#: :func:`wire_answer`'s answers, keyed as ``_ANSWERS`` and ``_ANSWERS_BY_SET`` are: bytes, nothing for the
#: garbage collector to walk, kept from the second time they are worked out (a new resource in every
#: request leaves nothing behind).
_WIRE: ByteBoundedCache[tuple[object, ...], bytes] = ByteBoundedCache(
    "services.wire_answers", second_sight=True
)
_WIRE_BY_SET: ByteBoundedCache[tuple[int, str, tuple[str, ...]], bytes] = ByteBoundedCache(
    "services.wire_answers_by_set", second_sight=True
)


def wire_answer(policy_set: PolicySet, action_type: str, resources: Sequence[str]) -> bytes:
    """``compact(authorize(policy_set, action_type, resources).to_dict())``, without the :class:`AuthResult`.

    What TestAuthorization sends needs only the decision, each policy's strongest outcome and the missing
    context values; the reasons behind them (``decisions``, ``variables``) are for people asking why, who
    call :func:`authorize`. A test holds the two equal byte for byte.
    """
    listed = tuple(resources)
    mine = (policy_set.serial, action_type, listed)
    known = _WIRE_BY_SET.get(mine)
    if known is not None:
        return known
    action = _action(action_type, listed)
    key = _shared_key(policy_set, action_type, action, listed)
    known = _WIRE.get(key)
    if known is not None:
        return known  # not remembered for this set too, as in ``authorize``
    final, rank, _, missing, _ = decide_auth_info(
        policy_set.pairs, policy_set.gate_pairs, action, listed, policy_set.context, reasons=False
    )
    implicit_deny, allowed, explicit_deny = _by_outcome(policy_set, rank)
    encoded = auth_result_json(action_type, listed, final, allowed, implicit_deny, explicit_deny, missing)
    size = len(encoded) + text_bytes(*listed) + OBJECT_BYTES * 2
    _WIRE.put(key, encoded, size)
    _WIRE_BY_SET.put(mine, encoded, size)
    return encoded
