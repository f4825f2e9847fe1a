"""The decision: explicit Deny anywhere wins, then an Allow anywhere, else the implicit deny (IAM order)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from types import MappingProxyType

from .context import RequestContext
from .explain import (
    ActionCheck,
    Decision,
    DecisionName,
    Outcome,
    PatternCheck,
    PolicyResult,
    ResourceCheck,
    StatementResult,
)
from .policy import Policy
from .statement import RESOURCE_RULE, Statement


def evaluate(
    policies: Sequence[tuple[str, Policy]],
    action: str,
    resource: str,
    context: RequestContext,
    *,
    explain: bool = False,
) -> Decision:
    """Decide ``action`` on ``resource`` under the named policies.

    ``missing_keys`` and ``variables`` come only from statements whose Action matched (spec A8); every such
    statement is inspected in full, so the report does not depend on evaluation order.
    """
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
            details = _explain_policy(policy, action_lower, resource, context)
            results.append(PolicyResult(name, outcome, details))
        else:
            results.append(_plain_result(name, outcome))
    decision: DecisionName = "EXPLICIT_DENY" if any_deny else "ALLOWED" if any_allow else "IMPLICIT_DENY"
    return Decision(
        decision=decision,
        policies=tuple(results),
        missing_keys=tuple(missing.values()),
        variables=MappingProxyType(variables),
        action=action,
        resource=resource,
    )


@functools.lru_cache(maxsize=8192)
def _plain_result(name: str, outcome: Outcome) -> PolicyResult:
    """Results without details are immutable values; sharing them keeps the fast path allocation-free."""
    return PolicyResult(name, outcome)


def _explain_policy(
    policy: Policy, action_lower: str, resource: str, context: RequestContext
) -> tuple[StatementResult, ...]:
    return tuple(_explain_statement(s, action_lower, resource, context) for s in policy.statements)


def _explain_statement(
    statement: Statement, action_lower: str, resource: str, context: RequestContext
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
            checks.append(PatternCheck(pattern.source, pattern.substituted(context), glob.match(resource)))
    resource_applies = statement.resource_applies(resource, context)
    note = RESOURCE_RULE if any(c.substituted is None for c in checks) else ""
    resource_check = ResourceCheck(
        element="NotResource" if statement.not_resource else "Resource",
        resource=resource,
        patterns=tuple(checks),
        applies=resource_applies,
        note=note,
    )
    conditions = tuple(c.explain(context) for c in statement.conditions)
    missing = tuple(dict.fromkeys(ref.name for ref in statement.keys if ref.is_missing(context)))
    matched = resource_applies and all(c.result for c in conditions)
    if not resource_applies:
        reason = f"{resource_check.element} does not cover {resource}"
    elif not matched:
        failed = next(c for c in conditions if not c.result)
        reason = f"condition {failed.operator} on {failed.key} is false"
    else:
        verb = "denies" if statement.effect == "Deny" else "allows"
        reason = f"{verb} {action_lower} on {resource}"
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
