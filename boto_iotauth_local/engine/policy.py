"""Parsing a policy document: the grammar check (spec A10) and compilation, done once per document."""

from __future__ import annotations

import itertools
import json
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .arn import is_resource_arn
from .conditions import Condition, parse_conditions
from .context import RequestContext
from .errors import PolicyError
from .glob import Glob
from .jsondata import JSONDataError, check, loads
from .statement import KeyRef, Statement, resource_pattern
from .variables import Dialect, Variable

VERSIONS = ("2012-10-17", "2008-10-17")
#: IAM's default when a document has no Version; under it ``${...}`` is plain text.
DEFAULT_VERSION = "2008-10-17"
_TOP_LEVEL = frozenset({"Version", "Id", "Statement"})
_STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Principal",
        "NotPrincipal",
    }
)
_SERVICE_PREFIX = re.compile(r"^[A-Za-z0-9*?-]+$")
_ACTION_CACHE_LIMIT = 256
_SERIALS = itertools.count()
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, eq=False)
class Policy:
    """A parsed, validated and compiled policy document.

    ``document`` is a private copy of the JSON object and ``text`` its JSON text (as given, when a string
    was given). Compiled statements and a per-action cache of the statements whose Action matches keep
    evaluation cheap.
    """

    document: Mapping[str, Any]
    text: str
    dialect: Dialect
    version: str
    statements: tuple[Statement, ...]
    _by_action: dict[str, Plan] = field(default_factory=dict, repr=False)
    #: Unique for the life of the process, unlike ``id()``, which a policy made after this one is freed may
    #: take over: caches key on it to tell policies apart without holding them.
    serial: int = field(default_factory=_SERIALS.__next__, init=False, repr=False)

    def plan_for(self, action_lower: str) -> Plan:
        """What to evaluate for one (lower-cased) action; computed once per action and cached."""
        found = self._by_action.get(action_lower)
        if found is None:
            found = Plan.build(tuple(s for s in self.statements if s.action_applies(action_lower)))
            if len(self._by_action) >= _ACTION_CACHE_LIMIT:
                self._by_action.clear()
            self._by_action[action_lower] = found
        return found

    def statements_for(self, action_lower: str) -> tuple[Statement, ...]:
        """The statements whose Action/NotAction covers the (lower-cased) action, in document order."""
        return self.plan_for(action_lower).statements


#: How a key is checked for ``missing_keys``: as a variable (needs a single value), as a condition key
#: (any value), or a variable form the dialect never substitutes (always missing).
_SCALAR, _ANY_VALUE, _NEVER_RESOLVED = 0, 1, 2
KeyChecks = tuple[tuple[str, str, int], ...]
VariableChecks = tuple[tuple[str, str, str | None], ...]


class KeyReport:
    """The keys and variables a plan reads, reduced to what ``Plan.report`` needs.

    Plans reading the same keys (common: policies differing only in their resources) share one object
    (see ``_key_report``), so a request works the report out once for all of them.
    """

    __slots__ = ("__weakref__", "key_checks", "variable_checks")

    def __init__(self, key_checks: KeyChecks, variable_checks: VariableChecks) -> None:
        #: (folded, name, check) in first-use order, one per (key, check), without refs never missing.
        self.key_checks = key_checks
        #: (key, folded, default) of the variables that can resolve, in first-use order.
        self.variable_checks = variable_checks

    def compute(self, context: RequestContext) -> tuple[Pairs, Pairs]:
        cache = context.cache
        found: tuple[Pairs, Pairs] | None = cache.get(self)
        if found is None:
            missing = []
            for folded, name, check in self.key_checks:
                if check == _SCALAR:
                    if context.scalar(folded) is None:
                        missing.append((folded, name))
                elif check == _ANY_VALUE:
                    if context.values(folded) is None:
                        missing.append((folded, name))
                else:
                    missing.append((folded, name))
            resolved = []
            for key, folded, default in self.variable_checks:
                value = context.scalar(folded)
                if value is None:
                    value = default
                if value is not None:
                    resolved.append((key, value))
            found = cache[self] = (tuple(missing), tuple(resolved))
        return found


_REPORTS: weakref.WeakValueDictionary[tuple[KeyChecks, VariableChecks], KeyReport] = (
    weakref.WeakValueDictionary()
)
_REPORTS_LOCK = threading.Lock()


def _key_report(keys: tuple[KeyRef, ...], variables: tuple[Variable, ...]) -> KeyReport:
    checks: dict[tuple[str, int], str] = {}
    for ref in keys:
        variable = ref.variable
        if variable is None:
            checks.setdefault((ref.folded, _ANY_VALUE), ref.name)
        elif not variable.supported:
            checks.setdefault((ref.folded, _NEVER_RESOLVED), ref.name)
        elif variable.default is None:
            checks.setdefault((ref.folded, _SCALAR), ref.name)
    key_checks = tuple((folded, name, check) for (folded, check), name in checks.items())
    variable_checks = tuple((v.key, v.folded, v.default) for v in variables if v.supported)
    signature = (key_checks, variable_checks)
    with _REPORTS_LOCK:
        found = _REPORTS.get(signature)
        if found is None:
            found = _REPORTS[signature] = KeyReport(key_checks, variable_checks)
    return found


@dataclass(frozen=True, slots=True, eq=False)
class Plan:
    """The statements one action reaches, split by effect, and the keys and variables they read."""

    statements: tuple[Statement, ...]
    denies: tuple[Statement, ...]
    allows: tuple[Statement, ...]
    keys: tuple[KeyRef, ...]  # de-duplicated, first-use order
    variables: tuple[Variable, ...]  # de-duplicated, first-use order
    key_report: KeyReport

    @classmethod
    def build(cls, statements: tuple[Statement, ...]) -> Plan:
        keys = tuple(dict.fromkeys(ref for s in statements for ref in s.keys))
        variables = tuple(dict.fromkeys(v for s in statements for v in s.variables))
        return cls(
            statements=statements,
            denies=tuple(s for s in statements if s.effect == "Deny"),
            allows=tuple(s for s in statements if s.effect == "Allow"),
            keys=keys,
            variables=variables,
            key_report=_key_report(keys, variables),
        )

    def report(self, context: RequestContext) -> tuple[Pairs, Pairs]:
        """``((folded, name) of missing keys, (key, value) of resolved variables)``, memoised per request.

        The same as testing ``KeyRef.is_missing`` and ``Variable.resolve`` for every ref: refs that share a
        key and a kind of check are missing together, so one check per pair does.
        """
        return self.key_report.compute(context)


def parse_policy(document: str | Mapping[str, Any], *, dialect: Literal["iot", "iam"] = "iot") -> Policy:
    """Validate and compile a policy document; raise PolicyError on anything the evaluator won't evaluate.

    ``dialect="iot"`` requires every resource to be ``*`` or an ARN, as AWS IoT's CreatePolicy does;
    ``dialect="iam"`` (Cognito role policies, IAM corpora) accepts any resource text and IAM's
    ``${key, 'default'}`` variables.
    """
    if dialect not in ("iot", "iam"):
        raise ValueError(f"dialect must be 'iot' or 'iam', not {dialect!r}")
    if isinstance(document, str):
        text = document
        try:
            parsed = loads(document, object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as exc:
            reason = f"The policy document is not valid JSON: {exc.msg} at position {exc.pos}"
            raise PolicyError(reason) from None
        except JSONDataError as exc:
            raise PolicyError(f"The policy document is not valid JSON: {exc}") from None
    elif isinstance(document, Mapping):
        try:
            check(dict(document))
        except JSONDataError as exc:
            raise PolicyError(f"The policy document is not JSON data: {exc}") from None
        text = json.dumps(document, separators=(",", ":"), allow_nan=False)
        parsed = json.loads(text)
    else:
        raise TypeError(f"a policy document is a JSON string or a mapping, not {type(document).__name__}")
    if not isinstance(parsed, dict):
        raise PolicyError("The policy document must be a JSON object")
    for key in parsed:
        if key not in _TOP_LEVEL:
            raise PolicyError(f"The policy document has an unsupported element: {key}")
    version = parsed.get("Version", DEFAULT_VERSION)
    if version not in VERSIONS:
        raise PolicyError(f"The policy version {json.dumps(version)} is not supported (use 2012-10-17)")
    if "Id" in parsed and not isinstance(parsed["Id"], str):
        raise PolicyError("Id must be a string")
    if "Statement" not in parsed:
        raise PolicyError("The policy document has no Statement")
    raw_statements = parsed["Statement"]
    if isinstance(raw_statements, dict):
        raw_statements = [raw_statements]
    if not isinstance(raw_statements, list) or not raw_statements:
        raise PolicyError("Statement must be an object or a non-empty list of objects")
    substitute = version == "2012-10-17"
    statements = tuple(
        _compile_statement(index, raw, dialect=dialect, substitute=substitute)
        for index, raw in enumerate(raw_statements)
    )
    return Policy(document=parsed, text=text, dialect=dialect, version=version, statements=statements)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise PolicyError(f"The policy document has a duplicate key: {key}")
        out[key] = value
    return out


def _compile_statement(index: int, raw: object, *, dialect: Dialect, substitute: bool) -> Statement:
    where = f"Statement {index}"
    if not isinstance(raw, dict):
        raise PolicyError(f"{where} must be an object")
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError(f"{where}: Sid must be a string")
    if sid:
        where = f"Statement {sid!r}"
    for key in raw:
        if key not in _STATEMENT_KEYS:
            raise PolicyError(f"{where} has an unsupported element: {key}")
    _check_principal(raw, where, dialect)
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        shown = "missing" if effect is None else json.dumps(effect)
        raise PolicyError(f'{where}: Effect must be "Allow" or "Deny" (it is {shown})')
    not_action, action_sources = _exactly_one(raw, "Action", "NotAction", where)
    for action in action_sources:
        _check_action(action, where)
    not_resource, resource_sources = _exactly_one(raw, "Resource", "NotResource", where)
    if dialect == "iot":
        for resource in resource_sources:
            if resource != "*" and not is_resource_arn(resource):
                raise PolicyError(f"The resource {resource} is not in valid ARN format")
    resources = tuple(resource_pattern(r, dialect=dialect, substitute=substitute) for r in resource_sources)
    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        conditions = parse_conditions(raw["Condition"], dialect=dialect, substitute=substitute)
    keys: list[KeyRef] = []
    variables: list[Variable] = []
    for pattern in resources:
        for variable in pattern.template.variables:
            keys.append(KeyRef(variable.key, variable.folded, variable))
            variables.append(variable)
    for condition in conditions:
        keys.append(KeyRef(condition.key, condition.folded, None))
        for variable in condition.variables:
            keys.append(KeyRef(variable.key, variable.folded, variable))
            variables.append(variable)
    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        not_action=not_action,
        action_sources=action_sources,
        actions=tuple(Glob.compile(a.lower()) for a in action_sources),
        not_resource=not_resource,
        resources=resources,
        conditions=conditions,
        keys=tuple(keys),
        variables=tuple(variables),
    )


def _check_principal(raw: dict[str, Any], where: str, dialect: Dialect) -> None:
    """IoT policies are identity policies: no principal element. IAM corpora sometimes carry ``"*"``."""
    if "NotPrincipal" in raw:
        raise PolicyError(f"{where}: NotPrincipal is not allowed in an identity policy")
    if "Principal" not in raw:
        return
    principal = raw["Principal"]
    if dialect == "iam" and (principal == "*" or principal == {"AWS": "*"}):
        return  # "everyone" in an identity policy means the identity itself: no effect on evaluation
    raise PolicyError(f"{where}: Principal is not allowed in an identity policy")


def _exactly_one(raw: dict[str, Any], name: str, negated: str, where: str) -> tuple[bool, tuple[str, ...]]:
    if (name in raw) == (negated in raw):
        raise PolicyError(f"{where} must have exactly one of {name} or {negated}")
    element = negated if negated in raw else name
    value = raw[element]
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise PolicyError(f"{where}: {element} must be a string or a non-empty list of strings")
    for item in items:
        if not isinstance(item, str) or not item:
            raise PolicyError(f"{where}: {element} entries must be non-empty strings, not {json.dumps(item)}")
    return element == negated, tuple(items)


def _check_action(action: str, where: str) -> None:
    if action == "*":
        return
    service, sep, _ = action.partition(":")
    if not sep or not _SERVICE_PREFIX.match(service):
        raise PolicyError(f"{where}: the action {action} is not in service:action format")
