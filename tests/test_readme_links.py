"""The README's links: each in-page anchor names a heading, each relative link an existing file."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_slug_follows_github() -> None:
    assert slug("With moto: the world is moto's state") == "with-moto-the-world-is-motos-state"
    assert slug("Why: decisions with their reasons") == "why-decisions-with-their-reasons"


def test_every_anchor_names_a_heading() -> None:
    prose = re.sub(r"^```.*?^```", "", TEXT, flags=re.S | re.M)  # comments in code are not headings
    headings = {slug(h) for h in re.findall(r"^#{1,6} (.+)$", prose, flags=re.M)}
    anchors = set(re.findall(r"\]\(#([^)]+)\)", TEXT))
    assert anchors, "the README has a contents list"
    assert anchors - headings == set()


def test_every_relative_link_names_a_file() -> None:
    links = {link.split("#")[0] for link in re.findall(r"\]\((?!#|https?:)([^)]+)\)", TEXT)}
    missing = [link for link in links if not (README.parent / link).exists()]
    assert missing == []
