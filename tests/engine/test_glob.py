from __future__ import annotations

import random
import re

import pytest

from boto_iotauth_local.engine import Glob


def _reference(pattern: str, subject: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, subject, flags=re.DOTALL) is not None


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [
        ("*", "", True),
        ("*", "anything/at:all", True),
        ("", "", True),
        ("", "a", False),
        ("abc", "abc", True),
        ("abc", "abcd", False),
        ("abc", "ABC", False),
        ("a*c", "ac", True),
        ("a*c", "a/b:c", True),
        ("a*c", "a/b:cd", False),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a?c", "abbc", False),
        ("???", "abc", True),
        ("???", "ab", False),
        ("*?", "", False),
        ("*?", "x", True),
        ("ab*ba", "aba", False),
        ("ab*ba", "abba", True),
        ("*a*b*", "xxaxxbxx", True),
        ("*a*b*", "xxbxxaxx", False),
        ("a/+/c", "a/+/c", True),
        ("a/+/c", "a/b/c", False),
        ("a/#", "a/#", True),
        ("a/#", "a/b", False),
        ("t/$aws/(x)|y.z", "t/$aws/(x)|y.z", True),
        ("t/$aws/(x)|y.z", "t/$aws/(x)|yaz", False),
        ("*?x?*", "axbxc", True),
    ],
)
def test_match(pattern: str, subject: str, expected: bool) -> None:
    assert Glob.compile(pattern).match(subject) is expected
    assert Glob.compile(pattern).test()(subject) is expected
    assert _reference(pattern, subject) is expected


def test_agrees_with_reference_on_random_inputs() -> None:
    """``match``, the test ``test()`` picks for each shape (a head and a tail must not overlap), and the
    ``head`` every match starts with."""
    rng = random.Random(20240611)
    for _ in range(20000):
        pattern = "".join(rng.choice("ab*?/") for _ in range(rng.randint(0, 8)))
        subject = "".join(rng.choice("ab/") for _ in range(rng.randint(0, 10)))
        glob = Glob.compile(pattern)
        wanted = _reference(pattern, subject)
        assert glob.match(subject) is wanted, (pattern, subject)
        assert glob.test()(subject) is wanted, (pattern, subject)
        if wanted:  # ``head`` is what bound sets test first, to settle most resources with one call
            assert subject.startswith(glob.head), (pattern, subject, glob.head)


def test_literal_parts_are_not_wildcards() -> None:
    glob = Glob.from_parts([("topic/", False), ("a*?", True), ("/*", False)])
    assert glob.match("topic/a*?/x")
    assert not glob.match("topic/abc/x")
    assert not glob.match("topic/a*/x")
    assert Glob.literal_text("*").match("*")
    assert not Glob.literal_text("*").match("x")


def test_pathological_pattern_does_not_backtrack() -> None:
    # 50 stars between 'a's and a final 'b', against 2048 'a's: a backtracking regex would not finish.
    pattern = "*" + "a*" * 49 + "b"
    subject = "a" * 2048
    glob = Glob.compile(pattern)
    assert not glob.match(subject)
    assert glob.match(subject + "b")
    assert not Glob.compile("*" + "a?*" * 40 + "b").match("a" * 2048)


@pytest.mark.parametrize(
    ("pattern", "literal", "prefix", "always", "universal"),
    [
        ("abc", "abc", None, False, False),
        ("abc*", None, "abc", False, False),
        ("abc**", None, "abc", False, False),
        ("*", None, "", True, True),
        ("***", None, "", True, True),
        ("?*", None, None, False, True),
        ("*?*", None, None, False, True),
        ("?", None, None, False, False),
        ("??*", None, None, False, False),
        ("a*c", None, None, False, False),
        ("a?c*", None, None, False, False),
        ("*abc", None, None, False, False),
    ],
)
def test_shapes(pattern: str, literal: str | None, prefix: str | None, always: bool, universal: bool) -> None:
    """The shape attributes the fast path sorts patterns by."""
    glob = Glob.compile(pattern)
    assert (glob.literal, glob.prefix, glob.always, glob.universal) == (literal, prefix, always, universal)


def test_shapes_agree_with_matching() -> None:
    rng = random.Random(7)
    subjects = ["".join(rng.choice("ab?*/") for _ in range(rng.randint(1, 8))) for _ in range(100)]
    for _ in range(1000):
        pattern = "".join(rng.choice("ab*?/") for _ in range(rng.randint(1, 6)))
        glob = Glob.compile(pattern)
        for subject in subjects:
            expected = _reference(pattern, subject)
            if glob.prefix is not None:
                assert subject.startswith(glob.prefix) is expected, (pattern, subject)
            if glob.universal:
                assert expected, (pattern, subject)


def test_literal_star_is_not_a_shape() -> None:
    """A substituted or escaped ``*`` is text: such a pattern is neither a prefix nor universal."""
    glob = Glob.from_parts([("*", True)])
    assert (glob.literal, glob.prefix, glob.always, glob.universal) == ("*", None, False, False)
    glob = Glob.from_parts([("a", False), ("*", True), ("*", False)])
    assert (glob.literal, glob.prefix) == (None, "a*")
    assert glob.match("a*x") and not glob.match("ax")
