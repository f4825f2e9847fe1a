"""Checks for the Python-facing API's sequence arguments, so that a misuse fails at the door.

A ``str`` is itself a sequence of strings, so ``policy_names_to_add="Open"`` would otherwise be read as
the names ``O``, ``p``, ``e``, ``n``. Every public parameter that takes several strings goes through
:func:`strings`; where one string is a natural shorthand (``resources="arn:..."``) it is read as one item.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def strings(value: object, parameter: str, *, one_allowed: bool = False) -> tuple[str, ...]:
    """``value`` as a tuple of strings; TypeError naming ``parameter`` for a lone str or a non-string item.

    With ``one_allowed`` a lone ``str`` is one item (the documented shorthand of that parameter).
    """
    if isinstance(value, str):
        if one_allowed:
            return (value,)
        raise TypeError(
            f"{parameter} takes a list of strings, not a str: write {parameter}=[{value!r}] "
            f"(a str would be read one character at a time)"
        )
    if isinstance(value, (bytes, bytearray, Mapping)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{parameter} takes a list of strings, not {type(value).__name__}")
    items = tuple(value)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{parameter}[{index}] must be a str, not {type(item).__name__} ({item!r})")
    return items


def mappings(value: object, parameter: str) -> tuple[Mapping[str, Any], ...]:
    """``value`` as a tuple of mappings (a list of request objects); a lone mapping is refused by name."""
    if isinstance(value, Mapping):
        raise TypeError(f"{parameter} takes a list of objects, not one object: write {parameter}=[{{...}}]")
    if isinstance(value, (str, bytes, bytearray)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{parameter} takes a list of objects, not {type(value).__name__}")
    items = tuple(value)
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise TypeError(f"{parameter}[{index}] must be a mapping, not {type(item).__name__}")
    return items
