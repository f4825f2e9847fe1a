"""The AWS SDK for JavaScript v3 through the local endpoint: the README's example, run as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from boto_iotauth_local import World, serve

from .conftest import client_env

pytestmark = pytest.mark.clients

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_javascript() -> str:
    blocks = re.findall(r"^```javascript\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.S | re.M)
    assert len(blocks) == 1, "the README has one JavaScript example"
    return str(blocks[0])


def test_the_readme_example_runs_against_the_endpoint(js_sdk: Path, tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node is not None
    script = js_sdk / f"readme-example-{tmp_path.name}.mjs"  # beside node_modules, where imports resolve
    script.write_text(readme_javascript())
    world = World()
    try:
        with serve(world) as endpoint:
            done = subprocess.run(
                [node, str(script)],
                capture_output=True,
                text=True,
                env=client_env(AWS_ENDPOINT_URL_IOT=endpoint.url),
                cwd=js_sdk,
                timeout=120,
                check=False,
            )
    finally:
        script.unlink()
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ALLOWED\nResourceNotFoundException 404\n"
    assert world.has_policy("sensors")
    calls = [(call.operation, call.error.code if call.error else None) for call in endpoint.calls]
    assert calls == [
        ("CreatePolicy", None),
        ("TestAuthorization", None),
        ("TestInvokeAuthorizer", "ResourceNotFoundException"),
    ]
