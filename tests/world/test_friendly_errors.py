"""Misuses a newcomer makes with the World, answered with what is expected instead of a stray error."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from cryptography import x509

from boto_iotauth_local import World

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}


def _subject(made: dict[str, object]) -> x509.Name:
    return x509.load_pem_x509_certificate(str(made["certificatePem"]).encode()).subject


def test_subject_as_an_rfc4514_string() -> None:
    world = World()
    made = world.create_test_certificate(subject="CN=sensor-1,O=Acme", issuer="CN=Test CA")
    assert _subject(made).rfc4514_string() == "CN=sensor-1,O=Acme"
    described = world.describe_certificate(certificateId=made["certificateId"])
    assert described["certificateDescription"]["certificateArn"] == made["certificateArn"]


def test_an_rfc4514_string_and_a_mapping_give_the_same_name() -> None:
    world = World()
    text = world.create_test_certificate(subject="CN=x")
    mapping = world.create_test_certificate(subject={"CommonName": "x"})
    assert _subject(text) == _subject(mapping)


def test_an_unreadable_subject_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match=r"subject: cannot read 'sensor-1' as an RFC 4514 name.*CommonName"):
        World().create_test_certificate(subject="sensor-1")
    with pytest.raises(TypeError, match=r"issuer takes a mapping of IoT field names .* not int"):
        World().create_test_certificate(issuer=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="subject: unknown certificate name field 'CN'"):
        World().create_test_certificate(subject={"CN": "x"})


def test_certificate_arn_of_a_world_without_names_says_why() -> None:
    with pytest.raises(KeyError, match="unknown certificate name 'sensor'; this world names no certificates"):
        World().certificate_arn("sensor")


def test_certificate_arn_suggests_the_closest_names(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "w.yaml"
    path.write_text(
        "certificates:\n  - {name: sensor-cert, subject: {CommonName: s}}\n"
        "  - {name: gateway-cert, subject: {CommonName: g}}\n",
        encoding="utf-8",
    )
    world = World.from_file(path)
    with pytest.raises(KeyError) as raised:
        world.certificate_arn("sensr-cert")
    assert raised.value.args[0] == (
        "unknown certificate name 'sensr-cert'; did you mean 'sensor-cert'? "
        "known: 'gateway-cert', 'sensor-cert'"
    )
    assert world.certificate_arn("sensor-cert").startswith("arn:aws:iot:us-east-1:123456789012:cert/")


def test_create_policy_takes_a_dict_where_boto3_does_not() -> None:
    """Documented in the README's world section and the method's docstring."""
    world = World()
    created = world.create_policy(policyName="P", policyDocument=DOCUMENT)
    assert json.loads(created["policyDocument"]) == DOCUMENT
    assert world.get_policy(policyName="P")["policyDocument"] == json.dumps(DOCUMENT)
    client = boto3.client("iot", region_name="us-east-1")
    with pytest.raises(ParamValidationError, match="policyDocument"):
        client.create_policy(policyName="P", policyDocument=DOCUMENT)
