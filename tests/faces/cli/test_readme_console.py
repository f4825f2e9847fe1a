"""The README's ``iotauth-local`` examples, run from the repository's root, print exactly what is shown."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The "Command line" section (a server's log, elsewhere, has ports and timings that differ on every run).
SECTION = README.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
BLOCKS = [
    block
    for block in re.findall(r"^```console\n(.*?)^```", SECTION, flags=re.S | re.M)
    if "$ iotauth-local" in block
]
SEPARATOR = "@@ next command @@"


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs; a command continues on lines after a trailing backslash."""
    pairs: list[tuple[str, list[str]]] = []
    continuing = False
    for line in block.splitlines():
        if continuing:
            pairs[-1] = (pairs[-1][0] + "\n" + line, pairs[-1][1])
        elif line.startswith("$ "):
            pairs.append((line[2:], []))
        else:
            pairs[-1][1].append(line)
        continuing = line.endswith("\\")
    return [(command, "\n".join(output)) for command, output in pairs]


def test_the_readme_has_command_line_examples() -> None:
    assert len(BLOCKS) >= 4
    assert any("world show" in block for block in BLOCKS) and any("sign-token" in block for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"console{i}" for i in range(len(BLOCKS))])
def test_console_example_prints_what_the_readme_shows(block: str) -> None:
    commands = _commands(block)
    script = [f'iotauth-local() {{ "{sys.executable}" -m boto_iotauth_local.faces.cli "$@"; }}', "exec 2>&1"]
    for command, _ in commands:
        # keep $? across the separator, for the README's `echo $?`
        script += [f"status=$?; echo '{SEPARATOR}'; (exit $status)", command]
    ran = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    outputs = ran.stdout.split(SEPARATOR + "\n")[1:]
    assert len(outputs) == len(commands), ran.stdout + ran.stderr
    for (command, expected), got in zip(commands, outputs, strict=True):
        assert got.rstrip("\n") == expected, f"$ {command}"
