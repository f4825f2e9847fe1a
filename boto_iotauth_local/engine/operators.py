"""The IAM condition operators: how a policy value is read and how a request value is compared to it.

Each comparator holds the *positive* test; the negated operators (``StringNotEquals``, ``NotIpAddress``,
...) reuse it and the condition layer negates the combined result, which gives IAM's NOR over the policy
values. A request value that is not of the operator's type (``abc`` for ``NumericEquals``) makes the test
return None: no match, whichever way the operator is negated.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from .arn import ArnPattern
from .glob import Glob
from .variables import Part, join

_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_EPOCH = re.compile(r"^-?\d+(?:\.\d+)?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_number(text: str) -> Decimal:
    if not _NUMBER.match(text):
        raise ValueError(f"{text!r} is not a number")
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
        raise ValueError(f"{text!r} is not a number") from exc


def parse_date(text: str) -> Decimal:
    """Seconds since the epoch, from ISO 8601 (UTC when no offset is given) or from epoch seconds."""
    if _EPOCH.match(text):
        return Decimal(text)
    found = _ISO.match(text)
    if found is None:
        raise ValueError(f"{text!r} is not a date (ISO 8601 or epoch seconds)")
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    tz = timezone.utc
    if offset and offset not in ("Z", "z"):
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or "0")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz
        )
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from exc
    epoch = int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds())
    return Decimal(epoch) + (Decimal("0." + fraction) if fraction else Decimal(0))


def parse_bool(text: str) -> str:
    folded = text.lower()
    if folded not in ("true", "false"):
        raise ValueError(f"{text!r} is not a boolean (true or false)")
    return folded


def parse_binary(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{text!r} is not base64") from exc


def _try(parse: Callable[[str], Any], text: str) -> Any:
    try:
        return parse(text)
    except ValueError:
        return None


Prepare = Callable[[tuple[Part, ...]], Any]
Test = Callable[[str, Any], "bool | None"]


@dataclass(frozen=True, slots=True)
class Comparator:
    """How one operator family reads policy values (``prepare``) and tests a request value (``test``)."""

    prepare: Prepare
    test: Test


def _text(parts: tuple[Part, ...]) -> str:
    return join(parts)


def _numeric(compare: Callable[[Decimal, Decimal], bool]) -> Comparator:
    def test(value: str, expected: Decimal) -> bool | None:
        got = _try(parse_number, value)
        return None if got is None else compare(got, expected)

    return Comparator(lambda parts: parse_number(join(parts)), test)


def _date(compare: Callable[[Decimal, Decimal], bool]) -> Comparator:
    def test(value: str, expected: Decimal) -> bool | None:
        got = _try(parse_date, value)
        return None if got is None else compare(got, expected)

    return Comparator(lambda parts: parse_date(join(parts)), test)


def _bool_test(value: str, expected: str) -> bool | None:
    folded = value.lower()
    if folded not in ("true", "false"):
        return None
    return folded == expected


def _binary_test(value: str, expected: bytes) -> bool | None:
    got = _try(parse_binary, value)
    return None if got is None else got == expected


def _ip_prepare(parts: tuple[Part, ...]) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    text = join(parts)
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an IP address or CIDR block") from exc


def _ip_test(value: str, network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool | None:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    return address.version == network.version and address in network


def _arn_test(value: str, pattern: ArnPattern) -> bool | None:
    return pattern.match(value)


_STRING_EQUALS = Comparator(_text, lambda value, expected: value == expected)
_STRING_IGNORE_CASE = Comparator(
    lambda parts: join(parts).casefold(), lambda value, expected: value.casefold() == expected
)
_STRING_LIKE = Comparator(Glob.from_parts, lambda value, pattern: pattern.match(value))
_ARN = Comparator(ArnPattern, _arn_test)


def _lt(a: Decimal, b: Decimal) -> bool:
    return a < b


def _le(a: Decimal, b: Decimal) -> bool:
    return a <= b


def _gt(a: Decimal, b: Decimal) -> bool:
    return a > b


def _ge(a: Decimal, b: Decimal) -> bool:
    return a >= b


def _eq(a: Decimal, b: Decimal) -> bool:
    return a == b


#: Base operator name -> (comparator, negated). ``Null`` is handled by the condition layer.
OPERATORS: dict[str, tuple[Comparator, bool]] = {
    "StringEquals": (_STRING_EQUALS, False),
    "StringNotEquals": (_STRING_EQUALS, True),
    "StringEqualsIgnoreCase": (_STRING_IGNORE_CASE, False),
    "StringNotEqualsIgnoreCase": (_STRING_IGNORE_CASE, True),
    "StringLike": (_STRING_LIKE, False),
    "StringNotLike": (_STRING_LIKE, True),
    "NumericEquals": (_numeric(_eq), False),
    "NumericNotEquals": (_numeric(_eq), True),
    "NumericLessThan": (_numeric(_lt), False),
    "NumericLessThanEquals": (_numeric(_le), False),
    "NumericGreaterThan": (_numeric(_gt), False),
    "NumericGreaterThanEquals": (_numeric(_ge), False),
    "DateEquals": (_date(_eq), False),
    "DateNotEquals": (_date(_eq), True),
    "DateLessThan": (_date(_lt), False),
    "DateLessThanEquals": (_date(_le), False),
    "DateGreaterThan": (_date(_gt), False),
    "DateGreaterThanEquals": (_date(_ge), False),
    "Bool": (Comparator(lambda parts: parse_bool(join(parts)), _bool_test), False),
    "BinaryEquals": (Comparator(lambda parts: parse_binary(join(parts)), _binary_test), False),
    "IpAddress": (Comparator(_ip_prepare, _ip_test), False),
    "NotIpAddress": (Comparator(_ip_prepare, _ip_test), True),
    "ArnEquals": (_ARN, False),
    "ArnLike": (_ARN, False),
    "ArnNotEquals": (_ARN, True),
    "ArnNotLike": (_ARN, True),
}
