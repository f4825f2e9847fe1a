"""ARN shape checks: the IoT dialect's Resource rule and the field-wise comparison of ``Arn*`` conditions."""

from __future__ import annotations

from .glob import Glob
from .variables import Part

_ARN_PARTS = 6


def is_resource_arn(text: str) -> bool:
    """True for ``arn:<partition>:<service>:<region>:<account>:<rest>`` with non-blank partition and service.

    Region and account may be empty or hold wildcards and variables; the rest may contain more colons.
    """
    fields = text.split(":", _ARN_PARTS - 1)
    if len(fields) != _ARN_PARTS or fields[0] != "arn":
        return False
    head = fields[1:5]
    if any(ch.isspace() for field in head for ch in field):
        return False
    return bool(fields[1]) and bool(fields[2])


def split_parts(parts: tuple[Part, ...], sep: str, pieces: int) -> list[tuple[Part, ...]]:
    """Split substituted text on ``sep`` into at most ``pieces`` pieces, keeping each part's literal flag."""
    out: list[list[Part]] = [[]]
    for text, literal in parts:
        chunks = text.split(sep)
        for i, chunk in enumerate(chunks):
            if i:
                if len(out) < pieces:
                    out.append([])
                else:
                    out[-1].append((sep, True))
            if chunk:
                out[-1].append((chunk, literal))
    return [tuple(piece) for piece in out]


class ArnPattern:
    """An ``ArnEquals``/``ArnLike`` value: the six ARN fields are matched one by one, with wildcards."""

    __slots__ = ("fields", "source")

    def __init__(self, parts: tuple[Part, ...]) -> None:
        fields = split_parts(parts, ":", _ARN_PARTS)
        self.source = "".join(text for text, _ in parts)
        if len(fields) != _ARN_PARTS:
            raise ValueError(f"{self.source!r} is not an ARN (arn:partition:service:region:account:resource)")
        self.fields = tuple(Glob.from_parts(field) for field in fields)

    def match(self, value: str) -> bool | None:
        """Field-wise match; None when ``value`` is not an ARN at all."""
        fields = value.split(":", _ARN_PARTS - 1)
        if len(fields) != _ARN_PARTS:
            return None
        return all(glob.match(field) for glob, field in zip(self.fields, fields, strict=True))
