"""Small helpers shared by the engine tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from boto_iotauth_local.engine import AnyResource, Decision, RequestContext, evaluate, parse_policy

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def doc(*statements: Mapping[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def decide(
    documents: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    action: str,
    resource: str | AnyResource,
    context: Mapping[str, str | Sequence[str]] | None = None,
    *,
    dialect: str = "iam",
    explain: bool = False,
) -> Decision:
    """Evaluate on every path and check that they agree.

    The first question on a context goes statement by statement, a second one on the same context takes
    the bound fast path, and ``explain=True`` explains statement by statement.
    """
    docs = [documents] if isinstance(documents, Mapping) else list(documents)
    policies = [(f"p{i}", parse_policy(d, dialect=dialect)) for i, d in enumerate(docs)]  # type: ignore[arg-type]
    ctx = RequestContext(context or {})
    first = evaluate(policies, action, resource, ctx)
    bound = evaluate(policies, action, resource, ctx)
    slow = evaluate(policies, action, resource, ctx, explain=True)
    for fast in (first, bound):
        assert fast.decision == slow.decision
        assert fast.missing_keys == slow.missing_keys
        assert dict(fast.variables) == dict(slow.variables)
        assert [p.outcome for p in fast.policies] == [p.outcome for p in slow.policies]
        assert (fast.resource, fast.any_resource) == (slow.resource, slow.any_resource)
    for policy in slow.policies:
        assert (policy.outcome != "none") == any(s.matched for s in policy.statements)
    return slow if explain else bound


def verdict(
    documents: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    action: str,
    resource: str | AnyResource,
    context: Mapping[str, str | Sequence[str]] | None = None,
    *,
    dialect: str = "iam",
) -> str:
    return decide(documents, action, resource, context, dialect=dialect).decision


def condition(block: Mapping[str, Any], context: Mapping[str, str | Sequence[str]] | None = None) -> bool:
    """True if an Allow statement carrying only this Condition block allows the request."""
    return verdict(doc(allow(Condition=block)), "s3:GetObject", "arn:aws:s3:::b/k", context) == "ALLOWED"
