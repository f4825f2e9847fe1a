"""The model's string patterns, Java regular expressions, as Python full-match tests.

Most are plain regular expressions Python reads the same way. About thirty IoT shapes use Java's property
classes (``\\p{Graph}``, ``\\p{C}``, ``\\p{L}``...), which Python's ``re`` refuses: each of those is one
character class repeated (``[^\\p{C}]+``, ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``), read here into a
per-character test with the classes' Java meanings (POSIX classes are ASCII in Java; one-letter classes are
Unicode general categories). A pattern neither can read accepts every value: the service would have the
last word, and a request is never refused for a rule this side cannot read.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

Matcher = Callable[[str], bool]

#: Java's POSIX classes (US-ASCII unless a flag says otherwise), as character tests.
_POSIX: dict[str, Callable[[str], bool]] = {
    "Lower": lambda c: "a" <= c <= "z",
    "Upper": lambda c: "A" <= c <= "Z",
    "ASCII": lambda c: c <= "\x7f",
    "Alpha": lambda c: c.isascii() and c.isalpha(),
    "Digit": lambda c: "0" <= c <= "9",
    "Alnum": lambda c: c.isascii() and c.isalnum(),
    "Punct": lambda c: c.isascii() and c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "Graph": lambda c: "\x21" <= c <= "\x7e",
    "Print": lambda c: "\x20" <= c <= "\x7e",
    "Blank": lambda c: c in " \t",
    "Cntrl": lambda c: c <= "\x1f" or c == "\x7f",
    "XDigit": lambda c: c in "0123456789abcdefABCDEF",
    "Space": lambda c: c in " \t\n\x0b\f\r",
}
#: One character class repeated, optionally wrapped in ``^(...)$``: the shape of every pattern ``re`` refuses.
_REPEATED_CLASS = re.compile(r"\^?\(?\[(?P<body>(?:\\.|\\p\{\w+\}|[^\]\\])+)\](?P<repeat>[*+])\)?\$?")
_ITEM = re.compile(
    r"\\p\{(?P<prop>\w+)\}|\\x(?P<hex>[0-9a-fA-F]{2})|\\(?P<escaped>.)|(?P<char>[^\\])", re.DOTALL
)


def _property(name: str) -> Callable[[str], bool] | None:
    if name in _POSIX:
        return _POSIX[name]
    if len(name) in (1, 2) and name[0] in "CLMNPSZ":  # a Unicode general category or its major class
        return lambda c: unicodedata.category(c).startswith(name)
    return None


def _between(low: str, high: str) -> Callable[[str], bool]:
    return lambda c: low <= c <= high


def _class_test(body: str) -> Callable[[str], bool] | None:
    """The test for the inside of ``[...]``: properties, ``\\xHH``, escapes, literal characters, ranges."""
    negated = body.startswith("^")
    if negated:
        body = body[1:]
    tests: list[Callable[[str], bool]] = []
    chars: list[str] = []
    position = 0
    while position < len(body):
        item = _ITEM.match(body, position)
        if item is None:
            return None
        position = item.end()
        if item.group("prop"):
            test = _property(item.group("prop"))
            if test is None:
                return None
            tests.append(test)
            continue
        if item.group("hex"):
            char = chr(int(item.group("hex"), 16))
        else:
            char = item.group("escaped") or item.group("char")
            if item.group("escaped") and char.isalnum():
                return None  # \d, \w and friends: not in any pattern here, so not guessed at
        if char == "-" and item.group("char") and chars and position < len(body):
            end = _ITEM.match(body, position)
            if end is None or end.group("prop"):
                return None
            position = end.end()
            last = (
                chr(int(end.group("hex"), 16))
                if end.group("hex")
                else end.group("escaped") or end.group("char")
            )
            tests.append(_between(chars.pop(), last))
            continue
        chars.append(char)
    members = frozenset(chars)

    def inside(c: str) -> bool:
        return c in members or any(test(c) for test in tests)

    return (lambda c: not inside(c)) if negated else inside


@functools.lru_cache(maxsize=512)
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The model's ``pattern`` as a Python regular expression (ASCII classes), None when ``re`` refuses it.

    Generated validity tests call its ``fullmatch`` directly, one call fewer than through :func:`matcher`.
    """
    try:
        return re.compile(pattern, re.ASCII)
    except re.error:
        return None


@functools.lru_cache(maxsize=512)
def matcher(pattern: str) -> Matcher:
    """A full-match test for the model's ``pattern`` (ASCII classes, as the service's Java reads them)."""
    regex = compiled(pattern)
    if regex is not None:
        return lambda value: regex.fullmatch(value) is not None
    shape = _REPEATED_CLASS.fullmatch(pattern)
    test = _class_test(shape.group("body")) if shape else None
    if shape is None or test is None:
        return lambda value: True
    at_least = 1 if shape.group("repeat") == "+" else 0
    return lambda value: len(value) >= at_least and all(test(c) for c in value)
