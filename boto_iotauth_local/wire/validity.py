"""Whether a decoded value breaks none of its shape's constraints, as one generated Python function.

The reference walk (:mod:`.validate`) dispatches on each value's kind and carries its member path, so that
it can say where every error is; on a valid request (nearly every request) all that work says nothing.
Here each operation's rules are written out once as straight-line Python source (as fastjsonschema does
for JSON Schema): a member costs a lookup and one condition, with no dispatch and no path. The test only
answers yes or no; a no hands the value to the walk, which finds and words the errors. So the test must
accept exactly what the walk accepts (``tests/wire/test_validity.py`` checks every IoT input shape), and
the messages and their order have one source.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
from collections.abc import Callable, Mapping
from typing import Any

from .patterns import compiled
from .rules import Rule

#: Containers nested deeper than this in one function are checked by a function of their own: the source
#: of a wide model (a topic rule's actions) stays small, and a shape that contains itself stays finite.
_INLINE_DEPTH = 4
_NUMBERS = {"integer": "int", "long": "int", "double": "(int, float)", "float": "(int, float)"}


def _blob_length(value: str) -> int | None:
    """The decoded length of Base64 text, None when it is not Base64 (as the walk decodes it)."""
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return None


class _Source:
    """The source of one test: its functions, and the model's values they name."""

    def __init__(self, inline_depth: int) -> None:
        self.inline_depth = inline_depth
        self.names: dict[str, Any] = {"Mapping": Mapping, "blob_length": _blob_length}
        self.functions: dict[int, str] = {}
        self.pending: list[tuple[str, Rule]] = []
        self.variables = itertools.count()

    def constant(self, value: Any) -> str:
        if type(value) is int:
            return repr(value)
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def function(self, rule: Rule) -> str:
        name = self.functions.get(id(rule))
        if name is None:
            name = self.functions[id(rule)] = f"valid_{len(self.functions)}"
            self.pending.append((name, rule))
        return name

    def variable(self) -> str:
        return f"v{next(self.variables)}"

    def lengths(self, rule: Rule, length: str) -> list[str]:
        """Conditions under which ``length`` breaks the rule's bounds."""
        broken = []
        if rule.min is not None:
            broken.append(f"{length} < {self.constant(rule.min)}")
        if rule.max is not None:
            broken.append(f"{length} > {self.constant(rule.max)}")
        return broken

    def check(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        """Lines that return False when ``value`` (a non-None variable) breaks ``rule``."""
        if rule.kind in ("structure", "list", "map") and depth >= self.inline_depth:
            return [f"{pad}if not {self.function(rule)}({value}):", f"{pad}    return False"]
        return self.inline(rule, value, pad, depth)

    def inline(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        """The lines of :meth:`check`, written here whatever the depth (a function's own body)."""
        kind = rule.kind
        if kind == "structure":
            return self._structure(rule, value, pad, depth)
        if kind == "list":
            return self._list(rule, value, pad, depth)
        if kind == "map":
            return self._map(rule, value, pad, depth)
        broken = self._scalar(rule, value)
        if not broken:
            return []
        return [f"{pad}if {' or '.join(broken)}:", f"{pad}    return False"]

    def present(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        """Lines that return False when ``value`` is None or breaks ``rule``.

        Every check starts with a type test that None fails, so None is tested apart only for a shape
        with no check at all.
        """
        return self.check(rule, value, pad, depth) or [f"{pad}if {value} is None:", f"{pad}    return False"]

    def _scalar(self, rule: Rule, value: str) -> list[str]:
        kind = rule.kind
        if kind == "string":
            broken = [f"not isinstance({value}, str)", *self.lengths(rule, f"len({value})")]
            if rule.enum:
                broken.append(f"{value} not in {self.constant(frozenset(rule.enum))}")
            if rule.pattern is not None:
                text, test = rule.pattern
                regex = compiled(text)
                if regex is not None:
                    broken.append(f"{self.constant(regex.fullmatch)}({value}) is None")
                else:
                    broken.append(f"not {self.constant(test)}({value})")
            return broken
        if kind == "blob":
            length = self.variable()
            return [
                f"not isinstance({value}, str)",
                f"({length} := blob_length({value})) is None",
                *self.lengths(rule, length),
            ]
        if kind in _NUMBERS:
            return [
                f"not isinstance({value}, {_NUMBERS[kind]})",
                f"isinstance({value}, bool)",
                *self.lengths(rule, value),
            ]
        if kind == "boolean":
            return [f"not isinstance({value}, bool)"]
        return []  # timestamps and documents: the walk has no constraint for them either

    def _structure(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        lines = [f"{pad}if not isinstance({value}, dict) and not isinstance({value}, Mapping):"]
        lines.append(f"{pad}    return False")
        members = dict(rule.members)
        for name in rule.required:
            if name not in members:
                lines += [f"{pad}if {value}.get({name!r}) is None:", f"{pad}    return False"]
        for name, member in rule.members:
            item = self.variable()
            lines.append(f"{pad}{item} = {value}.get({name!r})")
            if name in rule.required:
                lines += self.present(member, item, pad, depth + 1)
            else:
                inner = self.check(member, item, pad + "    ", depth + 1)
                if inner:
                    lines += [f"{pad}if {item} is not None:", *inner]
        return lines

    def _list(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        broken = [f"not isinstance({value}, list)", *self.lengths(rule, f"len({value})")]
        item = self.variable()
        assert rule.member is not None
        return [
            f"{pad}if {' or '.join(broken)}:",
            f"{pad}    return False",
            f"{pad}for {item} in {value}:",
            *self.present(rule.member, item, pad + "    ", depth + 1),
        ]

    def _map(self, rule: Rule, value: str, pad: str, depth: int) -> list[str]:
        broken = [f"not isinstance({value}, Mapping)", *self.lengths(rule, f"len({value})")]
        key, item = self.variable(), self.variable()
        assert rule.key is not None and rule.value is not None
        return [
            f"{pad}if {' or '.join(broken)}:",
            f"{pad}    return False",
            f"{pad}for {key}, {item} in {value}.items():",
            *self.check(rule.key, key, pad + "    ", depth + 1),
            *self.present(rule.value, item, pad + "    ", depth + 1),
        ]

    def text(self, root: Rule) -> str:
        """The source of every function the root's test needs; the root's is ``valid_0``."""
        self.function(root)
        chunks = []
        while self.pending:
            name, rule = self.pending.pop()
            body = self.inline(rule, "value", "    ", 0)
            chunks.append("\n".join([f"def {name}(value):", *body, "    return True"]))
        return "\n\n\n".join(chunks) + "\n"


_IDENTIFIER = re.compile(r"\W")


def written_test(rule: Rule, inline_depth: int = _INLINE_DEPTH) -> Callable[[Any], bool]:
    """The rule's test, written and compiled anew; containers deeper than ``inline_depth`` get functions."""
    source = _Source(inline_depth)
    text = source.text(rule)
    namespace = dict(source.names)
    exec(compile(text, f"<valid {_IDENTIFIER.sub('_', rule.name)}>", "exec"), namespace)
    test: Callable[[Any], bool] = namespace["valid_0"]
    return test


def valid_test(rule: Rule) -> Callable[[Any], bool]:
    """The rule's generated test, made once per rule: True when the walk would find no error."""
    test = rule.valid
    if test is None:
        test = rule.valid = written_test(rule)
    return test
