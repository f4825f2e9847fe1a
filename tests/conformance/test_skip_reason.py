"""Without ../shared the conformance module skips with a reason that says where it looked and why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


def test_the_skip_names_the_shared_folder_and_why(pytester: pytest.Pytester) -> None:
    copied = pytester.path / "a" / "b" / "test_iam_simulate.py"  # parents[2].parent has no shared/
    copied.parent.mkdir(parents=True)
    shutil.copy(Path(__file__).with_name("test_iam_simulate.py"), copied)
    result = pytester.runpytest_subprocess("-rs", "-p", "no:cacheprovider", str(copied))
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*needs ../shared/conformance/iam-simulate*not in the repository*"])
