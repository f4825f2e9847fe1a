"""A shape's server-side constraints, read from the botocore model once per shape.

botocore builds a shape's ``metadata`` anew on every read; the validator reads it once into a :class:`Rule`
that both the error-spelling walk (:mod:`.validate`) and the generated test (:mod:`.validity`) use, so the
two can never read the model differently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from .patterns import Matcher, matcher

#: Patterns that every string satisfies (the model's resource names): not worth a regular expression.
_ANY_TEXT = frozenset({"[\\s\\S]*"})


class Rule:
    """One shape's constraints; ``valid`` is its generated test, made on first use (see :mod:`.validity`)."""

    __slots__ = (
        "enum",
        "key",
        "kind",
        "max",
        "member",
        "members",
        "min",
        "name",
        "pattern",
        "required",
        "valid",
        "value",
    )

    def __init__(self, shape: Shape) -> None:
        meta = shape.metadata
        self.name: str = shape.name
        self.kind: str = shape.type_name
        self.min: Any = meta.get("min")
        self.max: Any = meta.get("max")
        self.enum: tuple[str, ...] = tuple(getattr(shape, "enum", None) or ())
        text = meta.get("pattern")
        accepts_all = text in _ANY_TEXT
        self.pattern: tuple[str, Matcher] | None = (text, matcher(text)) if text and not accepts_all else None
        self.required: tuple[str, ...] = ()
        self.members: tuple[tuple[str, Rule], ...] = ()
        self.member: Rule | None = None
        self.key: Rule | None = None
        self.value: Rule | None = None
        self.valid: Callable[[Any], bool] | None = None

    def fill(self, shape: Shape, made: dict[int, tuple[Shape, Rule]]) -> None:
        """The nested rules, once this rule is among ``made`` (shapes may refer to themselves)."""
        if self.kind == "structure":
            self.required = tuple(shape.required_members)
            self.members = tuple((name, _build(member, made)) for name, member in shape.members.items())
        elif self.kind == "list":
            self.member = _build(shape.member, made)
        elif self.kind == "map":
            self.key, self.value = _build(shape.key, made), _build(shape.value, made)


#: Rules by the identity of their shape (held, so the identity stays unique). Model shapes live as long as
#: their cached operation model.
_RULES: dict[int, tuple[Shape, Rule]] = {}
_RULES_LOCK = threading.Lock()


def _build(shape: Shape, made: dict[int, tuple[Shape, Rule]]) -> Rule:
    for memo in (_RULES, made):
        found = memo.get(id(shape))
        if found is not None and found[0] is shape:
            return found[1]
    new = Rule(shape)
    made[id(shape)] = (shape, new)
    new.fill(shape, made)
    return new


def rule_of(shape: Shape) -> Rule:
    """The rule of ``shape``, its nested rules included.

    A rule is shared only once it and every rule under it are complete: a rule seen half-filled by another
    thread would have a test made from it that waves through the members not read yet.
    """
    found = _RULES.get(id(shape))
    if found is not None and found[0] is shape:
        return found[1]
    with _RULES_LOCK:
        made: dict[int, tuple[Shape, Rule]] = {}
        built = _build(shape, made)
        _RULES.update(made)
    return built
