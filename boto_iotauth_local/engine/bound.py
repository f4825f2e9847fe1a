"""The fast path: a policy set bound to one request context, so that a resource costs a few string tests.

What depends only on the context is worked out once per (action, policy set, context): condition outcomes,
variable substitution, the missing-keys and variables report. Then, per policy and effect, the statements
that can still apply are merged into one test, with their patterns sorted by shape: exact names in a set,
``prefix*`` patterns in one tuple for ``str.startswith``, the rest as compiled globs. Deciding a resource is
then at most two calls per policy, with no per-statement dispatch and no allocation but the Decision.

The statement-by-statement evaluation in ``evaluate`` (used with ``explain=True``) is the reference: the tests
check that both paths reach the same outcome for every policy.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from types import MappingProxyType

from .context import RequestContext
from .explain import Decision, DecisionName, PolicyResult, plain_result
from .glob import Glob
from .policy import Policy
from .statement import Statement

#: A test of one resource name.
Test = Callable[[str], bool]
#: ``(applies to every resource, test for the rest or None when it applies to none, heads)``: ``heads``
#: are texts every resource the test accepts starts with one of (None when there is no such set).
GroupTest = tuple[bool, Test | None, tuple[str, ...] | None]
Entry = tuple[
    tuple[str, ...] | None, bool, Test | None, bool, Test | None, PolicyResult, PolicyResult, PolicyResult
]
#: Estimated bytes of one policy's entry: the tuple, up to two tests with their closures and pattern sets.
_ENTRY_BYTES = 1000


class _Union:
    """The resolved patterns of some entries, sorted by shape for the cheapest test of each."""

    __slots__ = ("anywhere", "everything", "exact", "globs", "heads", "prefixes")

    def __init__(self) -> None:
        self.everything = False
        self.exact: set[str] = set()
        self.prefixes: dict[str, None] = {}
        self.globs: dict[Glob, None] = {}
        #: Texts every resource some pattern matches starts with one of (repeats allowed), unless
        #: ``anywhere``: some pattern's match can start with anything.
        self.heads: list[str] = []
        self.anywhere = False

    def add(self, glob: Glob) -> None:
        if glob.always:
            self.everything = True
            return
        if glob.literal is not None:
            self.exact.add(glob.literal)
        elif glob.prefix is not None:
            self.prefixes[glob.prefix] = None
        else:
            self.globs[glob] = None
        if glob.head:
            self.heads.append(glob.head)
        else:
            self.anywhere = True

    def test(self) -> Test | None:
        """A test for "some pattern matches"; None when there is no pattern (``everything`` is separate)."""
        exact = frozenset(self.exact)
        prefixes = tuple(self.prefixes)
        globs = tuple(glob.test() for glob in self.globs)
        if not prefixes and not globs:
            if not exact:
                return None
            if len(exact) == 1:
                (only,) = exact
                return only.__eq__
            return exact.__contains__
        if not exact and not globs:
            starts: Test = operator.methodcaller("startswith", prefixes)
            return starts
        if not exact and not prefixes and len(globs) == 1:
            return globs[0]

        def union(resource: str) -> bool:
            if resource in exact or resource.startswith(prefixes):
                return True
            for match in globs:  # noqa: SIM110 - a loop builds no generator per call on the hot path
                if match(resource):
                    return True
            return False

        return union


def _negated(test: Test) -> Test:
    def outside(resource: str) -> bool:
        return not test(resource)

    return outside


def _any_of(tests: Sequence[Test]) -> Test:
    def any_of(resource: str) -> bool:
        for test in tests:  # noqa: SIM110 - a loop builds no generator per call on the hot path
            if test(resource):
                return True
        return False

    return any_of


#: What a group applying to no resource binds to.
_NONE: GroupTest = (False, None, ())


def bind_group(statements: Sequence[Statement], context: RequestContext) -> GroupTest:
    """One test for "some statement of this effect applies", with conditions and variables settled.

    Follows ``Statement.applies`` exactly: a statement whose conditions are false is dropped; an unresolved
    Resource entry matches nothing; a NotResource statement applies outside its entries, except that an
    Allow with an unresolved entry never applies and a Deny ignores its unresolved entries.
    """
    if not statements:  # most policies have no statement of one effect for an action: bound in no time
        return _NONE
    covered = _Union()
    outside: list[Test] = []
    for statement in statements:
        conditions = statement.conditions
        if conditions and not all(condition.evaluate(context) for condition in conditions):
            continue
        if not statement.not_resource:
            for pattern in statement.resources:
                glob = pattern.static or pattern.glob(context)
                if glob is not None:
                    covered.add(glob)
            continue
        excluded = _Union()
        unresolved = False
        for pattern in statement.resources:
            glob = pattern.static or pattern.glob(context)
            if glob is None:
                unresolved = True
            else:
                excluded.add(glob)
        if excluded.everything or (unresolved and statement.effect == "Allow"):
            continue  # applies to no resource
        test = excluded.test()
        if test is None:
            return True, None, None  # a Deny whose entries are all unresolved excludes nothing
        outside.append(_negated(test))
    if covered.everything:
        return True, None, None
    tests: list[Test] = []
    positive = covered.test()
    if positive is not None:
        tests.append(positive)
    tests.extend(outside)
    # A NotResource test accepts resources starting with anything.
    heads = None if outside or covered.anywhere else tuple(covered.heads)
    if not tests:
        return False, None, heads
    return False, tests[0] if len(tests) == 1 else _any_of(tuple(tests)), heads


class BoundSet:
    """A policy set and one action bound to one request context (see the module docstring)."""

    __slots__ = ("action", "entries", "missing", "size", "variables")

    def __init__(self, policies: Sequence[tuple[str, Policy]], action: str, context: RequestContext) -> None:
        action_lower = action.lower()
        entries: list[Entry] = []
        missing: dict[str, str] = {}
        variables: dict[str, str] = {}
        for name, policy in policies:
            plan = policy.plan_for(action_lower)
            deny_all, deny, deny_heads = bind_group(plan.denies, context)
            allow_all, allow, allow_heads = bind_group(plan.allows, context)
            # One ``startswith`` settles a resource that neither test could accept: most resources, for
            # most policies of a set.
            heads = None
            if not (deny_all or allow_all or deny_heads is None or allow_heads is None):
                heads = deny_heads + allow_heads
            results = (plain_result(name, "none"), plain_result(name, "allow"), plain_result(name, "deny"))
            entries.append((heads, deny_all, deny, allow_all, allow, *results))
            absent, resolved = plan.report(context)
            for folded, key in absent:
                missing.setdefault(folded, key)
            for key, value in resolved:
                variables.setdefault(key, value)
        self.action = action
        self.entries = tuple(entries)
        self.missing = tuple(missing.values())
        self.variables = MappingProxyType(variables)
        #: Estimated bytes it keeps alive (its tests, results and report), for the caches that hold it.
        self.size = _ENTRY_BYTES * len(entries) + sum(len(k) + len(v) + 100 for k, v in variables.items())

    def decide(self, resource: str) -> Decision:
        results: list[PolicyResult] = []
        append = results.append
        any_deny = any_allow = False
        for heads, deny_all, deny, allow_all, allow, none, allowed, denied in self.entries:
            if heads is not None and not resource.startswith(heads):
                append(none)
            elif deny_all or (deny is not None and deny(resource)):
                append(denied)
                any_deny = True
            elif allow_all or (allow is not None and allow(resource)):
                append(allowed)
                any_allow = True
            else:
                append(none)
        decision: DecisionName = "EXPLICIT_DENY" if any_deny else "ALLOWED" if any_allow else "IMPLICIT_DENY"
        return Decision(decision, tuple(results), self.missing, self.variables, self.action, resource)
