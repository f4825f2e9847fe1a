"""Templates written by others (tests/sources/cloudformation/real/*/PROVENANCE.md) load as they deploy."""

from __future__ import annotations

import warnings
from pathlib import Path

import boto3
import pytest

from boto_iotauth_local import World, activate, explain_authorization
from boto_iotauth_local.sources.cloudformation import TemplateError, UnsupportedResourcesWarning

REAL = Path(__file__).parent / "real"
ARN = "arn:aws:iot:us-east-1:123456789012"


def load(path: Path, **kwargs: object) -> tuple[World, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        world = World.from_file(path, **kwargs)  # type: ignore[arg-type]
    skipped = [str(w.message) for w in caught if issubclass(w.category, UnsupportedResourcesWarning)]
    return world, skipped


def test_every_fixture_has_its_provenance() -> None:
    folders = sorted(p for p in REAL.iterdir() if p.is_dir())
    assert len(folders) >= 5
    for folder in folders:
        provenance = (folder / "PROVENANCE.md").read_text()
        assert "commit `" in provenance and "License" in provenance, folder


def test_sam_authorizer_with_local_code_answers_test_invoke_authorizer() -> None:
    template = REAL / "sam-custom-authorizer" / "template.yaml"
    with pytest.raises(TemplateError, match=r"Ref to Table \(AWS::DynamoDB::Table\).*stand-in") as caught:
        World.from_file(template)  # the function's environment names the table
    assert caught.value.logical_id == "AuthFunction"
    assert caught.value.property == "Properties.Environment.Variables.DYNAMO_TABLE_NAME.Ref"

    world, skipped = load(template, parameters={"Table": "MQTTAuthTable"})
    assert len(skipped) == 1
    assert "AWS::DynamoDB::Table: Table" in skipped[0] and "AWS::Lambda::Permission" in skipped[0]
    described = world.describe_authorizer(authorizerName="MqttAuth-Unsigned")["authorizerDescription"]
    assert described["signingDisabled"] is True
    assert described["authorizerFunctionArn"] == world.arns.lambda_function(
        world.resolve_function(described["authorizerFunctionArn"]).name
    )

    with activate(world) as iot_auth:
        iot = boto3.client("iot", region_name="us-east-1")
        answer = iot.test_invoke_authorizer(
            authorizerName="MqttAuth-Unsigned",
            mqttContext={"username": "sensor", "password": b"s3cret", "clientId": "sensor-1"},
        )
        refused = iot.test_invoke_authorizer(
            authorizerName="MqttAuth-Unsigned",
            mqttContext={"username": "sensor", "password": b"wrong", "clientId": "sensor-1"},
        )
    assert answer["isAuthenticated"] is True
    assert f"{ARN}:topic/sensors/sensor-1" in answer["policyDocuments"][0]
    assert refused["isAuthenticated"] is False
    assert "users table: MQTTAuthTable" in iot_auth.authorizer_runs[0].output.stdout


def test_privatelink_sample_keeps_its_policy_and_skips_the_network() -> None:
    template = REAL / "iot-privatelink" / "IoTPrivatelink.yaml"
    world, skipped = load(template)
    assert [p["policyName"] for p in world.list_policies()["policies"]] == ["IotPrivateLinkThingPolicy-dev"]
    assert len(skipped) == 1
    for kind in ("AWS::EC2::VPC: VPCA, VPCB", "Custom::IotEndpoint: IotEndpoint", "AWS::KMS::Key: KmsKey"):
        assert kind in skipped[0]
    result = explain_authorization(
        world, "PUBLISH", f"{ARN}:topic/topic_A", policy_names_to_add=["IotPrivateLinkThingPolicy-dev"]
    )
    assert result.auth_decision == "ALLOWED"
    prod, _ = load(template, parameters={"Environment": "prod"})
    assert prod.has_policy("IotPrivateLinkThingPolicy-prod")


def test_docs_policy_example_needs_its_parameter() -> None:
    template = REAL / "docs-iot-policy" / "template.yaml"
    with pytest.raises(TemplateError, match="parameter NameParameter has no Default"):
        World.from_file(template)
    world, _ = load(template, parameters={"NameParameter": "ConnectAnywhere"})
    result = explain_authorization(
        world, "CONNECT", f"{ARN}:client/c1", policy_names_to_add=["ConnectAnywhere"]
    )
    assert result.auth_decision == "ALLOWED"
    assert (
        explain_authorization(
            world, "PUBLISH", f"{ARN}:topic/t", policy_names_to_add=["ConnectAnywhere"]
        ).auth_decision
        == "IMPLICIT_DENY"
    )


def test_docs_thing_example_in_json_with_default_parameters() -> None:
    world, _ = load(REAL / "docs-iot-thing" / "template.json", parameters={"NameParameter": "pump-7"})
    thing = world.describe_thing(thingName="pump-7")
    assert thing["attributes"] == {
        "myAttributeA": "myStringA123",
        "myAttributeB": "myStringB123",
        "myAttributeC": "myStringC123",
    }


def test_docs_attachment_example_fails_where_aws_would(tmp_path: Path) -> None:
    template = REAL / "docs-thing-principal-attachment" / "template.yaml"
    with pytest.raises(TemplateError, match="no thing 'pump-7' in this world") as caught:
        World.from_file(template, parameters={"NameParameter": "pump-7"})
    assert (caught.value.line, caught.value.logical_id) == (6, "MyThingPrincipalAttachment")
    assert caught.value.property == "Properties.ThingName"

    devices = tmp_path / "devices.yaml"  # the thing exists at run time; the certificate it names does not
    devices.write_text("things:\n  - name: pump-7\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        World.from_file([devices, template], parameters={"NameParameter": "pump-7"})
    assert caught.value.property == "Properties.Principal"
