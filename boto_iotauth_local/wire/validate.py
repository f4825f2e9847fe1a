"""Server-side validation of a decoded request against the botocore model.

botocore validates only required members, minimum lengths and types before sending; the service checks the
rest (maximum lengths, list sizes, patterns, enums). The constraints are read from the model, never copied
by hand, and the message follows the service's style:
``1 validation error detected: Value '...' at 'authInfos' failed to satisfy constraint: ...``.

The walk here is the one reading of the constraints that words errors; a request is first put to the
shape's generated test (:mod:`.validity`), and walked only when that test finds something wrong.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from typing import Any

from botocore.model import Shape

from ..errors import InvalidRequestException
from .rules import Rule, rule_of
from .validity import valid_test

_MAX_SHOWN = 200


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}={_show(v)}" for k, v in value.items()) + "}"
    else:
        text = str(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


#: Where a value is: a member path in the service's form (``authInfos.1.member.resources``), built only for
#: an error message: ``(parent, ".name")`` for a structure or map member, ``(parent, index)`` for a list item.
Path = str | tuple["Path", str | int]


def _text(path: Path) -> str:
    tails: list[str] = []
    while isinstance(path, tuple):
        path, tail = path
        tails.append(f".{tail}.member" if isinstance(tail, int) else tail)
    return path + "".join(reversed(tails))


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, value: Any, path: Path, rule: str) -> None:
        shown = "null" if value is None else f"'{_show(value)}'"
        self.errors.append(f"Value {shown} at '{_text(path)}' failed to satisfy constraint: {rule}")

    def check(self, value: Any, rule: Rule, path: Path) -> None:
        checker = _CHECKS.get(rule.kind)
        if checker is not None:
            checker(self, value, rule, path)

    def _length(self, value: Any, length: int, rule: Rule, path: Path) -> None:
        if rule.min is not None and length < rule.min:
            self.fail(value, path, f"Member must have length greater than or equal to {rule.min}")
        if rule.max is not None and length > rule.max:
            self.fail(value, path, f"Member must have length less than or equal to {rule.max}")

    def _structure(self, value: Any, rule: Rule, path: Path) -> None:
        if not isinstance(value, Mapping):
            self.fail(value, path, "Member must be a structure")
            return
        for name in rule.required:
            if value.get(name) is None:
                self.fail(None, (path, f".{name}") if path else name, "Member must not be null")
        for name, member in rule.members:
            item = value.get(name)
            if item is not None:
                self.check(item, member, (path, f".{name}") if path else name)

    def _list(self, value: Any, rule: Rule, path: Path) -> None:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be a list")
            return
        self._length(value, len(value), rule, path)
        member = rule.member
        assert member is not None
        for index, item in enumerate(value, start=1):
            item_path = (path, index)
            if item is None:
                self.fail(None, item_path, "Member must not be null")
            else:
                self.check(item, member, item_path)

    def _map(self, value: Any, rule: Rule, path: Path) -> None:
        if not isinstance(value, Mapping):
            self.fail(value, path, "Member must be a map")
            return
        self._length(value, len(value), rule, path)
        key_rule, value_rule = rule.key, rule.value
        assert key_rule is not None and value_rule is not None
        for key, item in value.items():
            key_errors = _Checker()
            key_errors.check(key, key_rule, path)
            for error in key_errors.errors:
                broken = error.split("failed to satisfy constraint: ", 1)[1]
                self.fail(value, path, f"Map keys must satisfy constraint: [{broken}]")
            if item is None:
                self.fail(None, (path, f".{key}"), "Member must not be null")
            else:
                self.check(item, value_rule, (path, f".{key}"))

    def _string(self, value: Any, rule: Rule, path: Path) -> None:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a string")
            return
        self._length(value, len(value), rule, path)
        enum = rule.enum
        if enum and value not in enum:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = rule.pattern
        if pattern is not None and not pattern[1](value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern[0]}")

    def _blob(self, value: Any, rule: Rule, path: Path) -> None:
        # On the rest-json wire a blob is Base64 text; its limits count the decoded bytes.
        if not isinstance(value, str):
            self.fail(value, path, "Member must be Base64-encoded binary data")
            return
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            self.fail(value, path, "Member must be Base64-encoded binary data")
            return
        self._length(value, len(raw), rule, path)

    def _number(self, value: Any, rule: Rule, path: Path, kinds: tuple[type, ...]) -> None:
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.fail(value, path, "Member must be a number")
            return
        if rule.min is not None and value < rule.min:
            self.fail(value, path, f"Member must have value greater than or equal to {rule.min}")
        if rule.max is not None and value > rule.max:
            self.fail(value, path, f"Member must have value less than or equal to {rule.max}")

    def _integer(self, value: Any, rule: Rule, path: Path) -> None:
        self._number(value, rule, path, (int,))

    def _long(self, value: Any, rule: Rule, path: Path) -> None:
        self._number(value, rule, path, (int,))

    def _double(self, value: Any, rule: Rule, path: Path) -> None:
        self._number(value, rule, path, (int, float))

    def _float(self, value: Any, rule: Rule, path: Path) -> None:
        self._number(value, rule, path, (int, float))

    def _boolean(self, value: Any, rule: Rule, path: Path) -> None:
        if not isinstance(value, bool):
            self.fail(value, path, "Member must be a boolean")


_CHECKS: dict[str, Callable[[_Checker, Any, Rule, Path], None]] = {
    kind: getattr(_Checker, f"_{kind}")
    for kind in (
        "structure",
        "list",
        "map",
        "string",
        "blob",
        "integer",
        "long",
        "double",
        "float",
        "boolean",
    )
}


def errors_of(value: Any, root: Rule) -> list[str]:
    """Every constraint ``value`` breaks, in the service's words and in the order the service finds them."""
    checker = _Checker()
    checker.check(value, root, "")
    return checker.errors


def validate_request(params: Mapping[str, Any], input_shape: Shape | None) -> None:
    """Raise InvalidRequestException listing every constraint the request breaks."""
    if input_shape is None:
        return
    root = rule_of(input_shape)
    if (root.valid or valid_test(root))(params):
        return
    errors = errors_of(params, root)
    if errors:
        plural = "error" if len(errors) == 1 else "errors"
        raise InvalidRequestException(f"{len(errors)} validation {plural} detected: " + "; ".join(errors))
