"""``iotauth-local check``: the table, exit codes, explanations of unmet expectations, JUnit XML."""
# ruff: noqa: E501  (expected output lines read best unwrapped)

from __future__ import annotations

import io
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from boto_iotauth_local.faces.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
UNMET = """
world: world.yaml
expectations:
  - name: sensor-1 may read sensor-2's commands
    thing: sensor-1
    action: receive
    resources: cmd/sensor-2/reboot
    expect: allowed
  - name: sensor-1 reads its own commands
    thing: sensor-1
    action: receive
    resources: cmd/sensor-1/reboot
    expect: allowed
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "world.yaml", tmp_path / "world.yaml")
    for files in ("certs", "keys"):  # the world file's certificates and token-signing key
        shutil.copytree(EXAMPLES / files, tmp_path / files)
    shutil.copy(EXAMPLES / "authorizer.py", tmp_path / "authorizer.py")
    (tmp_path / "unmet.yaml").write_text(UNMET)
    return tmp_path


def test_the_example_passes_with_a_table(tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    code, out, err = run("check", str(EXAMPLES / "iot-expectations.yaml"), "--junit-xml", str(junit))
    assert (code, err) == (0, "")
    assert "RESULT  EXPECTATION" in out
    assert "a sensor publishes its own telemetry" in out
    assert "UNMET" not in out
    assert out.rstrip().endswith("8 of 8 expectations met")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "8" and suite.get("failures") == "0"


def test_an_unmet_expectation_exits_1_and_is_explained(folder: Path) -> None:
    code, out, _ = run("check", str(folder / "unmet.yaml"))
    assert code == 1
    assert "UNMET   sensor-1 may read sensor-2's commands" in out
    assert "ok      sensor-1 reads its own commands" in out
    explanation = out.split("UNMET: sensor-1 may read sensor-2's commands (line 4)", 1)[1]
    assert "expected allowed, got IMPLICIT_DENY by SensorPolicy" in explanation
    assert "statement #3 Allow" in explanation  # the statements checked, one by one
    assert "arn:aws:iot:us-east-1:123456789012:topic/cmd/sensor-1/*': does not match" in explanation
    assert "variables: iot:Connection.Thing.ThingName='sensor-1'" in explanation
    assert out.rstrip().endswith("1 of 2 expectations met, 1 unmet")


def test_junit_xml_has_a_testcase_per_expectation_and_the_explanation(folder: Path) -> None:
    junit = folder / "out" / "junit.xml"
    junit.parent.mkdir()
    code, _, _ = run(
        "check",
        str(folder / "unmet.yaml"),
        str(EXAMPLES / "iot-expectations.yaml"),
        "--junit-xml",
        str(junit),
    )
    assert code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures"), root.get("errors")) == (
        "10",
        "1",
        "0",
    )
    first, second = root.findall("testsuite")
    assert first.get("name") == str(folder / "unmet.yaml") and second.get("failures") == "0"
    cases = first.findall("testcase")
    assert [case.get("name") for case in cases] == [
        "sensor-1 may read sensor-2's commands",
        "sensor-1 reads its own commands",
    ]
    assert cases[0].get("line") == "4" and cases[0].get("classname") == "unmet"
    failure = cases[0].find("failure")
    assert failure is not None and cases[1].find("failure") is None
    assert failure.get("message") == (
        "thing sensor-1 receive cmd/sensor-2/reboot: expected allowed, got IMPLICIT_DENY by SensorPolicy"
    )
    assert "variables: iot:Connection.Thing.ThingName='sensor-1'" in (failure.text or "")


def test_world_option_overrides_the_files_world(folder: Path, tmp_path: Path) -> None:
    (folder / "empty.yaml").write_text("things: [{name: sensor-1}]\n")
    code, _, err = run("check", "--world", str(folder / "empty.yaml"), str(folder / "unmet.yaml"))
    assert code == 4
    assert "thing 'sensor-1' has no principal attached" in err


def test_bad_files_exit_4_with_file_line_and_field(folder: Path) -> None:
    bad = folder / "bad.yaml"
    bad.write_text(
        "world: world.yaml\nexpectations:\n  - {thing: sensor-9, action: publish, resources: t, expect: allowed}\n"
    )
    code, out, err = run("check", str(bad), "--junit-xml", str(folder / "j.xml"))
    assert (code, out) == (4, "")
    assert err.strip() == f"iotauth-local: {bad}:3: expectations[0].thing: no thing 'sensor-9' in the world"
    assert not (folder / "j.xml").exists()
    code, _, err = run("check", str(folder / "missing.yaml"))
    assert code == 4 and "missing.yaml: no such file" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["check"])
    assert raised.value.code == 2
    assert "EXPECTATIONS" in capsys.readouterr().err


def test_json_and_text_outputs(folder: Path) -> None:
    code, out, _ = run("check", "--output", "json", str(folder / "unmet.yaml"))
    answer = json.loads(out)
    assert code == 1 and (answer["met"], answer["unmet"]) == (1, 1)
    first = answer["files"][0]["expectations"][0]
    assert first["met"] is False and first["checks"][0]["actual"] == "IMPLICIT_DENY by SensorPolicy"
    assert "statement #3 Allow" in first["explanation"]
    code, out, _ = run("check", "--output", "text", str(folder / "unmet.yaml"))
    lines = [line.split("\t") for line in out.splitlines()]
    assert code == 1 and [line[3] for line in lines] == ["false", "true"]


def test_junit_xml_stays_well_formed_with_control_characters_and_times_each_case(folder: Path) -> None:
    odd = folder / "odd.yaml"
    odd.write_text(
        'world: world.yaml\nexpectations:\n  - {name: "bell \\a here", thing: sensor-1, action: publish, '
        'resources: "dt/x/\\x01", expect: allowed}\n'
    )
    junit = folder / "odd.xml"
    assert run("check", str(odd), "--junit-xml", str(junit))[0] == 1
    root = ET.parse(junit).getroot()
    case = root.find("testsuite/testcase")
    assert case is not None and case.get("name") == "bell \\u0007 here"
    failure = case.find("failure")
    assert failure is not None and "topic/dt/x/\\u0001" in (failure.text or "")
    assert float(case.get("time") or "x") >= 0 and float(root.get("time") or "x") >= 0


TEMPLATE = """
Parameters:
  Prefix: {Type: String}
Resources:
  Receive:
    Type: AWS::IoT::Policy
    Properties:
      PolicyName: receive
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iot:Receive
            Resource: !Sub "arn:aws:iot:${AWS::Region}:${AWS::AccountId}:topic/${Prefix}/*"
"""


def test_a_template_world_with_parameters(folder: Path) -> None:
    (folder / "stack.yaml").write_text(TEMPLATE)
    (folder / "devices.yaml").write_text(
        "certificates: [{name: c1, subject: {CommonName: sensor-1}, policies: [receive]}]\n"
        "things: [{name: sensor-1, principals: [c1]}]\n"
    )
    args = ["check", "--world", str(folder / "stack.yaml"), "--world", str(folder / "devices.yaml")]
    code, out, err = run(*args, "--parameter", "Prefix=cmd", str(folder / "unmet.yaml"))
    assert code == 0, err + out  # cmd/* allows both expectations
    code, _, err = run(*args, str(folder / "unmet.yaml"))
    assert code == 4
    assert "parameter Prefix has no Default" in err
