"""Pages of list results with opaque markers, as the IoT list operations return them.

IoT list calls take ``pageSize``/``marker`` (or ``maxResults``/``nextToken``) and return the next marker
only when more items remain. The marker is the Base64 of the next offset, so it matches the model's
``[A-Za-z0-9+/]+={0,2}`` pattern and a forged one fails cleanly.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar

from boto_iotauth_local.errors import InvalidRequestException

T = TypeVar("T")

MAX_PAGE_SIZE = 250


def paginate(
    items: Sequence[T],
    *,
    page_size: int | None,
    marker: str | None,
    size_member: str = "pageSize",
    marker_member: str = "marker",
) -> tuple[list[T], str | None]:
    """One page of ``items`` starting at ``marker``, and the marker of the next page (None at the end)."""
    if page_size is None:
        size = MAX_PAGE_SIZE
    elif isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidRequestException(
            f"1 validation error detected: Value '{page_size}' at '{size_member}' failed to satisfy "
            f"constraint: Member must have value between 1 and {MAX_PAGE_SIZE}"
        )
    else:
        size = page_size
    start = 0 if marker is None else _decode(marker, marker_member)
    page = list(items[start : start + size])
    end = start + len(page)
    return page, (_encode(end) if end < len(items) else None)


def _encode(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode("ascii")).decode("ascii")


def _decode(marker: str, member: str) -> int:
    try:
        text = base64.b64decode(marker, validate=True).decode("ascii")
        prefix, _, number = text.partition(":")
        if prefix != "offset" or not number.isdigit():
            raise ValueError(text)
        return int(number)
    except (binascii.Error, ValueError, UnicodeDecodeError, TypeError):
        raise InvalidRequestException(f"The {member} is not valid: {marker!r}") from None
