"""Loading every section of a world file, and the paths in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boto_iotauth_local.world import World, certificate_id_of
from boto_iotauth_local.world.certificates import load_pem_certificate
from tests.sources.worldfile.conftest import ALLOW_CONNECT, DATA, EXAMPLE, write

COGNITO_ID = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"
POOL_ID = "us-east-1:0f2c7e9a-5b1d-4c3e-9a8b-7d6e5f4a3b2c"


@pytest.fixture(scope="module")
def example() -> World:
    return World.from_file(EXAMPLE)


def test_identity(example: World) -> None:
    assert (example.account_id, example.region) == ("123456789012", "us-east-1")


def test_policies_versions_and_default(example: World) -> None:
    sensor = example.stored_policy("sensor-policy")
    assert sensor is not None
    # An unquoted YAML date stays the policy language version it was written as.
    assert json.loads(sensor.default_version.document)["Version"] == "2012-10-17"
    fleet = example.stored_policy("fleet-read")
    assert fleet is not None and fleet.default_version.document.startswith('{"Version": "2012-10-17"')
    evolving = example.stored_policy("evolving")
    assert evolving is not None
    assert [v.version_id for v in evolving.versions] == ["2", "3", "5"]
    assert evolving.default_version_id == "3"
    assert json.loads(evolving.default_version.document)["Statement"][0]["Effect"] == "Deny"


def test_thing_types(example: World) -> None:
    thermometer = example.thing_type("thermometer")
    assert thermometer is not None and not thermometer.deprecated
    assert dict(thermometer.properties) == {
        "thingTypeDescription": "Temperature sensors",
        "searchableAttributes": ["site"],
    }
    legacy = example.thing_type("legacy-sensor")
    assert legacy is not None and legacy.deprecated
    assert example.thing("old-sensor") is not None  # created before its type was deprecated


def test_thing_groups_parents_first_and_policies(example: World) -> None:
    assert example.group_ancestry("building-1") == ("building-1", "campus")
    assert example.policies_for_target(example.thing_group_arn("building-1")) == ("fleet-read",)
    group = example.thing_group("building-1")
    assert group is not None
    assert group.properties["attributePayload"] == {"attributes": {"floor_count": "4"}}


def test_certificates_generated_from_file_and_labelled(example: World) -> None:
    sensor = example.certificate_by_arn(example.certificate_arn("sensor-cert"))
    assert sensor is not None and sensor.status == "ACTIVE"
    assert sensor.policy_variables()["iot:Certificate.Subject.CommonName"] == "sensor-1"
    assert sensor.policy_variables()["iot:Certificate.Issuer.CommonName"] == "Example Device CA"
    assert example.policies_for_target(sensor.arn) == ("sensor-policy",)

    pem = (DATA / "certs" / "gateway.pem").read_text()
    expected_id = certificate_id_of(load_pem_certificate(pem).public_bytes(_der()))
    assert example.certificate_labels["gateway-cert"] == expected_id
    gateway = example.certificate(expected_id)
    assert gateway is not None and gateway.pem == pem
    assert example.policies_for_target(gateway.arn) == ("sensor-policy", "fleet-read")

    retired = example.certificate_by_arn(example.certificate_arn("retired-cert"))
    assert retired is not None and retired.status == "REVOKED"


def _der():  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.DER


def test_unknown_label_lists_the_labels(example: World) -> None:
    with pytest.raises(KeyError, match="sensor-cert"):
        example.certificate_arn("nope")


def test_things_groups_and_principals(example: World) -> None:
    sensor = example.thing("sensor-1")
    assert sensor is not None and sensor.thing_type_name == "thermometer"
    assert dict(sensor.attributes) == {"site": "lab", "serial": "0042"}
    assert example.groups_of_thing("sensor-1") == ("building-1",)
    assert example.principals_of_thing("sensor-1") == (
        (example.certificate_arn("sensor-cert"), "EXCLUSIVE_THING"),
    )
    assert example.principals_of_thing("gateway-1") == (
        (example.certificate_arn("gateway-cert"), "NON_EXCLUSIVE_THING"),
        (COGNITO_ID, "NON_EXCLUSIVE_THING"),
    )


def test_cognito_identities_and_pools(example: World) -> None:
    assert example.policies_for_target(COGNITO_ID) == ("cognito-device",)
    pool = example.cognito_pool(POOL_ID)
    assert pool is not None
    assert [p.name for p in pool.authenticated_policies] == ["iot-authenticated"]
    assert [p.name for p in pool.unauthenticated_policies] == ["iot-guest"]


def test_functions_paths_relative_to_the_file(example: World) -> None:
    by_file = example.resolve_function("example-authorizer")
    assert by_file.handler == f"{DATA.resolve() / 'handlers' / 'app.py'}:handler"
    assert by_file.code_dir is None
    assert (by_file.runtime, dict(by_file.environment), by_file.memory_mb, by_file.timeout) == (
        "inprocess",
        {"STAGE": "test"},
        256,
        3.0,
    )
    by_module = example.resolve_function("module-authorizer")
    assert by_module.handler == "app.handler"
    assert by_module.code_dir == DATA.resolve() / "handlers"


def test_authorizers_and_default(example: World) -> None:
    default = example.default_authorizer()
    assert default is not None and default.name == "password-authorizer"
    assert default.signing_disabled and default.enable_caching_for_http
    assert default.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:example-authorizer"
    token = example.authorizer("token-authorizer")
    assert token is not None and token.status == "INACTIVE" and token.token_key_name == "x-token"
    assert token.token_signing_public_keys["key1"] == (DATA / "keys" / "signing.pem").read_text()
    unbacked = example.authorizer("unbacked-authorizer")
    assert unbacked is not None
    assert unbacked.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:not-local"


def test_empty_file_is_an_empty_world(tmp_path: Path) -> None:
    world = World.from_file(write(tmp_path, "empty.yaml", ""))
    assert (world.account_id, world.region) == ("123456789012", "us-east-1")


def test_pem_file_relative_to_the_world_file_not_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pem = (DATA / "certs" / "gateway.pem").read_text()
    write(tmp_path, "fixtures/certs/device.pem", pem)
    path = write(
        tmp_path,
        "fixtures/world.yaml",
        """\
        certificates:
          - name: device
            pem_file: certs/device.pem
        """,
    )
    monkeypatch.chdir(tmp_path)
    world = World.from_file(path)
    certificate = world.certificate_by_arn(world.certificate_arn("device"))
    assert certificate is not None and certificate.pem == pem


def test_json_world_file(tmp_path: Path) -> None:
    text = json.dumps(
        {
            "account_id": "210987654321",
            "region": "eu-west-1",
            "policies": [{"name": "p", "document": json.loads(ALLOW_CONNECT)}],
            "certificates": [{"name": "c", "subject": {"CommonName": "x"}, "policies": ["p"]}],
        },
        indent="\t",
    )
    world = World.from_file(write(tmp_path, "world.json", text))
    assert world.certificate_arn("c").startswith("arn:aws:iot:eu-west-1:210987654321:cert/")
    assert world.policies_for_target(world.certificate_arn("c")) == ("p",)


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "world.yaml",
        """\
        policies:
          - name: base
            document: &allow
              Version: "2012-10-17"
              Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]
          - name: copy
            document: *allow
        things:
          - &thing {name: a, attributes: {site: lab}}
          - <<: *thing
            name: b
        """,
    )
    world = World.from_file(path)
    copy = world.stored_policy("copy")
    assert copy is not None and json.loads(copy.default_version.document)["Statement"][0]["Effect"] == "Allow"
    b = world.thing("b")
    assert b is not None and dict(b.attributes) == {"site": "lab"}


def test_certificate_referenced_by_id(tmp_path: Path) -> None:
    pem = (DATA / "certs" / "gateway.pem").read_text()
    certificate_id = certificate_id_of(load_pem_certificate(pem).public_bytes(_der()))
    write(tmp_path, "gw.pem", pem)
    path = write(
        tmp_path,
        "world.yaml",
        f"""\
        certificates:
          - pem_file: gw.pem
        things:
          - name: t
            principals: [{certificate_id}]
        """,
    )
    world = World.from_file(path)
    assert world.principals_of_thing("t")[0][0].endswith(certificate_id)
    assert dict(world.certificate_labels) == {}


def test_documented_example_is_the_tested_one() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "world-files.md").read_text()
    block = docs.split("## Complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    example = EXAMPLE.read_text()
    assert block == example[example.index("account_id:") :]
