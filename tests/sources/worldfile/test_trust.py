"""A world file is trusted like code, but its handler code must lie in its own directory unless allowed.

See docs/threat-model.md. Only ``code_dir`` and file handlers are paths; module references import from the
code directory, then from ``sys.path`` (the caller's own environment).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from boto_iotauth_local import World, activate
from boto_iotauth_local.sources.worldfile import WorldFileError

from ...faces.cli.conftest import run_cli

HANDLER = textwrap.dedent(
    """
    def handler(event, context):
        return {"isAuthenticated": True, "principalId": "outside", "policyDocuments": [],
                "refreshAfterInSeconds": 600, "disconnectAfterInSeconds": 3600}
    """
)


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """``tmp/worlds/`` holds world files; ``tmp/elsewhere/app.py`` is code outside their directory."""
    (tmp_path / "worlds" / "inside").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "app.py").write_text(HANDLER)
    (tmp_path / "worlds" / "inside" / "app.py").write_text(HANDLER)
    return tmp_path


def world_file(layout: Path, function: str) -> Path:
    path = layout / "worlds" / "world.yaml"
    path.write_text(
        "functions:\n"
        f"  - {function}\n"
        "authorizers:\n"
        "  - {name: Auth, function: fn, signing_disabled: true}\n"
    )
    return path


OUTSIDE = {
    "relative-file": "{name: fn, handler: ../elsewhere/app.py:handler}",
    "absolute-file": "{name: fn, handler: 'ABS/elsewhere/app.py:handler'}",
    "code-dir": "{name: fn, handler: app.handler, code_dir: ../elsewhere}",
    "file-in-outside-code-dir": "{name: fn, handler: app.py:handler, code_dir: ../elsewhere}",
    "symlink": "{name: fn, handler: link/app.py:handler}",
}


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_handler_code_outside_the_directory_is_refused_unless_allowed(layout: Path, case: str) -> None:
    if case == "symlink":
        if not hasattr(os, "symlink"):
            pytest.skip("no symbolic links")
        (layout / "worlds" / "link").symlink_to(layout / "elsewhere", target_is_directory=True)
    path = world_file(layout, OUTSIDE[case].replace("ABS", str(layout)))
    with pytest.raises(WorldFileError) as raised:
        World.from_file(path)
    error = raised.value
    assert error.line == 2 and error.field is not None and error.field.startswith("functions[0]")
    assert "outside the world file's directory" in error.message
    assert "allow_external_handlers=True" in error.message
    world = World.from_file(path, allow_external_handlers=True)
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        assert iot.test_invoke_authorizer(authorizerName="Auth", token="t")["principalId"] == "outside"


@pytest.mark.parametrize(
    "function",
    [
        "{name: fn, handler: inside/app.py:handler}",
        "{name: fn, handler: app.handler, code_dir: inside}",
        "{name: fn, handler: app.py:handler, code_dir: inside}",
    ],
)
def test_handler_code_inside_the_directory_loads(layout: Path, function: str) -> None:
    world = World.from_file(world_file(layout, function))
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        assert iot.test_invoke_authorizer(authorizerName="Auth", token="t")["isAuthenticated"] is True


def test_the_command_line_refuses_it_unless_allowed(layout: Path) -> None:
    path = world_file(layout, OUTSIDE["relative-file"])
    invoke = ("test-invoke-authorizer", "--world", path, "--authorizer-name", "Auth", "--token", "t")
    ran = run_cli(*invoke)
    assert ran.code == 4, ran.err
    assert "outside the world file's directory" in ran.err and "--allow-external-handlers" in ran.err
    ran = run_cli(*invoke, "--allow-external-handlers", "--output", "json")
    assert ran.code == 0, ran.err
    assert ran.json()["principalId"] == "outside"  # type: ignore[index]


def test_the_pytest_marker_takes_the_option(layout: Path) -> None:
    path = world_file(layout, OUTSIDE["relative-file"])
    test = layout / "worlds" / "test_marker.py"
    test.write_text(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.iot_world("world.yaml", allow_external_handlers=True)
            def test_allowed(iot_world):
                assert iot_world.resolve_function("fn").name == "fn"

            @pytest.mark.iot_world("world.yaml")
            def test_refused(iot_world):
                pass
            """
        )
    )
    assert path.parent == test.parent
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        cwd=layout,
        timeout=120,
        check=False,
    )
    assert "1 passed, 1 error" in done.stdout, done.stdout + done.stderr
    assert "outside the world file's directory" in done.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("audit", "--output", "json"),
        ("world", "show"),
        ("who-can", "--action-type", "PUBLISH", "--resource", "arn:aws:iot:us-east-1:123456789012:topic/t"),
    ],
    ids=lambda command: command[0],
)
def test_every_command_that_loads_a_world_takes_the_option(layout: Path, command: tuple[str, ...]) -> None:
    path = world_file(layout, OUTSIDE["relative-file"])
    refused = run_cli(*command, "--world", path)
    assert refused.code == 4 and "--allow-external-handlers" in refused.err, refused.err
    allowed = run_cli(*command, "--world", path, "--allow-external-handlers")
    assert allowed.code in (0, 1), allowed.err


def test_check_takes_the_option(layout: Path) -> None:
    path = world_file(layout, OUTSIDE["relative-file"])
    expectations = layout / "worlds" / "iot-expectations.yaml"
    expectations.write_text(
        "world: world.yaml\nexpectations:\n"
        "  - principal: arn:aws:iot:us-east-1:123456789012:cert/" + "a" * 64 + "\n"
        "    action: publish\n    resources: [t]\n    expect: denied\n"
    )
    assert Path(path).parent == expectations.parent
    refused = run_cli("check", str(expectations))
    assert refused.code == 4 and "--allow-external-handlers" in refused.err, refused.err
    allowed = run_cli("check", str(expectations), "--allow-external-handlers")
    # The world loaded: what is left is the expectation's own principal, which this world lacks.
    assert allowed.code == 4 and "no certificate" in allowed.err, allowed.err
    assert "--allow-external-handlers" not in allowed.err
