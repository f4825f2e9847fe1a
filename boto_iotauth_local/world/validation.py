"""Request member checks with AWS's own validation messages.

botocore checks only required members and minimum lengths; the service checks the rest and answers
``InvalidRequestException`` in the style ``1 validation error detected: Value 'x' at 'policyName' failed to
satisfy constraint: ...``. The world's writers use these helpers so that code calling the world directly
gets the same answers a boto3 client would.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from boto_iotauth_local.errors import InvalidRequestException


def _fail(value: object, member: str, constraint: str) -> InvalidRequestException:
    return InvalidRequestException(
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
        f"{constraint}"
    )


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # The service's patterns are Java expressions matched against the whole value, with ASCII classes.
    return re.compile(pattern, re.ASCII)


def check_string(
    value: object,
    member: str,
    *,
    min_len: int = 1,
    max_len: int | None = None,
    pattern: str | None = None,
) -> str:
    """Return ``value`` when it is a string within the length bounds that fully matches ``pattern``."""
    if not isinstance(value, str):
        raise _fail(value, member, "Member must be a string")
    if len(value) < min_len:
        raise _fail(value, member, f"Member must have length greater than or equal to {min_len}")
    if max_len is not None and len(value) > max_len:
        raise _fail(value, member, f"Member must have length less than or equal to {max_len}")
    if pattern is not None and not _compiled(pattern).fullmatch(value):
        raise _fail(value, member, f"Member must satisfy regular expression pattern: {pattern}")
    return value


def check_enum(value: object, member: str, allowed: Iterable[str]) -> str:
    """Return ``value`` when it is one of ``allowed``."""
    options = tuple(allowed)
    if not isinstance(value, str) or value not in options:
        raise _fail(value, member, f"Member must satisfy enum value set: [{', '.join(options)}]")
    return value


def check_bool(value: object, member: str) -> bool:
    """Return ``value`` when it is a real boolean (``0``/``1`` are not)."""
    if not isinstance(value, bool):
        raise _fail(value, member, "Member must be a boolean")
    return value


POLICY_NAME = r"[\w+=,.@-]+"
THING_NAME = r"[a-zA-Z0-9:_-]+"
ATTRIBUTE_NAME = r"[a-zA-Z0-9_.,@/:#-]+"
ATTRIBUTE_VALUE = r"[a-zA-Z0-9_.,@/:#=\[\]-]*"
AUTHORIZER_NAME = r"[\w=,@-]+"
TOKEN_KEY_NAME = r"[a-zA-Z0-9_-]+"
KEY_NAME = r"[a-zA-Z0-9:_-]+"
CERTIFICATE_ID = r"(0x)?[a-fA-F0-9]+"


def check_policy_name(value: object, member: str = "policyName") -> str:
    return check_string(value, member, max_len=128, pattern=POLICY_NAME)


def check_thing_name(value: object, member: str = "thingName") -> str:
    return check_string(value, member, max_len=128, pattern=THING_NAME)


def check_tags(tags: object) -> tuple[tuple[str, str], ...]:
    """Tags as ``[{"Key": ..., "Value": ...}]``; returned as pairs in the given order."""
    if tags is None:
        return ()
    if not isinstance(tags, (list, tuple)):
        raise _fail(tags, "tags", "Member must be a list")
    pairs: list[tuple[str, str]] = []
    for tag in tags:
        if not isinstance(tag, dict):
            raise _fail(tag, "tags", "Member must be a Tag structure")
        key = check_string(tag.get("Key"), "tags.member.Key", max_len=128)
        value = check_string(tag.get("Value", ""), "tags.member.Value", min_len=0, max_len=256)
        pairs.append((key, value))
    return tuple(pairs)
