"""Fixtures for the real-client tests: the cached clients, and the world of the CLI reference's example."""

from __future__ import annotations

import json
import os
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from boto_iotauth_local import Endpoint, World, generate_key_pair, serve, sign_token

from . import cache

REGION = "us-west-2"
ACCOUNT = "123456789012"

#: The example of the AWS CLI reference's test-invoke-authorizer page, and the output it documents
#: (awscli/examples/iot/test-invoke-authorizer.rst, whose inner quotes are unescaped; JSON has \\").
SEED_DOCUMENT = (
    '{"Version":"2012-10-17","Statement":[{"Action":"iot:Publish","Effect":"Allow",'
    '"Resource":"arn:aws:iot:us-west-2:123456789012:topic/customauthtesting"}]}'
)
SEED_OUTPUT = {
    "isAuthenticated": True,
    "principalId": "principalId",
    "policyDocuments": [SEED_DOCUMENT],
    "refreshAfterInSeconds": 600,
    "disconnectAfterInSeconds": 3600,
}
#: How the CLI prints it with --output json: four-space indents, keys in the model's order.
SEED_JSON = json.dumps(SEED_OUTPUT, indent=4) + "\n"

HANDLER = f"""
import json


def handler(event, context):
    return {{
        "isAuthenticated": event.get("token") == "allow",
        "principalId": "principalId",
        "policyDocuments": [json.loads({SEED_DOCUMENT!r})],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }}
"""


@dataclass(frozen=True)
class Seed:
    """The example's world file and the signature of its token ``allow``."""

    base: Path
    world_file: Path
    signature: str

    def world(self) -> World:
        return World.from_file(self.world_file)


@pytest.fixture(scope="session")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    base = tmp_path_factory.mktemp("seed")
    keys = generate_key_pair()
    (base / "keys").mkdir()
    (base / "keys" / "signing.pem").write_text(keys.public_key_pem)
    (base / "handlers").mkdir()
    (base / "handlers" / "seed.py").write_text(HANDLER)
    world = {
        "account_id": ACCOUNT,
        "region": REGION,
        "functions": [
            {"name": "seed-authorizer", "handler": "handlers/seed.py:handler", "runtime": "inprocess"}
        ],
        "authorizers": [
            {
                "name": "IoTAuthorizer",
                "function": "seed-authorizer",
                "token_key_name": "tokenKey",
                "signing_public_key_files": {"key1": "keys/signing.pem"},
            }
        ],
    }
    (base / "world.yaml").write_text(yaml.safe_dump(world, sort_keys=False))
    return Seed(base, base / "world.yaml", sign_token("allow", keys))


@pytest.fixture
def seed_endpoint(seed: Seed) -> Iterator[Endpoint]:
    with serve(seed.world()) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def aws_v2() -> Path:
    try:
        return cache.aws_cli_v2()
    except cache.Unavailable as exc:
        pytest.skip(f"AWS CLI v2 unavailable: {exc}")


@pytest.fixture(scope="session")
def js_sdk() -> Path:
    try:
        return cache.js_sdk()
    except cache.Unavailable as exc:
        pytest.skip(f"the AWS SDK for JavaScript v3 is unavailable: {exc}")


def plugin_path() -> str:
    """``cli_legacy_plugin_path`` for this checkout: the source tree (installed editable, whose .pth the
    CLI does not read), then the site-packages with the package's dependencies."""
    return os.pathsep.join([str(cache.REPO), sysconfig.get_paths()["purelib"]])


def client_env(**extra: str) -> dict[str, str]:
    """The environment of a client subprocess: no AWS settings of the caller's, no metadata probe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "IOTAUTH_LOCAL_WORLD"}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
    )
    env.update(extra)
    return env
