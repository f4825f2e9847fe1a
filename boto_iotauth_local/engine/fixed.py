"""One action on fixed resources, asked of many request contexts: the fleet question's engine.

``bound.BoundSet`` fixes the context and varies the resource. Here the resources are fixed and the context
varies, one per principal. What depends only on the resources is worked out once per question: a pattern
without variables is matched once; one with variables is cut at its first and last variable into a head
and a tail. Between them every character is literal (substituted values never act as wildcards), so a
reading of the variables reduces to "does this text occur in the resource at a place where the head
matches what comes before and the tail what comes after": one ``startswith`` and one tail test when the
head has no wildcard, the common ``arn:...:topic/${iot:Connection.Thing.ThingName}/*``. No pattern is
compiled per principal. A pattern with wildcards between its variables is substituted and compiled per
reading, as the reference does.

Decisions follow ``Statement.applies`` and the per-policy order of ``evaluate`` exactly (deny statements,
then allow statements); the statement-by-statement evaluation is the reference, and the property tests
check that both reach the same outcome, the same missing keys, for every policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .conditions import Condition
from .context import RequestContext
from .explain import DecisionName
from .glob import Glob
from .policy import _ANY_VALUE, _SCALAR, KeyChecks, Policy
from .statement import ResourcePattern, Statement
from .variables import Part, Template, Variable

#: The values of the keys a set reads, by lower-cased key: a string, or a tuple for a multi-valued key.
#: Keys the request does not carry are left out.
Values = Mapping[str, str | tuple[str, ...]]
#: A policy's outcome for one resource, ranked as TestAuthorization ranks them: none, allow, deny.
NONE, ALLOW, DENY = 0, 1, 2
#: Above this length a resource is not scanned for the places a pattern's head and tail match; its
#: patterns are substituted and compiled per reading instead (TestAuthorization's limit is 2048).
_SCAN_LIMIT = 4096


def _value(variable: Variable, values: Values) -> str | None:
    """``Variable.resolve`` on a reading: only a single value is substituted, else the default."""
    if not variable.supported:
        return None
    value = values.get(variable.folded)
    if isinstance(value, str):
        return value
    return variable.default


class _TemplateMatch:
    """A resource pattern with variables against one fixed resource: True, False, or None (unresolved)."""

    __slots__ = (
        "_head",
        "_heads",
        "_resource",
        "_single",
        "_start",
        "_tail",
        "_tail_exact",
        "_tail_prefix",
        "_tails",
        "middle",
        "template",
    )

    def __init__(self, template: Template, resource: str) -> None:
        self.template = template
        self._resource = resource
        parts = template.parts
        where = [index for index, part in enumerate(parts) if isinstance(part, Variable)]
        first, last = where[0], where[-1]
        middle = parts[first : last + 1]
        #: The text between the first and the last variable: literal strings and variables, or None when
        #: it holds a wildcard (then the pattern is compiled per reading).
        self.middle: tuple[str | Variable, ...] | None = tuple(
            part if isinstance(part, Variable) else part[0] for part in middle
        )
        wild_middle = any(
            not isinstance(part, Variable) and not part[1] and ("*" in part[0] or "?" in part[0])
            for part in middle
        )
        if wild_middle or len(resource) > _SCAN_LIMIT:
            self.middle = None
        only = self.middle[0] if self.middle is not None and len(self.middle) == 1 else None
        #: The variable, when the middle is one variable alone (the common case).
        self._single = only if isinstance(only, Variable) else None
        head = Glob.from_parts(p for p in parts[:first] if not isinstance(p, Variable))
        tail = Glob.from_parts(p for p in parts[last + 1 :] if not isinstance(p, Variable))
        self._head = head
        self._tail = tail
        #: With a head without wildcards, the one place the middle can start (-1: the head never matches).
        self._start: int | None = None
        if head.literal is not None:
            self._start = len(head.literal) if resource.startswith(head.literal) else -1
        #: With a tail without wildcards, the one place the middle can end (-1: the tail never matches).
        self._tail_exact: int | None = None
        if tail.literal is not None:
            end = len(resource) - len(tail.literal)
            self._tail_exact = end if resource.endswith(tail.literal) else -1
        self._tail_prefix = tail.prefix
        self._heads: dict[int, bool] = {}
        self._tails: dict[int, bool] = {}

    def _head_matches(self, end: int) -> bool:
        found = self._heads.get(end)
        if found is None:
            found = self._heads[end] = self._head.match(self._resource[:end])
        return found

    def _tail_matches(self, start: int) -> bool:
        exact = self._tail_exact
        if exact is not None:
            return start == exact
        prefix = self._tail_prefix
        if prefix is not None:
            return self._resource.startswith(prefix, start)
        found = self._tails.get(start)
        if found is None:
            found = self._tails[start] = self._tail.match(self._resource[start:])
        return found

    def __call__(self, values: Values) -> bool | None:
        single = self._single
        if single is not None:  # ``_value``, inlined: this is the per-principal path
            if not single.supported:
                return None
            found = values.get(single.folded)
            text = found if isinstance(found, str) else single.default
            if text is None:
                return None
        elif self.middle is not None:
            pieces: list[str] = []
            for piece in self.middle:
                if isinstance(piece, str):
                    pieces.append(piece)
                    continue
                value = _value(piece, values)
                if value is None:
                    return None
                pieces.append(value)
            text = "".join(pieces)
        else:
            return self._compiled(values)
        resource = self._resource
        start = self._start
        if start is not None:
            return start >= 0 and resource.startswith(text, start) and self._tail_matches(start + len(text))
        at = resource.find(text)
        while at >= 0:
            if self._head_matches(at) and self._tail_matches(at + len(text)):
                return True
            at = resource.find(text, at + 1)
        return False

    def _compiled(self, values: Values) -> bool | None:
        parts: list[Part] = []
        for part in self.template.parts:
            if isinstance(part, Variable):
                value = _value(part, values)
                if value is None:
                    return None
                parts.append((value, True))
            else:
                parts.append(part)
        return Glob.from_parts(parts).match(self._resource)


class _StatementTest:
    """``Statement.applies`` for one fixed resource, with what does not depend on the context settled."""

    __slots__ = ("conditions", "constant", "deny", "not_resource", "templates")

    def __init__(self, statement: Statement, matches: Sequence[bool | _TemplateMatch]) -> None:
        self.deny = statement.effect == "Deny"
        self.not_resource = statement.not_resource
        self.conditions: tuple[Condition, ...] = statement.conditions
        static_hit = any(match is True for match in matches)
        self.templates = tuple(match for match in matches if isinstance(match, _TemplateMatch))
        #: True or False when the resource part does not depend on the context, else None.
        self.constant: bool | None = None
        if static_hit:
            self.constant = not self.not_resource
        elif not self.templates:
            self.constant = self.not_resource

    def resource_applies(self, values: Values) -> bool:
        constant = self.constant
        if constant is not None:
            return constant
        hit = unresolved = False
        for match in self.templates:
            found = match(values)
            if found is None:
                unresolved = True
            elif found:
                hit = True
                break
        if not self.not_resource:
            return hit
        # NotResource: outside every entry; an Allow never relies on an unresolved entry (RESOURCE_RULE).
        return not hit and not (unresolved and not self.deny)

    def applies(self, values: Values, context: RequestContext | None) -> bool:
        if not self.resource_applies(values):
            return False
        if not self.conditions:
            return True
        assert context is not None
        return all(condition.evaluate(context) for condition in self.conditions)

    @property
    def never(self) -> bool:
        return self.constant is False

    @property
    def always(self) -> bool:
        return self.constant is True and not self.conditions


#: Per resource: (deny always, deny statements to test, allow always, allow statements to test).
_ResourceTests = tuple[bool, tuple[_StatementTest, ...], bool, tuple[_StatementTest, ...]]


class _PolicyTests:
    """A policy's statements for the question's action, per fixed resource, with the settled ones folded.

    Policies that differ only in what the resources settle (10,000 policies that each deny their own
    firmware topic, say) reduce to the same tests and share one object, decided once per reading.
    """

    __slots__ = ("constant", "needs_context", "per_resource")

    def __init__(self, per_resource: tuple[_ResourceTests, ...]) -> None:
        self.per_resource = per_resource
        self.needs_context = any(test.conditions for _, d, _, a in per_resource for test in d + a)
        #: The outcome per resource when no reading can change it, else None.
        self.constant: tuple[int, ...] | None = None
        if all(
            deny_always or (not denies and (allow_always or not allows))
            for deny_always, denies, allow_always, allows in per_resource
        ):
            self.constant = tuple(
                DENY if deny_always else ALLOW if allow_always else NONE
                for deny_always, _, allow_always, _ in per_resource
            )

    def outcomes(self, values: Values, context: RequestContext | None) -> tuple[int, ...]:
        constant = self.constant
        if constant is not None:
            return constant
        out: list[int] = []
        for deny_always, denies, allow_always, allows in self.per_resource:
            if deny_always or _any_applies(denies, values, context):
                out.append(DENY)
            elif allow_always or _any_applies(allows, values, context):
                out.append(ALLOW)
            else:
                out.append(NONE)
        return tuple(out)


def _any_applies(tests: tuple[_StatementTest, ...], values: Values, context: RequestContext | None) -> bool:
    for test in tests:  # a loop builds no generator per call on the hot path
        if test.conditions:
            if test.applies(values, context):
                return True
        elif test.resource_applies(values):
            return True
    return False


class FixedQuestion:
    """One action on fixed resources: compiles each policy, and each resource pattern, once.

    ``policy_set`` gives the ``FixedSet`` of some policies; policies that reduce to the same tests share
    them, and sets made of the same records are one object. Keep one per question: it holds what it
    compiled.
    """

    __slots__ = (
        "_patterns",
        "_policies",
        "_records",
        "_reduced",
        "_sets",
        "_statements",
        "action",
        "action_lower",
        "resources",
    )

    def __init__(self, action: str, resources: Sequence[str]) -> None:
        self.action = action
        self.action_lower = action.lower()
        self.resources = tuple(resources)
        self._patterns: dict[tuple[ResourcePattern, str], bool | _TemplateMatch] = {}
        self._statements: dict[tuple[object, ...], _StatementTest] = {}
        self._reduced: dict[tuple[_ResourceTests, ...], _PolicyTests] = {}
        self._records: dict[tuple[object, ...], _PolicyRecord] = {}
        self._policies: dict[int, tuple[Policy, _PolicyRecord]] = {}
        self._sets: dict[tuple[_PolicyRecord, ...], FixedSet] = {}

    def _pattern(self, pattern: ResourcePattern, resource: str) -> bool | _TemplateMatch:
        key = (pattern, resource)
        found = self._patterns.get(key)
        if found is None:
            static = pattern.static
            found = (
                static.match(resource) if static is not None else _TemplateMatch(pattern.template, resource)
            )
            self._patterns[key] = found
        return found

    def _statement(self, statement: Statement, resource: str) -> _StatementTest:
        made = _StatementTest(statement, [self._pattern(p, resource) for p in statement.resources])
        # Equal tests (same effect, element, conditions and pattern matchers) are one object.
        key = (made.deny, made.not_resource, made.conditions, made.constant, made.templates)
        return self._statements.setdefault(key, made)

    def policy_record(self, policy: Policy) -> _PolicyRecord:
        """The policy's tests, missing-key checks and keys read, shared by every policy that has the same."""
        found = self._policies.get(id(policy))
        if found is None or found[0] is not policy:
            plan = policy.plan_for(self.action_lower)
            per_resource: list[_ResourceTests] = []
            for resource in self.resources:
                groups: list[tuple[bool, tuple[_StatementTest, ...]]] = []
                for statements in (plan.denies, plan.allows):
                    tests = [self._statement(statement, resource) for statement in statements]
                    always = any(test.always for test in tests)
                    groups.append((always, () if always else tuple(t for t in tests if not t.never)))
                (deny_always, denies), (allow_always, allows) = groups
                per_resource.append((deny_always, denies, allow_always, allows))
            shape = tuple(per_resource)
            reduced = self._reduced.get(shape)
            if reduced is None:
                reduced = self._reduced[shape] = _PolicyTests(shape)
            reads = tuple(dict.fromkeys(ref.folded for ref in plan.keys))
            key = (reduced, plan.key_report.key_checks, reads)
            record = self._records.get(key)
            if record is None:
                record = self._records[key] = _PolicyRecord(reduced, plan.key_report.key_checks, reads)
            found = self._policies[id(policy)] = (policy, record)
        return found[1]

    def policy_set(self, policies: Sequence[tuple[str, Policy]]) -> FixedSet:
        """The set of these policies; sets whose policies have the same records are one object."""
        records = tuple([self.policy_record(policy) for _, policy in policies])
        found = self._sets.get(records)
        if found is None:
            found = self._sets[records] = FixedSet(self.resources, records)
        return found


class _PolicyRecord:
    """What a set needs of one policy: its tests, its missing-key checks and the keys it reads.

    Interned per question, and hashed by identity, so that a set's records make a cheap key.
    """

    __slots__ = ("checks", "reads", "tests")

    def __init__(self, tests: _PolicyTests, checks: KeyChecks, reads: tuple[str, ...]) -> None:
        self.tests = tests
        self.checks = checks
        self.reads = reads


#: A set's decision on a reading: per resource the decision (IAM order), per policy its strongest outcome
#: over the resources (``DENY`` over ``ALLOW`` over ``NONE``), and the missing keys in ``evaluate``'s order.
FixedDecision = tuple[tuple[DecisionName, ...], tuple[int, ...], tuple[str, ...]]
#: What a set's decision on a reading depends on: per distinct reading-dependent test its outcomes per
#: resource, and the missing keys.
Signature = tuple[tuple[tuple[int, ...], ...], tuple[str, ...]]


def _decision(outcomes: Sequence[int]) -> DecisionName:
    return "EXPLICIT_DENY" if DENY in outcomes else "ALLOWED" if ALLOW in outcomes else "IMPLICIT_DENY"


class FixedSet:
    """A policy set under a ``FixedQuestion``: ``decide`` takes the values of the keys in ``reads``.

    ``evaluate`` on the same policies, action and each resource, in a context carrying those values, gives
    the same per-policy outcomes and missing keys.
    """

    __slots__ = ("_checks", "_layout", "_varying", "constant", "needs_context", "reads", "resources")

    def __init__(self, resources: tuple[str, ...], records: tuple[_PolicyRecord, ...]) -> None:
        self.resources = resources
        #: The (lower-cased) keys the statements for the action read, as conditions or variables.
        self.reads: tuple[str, ...] = tuple(dict.fromkeys(key for record in records for key in record.reads))
        # The same check twice gives the same answer twice: only the first of equal ones is kept.
        self._checks: KeyChecks = tuple(dict.fromkeys(check for record in records for check in record.checks))
        #: The distinct tests that depend on the reading, each decided once per reading.
        self._varying = tuple(dict.fromkeys(r.tests for r in records if r.tests.constant is None))
        #: Per policy: the index of its tests in ``_varying``, or -1 and its constant outcomes.
        self._layout = tuple(
            (-1, r.tests.constant) if r.tests.constant is not None else (self._varying.index(r.tests), ())
            for r in records
        )
        self.needs_context = any(tests.needs_context for tests in self._varying)
        #: The decision when it does not depend on the reading at all, else None.
        self.constant: FixedDecision | None = self.decide({}) if not self.reads else None

    def missing(self, values: Values) -> tuple[str, ...]:
        """``Plan.report``'s missing keys, merged over the policies as ``evaluate`` merges them."""
        missing: dict[str, str] = {}
        for folded, name, check in self._checks:
            if folded in missing:
                continue
            if check == _SCALAR:
                absent = not isinstance(values.get(folded), str)
            elif check == _ANY_VALUE:
                absent = values.get(folded) is None
            else:
                absent = True
            if absent:
                missing[folded] = name
        return tuple(missing.values())

    def signature(self, values: Values) -> Signature:
        """All a decision depends on: the outcomes of the tests that read the values, and the missing keys.

        Readings with equal signatures get equal decisions (``decision``), so a caller can keep one per
        signature: most distinct readings of a fleet share a handful of signatures.
        """
        context = RequestContext(values) if self.needs_context else None
        return tuple([tests.outcomes(values, context) for tests in self._varying]), self.missing(values)

    def decide(self, values: Values) -> FixedDecision:
        """``decision(signature(values))``."""
        return self.decision(self.signature(values))

    def decision(self, signature: Signature) -> FixedDecision:
        results, missing = signature
        per_policy = [results[index] if index >= 0 else constant for index, constant in self._layout]
        decisions = tuple(
            _decision([outcomes[index] for outcomes in per_policy]) for index in range(len(self.resources))
        )
        ranks = tuple([max(outcomes, default=NONE) for outcomes in per_policy])
        return decisions, ranks, missing
