"""Expectations against worlds from infrastructure code: names are the template's, through World.lookup."""
# ruff: noqa: E501  (a template line reads best unwrapped)

from __future__ import annotations

import io
import textwrap
from pathlib import Path

from boto_iotauth_local.expectations import load_expectations
from boto_iotauth_local.faces.cli.main import main
from boto_iotauth_local.world import generate_certificate

TEMPLATE = """
Parameters:
  Stage: {Type: String}
  DevicePem: {Type: String}
Resources:
  SensorPolicy:
    Type: AWS::IoT::Policy
    Properties:
      PolicyName: !Sub "sensor-${Stage}"
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iot:Publish
            Resource: !Sub "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:topic/${Stage}/${!iot:Connection.Thing.ThingName}/*"
  SensorCertificate:
    Type: AWS::IoT::Certificate
    Properties: {CertificatePem: !Ref DevicePem, Status: ACTIVE}
  SensorThing:
    Type: AWS::IoT::Thing
    Properties: {ThingName: sensor-1}
  PolicyAttachment:
    Type: AWS::IoT::PolicyPrincipalAttachment
    Properties: {PolicyName: !Ref SensorPolicy, Principal: !GetAtt SensorCertificate.Arn}
  ThingAttachment:
    Type: AWS::IoT::ThingPrincipalAttachment
    Properties: {ThingName: !Ref SensorThing, Principal: !GetAtt SensorCertificate.Arn}
"""

EXPECTATIONS = """
world: stack.yaml
region: eu-west-1
parameters:
  Stage: prod
  DevicePem: |
{pem}
expectations:
  - name: by the certificate's logical id
    certificate: SensorCertificate
    client_id: sensor-1
    action: publish
    resources: prod/sensor-1/temperature
    expect: allowed
    policies: [sensor-prod]
  - name: by the thing
    thing: sensor-1
    action: publish
    resources: [prod/sensor-2/temperature, dev/sensor-1/temperature]
    expect: implicit_deny
"""


def write(folder: Path) -> Path:
    pem = generate_certificate({"CommonName": "sensor-1"}).certificate_pem
    (folder / "stack.yaml").write_text(TEMPLATE)
    path = folder / "iot-expectations.yaml"
    path.write_text(EXPECTATIONS.replace("{pem}", textwrap.indent(pem.strip(), "    ")))
    return path


def test_a_template_world_with_parameters_and_a_region_from_the_file(tmp_path: Path) -> None:
    parsed = load_expectations(write(tmp_path))
    world = parsed.load_world()
    assert world.region == "eu-west-1"
    report = parsed.check(world)
    assert report.met, "\n\n".join(outcome.explanation for outcome in report.unmet)
    assert report.outcomes[0].rows[0].principal == "certificate SensorCertificate"


def test_the_command_lines_parameters_win_over_the_files(tmp_path: Path) -> None:
    path = write(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(path), "--parameter", "Stage=dev"], out=out, err=err)
    assert code == 1, err.getvalue()
    assert "expected allowed by sensor-prod" in out.getvalue()  # the policy is now sensor-dev
    code = main(
        ["check", str(path), "--world", str(tmp_path / "stack.yaml"), "--parameter", "Stage"],
        out=out,
        err=err,
    )
    assert code == 2 and "expected KEY=VALUE" in err.getvalue()
