"""Reading an expectations file: YAML (or JSON) for people, refused at the door when anything is wrong.

The file is read with the world files' located fields (:mod:`..sources.worldfile.schema`), so every
mistake, from a YAML syntax error to a principal its world does not have, is ``path:line: field:
message``. The format is described in ``docs/expectations.md``.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sources.worldfile import WorldFileError
from ..sources.worldfile.schema import Field, parse
from ..world import World
from . import authorization
from .model import KINDS, Check, Expectation, ExpectationsError, Outcome

TOP_LEVEL_KEYS = ("world", "parameters", "region", "account_id", "expectations")
SUFFIXES = {".yaml": False, ".yml": False, ".json": True}  # suffix -> JSON syntax
DEFAULT_KIND = authorization.KIND
#: What ``World.from_file`` reads: a path, or several combined in order.
WorldPaths = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@contextmanager
def _located() -> Iterator[None]:
    """The schema's WorldFileError, as the ExpectationsError it is in this file."""
    try:
        yield
    except ExpectationsError:
        raise
    except WorldFileError as exc:
        raise ExpectationsError(exc.path, exc.line, exc.field, exc.message) from None


@dataclass(frozen=True)
class Report:
    """Every expectation's outcome, in file order."""

    path: Path
    outcomes: tuple[Outcome, ...]

    @property
    def met(self) -> bool:
        return all(outcome.met for outcome in self.outcomes)

    @property
    def unmet(self) -> tuple[Outcome, ...]:
        return tuple(outcome for outcome in self.outcomes if not outcome.met)


@dataclass(frozen=True)
class ExpectationsFile:
    """A parsed expectations file: its world (``world:``, relative to the file, with the template
    ``parameters``, ``region`` and ``account_id`` to read it with) and its entries."""

    path: Path
    #: The world's files, in order (a template, then a world file, say); empty when the file names none.
    world_paths: tuple[Path, ...]
    expectations: tuple[Expectation, ...]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    region: str | None = None
    account_id: str | None = None
    _world_fields: tuple[Field, ...] = ()

    def load_world(
        self,
        world: WorldPaths | None = None,
        *,
        parameters: Mapping[str, Any] | None = None,
        allow_external_handlers: bool = False,
    ) -> World:
        """The world to check: ``world`` (paths, as ``--world`` gives them) if given, else the file's own.

        ``parameters`` are added to the file's, a key given here winning. A world's own errors stay
        WorldFileError (they are about that file).
        """
        given = {**self.parameters, **(parameters or {})}
        options: dict[str, Any] = {
            "parameters": given,
            "region": self.region,
            "account_id": self.account_id,
            "allow_external_handlers": allow_external_handlers,
        }
        if world is not None:
            return World.from_file(world, **options)
        if not self.world_paths:
            raise ExpectationsError(
                self.path, None, None, "no world: add a top-level 'world: path/to/world.yaml', or give one"
            )
        for path, where in zip(self.world_paths, self._world_fields, strict=True):
            if not path.exists():
                with _located():
                    raise where.error(f"no such file: {path}")
        return World.from_file(list(self.world_paths), **options)

    def bind(self, world: World) -> list[tuple[Expectation, Check]]:
        """Every expectation resolved in ``world``; the first name it lacks is an ExpectationsError."""
        with _located():
            return [(expectation, expectation.bind(world)) for expectation in self.expectations]

    def check(self, world: World | WorldPaths | None = None) -> Report:
        """Bind every expectation (all or none), then run each: the outcomes in file order."""
        target = world if isinstance(world, World) else self.load_world(world)
        return Report(self.path, tuple(_timed(check) for _, check in self.bind(target)))


def _timed(check: Check) -> Outcome:
    started = time.perf_counter()
    outcome = check.run()
    return dataclasses.replace(outcome, seconds=time.perf_counter() - started)


def load_expectations(path: str | os.PathLike[str]) -> ExpectationsFile:
    """Read and validate the expectations file at ``path``; ExpectationsError naming file, line, field."""
    source = Path(path)
    json_syntax = SUFFIXES.get(source.suffix.lower())
    if json_syntax is None:
        raise ExpectationsError(
            source,
            None,
            None,
            f"unknown expectations file suffix {source.suffix!r}; use .yaml, .yml or .json",
        )
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExpectationsError(source, None, None, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExpectationsError(source, None, None, f"cannot read the file: {exc}") from None
    with _located():
        root = parse(text, source, json_syntax=json_syntax)
        return _read(root, source)


def _read(root: Field, source: Path) -> ExpectationsFile:
    sections = root.mapping(TOP_LEVEL_KEYS, required=("expectations",))
    world_fields: list[Field] = []
    if "world" in sections:
        where = sections["world"]
        world_fields = [where] if where.is_string() else where.items()
        if not world_fields:
            raise where.error("expected a path, or a non-empty list of paths")
    world_paths = []
    for where in world_fields:
        text = where.text()
        if not text:
            raise where.error("expected a file path, got an empty string")
        world_paths.append((source.resolve().parent / Path(text).expanduser()).resolve())
    parameters: dict[str, Any] = {}
    for key, value in sections["parameters"].entries() if "parameters" in sections else []:
        parameters[key] = value.value()
    region = sections["region"].text() if "region" in sections else None
    account_id = sections["account_id"].text() if "account_id" in sections else None
    entries = sections["expectations"].items()
    if not entries:
        raise sections["expectations"].error("expected at least one expectation")
    expectations: list[Expectation] = []
    names: dict[str, int] = {}
    for entry in entries:
        expectation = _entry(entry)
        if expectation.name in names:
            raise entry.error(
                f"duplicate expectation name {expectation.name!r} (first at line {names[expectation.name]}); "
                "give each a distinct 'name'"
            )
        names[expectation.name] = expectation.line
        expectations.append(expectation)
    return ExpectationsFile(
        source, tuple(world_paths), tuple(expectations), parameters, region, account_id, tuple(world_fields)
    )


def _entry(entry: Field) -> Expectation:
    if not entry.is_mapping():
        raise entry.error("expected an expectation: a mapping with kind-specific keys")
    kind = DEFAULT_KIND
    for key, value in entry.entries():
        if key == "kind":
            kind = value.text()
            if kind not in KINDS:
                raise value.error(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
    keys, parser = KINDS[kind]
    fields = entry.mapping(("kind", *keys))
    fields.pop("kind", None)
    return parser(fields, entry)
