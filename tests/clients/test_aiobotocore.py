"""aiobotocore and aioboto3 clients under ``activate()``, in their own environment (aio_script.py)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from . import cache
from .conftest import client_env

pytestmark = pytest.mark.clients

SCRIPT = Path(__file__).with_name("aio_script.py")


@pytest.fixture(scope="module")
def aio_python() -> Path:
    try:
        return cache.aio_python()
    except cache.Unavailable as exc:
        pytest.skip(f"aioboto3 unavailable: {exc}")


def test_async_clients_are_answered_without_blocking_the_loop(aio_python: Path) -> None:
    done = subprocess.run(
        [str(aio_python), str(SCRIPT)],
        capture_output=True,
        text=True,
        env=client_env(PYTHONPATH=str(cache.REPO)),
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for client in ("aiobotocore", "aioboto3"):
        assert results[client] == {
            "decision": "ALLOWED",
            "missing": "Authorizer Missing does not exist",
            # The handler waited on the event loop: it ran, so the call did not block the loop.
            "principalId": "loopRan",
            "status": 200,
        }, client
    assert results["calls"] == ["TestAuthorization", "TestInvokeAuthorizer", "TestInvokeAuthorizer"] * 2
    assert results["after_stop"] == "NoCredentialsError"


def test_the_readme_example_runs(aio_python: Path, tmp_path: Path) -> None:
    readme = (cache.REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```py\n(.*?)^```", readme, flags=re.S | re.M)
    assert len(blocks) == 1, "the README has one aiobotocore example, fenced as py"
    script = tmp_path / "readme_aio.py"
    script.write_text(blocks[0])
    done = subprocess.run(
        [str(aio_python), str(script)],
        capture_output=True,
        text=True,
        env=client_env(PYTHONPATH=str(cache.REPO)),
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
