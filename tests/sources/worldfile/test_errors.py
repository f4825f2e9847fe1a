"""Every kind of mistake is reported at its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources.worldfile.conftest import DATA, load_error, write

POLICY = """\
policies:
  - name: p
    document: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]}
"""

CASES: list[tuple[str, str, int, str | None, str]] = [
    (
        "yaml syntax",
        "policies:\n  - name: p\n    document: {Version: 1\nregion: x\n",
        4,
        None,
        "invalid YAML",
    ),
    ("tab indent", "policies:\n\t- name: p\n", 2, None, "invalid YAML"),
    (
        "unknown top-level key",
        "account_id: '123456789012'\npolicy:\n  - name: p\n",
        2,
        "policy",
        "unknown key 'policy'; allowed keys are: account_id, region, policies,",
    ),
    (
        "unknown nested key",
        POLICY + "things:\n  - name: t\n    principal: [x]\n",
        6,
        "things[0].principal",
        "allowed keys are: name, type, attributes, groups, principals",
    ),
    ("section not a list", "things:\n  name: t\n", 2, "things", "expected a list, got a mapping"),
    (
        "number for a string",
        "things:\n  - name: t\n    attributes: {version: 1.10}\n",
        3,
        "things[0].attributes.version",
        "expected a string, got a number (quote it)",
    ),
    (
        "boolean expected",
        "authorizers:\n  - name: a\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n"
        "    signing_disabled: 'yes'\n",
        4,
        "authorizers[0].signing_disabled",
        "expected a boolean (true or false), got a string",
    ),
    ("missing required key", "things:\n  - type: x\n", 2, "things[0]", "missing required key 'name'"),
    (
        "duplicate key",
        "things:\n  - name: t\n    name: u\n",
        3,
        "things[0].name",
        "duplicate key 'name' (first at line 2)",
    ),
    (
        "unknown policy",
        POLICY + "certificates:\n  - name: c\n    policies: [p, q]\n",
        6,
        "certificates[0].policies[1]",
        "unknown policy 'q'; policies in this file: 'p'",
    ),
    (
        "unknown certificate label",
        "certificates:\n  - name: sensor\nthings:\n  - name: a\n  - name: b\n  - name: c\n"
        "    principals:\n      - certificate: snesor\n",
        8,
        "things[2].principals[0].certificate",
        "unknown certificate 'snesor'; certificate names in this file: 'sensor'",
    ),
    (
        "unknown certificate label, short form",
        "things:\n  - name: a\n    principals: [nope]\n",
        3,
        "things[0].principals[0]",
        "unknown certificate 'nope'",
    ),
    (
        "two principal kinds",
        "certificates:\n  - name: c\nthings:\n  - name: a\n    principals:\n      - certificate: c\n"
        "        cognito_identity: us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed\n",
        7,
        "things[0].principals[0].cognito_identity",
        "exactly one of 'certificate' or 'cognito_identity'",
    ),
    (
        "unknown group",
        "things:\n  - name: a\n    groups: [g]\n",
        3,
        "things[0].groups[0]",
        "unknown thing group 'g'",
    ),
    (
        "unknown parent group",
        "thing_groups:\n  - name: a\n    parent: b\n",
        3,
        "thing_groups[0].parent",
        "unknown thing group 'b'; thing groups in this file: 'a'",
    ),
    (
        "group cycle",
        "thing_groups:\n  - name: a\n    parent: b\n  - name: b\n    parent: a\n",
        5,
        "thing_groups[1].parent",
        "cycle: a -> b -> a",
    ),
    (
        "unknown thing type",
        "things:\n  - name: a\n    type: t\n",
        3,
        "things[0].type",
        "unknown thing type 't'",
    ),
    (
        "invalid policy document",
        "policies:\n  - name: p\n    document:\n      Version: '2012-10-17'\n"
        "      Statement: [{Effect: Maybe, Action: iot:Connect, Resource: '*'}]\n",
        4,
        "policies[0].document",
        "MalformedPolicyException: Policy document is Malformed",
    ),
    (
        "invalid policy document in a later version",
        POLICY + "    versions:\n      - document: '{not json'\n",
        5,
        "policies[0].versions[0].document",
        "MalformedPolicyException",
    ),
    (
        "version ids must increase",
        POLICY + "    version_id: 3\n    versions:\n      - id: 2\n        document: {}\n",
        6,
        "policies[0].versions[0].id",
        "version ids must increase: 2 comes after 3",
    ),
    (
        "unknown default version",
        POLICY + "    default_version: 4\n",
        4,
        "policies[0].default_version",
        "no version 4 in this policy; its versions are 1",
    ),
    (
        "invalid PEM",
        "certificates:\n  - name: c\n    pem: |\n      -----BEGIN CERTIFICATE-----\n      AAAA\n"
        "      -----END CERTIFICATE-----\n",
        3,
        "certificates[0].pem",
        "InvalidRequestException: The certificatePem is not a valid PEM-encoded X.509 certificate",
    ),
    (
        "pem and generated",
        "certificates:\n  - pem: x\n    subject: {CommonName: y}\n",
        3,
        "certificates[0].subject",
        "not both 'pem' and 'subject'",
    ),
    (
        "unknown name field",
        "certificates:\n  - subject: {CommonNam: y}\n",
        2,
        "certificates[0].subject",
        "unknown certificate name field 'CommonNam'",
    ),
    (
        "duplicate certificate label",
        "certificates:\n  - name: c\n  - name: c\n",
        3,
        "certificates[1].name",
        "duplicate certificate name 'c' (first at line 2)",
    ),
    (
        "world validation",
        "things:\n  - name: bad name!\n",
        2,
        "things[0]",
        "InvalidRequestException: 1 validation error detected: Value 'bad name!' at 'thingName'",
    ),
    (
        "exclusive conflict",
        "certificates:\n  - name: c\nthings:\n  - name: a\n    principals: [c]\n  - name: b\n"
        "    principals: [{certificate: c, exclusive: true}]\n",
        7,
        "things[1].principals[0]",
        "it cannot be attached exclusively to thing b",
    ),
    ("bad account", "account_id: '12345'\n", 1, "account_id", "account_id must be exactly 12 digits"),
    (
        "bad Cognito id",
        "cognito_identities:\n  - id: us-east-1:nope\n",
        2,
        "cognito_identities[0].id",
        "is not a Cognito identity id",
    ),
    (
        "bad handler reference",
        "functions:\n  - name: f\n    handler: not a reference\n",
        3,
        "functions[0].handler",
        "is not a valid reference",
    ),
    (
        "bad runtime",
        "functions:\n  - name: f\n    handler: pkg.mod.fn\n    runtime: docker\n",
        4,
        "functions[0].runtime",
        "expected one of auto, inprocess, isolated, not 'docker'",
    ),
    (
        "bad memory",
        "functions:\n  - name: f\n    handler: pkg.mod.fn\n    memory_mb: 64\n",
        4,
        "functions[0].memory_mb",
        "memory_mb must be an integer from 128 to 10240",
    ),
    (
        "unknown function",
        "authorizers:\n  - name: a\n    function: missing\n",
        3,
        "authorizers[0].function",
        "unknown function 'missing'",
    ),
    (
        "signing needs a key name",
        "authorizers:\n  - name: a\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n",
        2,
        "authorizers[0]",
        "tokenKeyName is required when signing is enabled",
    ),
    (
        "bad signing key",
        "authorizers:\n  - name: a\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n"
        "    token_key_name: tok\n    signing_public_keys:\n      k1: not-a-key\n",
        6,
        "authorizers[0].signing_public_keys.k1",
        "Invalid public key for key name k1",
    ),
    (
        "two defaults",
        "authorizers:\n"
        "  - {name: a, function: 'arn:aws:lambda:us-east-1:123456789012:function:f', signing_disabled: true,"
        " default: true}\n"
        "  - name: b\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n"
        "    signing_disabled: true\n    default: true\n",
        6,
        "authorizers[1].default",
        "only one authorizer can be the default; authorizers[0].default already is (line 2)",
    ),
    (
        "bad role policy",
        "cognito_identity_pools:\n  - id: us-east-1:0f2c7e9a-5b1d-4c3e-9a8b-7d6e5f4a3b2c\n"
        "    unauthenticated_policies:\n"
        "      good: {Version: '2012-10-17', Statement: {Effect: Allow, Action: 'iot:*', Resource: '*'}}\n"
        "      bad: '{'\n",
        5,
        "cognito_identity_pools[0].unauthenticated_policies.bad",
        "MalformedPolicyException",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_error_is_located(tmp_path: Path, text: str, line: int, field: str | None, message: str) -> None:
    error = load_error(tmp_path, text)
    assert (error.line, error.field) == (line, field), str(error)
    assert message in error.message
    assert str(error).startswith(f"{tmp_path / 'world.yaml'}:{line}: ")


def test_missing_pem_file_names_the_resolved_path(tmp_path: Path) -> None:
    error = load_error(
        tmp_path, "certificates:\n  - name: c\n    pem_file: certs/missing.pem\n", "sub/world.yaml"
    )
    assert (error.line, error.field) == (3, "certificates[0].pem_file")
    assert error.message == f"no such file: {(tmp_path / 'sub' / 'certs' / 'missing.pem').resolve()}"


def test_missing_handler_file_names_the_resolved_path(tmp_path: Path) -> None:
    error = load_error(tmp_path, "functions:\n  - name: f\n    handler: lambda/app.py:handler\n")
    assert (error.line, error.field) == (3, "functions[0].handler")
    assert error.message == f"no such handler file: {(tmp_path / 'lambda' / 'app.py').resolve()}"


def test_missing_key_file(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        "authorizers:\n  - name: a\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n"
        "    signing_public_key_files:\n      k1: keys/nope.pem\n",
    )
    assert (error.line, error.field) == (5, "authorizers[0].signing_public_key_files.k1")
    assert "no such file" in error.message


def test_invalid_pem_file(tmp_path: Path) -> None:
    write(tmp_path, "bad.pem", "not a certificate\n")
    error = load_error(tmp_path, "certificates:\n  - pem_file: bad.pem\n")
    assert (error.line, error.field) == (2, "certificates[0].pem_file")
    assert "not a valid PEM-encoded X.509 certificate" in error.message


def test_missing_world_file(tmp_path: Path) -> None:
    from boto_iotauth_local.sources.worldfile import WorldFileError
    from boto_iotauth_local.world import World

    with pytest.raises(WorldFileError) as caught:
        World.from_file(tmp_path / "nope.yaml")
    assert (caught.value.line, caught.value.field, caught.value.message) == (None, None, "no such file")


JSON_CASES = [
    ('{\n  "things": [\n    {"name": "a",}\n  ]\n}\n', 3, None, "invalid JSON"),
    (
        '{\n  "things": [\n    {"name": "a"},\n    {"name": "b", "colour": "red"}\n  ]\n}\n',
        4,
        "things[1].colour",
        "unknown key",
    ),
    ('{\n\t"things": [\n\t\t{"name": 1e5}\n\t]\n}\n', 3, "things[0].name", "expected a string, got a number"),
    (
        '{\n  "policies": [\n    {\n      "name": "p",\n      "document": {"Version": "2012-10-17",\n'
        '        "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": 5}]}\n'
        "    }\n  ]\n}\n",
        5,
        "policies[0].document",
        "MalformedPolicyException",
    ),
]


@pytest.mark.parametrize(("text", "line", "field", "message"), JSON_CASES)
def test_json_error_is_located(tmp_path: Path, text: str, line: int, field: str | None, message: str) -> None:
    error = load_error(tmp_path, text, "world.json")
    assert (error.line, error.field) == (line, field), str(error)
    assert message in error.message


def test_example_data_exists() -> None:
    assert (DATA / "example-world.yaml").is_file()


def _alias_bomb(levels: int = 9) -> str:
    lines = ["policies:", "  - name: P", "    document:", "      Version: '2012-10-17'", "      Statement:"]
    previous = None
    for index in range(levels):
        items = (
            '["x","x","x","x","x","x","x","x","x","x"]'
            if previous is None
            else f"[{', '.join([f'*a{previous}'] * 10)}]"
        )
        lines += [
            "        - Effect: Allow",
            f"          Action: &a{index} {items}",
            "          Resource: '*'",
        ]
        previous = index
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    error = load_error(tmp_path, _alias_bomb())  # a billion values if expanded: this must not hang
    assert "aliases expand this file to more than" in error.message


def test_ordinary_anchor_reuse_still_loads(tmp_path: Path) -> None:
    from boto_iotauth_local import World

    path = write(
        tmp_path,
        "world.yaml",
        """\
        policies:
          - name: A
            document: &open
              Version: "2012-10-17"
              Statement: [{Effect: Allow, Action: iot:Connect, Resource: "*"}]
          - name: B
            document: *open
        """,
    )
    assert World.from_file(path).has_policy("B")


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    error = load_error(tmp_path, "policies:\n  - name: P\n    document: &d\n      Statement: [*d]\n")
    assert error.line == 3
    assert "refers to a value containing it" in error.message


@pytest.mark.parametrize("name", ["world.yaml", "world.json"])
def test_nesting_too_deep_to_read_is_an_error_not_a_crash(tmp_path: Path, name: str) -> None:
    error = load_error(tmp_path, '{"policies": ' + "[" * 100_000 + "]" * 100_000 + "}", name)
    assert "nested too deeply" in error.message
