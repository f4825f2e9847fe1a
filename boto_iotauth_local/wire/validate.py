"""Server-side validation of a decoded request against the botocore model.

botocore validates only required members, minimum lengths and types before sending; the service checks the
rest (maximum lengths, list sizes, patterns, enums). The constraints are read from the model, never copied
by hand, and the message follows the service's style:
``1 validation error detected: Value '...' at 'authInfos' failed to satisfy constraint: ...``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from typing import Any

from botocore.model import Shape

from ..errors import InvalidRequestException

_MAX_SHOWN = 200


@functools.lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    # Service patterns are Java regular expressions matched against the whole value, ASCII classes.
    return re.compile(pattern, re.ASCII)


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


class _Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, rule: str) -> None:
        shown = "null" if value is None else f"'{_show(value)}'"
        self.errors.append(f"Value {shown} at '{path}' failed to satisfy constraint: {rule}")

    def check(self, value: Any, shape: Shape, path: str) -> None:
        kind = shape.type_name
        checker = getattr(self, f"_{kind}", None)
        if checker is not None:
            checker(value, shape, path)

    def _length(self, value: Any, length: int, shape: Shape, path: str) -> None:
        meta = shape.metadata
        if "min" in meta and length < meta["min"]:
            self.fail(value, path, f"Member must have length greater than or equal to {meta['min']}")
        if "max" in meta and length > meta["max"]:
            self.fail(value, path, f"Member must have length less than or equal to {meta['max']}")

    def _structure(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, Mapping):
            self.fail(value, path, "Member must be a structure")
            return
        prefix = f"{path}." if path else ""
        for name in shape.required_members:
            if value.get(name) is None:
                self.fail(None, prefix + name, "Member must not be null")
        for name, member in shape.members.items():
            if value.get(name) is not None:
                self.check(value[name], member, prefix + name)

    def _list(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be a list")
            return
        self._length(value, len(value), shape, path)
        for index, item in enumerate(value, start=1):
            item_path = f"{path}.{index}.member"
            if item is None:
                self.fail(None, item_path, "Member must not be null")
            else:
                self.check(item, shape.member, item_path)

    def _map(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, Mapping):
            self.fail(value, path, "Member must be a map")
            return
        self._length(value, len(value), shape, path)
        key_shape, value_shape = shape.key, shape.value
        for key, item in value.items():
            key_errors = _Checker()
            key_errors.check(key, key_shape, path)
            for error in key_errors.errors:
                rule = error.split("failed to satisfy constraint: ", 1)[1]
                self.fail(value, path, f"Map keys must satisfy constraint: [{rule}]")
            if item is None:
                self.fail(None, f"{path}.{key}", "Member must not be null")
            else:
                self.check(item, value_shape, f"{path}.{key}")

    def _string(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a string")
            return
        self._length(value, len(value), shape, path)
        enum = shape.enum
        if enum and value not in enum:
            self.fail(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = shape.metadata.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            self.fail(value, path, f"Member must satisfy regular expression pattern: {pattern}")

    def _blob(self, value: Any, shape: Shape, path: str) -> None:
        # On the rest-json wire a blob is Base64 text; its limits count the decoded bytes.
        if not isinstance(value, str):
            self.fail(value, path, "Member must be Base64-encoded binary data")
            return
        try:
            raw = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            self.fail(value, path, "Member must be Base64-encoded binary data")
            return
        self._length(value, len(raw), shape, path)

    def _number(self, value: Any, shape: Shape, path: str, kinds: tuple[type, ...]) -> None:
        if isinstance(value, bool) or not isinstance(value, kinds):
            self.fail(value, path, "Member must be a number")
            return
        meta = shape.metadata
        if "min" in meta and value < meta["min"]:
            self.fail(value, path, f"Member must have value greater than or equal to {meta['min']}")
        if "max" in meta and value > meta["max"]:
            self.fail(value, path, f"Member must have value less than or equal to {meta['max']}")

    def _integer(self, value: Any, shape: Shape, path: str) -> None:
        self._number(value, shape, path, (int,))

    def _long(self, value: Any, shape: Shape, path: str) -> None:
        self._number(value, shape, path, (int,))

    def _double(self, value: Any, shape: Shape, path: str) -> None:
        self._number(value, shape, path, (int, float))

    def _float(self, value: Any, shape: Shape, path: str) -> None:
        self._number(value, shape, path, (int, float))

    def _boolean(self, value: Any, shape: Shape, path: str) -> None:
        if not isinstance(value, bool):
            self.fail(value, path, "Member must be a boolean")


def validate_request(params: Mapping[str, Any], input_shape: Shape | None) -> None:
    """Raise InvalidRequestException listing every constraint the request breaks."""
    if input_shape is None:
        return
    checker = _Checker()
    checker.check(params, input_shape, "")
    errors = checker.errors
    if errors:
        plural = "error" if len(errors) == 1 else "errors"
        raise InvalidRequestException(f"{len(errors)} validation {plural} detected: " + "; ".join(errors))
