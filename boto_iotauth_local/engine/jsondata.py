"""The one door for JSON data: a depth-bounded reader and a checker for values given as Python objects.

Python's ``json`` module and every recursive walk over a parsed value raise ``RecursionError`` on deep
enough nesting, at a depth that depends on how deep the caller's own stack already is; and ``json.loads``
accepts ``NaN`` and ``Infinity``, which are not JSON. Everything that takes JSON-like data from outside
(policy documents, authorizer answers, handler return values, world files, command-line ``file://``
inputs) reads it here, so nothing downstream can meet a value deeper than :data:`MAX_DEPTH` levels or
one that is not JSON data.

:data:`MAX_DEPTH` (64 levels of objects and arrays) is far beyond anything the policy grammar or the
authorizer contract can use (a policy document needs 6), and far below where ``json`` or a recursive walk
runs out of stack.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

#: How many levels of objects and arrays JSON data may nest.
MAX_DEPTH = 64
#: Integers longer than this are refused (Python refuses to convert longer ones to and from text).
MAX_INT_DIGITS = 4300
_MAX_INT_BITS = int(MAX_INT_DIGITS * math.log2(10))
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class JSONDataError(ValueError):
    """Data that is not JSON data within this library's bounds; ``where`` is the path of the culprit.

    ``position`` is the character offset in the text (for :func:`loads`), None for :func:`check`.
    """

    def __init__(self, reason: str, where: str = "", position: int | None = None) -> None:
        self.reason = reason
        self.where = where
        self.position = position
        super().__init__(f"{reason} (at {where})" if where else reason)


def too_deep(max_depth: int = MAX_DEPTH) -> str:
    return f"it is nested too deeply (more than {max_depth} levels of objects and arrays)"


def _refuse_constant(name: str) -> Any:
    raise JSONDataError(f"{name} is not a JSON number")


def nesting_position(text: str, max_depth: int = MAX_DEPTH) -> int | None:
    """The offset of the first ``[`` or ``{`` nested deeper than ``max_depth`` in ``text``, or None."""
    if text.count("[") + text.count("{") <= max_depth:
        return None  # cannot nest deeper than it has brackets
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None


#: One decoder for every plain read: ``json.loads`` with options builds a new one on each call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def loads(
    text: str,
    *,
    max_depth: int = MAX_DEPTH,
    object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
) -> Any:
    """``json.loads`` that refuses, with :class:`JSONDataError`, what would escape it or is not JSON.

    Nesting beyond ``max_depth`` is found before parsing; ``NaN``, ``Infinity`` and integers longer than
    :data:`MAX_INT_DIGITS` digits are refused. Syntax errors are ``json.JSONDecodeError`` as usual.
    """
    position = nesting_position(text, max_depth)
    if position is not None:
        raise JSONDataError(too_deep(max_depth), position=position)
    try:
        if object_pairs_hook is None:
            return _DECODER.decode(text)
        return json.loads(text, parse_constant=_refuse_constant, object_pairs_hook=object_pairs_hook)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        if type(exc) is not ValueError:  # ours, or the hook's own error
            raise
        # Python's limit on the digits of an integer read from text
        raise JSONDataError(f"a number has more than {MAX_INT_DIGITS} digits") from None
    except RecursionError:  # only when the caller's own stack is already nearly exhausted
        raise JSONDataError(too_deep(max_depth)) from None


def compact(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8, as the service writes its responses."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=64)
def _member_name(name: str) -> bytes:
    return compact(name)


class EncodedObject(Mapping[str, Any]):
    """A JSON object held as its compact encoding: ``encoded`` for the wire, its members for readers.

    Answers are assembled from parts decided (and encoded) once and shared by many answers, so the wire
    joins encoded parts instead of encoding every answer anew. The members are decoded from ``encoded``
    when first read: most answers are only ever sent, and bytes are nothing for the garbage collector to
    walk. The object is never changed after it is made.
    """

    __slots__ = ("_members", "encoded")

    def __init__(self, encoded: bytes) -> None:
        self.encoded = encoded
        self._members: dict[str, Any] | None = None

    @classmethod
    def with_array(cls, name: str, encoded_items: Iterable[bytes]) -> EncodedObject:
        """``{name: [items]}``, encoded from the items' own encodings (``encoded_items``, in order)."""
        return cls(b"".join((b"{", _member_name(name), b":[", b",".join(encoded_items), b"]}")))

    def _read(self) -> dict[str, Any]:
        members = self._members
        if members is None:
            members = self._members = json.loads(self.encoded)
        return members

    def __getitem__(self, key: str) -> Any:
        return self._read()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return f"EncodedObject({self.encoded!r})"


def _type_name(value: Any) -> str:
    return type(value).__name__


def check(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise :class:`JSONDataError` unless ``value`` is JSON data nested at most ``max_depth`` levels.

    JSON data: dicts with string keys, lists (and tuples, which ``json`` writes as arrays), strings,
    integers (not longer than :data:`MAX_INT_DIGITS` digits), finite floats, booleans and None. The walk
    is iterative, so it cannot itself run out of stack.
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, dict):
            container = True
            children = []
            for key, child in item.items():
                if not isinstance(key, str):
                    raise JSONDataError(f"an object key is {_type_name(key)} {key!r}, not a string", where)
                children.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, (list, tuple)):
            container = True
            children = [(child, f"{where}[{index}]") for index, child in enumerate(item)]
        else:
            container = False
            children = []
            if isinstance(item, float):
                if not math.isfinite(item):
                    raise JSONDataError(f"{item!r} is not a JSON number", where)
            elif isinstance(item, int):
                if item.bit_length() > _MAX_INT_BITS:
                    raise JSONDataError(f"an integer has more than {MAX_INT_DIGITS} digits", where)
            elif not (item is None or isinstance(item, str)):
                raise JSONDataError(f"a value of type {_type_name(item)} is not JSON data", where)
        if container:
            if depth >= max_depth:
                raise JSONDataError(too_deep(max_depth), where)
            stack.extend((child, depth + 1, path) for child, path in reversed(children))
