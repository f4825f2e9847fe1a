"""``--world`` reads templates too, combines several, and takes ``--parameter KEY=VALUE``."""

from __future__ import annotations

from pathlib import Path

from tests.faces.cli.conftest import run_cli

ARN = "arn:aws:iot:us-east-1:123456789012"
TEMPLATE = """
Parameters:
  Prefix: {Type: String}
Resources:
  Telemetry:
    Type: AWS::IoT::Policy
    Properties:
      PolicyName: Telemetry
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iot:Publish
            Resource: !Sub "arn:aws:iot:${AWS::Region}:${AWS::AccountId}:topic/${Prefix}/${!iot:ClientId}"
"""
DEVICES = """
certificates:
  - name: sensor
    subject: {CommonName: sensor-1}
    policies: [Telemetry]
"""


def test_template_and_world_file_with_a_parameter(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    devices = tmp_path / "devices.yaml"
    devices.write_text(DEVICES, encoding="utf-8")
    ran = run_cli(
        "test-authorization", "--world", template, "--world", devices, "--parameter", "Prefix=dt",
        "--principal", "sensor", "--client-id", "s1",
        "--auth-infos", f"actionType=PUBLISH,resources={ARN}:topic/dt/s1",
    )  # fmt: skip
    assert ran.code == 0, ran.err + ran.out
    assert "ALLOWED" in ran.out


def test_missing_parameter_and_malformed_parameter_option(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    template.write_text(TEMPLATE, encoding="utf-8")
    args = ("who-can", "--world", template, "--action-type", "PUBLISH", "--resource", f"{ARN}:topic/x")
    missing = run_cli(*args)
    assert missing.code == 4
    assert "parameter Prefix has no Default" in missing.err and "--parameter Prefix=VALUE" in missing.err
    malformed = run_cli(*args, "--parameter", "Prefix")
    assert malformed.code == 2
    assert "expected KEY=VALUE" in malformed.err
