"""Wildcard patterns (``*`` and ``?`` only) compiled for bounded-time matching.

A pattern is split on ``*`` into segments. The first segment is anchored at the start of the subject, the
last at its end, and each middle segment is found at its leftmost position after the previous one. For
globs whose only variable-length token is ``*`` the leftmost choice is always safe, so matching never
backtracks: the cost is at most the subject length times the segment lengths, whatever the number of
stars. Translating to a regular expression (``.*a.*a.*b``) would backtrack exponentially instead.

Characters can be marked literal, so a value substituted from a policy variable never acts as a wildcard.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable


class Segment:
    """A run of characters between stars; ``?`` positions match any one character."""

    __slots__ = ("chunks", "length", "plain", "text", "wildcards")

    def __init__(self, text: str, wild: Iterable[int]) -> None:
        self.text = text
        self.length = len(text)
        positions = sorted(set(wild)) if wild else ()
        #: Offsets of the ``?`` wildcards, in order.
        self.wildcards: tuple[int, ...] = tuple(positions)
        self.plain = not positions
        if not positions:  # the common case, on the path of every newly substituted pattern
            self.chunks: tuple[tuple[int, str], ...] = ((0, text),) if text else ()
            return
        chunks: list[tuple[int, str]] = []
        start = 0
        for pos in [*positions, self.length]:
            if pos > start:
                chunks.append((start, text[start:pos]))
            start = pos + 1
        #: (offset, literal text) pieces between single-character wildcards, longest first for ``find``.
        self.chunks = tuple(sorted(chunks, key=lambda c: -len(c[1])))

    def match_at(self, subject: str, pos: int) -> bool:
        """True if the segment matches ``subject`` starting at ``pos`` (caller checks the length)."""
        if self.plain:
            return subject.startswith(self.text, pos)
        return all(subject.startswith(chunk, pos + off) for off, chunk in self.chunks)

    def find(self, subject: str, start: int, end: int) -> int:
        """Leftmost position ``p >= start`` with ``p + length <= end`` where the segment matches, else -1."""
        if self.plain:
            return subject.find(self.text, start, end)
        last = end - self.length
        if not self.chunks:
            return start if start <= last else -1
        off, anchor = self.chunks[0]
        pos = start
        while pos <= last:
            hit = subject.find(anchor, pos + off, last + off + len(anchor))
            if hit < 0:
                return -1
            cand = hit - off
            if self.match_at(subject, cand):
                return cand
            pos = cand + 1
        return -1


_NO_SEGMENT = Segment("", ())


class Glob:
    """A compiled wildcard pattern. ``match`` is a full-string, case-sensitive test."""

    __slots__ = (
        "_first",
        "_last",
        "_middle",
        "_min_len",
        "_single",
        "always",
        "head",
        "literal",
        "prefix",
        "source",
        "universal",
    )

    def __init__(self, source: str, segments: list[tuple[str, list[int]]]) -> None:
        #: The pattern as written (wildcards and literal characters alike), for explanations.
        self.source = source
        segs = [Segment(text, wild) for text, wild in segments]
        self.always = len(segs) > 1 and all(s.length == 0 for s in segs)
        self._single = len(segs) == 1
        #: The exact text when the pattern has no wildcard at all (fast equality path), else None.
        self.literal: str | None = segs[0].text if self._single and segs[0].plain else None
        #: The text before the stars when the pattern is plain text followed only by ``*`` (a prefix test).
        self.prefix: str | None = (
            segs[0].text if len(segs) > 1 and segs[0].plain and all(s.length == 0 for s in segs[1:]) else None
        )
        first = segs[0]
        #: The text every subject it matches starts with: its first segment up to any ``?``.
        self.head = first.text[: first.wildcards[0]] if first.wildcards else first.text
        self._first = first
        self._last = segs[-1]
        self._middle = tuple(s for s in segs[1:-1] if s.length)
        self._min_len = sum(s.length for s in segs)
        #: True when every non-empty subject matches: only ``*`` (as ``always``), or stars and one ``?``.
        self.universal = self.always or (
            len(segs) > 1 and self._min_len == 1 and all(s.length == 0 or not s.plain for s in segs)
        )

    @classmethod
    def compile(cls, pattern: str) -> Glob:
        """Compile a pattern in which every ``*`` and ``?`` is a wildcard."""
        return cls.from_parts(((pattern, False),))

    @classmethod
    def literal_text(cls, text: str) -> Glob:
        """A pattern that matches exactly ``text``, whatever characters it contains."""
        return cls.from_parts(((text, True),))

    @classmethod
    def _plain(cls, source: str, text: str, *, star: bool) -> Glob:
        """What ``__init__`` makes of the segments ``[text]`` (``star`` False) or ``[text, ""]``."""
        glob = cls.__new__(cls)
        glob.source = source
        # ``match`` answers these shapes from ``literal`` or ``prefix`` alone: no segment is ever read, so
        # none is made (a new client id substitutes and keeps several such patterns).
        glob._first = glob._last = _NO_SEGMENT
        glob.head = text
        glob._middle = ()
        glob._min_len = len(text)
        if star:
            glob._single = False
            glob.always = glob.universal = not text
            glob.literal = None
            glob.prefix = text
        else:
            glob._single = True
            glob.always = glob.universal = False
            glob.literal = text
            glob.prefix = None
        return glob

    @classmethod
    def from_parts(cls, parts: Iterable[tuple[str, bool]]) -> Glob:
        """Compile from ``(text, literal)`` pieces; in literal pieces ``*`` and ``?`` are plain characters."""
        parts = tuple(parts)
        # The shapes of nearly every substituted pattern (text, or text then one final ``*``) skip the
        # general split: the segments are the same, found with a few string tests.
        wildcards = [i for i, (text, plain) in enumerate(parts) if not plain and ("*" in text or "?" in text)]
        if not wildcards:
            whole = "".join(text for text, _ in parts)
            return cls._plain(whole, whole, star=False)
        last = parts[-1][0]
        if wildcards == [len(parts) - 1] and "?" not in last and last.find("*") == len(last) - 1:
            whole = "".join(text for text, _ in parts)
            return cls._plain(whole, whole[:-1], star=True)
        segments: list[tuple[str, list[int]]] = []
        buf: list[str] = []
        wild: list[int] = []
        source: list[str] = []
        size = 0
        for text, literal in parts:
            source.append(text)
            if literal:
                buf.append(text)
                size += len(text)
                continue
            for index, piece in enumerate(text.split("*")):
                if index:
                    segments.append(("".join(buf), wild))
                    buf, wild, size = [], [], 0
                found = piece.find("?")
                while found >= 0:
                    wild.append(size + found)
                    found = piece.find("?", found + 1)
                buf.append(piece)
                size += len(piece)
        segments.append(("".join(buf), wild))
        return cls("".join(source), segments)

    def match(self, subject: str) -> bool:
        if self.literal is not None:
            return subject == self.literal
        if self.prefix is not None:
            return subject.startswith(self.prefix)
        n = len(subject)
        if n < self._min_len:
            return False
        first = self._first
        if self._single:
            return n == first.length and first.match_at(subject, 0)
        if not first.match_at(subject, 0):
            return False
        last = self._last
        end = n - last.length
        if not last.match_at(subject, end):
            return False
        pos = first.length
        for seg in self._middle:
            hit = seg.find(subject, pos, end)
            if hit < 0:
                return False
            pos = hit + seg.length
        return pos <= end

    def test(self) -> Callable[[str], bool]:
        """:meth:`match`, as the cheapest callable for this pattern's shape: for the bound sets, which test
        every resource of a request against each pattern they hold."""
        if self.literal is not None:
            return self.literal.__eq__
        if self.prefix is not None:
            return operator.methodcaller("startswith", self.prefix)
        first, last = self._first, self._last
        if not self._single and not self._middle and first.plain and last.plain:
            # ``head*tail`` (one star, or stars next to each other), the shape of most patterns with a
            # wildcard inside: at least long enough for both, so that they never overlap.
            head, tail, least = first.text, last.text, self._min_len

            def head_and_tail(subject: str) -> bool:
                return len(subject) >= least and subject.startswith(head) and subject.endswith(tail)

            return head_and_tail
        return self.match

    def __repr__(self) -> str:
        return f"Glob({self.source!r})"
