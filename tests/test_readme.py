"""Every ```python example in the README runs, as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)


def test_the_readme_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs(code: str) -> None:
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(code, str(README), "exec"), namespace)


PYTEST_BLOCKS = [block for block in BLOCKS if "def test_" in block]


def test_readme_pytest_examples_pass_under_pytest_with_the_plugin(tmp_path: Path) -> None:
    """The examples that define tests are collected and run by pytest, with the installed plugin."""
    assert len(PYTEST_BLOCKS) >= 3
    for index, code in enumerate(PYTEST_BLOCKS):
        (tmp_path / f"test_readme_example_{index}.py").write_text(code)
    worlds = tmp_path / "worlds"
    worlds.mkdir()
    for name in ("fleet.yaml", "empty.yaml"):  # the world files the marker example names
        (worlds / name).write_text("region: us-east-1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--strict-markers", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    expected = sum(code.count("\ndef test_") + code.startswith("def test_") for code in PYTEST_BLOCKS)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{expected} passed" in done.stdout, done.stdout
