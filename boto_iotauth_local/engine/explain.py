"""Decision objects: what was decided, and (with ``explain=True``) why, statement by statement."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .conditions import ConditionOutcome

DecisionName = Literal["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY"]
Outcome = Literal["allow", "deny", "none"]


@dataclass(frozen=True, slots=True)
class ActionCheck:
    """Action/NotAction against the requested action."""

    element: Literal["Action", "NotAction"]
    patterns: tuple[str, ...]
    matched_pattern: str | None  # the entry that matched the action, if one did
    applies: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "patterns": list(self.patterns),
            "matched_pattern": self.matched_pattern,
            "applies": self.applies,
        }

    def __str__(self) -> str:
        hit = f"{self.matched_pattern!r} matches" if self.matched_pattern is not None else "no entry matches"
        verdict = "applies" if self.applies else "does not apply"
        return f"{self.element} {json.dumps(list(self.patterns))}: {hit} -> {verdict}"


@dataclass(frozen=True, slots=True)
class PatternCheck:
    """One Resource/NotResource entry: as written, after substitution (None if unresolved), and the test."""

    pattern: str
    substituted: str | None
    matched: bool
    missing_keys: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern,
            "substituted": self.substituted,
            "matched": self.matched,
            "missing_keys": list(self.missing_keys),
        }

    def __str__(self) -> str:
        if self.substituted is None:
            return f"{self.pattern!r}: unresolved ({', '.join(self.missing_keys)}) -> matches nothing"
        shown = self.pattern if self.substituted == self.pattern else f"{self.pattern} => {self.substituted}"
        return f"{shown!r}: {'matches' if self.matched else 'does not match'}"


@dataclass(frozen=True, slots=True)
class ResourceCheck:
    """Resource/NotResource against the requested resource (``any_resource``: the request was ANY_RESOURCE,
    ``resource`` is then ``*`` and each pattern's ``matched`` follows the any-resource rule in ``note``)."""

    element: Literal["Resource", "NotResource"]
    resource: str
    patterns: tuple[PatternCheck, ...]
    applies: bool
    note: str = ""
    any_resource: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "element": self.element,
            "resource": self.resource,
            "any_resource": self.any_resource,
            "patterns": [p.to_dict() for p in self.patterns],
            "applies": self.applies,
            "note": self.note,
        }

    def __str__(self) -> str:
        shown = "any resource" if self.any_resource else repr(self.resource)
        lines = [f"{self.element} vs {shown} -> {'applies' if self.applies else 'does not apply'}"]
        lines += [f"  {p}" for p in self.patterns]
        if self.note:
            lines.append(f"  ({self.note})")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class StatementResult:
    """Why one statement did or did not take part in the decision."""

    index: int
    sid: str | None
    effect: Literal["Allow", "Deny"]
    matched: bool
    action: ActionCheck
    resource: ResourceCheck | None  # None when the action did not match (nothing else is evaluated)
    conditions: tuple[ConditionOutcome, ...]
    missing_keys: tuple[str, ...]
    reason: str

    @property
    def label(self) -> str:
        return f"#{self.index}" + (f" ({self.sid})" if self.sid else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "sid": self.sid,
            "effect": self.effect,
            "matched": self.matched,
            "action": self.action.to_dict(),
            "resource": None if self.resource is None else self.resource.to_dict(),
            "conditions": [c.to_dict() for c in self.conditions],
            "missing_keys": list(self.missing_keys),
            "reason": self.reason,
        }

    def __str__(self) -> str:
        lines = [f"statement {self.label} {self.effect}: {self.reason}", f"  {self.action}"]
        if self.resource is not None:
            lines += ["  " + line for line in str(self.resource).splitlines()]
        lines += [f"  condition {c}" for c in self.conditions]
        if self.missing_keys:
            lines.append(f"  missing keys: {', '.join(self.missing_keys)}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..render.html import statement_html  # rendering lives above the engine; imported on use

        return statement_html(self)


@dataclass(frozen=True, slots=True)
class PolicyResult:
    name: str
    outcome: Outcome
    statements: tuple[StatementResult, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "statements": [s.to_dict() for s in self.statements],
        }

    def __str__(self) -> str:
        lines = [f"policy {self.name}: {self.outcome}"]
        for statement in self.statements:
            lines += ["  " + line for line in str(statement).splitlines()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..render.html import policy_result_html

        return policy_result_html(self)


_STATEMENTS = PolicyResult.__dict__["statements"]  # the slot that keeps a result's statements


class DeferredPolicyResult(PolicyResult):
    """A ``PolicyResult`` whose statement details are worked out when first read.

    An explained decision is mostly read for its outcome; the details of every statement cost far more than
    the decision itself, so they wait until asked for. ``explain`` must be a pure function of immutable
    inputs (compiled policies, a read-only context): reading the details later gives what reading them at
    once would have. It pickles, compares and hashes as the ``PolicyResult`` it stands for.
    """

    __slots__ = ("_explain",)

    def __init__(
        self,
        name: str,
        outcome: Outcome,
        statements: tuple[StatementResult, ...] = (),
        *,
        explain: Callable[[], tuple[StatementResult, ...]] | None = None,
    ) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "outcome", outcome)
        _STATEMENTS.__set__(self, statements)
        object.__setattr__(self, "_explain", explain)

    @property
    def statements(self) -> tuple[StatementResult, ...]:
        explain: Callable[[], tuple[StatementResult, ...]] | None = object.__getattribute__(self, "_explain")
        if explain is not None:
            _STATEMENTS.__set__(self, explain())
            object.__setattr__(self, "_explain", None)
        return _STATEMENTS.__get__(self)  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PolicyResult):
            return (self.name, self.outcome, self.statements) == (other.name, other.outcome, other.statements)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name, self.outcome, self.statements))

    def __reduce__(self) -> tuple[Any, ...]:
        return (PolicyResult, (self.name, self.outcome, self.statements))


@functools.lru_cache(maxsize=8192)
def plain_result(name: str, outcome: Outcome) -> PolicyResult:
    """Results without details are immutable values; sharing them keeps the fast path allocation-free."""
    return PolicyResult(name, outcome)


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer for one action on one resource under a set of policies.

    For a request on ANY_RESOURCE, ``resource`` is ``*`` and ``any_resource`` is True.
    """

    decision: DecisionName
    policies: tuple[PolicyResult, ...]
    missing_keys: tuple[str, ...]
    variables: Mapping[str, str] = field(default_factory=dict)
    action: str = ""
    resource: str = ""
    any_resource: bool = False

    @property
    def allowed(self) -> bool:
        return self.decision == "ALLOWED"

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "action": self.action,
            "resource": self.resource,
            "any_resource": self.any_resource,
            "policies": [p.to_dict() for p in self.policies],
            "missing_keys": list(self.missing_keys),
            "variables": dict(self.variables),
        }

    def __str__(self) -> str:
        shown = "any resource" if self.any_resource else self.resource
        lines = [f"{self.decision}: {self.action} on {shown}"]
        lines += [str(p) for p in self.policies]
        if self.missing_keys:
            lines.append(f"missing keys: {', '.join(self.missing_keys)}")
        if self.variables:
            lines.append("variables: " + ", ".join(f"{k}={v!r}" for k, v in self.variables.items()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from ..render.html import decision_html

        return decision_html(self)
