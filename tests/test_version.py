"""The version has one source, ``boto_iotauth_local.__version__``; the metadata and the CLI read it."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

import boto_iotauth_local

ROOT = Path(__file__).resolve().parents[1]


def test_pyproject_reads_the_version_from_the_package() -> None:
    tomllib = pytest.importorskip("tomllib")  # 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "boto_iotauth_local.__version__"}


def test_installed_metadata_agrees() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+([ab]\d+|rc\d+)?", boto_iotauth_local.__version__)
    assert version("boto_iotauth_local") == boto_iotauth_local.__version__


def test_the_readme_names_the_wheel_of_this_version() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"boto_iotauth_local-{boto_iotauth_local.__version__}-py3-none-any.whl" in readme
