"""What every kind of expectation shares: parsed at the door, bound to a world, then run.

A kind (``authorization`` today) parses its entry into an :class:`Expectation`; ``bind(world)`` resolves
every name it uses against the world, so a typo is refused before anything runs; the bound check's
``run()`` gives an :class:`Outcome`, whose rows fill the table and whose explanation says why it is unmet.
New kinds register a parser with :func:`register_kind`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..sources.worldfile import WorldFileError

if TYPE_CHECKING:
    from ..sources.worldfile.schema import Field
    from ..world import World


class ExpectationsError(WorldFileError):
    """An expectations file that cannot be read, or that names what its world does not have.

    Reported as world files report theirs: ``path:line: field: message``.
    """


@dataclass(frozen=True)
class Row:
    """One line of the results table: one principal, action and resource, expected against actual."""

    principal: str
    client_id: str | None
    action: str
    resource: str
    expected: str
    actual: str
    met: bool


@dataclass(frozen=True)
class Outcome:
    """An expectation's result: met or not, its rows, and (when unmet) why, for a person to read."""

    expectation: Expectation
    met: bool
    rows: tuple[Row, ...]
    explanation: str = ""
    #: One line saying what was unmet (empty when met): a failure's message in JUnit.
    summary: str = ""
    #: True when the question could not be answered (the service raised), not merely answered otherwise.
    error: bool = False
    #: How long the check took, in seconds (JUnit's ``time``).
    seconds: float = 0.0
    #: What the check could not decide, met or not (an audit's key no weak-key list covers), for a person.
    notes: tuple[str, ...] = ()


class Check(Protocol):
    """An expectation bound to a world: every name resolved, ready to run."""

    def run(self) -> Outcome: ...


class Expectation(Protocol):
    """One entry of the file, as parsed; ``name`` identifies it in tables, JUnit and pytest."""

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def line(self) -> int: ...

    def bind(self, world: World) -> Check:
        """Resolve the entry's names in ``world``; ExpectationsError at the field for one it lacks."""
        ...


#: A kind's parser: the entry's fields (``kind`` already removed) and the entry itself, for its line.
KindParser = Callable[["dict[str, Field]", "Field"], Expectation]

#: kind name -> (allowed keys, parser). The first kind registered is the default for entries without one.
KINDS: dict[str, tuple[tuple[str, ...], KindParser]] = {}


def register_kind(name: str, keys: tuple[str, ...], parser: KindParser) -> None:
    """Make ``kind: name`` entries parse with ``parser``; ``keys`` are the entry's allowed keys."""
    KINDS[name] = (keys, parser)
