"""Expectations files as pytest tests: one test per expectation, its explanation as the failure.

A file is collected when its name matches one of the ``iot_expectations_files`` patterns (default
``iot-expectations*.yaml`` and ``iot-expectations*.yml``). The file is bound to its world when it is
collected, so a bad file, or one naming a principal its world lacks, is a collection error with
``path:line: field: message``, as the command line reports it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

    from ..expectations import Check, Expectation, Outcome

FILES_INI = "iot_expectations_files"
WORLD_INI = "iot_expectations_world"
DEFAULT_PATTERNS = ["iot-expectations*.yaml", "iot-expectations*.yml"]


def add_ini_options(parser: pytest.Parser) -> None:
    parser.addini(
        FILES_INI,
        "glob patterns of expectations files to collect as tests (one test per expectation)",
        type="args",
        default=DEFAULT_PATTERNS,
    )
    parser.addini(
        WORLD_INI,
        "world file (relative to the rootdir) for expectations files without a 'world:' of their own",
        default="",
    )


def collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    patterns: list[str] = parent.config.getini(FILES_INI)
    if any(file_path.match(pattern) for pattern in patterns):
        collector: ExpectationsFileCollector = ExpectationsFileCollector.from_parent(parent, path=file_path)
        return collector
    return None


class ExpectationsFileCollector(pytest.File):
    """An expectations file, refused at collection when it is malformed or names what its world lacks."""

    def collect(self) -> list[pytest.Item]:
        from ..expectations import ExpectationsError, load_expectations
        from ..sources.worldfile import WorldFileError

        try:
            parsed = load_expectations(self.path)
            default: str = self.config.getini(WORLD_INI)
            world = None
            if not parsed.world_paths and default:
                world = os.path.join(str(self.config.rootpath), default)
            bound = parsed.bind(parsed.load_world(world))
        except (ExpectationsError, WorldFileError) as exc:
            raise self.CollectError(str(exc)) from None
        return [
            ExpectationItem.from_parent(
                self, name=expectation.name.replace("::", ":"), expectation=expectation, check=check
            )
            for expectation, check in bound
        ]


class UnmetExpectation(Exception):
    """Raised by an expectation's test when it is not met; carries the outcome for the report."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.summary)
        self.outcome = outcome


class ExpectationItem(pytest.Item):
    """One expectation: passes when met, fails with the explanation (statements, variables) when not."""

    def __init__(self, *, expectation: Expectation, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.expectation = expectation
        self.check = check

    def runtest(self) -> None:
        outcome = self.check.run()
        if not outcome.met:
            raise UnmetExpectation(outcome)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | TerminalRepr:
        if isinstance(excinfo.value, UnmetExpectation):
            outcome = excinfo.value.outcome
            return f"{self.path}:{self.expectation.line}: {outcome.summary}\n\n{outcome.explanation}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        return self.path, self.expectation.line - 1, f"{self.expectation.kind}: {self.name}"
