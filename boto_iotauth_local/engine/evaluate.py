"""The decision: explicit Deny anywhere wins, then an Allow anywhere, else the implicit deny (IAM order)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from ..caches import OBJECT_BYTES, ByteBoundedCache, text_bytes
from .bound import BoundSet
from .context import RequestContext
from .explain import (
    ActionCheck,
    Decision,
    DecisionName,
    DeferredPolicyResult,
    Outcome,
    PatternCheck,
    PolicyResult,
    ResourceCheck,
    StatementResult,
    plain_result,
)
from .policy import Policy
from .statement import ANY_RESOURCE, ANY_RESOURCE_RULE, RESOURCE_RULE, AnyResource, Statement

#: Policy sets bound to one context; a context serving more sets than this starts over (memory bound).
_BINDINGS_PER_CONTEXT = 64

#: The context keys each (action, *policies) reads: what its decisions can depend on.
_READS: ByteBoundedCache[tuple[Any, ...], tuple[str, ...]] = ByteBoundedCache("engine.reads", 1 << 20)
#: Readings asked about once and not bound yet (same keys as ``_BOUND``): the second question binds.
_ASKED: ByteBoundedCache[tuple[Any, ...], bool] = ByteBoundedCache("engine.asked", 1 << 20)
#: Bound sets shared by every context that reads the same values: ((action, *policies), values) -> set.
_BOUND: ByteBoundedCache[tuple[Any, ...], BoundSet] = ByteBoundedCache("engine.bound", 4 << 20)


def evaluate(
    policies: Sequence[tuple[str, Policy]],
    action: str,
    resource: str | AnyResource,
    context: RequestContext,
    *,
    explain: bool = False,
) -> Decision:
    """Decide ``action`` on ``resource`` under the named policies.

    ``resource`` is compared literally (``"*"`` is a resource named ``*``); pass ``ANY_RESOURCE`` to ask
    whether the action is allowed on some resource (IAM simulation semantics, see ``ANY_RESOURCE``).

    ``missing_keys`` and ``variables`` come only from statements whose Action matched (spec A8); every such
    statement is inspected in full, so the report does not depend on evaluation order.

    Without ``explain``, the set is bound (``BoundSet``) once per distinct reading of the context keys its
    statements read, and shared by every context that reads the same values: from then on a resource costs
    a few string tests, whatever context object asks. The first question with new values is decided
    statement by statement, and the second one with the same values, in any context, binds the set.

    With ``explain``, the decision is the statement-by-statement one; each policy's statement details are
    worked out when first read (``PolicyResult.statements``), from the same immutable inputs.
    """
    if not isinstance(resource, str):
        if resource is not ANY_RESOURCE:  # never read an unexpected value as "any resource"
            raise TypeError(f"resource must be a string or ANY_RESOURCE, not {type(resource).__name__}")
        return _evaluate_each(policies, action, resource, context, explain=explain)
    if explain:
        return _evaluate_each(policies, action, resource, context, explain=True)
    bound = _binding(policies, action, context, eager=False)
    if bound is None:
        return _evaluate_each(policies, action, resource, context, explain=False)
    return bound.decide(resource)


def evaluate_all(
    policies: Sequence[tuple[str, Policy]], action: str, resources: Sequence[str], context: RequestContext
) -> list[Decision]:
    """``evaluate`` (without ``explain``) for each of several resources of one question.

    Binding a set costs about one statement-by-statement decision, so for two resources or more the set is
    bound at once instead of on its second question.
    """
    if len(resources) < 2 or not all(isinstance(resource, str) for resource in resources):
        # One resource, or ANY_RESOURCE among them (never decided on a bound set): each as ``evaluate``.
        return [evaluate(policies, action, resource, context) for resource in resources]
    bound = _binding(policies, action, context, eager=True)
    if bound is None:
        return [_evaluate_each(policies, action, r, context, explain=False) for r in resources]
    return [bound.decide(resource) for resource in resources]


def _binding(
    policies: Sequence[tuple[str, Policy]], action: str, context: RequestContext, *, eager: bool
) -> BoundSet | None:
    """The set bound to this context's reading; None to decide statement by statement instead: when the
    pairs are unhashable, or (unless ``eager``) on the first question with these values."""
    bindings = context.bindings
    try:
        key = (action, *policies)
        found = bindings.get(key)
    except TypeError:  # unhashable pairs: nothing to memoise under
        return None
    if found is None:
        shared_key = (key, context.read(_keys_read(key)))
        bound = _BOUND.get(shared_key)
        if bound is None:
            if not eager and _ASKED.get(shared_key) is None:
                # The first question with these values, in any context, goes statement by statement, which
                # is cheaper than binding when it is the only one; a second one binds the set for all.
                _ASKED.put(shared_key, True, OBJECT_BYTES * len(key) + _reading_bytes(shared_key[1]))
                return None
            bound = BoundSet(policies, action, context)
            _BOUND.put(shared_key, bound, bound.size + _reading_bytes(shared_key[1]))
        if len(bindings) >= _BINDINGS_PER_CONTEXT:
            bindings.clear()
        bindings[key] = found = bound
    bound_set: BoundSet = found
    return bound_set


def context_reading(
    policies: Sequence[tuple[str, Policy]], action: str, context: RequestContext
) -> tuple[str | tuple[str, ...] | None, ...]:
    """The values of the context keys these policies' statements for ``action`` read, as one hashable value.

    Every decision ``evaluate`` gives on these policies and action is a function of this reading (and of
    the resource): callers may share answers between contexts with equal readings.
    """
    return context.read(_keys_read((action, *policies)))


def _keys_read(key: tuple[Any, ...]) -> tuple[str, ...]:
    """``_reads`` of ``key`` = (action, *policies), remembered."""
    reads = _READS.get(key)
    if reads is None:
        reads = _reads(key[1:], key[0])
        _READS.put(key, reads, OBJECT_BYTES * (len(key) + len(reads)))
    return reads


def _reading_bytes(reading: tuple[str | tuple[str, ...] | None, ...]) -> int:
    size = 0
    for value in reading:
        if isinstance(value, str):
            size += text_bytes(value)
        elif value:
            size += text_bytes(*value)
    return size


def _reads(policies: Sequence[tuple[str, Policy]], action: str) -> tuple[str, ...]:
    """The (folded) context keys the statements of ``action`` read, as conditions or variables."""
    action_lower = action.lower()
    read: dict[str, None] = {}
    for _, policy in policies:
        for ref in policy.plan_for(action_lower).keys:
            read[ref.folded] = None
    return tuple(read)


def _evaluate_each(
    policies: Sequence[tuple[str, Policy]],
    action: str,
    resource: str | AnyResource,
    context: RequestContext,
    *,
    explain: bool,
) -> Decision:
    """Statement by statement: the reference evaluation, and the one that can explain itself."""
    action_lower = action.lower()
    missing: dict[str, str] = {}
    variables: dict[str, str] = {}
    results: list[PolicyResult] = []
    any_allow = any_deny = False
    for name, policy in policies:
        plan = policy.plan_for(action_lower)
        outcome: Outcome = "none"
        for statement in plan.denies:
            if statement.applies(resource, context):
                outcome = "deny"
                any_deny = True
                break
        else:
            for statement in plan.allows:
                if statement.applies(resource, context):
                    outcome = "allow"
                    any_allow = True
                    break
        absent, resolved = plan.report(context)
        for folded, key in absent:
            missing.setdefault(folded, key)
        for key, value in resolved:
            variables.setdefault(key, value)
        if explain:
            details = functools.partial(_explain_policy, policy, action_lower, resource, context)
            results.append(DeferredPolicyResult(name, outcome, explain=details))
        else:
            results.append(plain_result(name, outcome))
    decision: DecisionName = "EXPLICIT_DENY" if any_deny else "ALLOWED" if any_allow else "IMPLICIT_DENY"
    return Decision(
        decision=decision,
        policies=tuple(results),
        missing_keys=tuple(missing.values()),
        variables=MappingProxyType(variables),
        action=action,
        resource=resource if isinstance(resource, str) else "*",
        any_resource=not isinstance(resource, str),
    )


def _explain_policy(
    policy: Policy, action_lower: str, resource: str | AnyResource, context: RequestContext
) -> tuple[StatementResult, ...]:
    return tuple(_explain_statement(s, action_lower, resource, context) for s in policy.statements)


def _explain_statement(
    statement: Statement, action_lower: str, resource: str | AnyResource, context: RequestContext
) -> StatementResult:
    hit = statement.matching_action(action_lower)
    action_applies = statement.action_applies(action_lower)
    action = ActionCheck(
        element="NotAction" if statement.not_action else "Action",
        patterns=statement.action_sources,
        matched_pattern=None if hit is None else statement.action_sources[statement.actions.index(hit)],
        applies=action_applies,
    )
    if not action_applies:
        reason = (
            f"action {action_lower} is listed in NotAction"
            if statement.not_action
            else f"action {action_lower} is not in Action"
        )
        return StatementResult(
            index=statement.index,
            sid=statement.sid,
            effect=statement.effect,
            matched=False,
            action=action,
            resource=None,
            conditions=(),
            missing_keys=(),
            reason=reason,
        )
    checks: list[PatternCheck] = []
    for pattern in statement.resources:
        glob = pattern.glob(context)
        if glob is None:
            unresolved = pattern.template.unresolved(context)
            keys = tuple(dict.fromkeys(v.key for v in unresolved))
            checks.append(PatternCheck(pattern.source, None, False, keys))
        else:
            covers = statement.entry_matches(glob, resource)
            checks.append(PatternCheck(pattern.source, pattern.substituted(context), covers))
    resource_applies = statement.resource_applies(resource, context)
    any_resource = not isinstance(resource, str)
    notes = [ANY_RESOURCE_RULE] if any_resource else []
    if any(c.substituted is None for c in checks):
        notes.append(RESOURCE_RULE)
    shown = "any resource" if any_resource else resource
    resource_check = ResourceCheck(
        element="NotResource" if statement.not_resource else "Resource",
        resource=resource if isinstance(resource, str) else "*",
        patterns=tuple(checks),
        applies=resource_applies,
        note=" ".join(notes),
        any_resource=any_resource,
    )
    conditions = tuple(c.explain(context) for c in statement.conditions)
    missing = tuple(dict.fromkeys(ref.name for ref in statement.keys if ref.is_missing(context)))
    matched = resource_applies and all(c.result for c in conditions)
    if not resource_applies:
        if any_resource and statement.effect == "Deny":
            reason = f"{resource_check.element} does not deny every resource, so not any resource"
        else:
            reason = f"{resource_check.element} does not cover {shown}"
    elif not matched:
        failed = next(c for c in conditions if not c.result)
        reason = f"condition {failed.operator} on {failed.key} is false"
    else:
        verb = "denies" if statement.effect == "Deny" else "allows"
        reason = f"{verb} {action_lower} on {shown}"
    return StatementResult(
        index=statement.index,
        sid=statement.sid,
        effect=statement.effect,
        matched=matched,
        action=action,
        resource=resource_check,
        conditions=conditions,
        missing_keys=missing,
        reason=reason,
    )
