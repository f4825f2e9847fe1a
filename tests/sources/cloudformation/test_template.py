"""CloudFormation templates as worlds: intrinsic functions, resources, errors, combining."""

from __future__ import annotations

import json
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boto_iotauth_local import World, explain_authorization
from boto_iotauth_local.sources.cloudformation import TemplateError, UnsupportedResourcesWarning
from boto_iotauth_local.world.testcerts import generate_certificate

ARN = "arn:aws:iot:us-east-1:123456789012"


def write(tmp_path: Path, text: str, name: str = "stack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def document(world: World, name: str) -> dict[str, Any]:
    return json.loads(world.get_policy(policyName=name)["policyDocument"])


POLICY = """
Resources:
  DevicePolicy:
    Type: AWS::IoT::Policy
    Properties:
      PolicyName: DevicePolicy
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: iot:Publish
            Resource: {resource}
"""


def policy_resource(tmp_path: Path, resource: str, **kwargs: Any) -> Any:
    world = World.from_file(write(tmp_path, POLICY.format(resource=resource)), **kwargs)
    return document(world, "DevicePolicy")["Statement"][0]["Resource"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('!Sub "${AWS::Partition}:${AWS::Region}:${AWS::AccountId}"', "aws:us-east-1:123456789012"),
        ('!Sub "${AWS::StackName}/${!iot:ClientId}"', "stack/${iot:ClientId}"),
        ('!Sub ["${Prefix}/x", {Prefix: !Ref "AWS::Region"}]', "us-east-1/x"),
        ('!Join ["/", [a, !Ref "AWS::Region", c]]', "a/us-east-1/c"),
        ('!Select [1, !Split [",", "a,b,c"]]', "b"),
        ("!Base64 abc", "YWJj"),
        ('!If [Never, "yes", "no"]', "no"),
        ("!FindInMap [Topics, Telemetry, Prefix]", "dt"),
        ('{"Fn::Join": ["", ["x", {"Ref": "AWS::URLSuffix"}]]}', "xamazonaws.com"),
        ('!Select [0, !Cidr ["10.0.0.0/16", 2, 8]]', "10.0.0.0/24"),
    ],
)
def test_intrinsic_functions(tmp_path: Path, expression: str, expected: str) -> None:
    wrapped = f'!Join ["", ["{ARN}:topic/", {expression}]]'
    text = POLICY.format(resource=wrapped) + textwrap.dedent(
        """
        Conditions:
          Never: !Equals [a, b]
        Mappings:
          Topics:
            Telemetry: {Prefix: dt}
        """
    )
    world = World.from_file(write(tmp_path, text))
    assert document(world, "DevicePolicy")["Statement"][0]["Resource"] == f"{ARN}:topic/{expected}"


def test_region_and_account_arguments(tmp_path: Path) -> None:
    value = policy_resource(
        tmp_path,
        '!Sub "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:topic/a"',
        region="cn-north-1",
        account_id="111122223333",
    )
    assert value == "arn:aws-cn:iot:cn-north-1:111122223333:topic/a"


def test_unescaped_policy_variable_in_sub_is_an_error_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"escape it: \$\{!iot:ClientId\}") as caught:
        policy_resource(tmp_path, '!Sub "arn:aws:iot:us-east-1:123456789012:client/${iot:ClientId}"')
    assert caught.value.logical_id == "DevicePolicy"
    assert caught.value.property == "Properties.PolicyDocument.Statement[0].Resource.Fn::Sub"
    assert caught.value.line == 12


def test_import_value_needs_a_stand_in(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match=r"Fn::ImportValue 'shared-prefix'.*parameters=") as caught:
        policy_resource(tmp_path, "!ImportValue shared-prefix")
    assert caught.value.logical_id == "DevicePolicy"
    given = {"shared-prefix": "*"}
    assert policy_resource(tmp_path, "!ImportValue shared-prefix", parameters=given) == "*"


def test_parameters_defaults_overrides_and_checks(tmp_path: Path) -> None:
    text = """
    Parameters:
      Topic: {Type: String, Default: a, AllowedValues: [a, b]}
      Required: {Type: String}
    Resources:
      P:
        Type: AWS::IoT::Policy
        Properties:
          PolicyName: P
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: iot:Publish
                Resource: !Sub "arn:aws:iot:us-east-1:123456789012:topic/${Topic}/${Required}"
    """
    path = write(tmp_path, text)
    with pytest.raises(TemplateError, match="parameter Required has no Default"):
        World.from_file(path)
    with pytest.raises(TemplateError, match="not one of its AllowedValues"):
        World.from_file(path, parameters={"Required": "x", "Topic": "c"})
    world = World.from_file(path, parameters={"Required": "x", "Topic": "b"})
    assert document(world, "P")["Statement"][0]["Resource"] == f"{ARN}:topic/b/x"


def test_generated_names_follow_cloudformation_and_are_deterministic(tmp_path: Path) -> None:
    text = """
    Resources:
      Policy:
        Type: AWS::IoT::Policy
        Properties:
          PolicyDocument: {Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]}
      Thing:
        Type: AWS::IoT::Thing
    """
    path = write(tmp_path, text, "Sensors.yaml")
    first = World.from_file(path)
    names = [p["policyName"] for p in first.list_policies()["policies"]]
    assert (
        len(names) == 1
        and names[0].startswith("Sensors-Policy-")
        and len(names[0]) == len("Sensors-Policy-") + 12
    )
    assert names == [p["policyName"] for p in World.from_file(path).list_policies()["policies"]]
    assert first.list_things()["things"][0]["thingName"].startswith("Sensors-Thing-")
    renamed = World.from_file(path, parameters={"AWS::StackName": "prod"})
    assert renamed.list_policies()["policies"][0]["policyName"].startswith("prod-Policy-")


def _csr(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()


def test_a_device_world_answers_as_deployed(tmp_path: Path) -> None:
    pem = generate_certificate({"CommonName": "sensor-1"}).certificate_pem
    text = {
        "Parameters": {"Pem": {"Type": "String"}, "Csr": {"Type": "String"}},
        "Resources": {
            "Policy": {
                "Type": "AWS::IoT::Policy",
                "Properties": {
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "iot:Publish",
                                "Resource": {
                                    "Fn::Sub": "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:"
                                    "topic/dt/${!iot:Connection.Thing.ThingName}/*"
                                },
                            }
                        ],
                    }
                },
            },
            "Cert": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificatePem": {"Ref": "Pem"}, "Status": "ACTIVE"},
            },
            "CsrCert": {
                "Type": "AWS::IoT::Certificate",
                "Properties": {"CertificateSigningRequest": {"Ref": "Csr"}, "Status": "ACTIVE"},
            },
            "Thing": {"Type": "AWS::IoT::Thing", "Properties": {"ThingName": "sensor-1"}},
            "Attach": {
                "Type": "AWS::IoT::PolicyPrincipalAttachment",
                "Properties": {"PolicyName": {"Ref": "Policy"}, "Principal": {"Fn::GetAtt": ["Cert", "Arn"]}},
            },
            "AttachCsr": {
                "Type": "AWS::IoT::PolicyPrincipalAttachment",
                "Properties": {
                    "PolicyName": {"Ref": "Policy"},
                    "Principal": {"Fn::GetAtt": ["CsrCert", "Arn"]},
                },
            },
            "ThingAttach": {
                "Type": "AWS::IoT::ThingPrincipalAttachment",
                "Properties": {"ThingName": {"Ref": "Thing"}, "Principal": {"Fn::GetAtt": ["Cert", "Arn"]}},
            },
        },
    }
    path = tmp_path / "device.json"
    path.write_text(json.dumps(text, indent=2))
    csr = _csr("sensor-2")
    world = World.from_file(path, parameters={"Pem": pem, "Csr": csr})
    cert_arn = world.certificate_arn("Cert")
    assert world.things_for_principal(cert_arn) == (("sensor-1", "NON_EXCLUSIVE_THING"),)
    csr_cert = world.certificate_by_arn(world.certificate_arn("CsrCert"))
    assert csr_cert is not None
    issued = x509.load_pem_x509_certificate(
        world.describe_certificate(certificateId=csr_cert.certificate_id)["certificateDescription"][
            "certificatePem"
        ].encode()
    )
    assert issued.subject.rfc4514_string() == "CN=sensor-2"
    # the CSR is signed the same way on every load, so the certificate id is stable
    again = World.from_file(path, parameters={"Pem": pem, "Csr": csr})
    assert again.certificate_arn("CsrCert") == world.certificate_arn("CsrCert")

    allowed = explain_authorization(
        world, "PUBLISH", f"{ARN}:topic/dt/sensor-1/temp", principal=cert_arn, client_id="sensor-1"
    )
    denied = explain_authorization(
        world, "PUBLISH", f"{ARN}:topic/dt/sensor-9/temp", principal=cert_arn, client_id="sensor-1"
    )
    assert (allowed.auth_decision, denied.auth_decision) == ("ALLOWED", "IMPLICIT_DENY")


def test_unsupported_types_are_one_warning_never_fatal(tmp_path: Path) -> None:
    others = (
        "  Bucket: {Type: AWS::S3::Bucket}\n"
        "  Rule: {Type: AWS::IoT::TopicRule, Properties: {X: !GetAtt Bucket.Arn}}\n"
        "  Queue: {Type: AWS::SQS::Queue}\n"
    )
    path = write(tmp_path, POLICY.format(resource='"*"') + others)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        world = World.from_file(path)
    found = [w for w in caught if issubclass(w.category, UnsupportedResourcesWarning)]
    assert len(found) == 1
    assert "AWS::S3::Bucket: Bucket" in str(found[0].message)
    assert "AWS::IoT::TopicRule: Rule" in str(found[0].message)
    assert world.has_policy("DevicePolicy")


def test_a_resource_that_cannot_be_built_names_file_line_id_and_property(tmp_path: Path) -> None:
    path = write(tmp_path, POLICY.format(resource='"*"').replace("iot:Publish", "[]"))
    with pytest.raises(TemplateError) as caught:
        World.from_file(path)
    error = caught.value
    assert (error.path, error.logical_id, error.property) == (
        path,
        "DevicePolicy",
        "Properties.PolicyDocument",
    )
    assert error.line == 7
    assert str(error).startswith(f"{path}:7: DevicePolicy.Properties.PolicyDocument: ")


def test_a_template_and_a_world_file_combine(tmp_path: Path) -> None:
    template = write(
        tmp_path,
        POLICY.format(resource='"*"')
        + textwrap.dedent(
            """
          Cert:
            Type: AWS::IoT::Certificate
            Properties: {CertificateSigningRequest: !Ref Csr, Status: ACTIVE}
        Parameters:
          Csr: {Type: String}
        """
        ),
    )
    devices = write(
        tmp_path,
        """
    things:
      - name: device-42
        principals: [Cert]
    certificates:
      - name: runtime-cert
        subject: {CommonName: device-42}
        policies: [DevicePolicy]
    """,
        "devices.yaml",
    )
    world = World.from_file([template, devices], parameters={"Csr": _csr("device-42")})
    assert world.principals_of_thing("device-42") == ((world.certificate_arn("Cert"), "NON_EXCLUSIVE_THING"),)
    assert world.policies_for_target(world.certificate_arn("runtime-cert")) == ("DevicePolicy",)


def test_a_world_file_of_another_region_does_not_combine(tmp_path: Path) -> None:
    template = write(tmp_path, POLICY.format(resource='"*"'))
    devices = write(tmp_path, "region: eu-west-1\n", "devices.yaml")
    with pytest.raises(ValueError, match="combined with a world whose region is 'us-east-1'"):
        World.from_file([template, devices])


def test_a_reference_cycle_is_an_error(tmp_path: Path) -> None:
    text = """
    Resources:
      A:
        Type: AWS::IoT::Thing
        Properties: {ThingName: !GetAtt B.Arn}
      B:
        Type: AWS::IoT::Thing
        Properties: {ThingName: !Ref A}
    """
    with pytest.raises(TemplateError, match="circular dependency between resources: A -> B -> A"):
        World.from_file(write(tmp_path, text))
