"""Policy variables (``${key}``) in Resource and Condition values.

A template is the policy text cut into pattern text and variables. Substituted values are always literal:
a client ID of ``a*`` never turns into a wildcard. ``${*}``, ``${?}`` and ``${$}`` are the IAM escapes for
a literal ``*``, ``?`` and ``$``; the AWS IoT developer guide writes them ``$(*)``, ``$(?)`` and ``$($)``,
and the ``iot`` dialect takes both forms as literals (reading ``$(*)`` as a wildcard could allow what AWS
does not). IAM's default-value form ``${key, 'default'}`` is honoured in the ``iam``
dialect only; AWS IoT does not document it, so there it never resolves (spec section 2.6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .context import RequestContext
from .errors import PolicyError

Dialect = Literal["iot", "iam"]
#: A piece of substituted text: ``(text, literal)``; in literal pieces ``*`` and ``?`` are not wildcards.
Part = tuple[str, bool]

_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_TOKENS = {"iam": re.compile(r"\$\{"), "iot": re.compile(r"\$\{|\$\([*?$]\)")}
_DEFAULT_FORM = re.compile(r"^\s*([^\s,'${}]+)\s*,\s*'([^']*)'\s*$")
_KEY = re.compile(r"^[^\s'${}]+$")


@dataclass(frozen=True, slots=True)
class Variable:
    """One ``${...}`` reference."""

    key: str
    folded: str
    default: str | None = None
    #: False for a form the dialect does not support: it is reported missing and never substituted.
    supported: bool = True

    def resolve(self, context: RequestContext) -> str | None:
        if not self.supported:
            return None
        value = context.scalar(self.folded)
        if value is None:
            return self.default
        return value


class Template:
    """A string from a policy, cut into text and variables; compared by identity (used as a cache key)."""

    __slots__ = ("__weakref__", "parts", "source", "variables")

    def __init__(self, source: str, parts: tuple[Part | Variable, ...]) -> None:
        self.source = source
        self.parts = parts
        self.variables = tuple(p for p in parts if isinstance(p, Variable))

    @property
    def static_parts(self) -> tuple[Part, ...]:
        """The parts of a template without variables."""
        return tuple(p for p in self.parts if not isinstance(p, Variable))

    def substitute(self, context: RequestContext) -> tuple[Part, ...] | None:
        """The parts with every variable replaced by its (literal) value, or None if one is unresolved."""
        out: list[Part] = []
        for part in self.parts:
            if isinstance(part, Variable):
                value = part.resolve(context)
                if value is None:
                    return None
                out.append((value, True))
            else:
                out.append(part)
        return tuple(out)

    def unresolved(self, context: RequestContext) -> tuple[Variable, ...]:
        return tuple(v for v in self.variables if v.resolve(context) is None)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


def join(parts: tuple[Part, ...]) -> str:
    """The substituted text, for explanations and for operators that do not use wildcards."""
    return "".join(text for text, _ in parts)


def parse_template(text: str, *, dialect: Dialect, substitute: bool) -> Template:
    """Cut ``text`` into parts. With ``substitute`` False (policy Version 2008-10-17) ``${`` is plain text."""
    if not substitute or ("${" not in text and (dialect != "iot" or "$(" not in text)):
        return Template(text, ((text, False),))
    tokens = _TOKENS[dialect]
    parts: list[Part | Variable] = []
    pos = 0
    while True:
        found = tokens.search(text, pos)
        if found is None:
            break
        start = found.start()
        if start > pos:
            parts.append((text[pos:start], False))
        if found.group() != "${":  # $(*), $(?) or $($)
            parts.append((found.group()[2], True))
            pos = found.end()
            continue
        end = text.find("}", start + 2)
        if end < 0:
            raise PolicyError(f"The policy variable in {text!r} is not closed with '}}'")
        parts.append(_parse_reference(text, text[start + 2 : end], dialect))
        pos = end + 1
    if pos < len(text):
        parts.append((text[pos:], False))
    return Template(text, tuple(parts))


def _parse_reference(text: str, inner: str, dialect: Dialect) -> Part | Variable:
    if inner in _ESCAPES:
        return (_ESCAPES[inner], True)
    default = _DEFAULT_FORM.match(inner)
    if default is not None:
        key = default.group(1)
        return Variable(key, key.lower(), default.group(2), supported=dialect == "iam")
    if not _KEY.match(inner):
        raise PolicyError(f"The policy variable ${{{inner}}} in {text!r} is not a valid context key")
    return Variable(inner, inner.lower())
