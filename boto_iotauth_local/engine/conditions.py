"""Condition blocks: set qualifiers, ``IfExists``, ``Null``, missing keys and unresolved variables.

Rules (IAM, and spec A8):

* Several operators and several keys are ANDed; several policy values for one key are ORed; a negated
  operator is true only when no policy value matches (NOR).
* A key the request does not carry: false, except ``...IfExists`` (true), ``Null`` (by its meaning),
  negated operators (true) and ``ForAllValues:`` (true). An empty list counts as absent.
* A policy value whose variable cannot be resolved matches nothing. Since "no match" is then not
  established, a negated operator is *false* when any of its values is unresolved (or any request value
  is not of the operator's type): an unknown never makes a condition true.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .context import RequestContext
from .errors import PolicyError
from .operators import OPERATORS, Comparator, parse_bool
from .variables import Dialect, Template, Variable, join, parse_template

Qualifier = Literal["ForAnyValue", "ForAllValues"] | None

_QUALIFIERS: tuple[Literal["ForAnyValue", "ForAllValues"], ...] = ("ForAnyValue", "ForAllValues")
_IF_EXISTS = "IfExists"
_UNUSABLE = object()  # cache marker: a substituted value that is unresolved or not of the operator's type


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    """How one condition fared, for explanations."""

    operator: str
    key: str
    context_values: tuple[str, ...] | None
    policy_values: tuple[str | None, ...]
    result: bool
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "operator": self.operator,
            "key": self.key,
            "context_values": None if self.context_values is None else list(self.context_values),
            "policy_values": list(self.policy_values),
            "result": self.result,
            "note": self.note,
        }

    def __str__(self) -> str:
        got = "<absent>" if self.context_values is None else json.dumps(list(self.context_values))
        want = json.dumps(list(self.policy_values))
        verdict = "true" if self.result else "false"
        tail = f" ({self.note})" if self.note else ""
        return f"{self.operator} {self.key}: request {got} vs policy {want} -> {verdict}{tail}"


@dataclass(frozen=True, slots=True)
class PolicyValue:
    """One value of a condition as written; literal values are read once, when the policy is parsed."""

    source: str
    template: Template | None
    prepared: Any


class Condition:
    """One ``operator: {key: values}`` pair of a statement's Condition block."""

    __slots__ = (
        "__weakref__",
        "base",
        "comparator",
        "folded",
        "if_exists",
        "key",
        "negated",
        "null",
        "operator",
        "qualifier",
        "values",
        "variables",
    )

    def __init__(
        self,
        operator: str,
        key: str,
        raw_values: list[str],
        *,
        dialect: Dialect,
        substitute: bool,
    ) -> None:
        self.operator = operator
        self.key = key
        self.folded = key.lower()
        self.qualifier, self.base, self.if_exists = _split_operator(operator)
        self.null = self.base == "Null"
        self.comparator: Comparator | None = None
        self.negated = False
        if self.null:
            if self.qualifier or self.if_exists:
                raise PolicyError(f"Condition operator {operator} is not supported: Null takes no qualifier")
        else:
            self.comparator, self.negated = OPERATORS[self.base]
        values: list[PolicyValue] = []
        for raw in raw_values:
            template = parse_template(raw, dialect=dialect, substitute=substitute)
            if template.variables:
                if self.null:
                    raise PolicyError(f"Condition operator Null does not accept policy variables ({raw!r})")
                values.append(PolicyValue(raw, template, None))
                continue
            try:
                prepared = (
                    parse_bool(raw) if self.null else self.comparator.prepare(template.static_parts)  # type: ignore[union-attr]
                )
            except ValueError as exc:
                raise PolicyError(f"Condition {operator} on {key}: {exc}") from exc
            values.append(PolicyValue(raw, None, prepared))
        self.values = tuple(values)
        self.variables: tuple[Variable, ...] = tuple(
            v for pv in values if pv.template is not None for v in pv.template.variables
        )

    # -- evaluation --------------------------------------------------------------------------------------

    def evaluate(self, context: RequestContext) -> bool:
        """The outcome, memoised per request: it depends on the context alone, never on the resource."""
        cache = context.cache
        outcome = cache.get(self)
        if outcome is None:
            outcome = cache[self] = self._evaluate(context)
        return outcome

    def _evaluate(self, context: RequestContext) -> bool:
        got = context.values(self.folded)
        if not got:
            if self.null:
                return any(pv.prepared == "true" for pv in self.values)
            if self.if_exists or self.qualifier == "ForAllValues":
                return True
            if self.qualifier == "ForAnyValue":
                return False
            return self.negated
        if self.null:
            return any(pv.prepared == "false" for pv in self.values)
        prepared, unknown = self._prepared(context)
        test = self.comparator.test  # type: ignore[union-attr]
        negated = self.negated
        outcomes = []
        for value in got:
            matched = False
            invalid = False
            for expected in prepared:
                hit = test(value, expected)
                if hit is None:
                    invalid = True
                    break
                if hit:
                    matched = True
                    break
            if negated:
                outcomes.append(not matched and not invalid and not unknown)
            else:
                outcomes.append(matched)
        if self.qualifier == "ForAllValues" or (negated and self.qualifier is None):
            return all(outcomes)
        return any(outcomes)

    def _prepared(self, context: RequestContext) -> tuple[list[Any], bool]:
        """Policy values ready for comparison, and whether any is unusable (unresolved or ill-typed)."""
        out: list[Any] = []
        unknown = False
        cache = context.cache
        for pv in self.values:
            if pv.template is None:
                out.append(pv.prepared)
                continue
            prepared = cache.get(pv.template, None)
            if prepared is None:
                prepared = self._prepare_template(pv.template, context)
                cache[pv.template] = prepared
            if prepared is _UNUSABLE:
                unknown = True
            else:
                out.append(prepared)
        return out, unknown

    def _prepare_template(self, template: Template, context: RequestContext) -> Any:
        parts = template.substitute(context)
        if parts is None:
            return _UNUSABLE
        try:
            return self.comparator.prepare(parts)  # type: ignore[union-attr]
        except ValueError:
            return _UNUSABLE

    def explain(self, context: RequestContext) -> ConditionOutcome:
        result = self.evaluate(context)
        got = context.values(self.folded)
        shown: list[str | None] = []
        for pv in self.values:
            if pv.template is None:
                shown.append(pv.source)
            else:
                parts = pv.template.substitute(context)
                shown.append(None if parts is None else join(parts))
        notes: list[str] = []
        if not got:
            if self.null:
                notes.append("key absent")
            elif self.if_exists:
                notes.append("key absent: IfExists is true")
            elif self.qualifier == "ForAllValues":
                notes.append("key absent: ForAllValues is true")
            elif self.negated and self.qualifier is None:
                notes.append("key absent: a negated operator is true")
            else:
                notes.append("key absent")
        unresolved = [v.key for v in self.variables if v.resolve(context) is None]
        if unresolved:
            names = ", ".join(dict.fromkeys(unresolved))
            notes.append(f"unresolved variable {names}: that value matches nothing")
        return ConditionOutcome(
            operator=self.operator,
            key=self.key,
            context_values=tuple(got) if got else None,
            policy_values=tuple(shown),
            result=result,
            note="; ".join(notes),
        )


def _split_operator(operator: str) -> tuple[Qualifier, str, bool]:
    qualifier: Qualifier = None
    name = operator
    if ":" in name:
        prefix, _, name = name.partition(":")
        if prefix not in _QUALIFIERS:
            raise PolicyError(f"Condition operator {operator} is not supported: unknown qualifier {prefix}")
        qualifier = prefix
    if_exists = name.endswith(_IF_EXISTS) and name != _IF_EXISTS
    base = name[: -len(_IF_EXISTS)] if if_exists else name
    if base != "Null" and base not in OPERATORS:
        raise PolicyError(f"Condition operator {operator} is not supported")
    return qualifier, base, if_exists


def _value_text(operator: str, key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return json.dumps(value)
    raise PolicyError(
        f"Condition {operator} on {key}: values must be strings, numbers or booleans, not {json.dumps(value)}"
    )


def parse_conditions(block: object, *, dialect: Dialect, substitute: bool) -> tuple[Condition, ...]:
    """Compile a statement's ``Condition`` element."""
    if not isinstance(block, Mapping):
        raise PolicyError("Condition must be an object of operator: {key: value}")
    out: list[Condition] = []
    for operator, keys in block.items():
        if not isinstance(operator, str):
            raise PolicyError("Condition operators must be strings")
        if not isinstance(keys, Mapping) or not keys:
            raise PolicyError(f"Condition {operator} must be a non-empty object of key: value")
        for key, raw in keys.items():
            if not isinstance(key, str) or not key or any(ch.isspace() for ch in key):
                raise PolicyError(f"Condition {operator} has an invalid key {json.dumps(key)}")
            items = raw if isinstance(raw, list) else [raw]
            values = [_value_text(operator, key, item) for item in items]
            out.append(_interned(operator, key, values, dialect=dialect, substitute=substitute))
    return tuple(out)


#: Identical conditions in different policies share one object, so a request evaluates each only once.
_INTERNED: weakref.WeakValueDictionary[tuple[Any, ...], Condition] = weakref.WeakValueDictionary()
_INTERN_LOCK = threading.Lock()


def _interned(operator: str, key: str, values: list[str], *, dialect: Dialect, substitute: bool) -> Condition:
    signature = (operator, key, tuple(values), dialect, substitute)
    with _INTERN_LOCK:
        found = _INTERNED.get(signature)
        if found is None:
            found = Condition(operator, key, values, dialect=dialect, substitute=substitute)
            _INTERNED[signature] = found
    return found
