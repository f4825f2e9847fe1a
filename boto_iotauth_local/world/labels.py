"""Messages for a name that is not known: the closest known names first, then every known name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_name(kind: str, name: str, known: Iterable[str], *, none_known: str = "") -> str:
    """``unknown certificate name 'sensr-cert'; did you mean 'sensor-cert'? known: 'a', 'b'``.

    ``none_known`` says why the list can be empty (for example, that only world files name certificates).
    """
    names = sorted(known)
    if not names:
        return f"unknown {kind} {name!r}; " + (none_known or f"there is no {kind} to choose from")
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(n) for n in close)}? " if close else ""
    return f"unknown {kind} {name!r}; {hint}known: {', '.join(repr(n) for n in names)}"
