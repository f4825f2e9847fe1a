"""A world saved as a world file, and a runner for the real ``iotauth-local`` in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from boto_iotauth_local import World

ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:us-east-1:{ACCOUNT}"
COGNITO_ID = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"

HANDLER = """
def handler(event, context):
    mqtt = event.get("protocolData", {}).get("mqtt", {})
    print("token", event.get("token"), "password", mqtt.get("password"))
    if event.get("token") == "broken":
        return {"isAuthenticated": True}
    return {
        "isAuthenticated": event.get("token") == "allow",
        "principalId": "user1",
        "policyDocuments": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": "ACCOUNT_ARN:topic/x"}]}],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }
""".replace("ACCOUNT_ARN", ARN)


@dataclass(frozen=True)
class Fleet:
    path: Path
    world: World
    cert: str  # sensor-1's certificate ARN
    other_cert: str  # a certificate with no policy and no thing


def policy(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def build_world() -> tuple[World, str, str]:
    world = World(account_id=ACCOUNT, region="us-east-1")
    cert = world.create_test_certificate(subject={"CommonName": "sensor-1"})["certificateArn"]
    other = world.create_test_certificate(subject={"CommonName": "spare"})["certificateArn"]
    world.create_thing(thingName="sensor-1")
    world.attach_thing_principal(thingName="sensor-1", principal=cert)
    world.create_policy(
        policyName="DevicePolicy",
        policyDocument=policy(
            {
                "Effect": "Allow",
                "Action": "iot:Publish",
                "Resource": f"{ARN}:topic/${{iot:Connection.Thing.ThingName}}/*",
            },
            {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/*/admin"},
        ),
    )
    world.attach_policy(policyName="DevicePolicy", target=cert)
    world.create_policy(
        policyName="Ops",
        policyDocument=policy(
            {
                "Effect": "Allow",
                "Action": "iot:*",
                "Resource": [f"{ARN}:topic/ops/*", f"{ARN}:topicfilter/ops/*"],
            }
        ),
    )
    world.create_thing_group(thingGroupName="operators")
    world.attach_policy(policyName="Ops", target=world.thing_group_arn("operators"))
    world.attach_policy(policyName="Ops", target=COGNITO_ID)
    return world, cert, other


@pytest.fixture
def fleet(tmp_path: Path) -> Fleet:
    (tmp_path / "authorizer.py").write_text(HANDLER, encoding="utf-8")
    world, cert, other = build_world()
    world.create_authorizer(
        authorizerName="TokenAuthorizer",
        authorizerFunctionArn=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:token",
        signingDisabled=True,
        handler=f"{tmp_path / 'authorizer.py'}:handler",
    )
    path = tmp_path / "world.yaml"
    world.to_file(path)
    return Fleet(path, world, cert, other)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


def run_cli(*args: str | Path, script: bool = False, cwd: Path | None = None) -> Ran:
    """``iotauth-local ARGS`` in a subprocess: the installed console script, or ``python -m``."""
    if script:
        command = [str(Path(sys.executable).parent / "iotauth-local")]
    else:
        command = [sys.executable, "-m", "boto_iotauth_local.faces.cli"]
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [*command, *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=120
    )
    return Ran(done.returncode, done.stdout, done.stderr)
