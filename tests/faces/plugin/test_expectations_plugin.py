"""Expectations files collected by the pytest plugin: one test per expectation, explained when unmet."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .test_plugin import PLUGIN_ARGS

pytest_plugins = ["pytester"]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
UNMET = """
world: world.yaml
expectations:
  - name: sensor-1 publishes as sensor-2
    thing: sensor-1
    action: publish
    resources: dt/sensor-2/temperature
    expect: allowed
  - thing: sensor-1
    action: publish
    resources: dt/sensor-1/temperature
    expect: allowed
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_inprocess(*PLUGIN_ARGS, "-p", "no:cacheprovider", *args)


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copy(EXAMPLES / "world.yaml", pytester.path / "world.yaml")
    for files in ("certs", "keys"):  # the world file's certificates and token-signing key
        shutil.copytree(EXAMPLES / files, pytester.path / files)
    shutil.copy(EXAMPLES / "authorizer.py", pytester.path / "authorizer.py")
    return pytester


def test_the_example_is_one_test_per_expectation(project: pytest.Pytester) -> None:
    shutil.copy(EXAMPLES / "iot-expectations.yaml", project.path / "iot-expectations.yaml")
    result = run(project, "-v")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*iot-expectations.yaml::a sensor publishes its own telemetry PASSED*"])


def test_a_failing_expectation_reports_its_explanation(project: pytest.Pytester) -> None:
    (project.path / "iot-expectations-fleet.yaml").write_text(UNMET)
    result = run(project, "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*::sensor-1 publishes as sensor-2 FAILED*",
            "*::thing sensor-1 publish dt/sensor-1/temperature: allowed PASSED*",
            "*_ authorization: sensor-1 publishes as sensor-2 _*",
            "*iot-expectations-fleet.yaml:4: thing sensor-1 publish dt/sensor-2/temperature: "
            "expected allowed, got IMPLICIT_DENY by SensorPolicy",
            "*statement #1 Allow: Resource does not cover*",
            "*topic/dt/sensor-1/*': does not match",
            "*variables: iot:Connection.Thing.ThingName='sensor-1'*",
        ]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_bad_file_is_a_collection_error_with_line_and_field(project: pytest.Pytester) -> None:
    (project.path / "iot-expectations.yaml").write_text(
        "world: world.yaml\nexpectations:\n"
        "  - {thing: sensor-1, action: dance, resources: t, expect: allowed}\n"
    )
    result = run(project)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*iot-expectations.yaml:3: expectations[[]0[]].action: unknown action 'dance'*"]
    )
    result.stdout.no_fnmatch_line("*Traceback*")


def test_the_file_pattern_and_a_default_world_are_ini_options(project: pytest.Pytester) -> None:
    (project.path / "fleet.iotexpect.yaml").write_text(UNMET.replace("world: world.yaml\n", ""))
    (project.path / "iot-expectations.yaml").write_text("not collected: the pattern is changed\n")
    project.makeini(
        "[pytest]\niot_expectations_files = *.iotexpect.yaml\niot_expectations_world = world.yaml\n"
    )
    run(project).assert_outcomes(passed=1, failed=1)


def test_other_yaml_files_are_left_alone(project: pytest.Pytester) -> None:
    (project.path / "expectations.yaml").write_text("expectations: [")
    result = run(project)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
