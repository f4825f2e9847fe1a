"""Request checks and pagination markers shared by the writers."""

from __future__ import annotations

import pytest

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import check_bool, check_enum, check_string, check_tags


def test_validation_messages_follow_aws_style() -> None:
    with pytest.raises(InvalidRequestException) as caught:
        check_string("a" * 129, "policyName", max_len=128)
    assert caught.value.message == (
        f"1 validation error detected: Value '{'a' * 129}' at 'policyName' failed to satisfy constraint: "
        "Member must have length less than or equal to 128"
    )
    with pytest.raises(InvalidRequestException, match="regular expression pattern: \\[a-z\\]\\+"):
        check_string("A", "x", pattern="[a-z]+")
    with pytest.raises(InvalidRequestException, match="greater than or equal to 1"):
        check_string("", "x")
    with pytest.raises(InvalidRequestException, match="must be a string"):
        check_string(3, "x")
    with pytest.raises(InvalidRequestException, match="enum value set: \\[A, B\\]"):
        check_enum("C", "x", ("A", "B"))
    with pytest.raises(InvalidRequestException, match="boolean"):
        check_bool(1, "x")


def test_patterns_are_ascii_and_fully_matched() -> None:
    with pytest.raises(InvalidRequestException):
        check_string("é", "x", pattern=r"\w+")
    with pytest.raises(InvalidRequestException):
        check_string("ab!", "x", pattern=r"[a-z]+")
    assert check_string("ab", "x", pattern=r"[a-z]+") == "ab"


def test_tags() -> None:
    assert check_tags([{"Key": "k", "Value": "v"}, {"Key": "e"}]) == (("k", "v"), ("e", ""))
    assert check_tags(None) == ()
    with pytest.raises(InvalidRequestException):
        check_tags([{"Value": "v"}])
    with pytest.raises(InvalidRequestException):
        check_tags({"Key": "k"})


def test_paginate_walks_all_items_once() -> None:
    items = list(range(7))
    seen: list[int] = []
    marker: str | None = None
    while True:
        page, marker = paginate(items, page_size=3, marker=marker)
        seen.extend(page)
        if marker is None:
            break
    assert seen == items


@pytest.mark.parametrize("size", [0, 251, -1, True])
def test_paginate_rejects_bad_sizes(size: int) -> None:
    with pytest.raises(InvalidRequestException, match="pageSize"):
        paginate([1], page_size=size, marker=None)


@pytest.mark.parametrize("marker", ["!!", "aGVsbG8=", ""])
def test_paginate_rejects_forged_markers(marker: str) -> None:
    with pytest.raises(InvalidRequestException, match="marker"):
        paginate([1], page_size=None, marker=marker)
