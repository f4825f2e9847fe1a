"""Names CloudFormation generates for resources whose name property is left out.

CloudFormation names such a resource ``<stack name>-<logical id>-<random suffix>`` (the "Name type" page
of the CloudFormation user guide), shortening the stack name and logical id when the whole would exceed
the resource's limit. Here the suffix is derived from a hash of the stack name and logical id, so a
template loads into the same world every time and tests can rely on the names.
"""

from __future__ import annotations

import hashlib
import uuid

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SUFFIX_LENGTH = 12


def suffix(*parts: str) -> str:
    """A deterministic suffix of upper-case letters and digits."""
    digest = int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest(), "big")
    out = []
    for _ in range(SUFFIX_LENGTH):
        digest, index = divmod(digest, len(_ALPHABET))
        out.append(_ALPHABET[index])
    return "".join(out)


def generated_name(stack_name: str, logical_id: str, max_length: int = 128, separator: str = "-") -> str:
    """``<stack>-<logical id>-<suffix>``, the stack and logical id shortened to fit ``max_length``."""
    tail = suffix(stack_name, logical_id)
    room = max_length - len(tail) - 2 * len(separator)
    stack_part, id_part = stack_name, logical_id
    if len(stack_part) + len(id_part) > room:
        id_part = id_part[: max(room // 2, room - len(stack_part))]
        stack_part = stack_part[: room - len(id_part)]
    return separator.join((stack_part, id_part, tail))


def generated_uuid(*parts: str) -> str:
    """A deterministic UUID for generated ids (an identity pool's ``<region>:<uuid>``)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "\0".join(parts)))
