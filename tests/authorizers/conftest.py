"""Fixtures for the authorizer runtime tests: function settings, handler files, runtimes."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.authorizers import InProcessRuntime, IsolatedRuntime

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:auth"


@dataclass(frozen=True)
class Spec:
    """Stands in for the world's FunctionSpec: the same fields, nothing else."""

    handler: Callable[..., Any] | str
    arn: str = ARN
    name: str = "auth"
    runtime: str = "auto"
    code_dir: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    memory_mb: int = 128
    timeout: float = 5.0


WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write dedented source to ``tmp_path/<relative>`` and return its path."""

    def write(relative: str, source: str) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
        return path

    return write


@pytest.fixture(autouse=True)
def _restore_import_state(tmp_path: Path) -> Iterator[None]:
    """Handler modules written by one test must not leak into the next through sys.modules or sys.path."""
    modules = set(sys.modules)
    path = list(sys.path)
    yield
    root = str(tmp_path)
    for name in set(sys.modules) - modules:
        module = sys.modules[name]
        locations = [getattr(module, "__file__", None) or "", *list(getattr(module, "__path__", []) or [])]
        if any(str(location).startswith(root) for location in locations):
            del sys.modules[name]
    sys.path[:] = path


@pytest.fixture
def inprocess() -> InProcessRuntime:
    return InProcessRuntime()


@pytest.fixture
def isolated() -> Iterator[IsolatedRuntime]:
    runtime = IsolatedRuntime()
    yield runtime
    runtime.shutdown()
