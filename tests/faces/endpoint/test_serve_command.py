"""``iotauth-local serve`` as a process: the first line, signals, exit codes; AWS CLI v1 through it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore import UNSIGNED
from botocore.config import Config

REGION = "eu-west-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
AWS_V1 = shutil.which("aws", path=os.path.dirname(sys.executable))

WORLD = {
    "account_id": ACCOUNT,
    "region": REGION,
    "policies": [
        {
            "name": "pub",
            "document": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/a/*"}],
            },
        }
    ],
}


class Server:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def client(self) -> Any:
        config = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})
        return boto3.client("iot", region_name=REGION, endpoint_url=self.url, config=config)

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out, err


def start(*args: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "boto_iotauth_local.faces.cli", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    if not first.startswith("listening on http://"):
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"unexpected first line {first!r}; stderr: {err}")
    return Server(process, first.split()[-1])


@pytest.fixture
def world_file(tmp_path: Path) -> Path:
    path = tmp_path / "world.yaml"
    path.write_text(yaml.safe_dump(WORLD))
    return path


@pytest.fixture
def server(world_file: Path) -> Iterator[Server]:
    running = start("--world", str(world_file))
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.communicate()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serves_the_world_file_and_stops_cleanly_on_a_signal(server: Server, sig: int) -> None:
    assert server.url.startswith("http://127.0.0.1:") and int(server.url.rsplit(":", 1)[1]) > 0
    iot = server.client()
    result = iot.test_authorization(
        principal=f"{REGION}:00000000-0000-0000-0000-000000000001",
        policyNamesToAdd=["pub"],
        authInfos=[{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/a/b"]}],
    )["authResults"][0]
    assert result["authDecision"] == "ALLOWED"
    code, out, err = server.stop(sig)
    assert code == 0, err
    assert out == ""  # the listening line was the only stdout line, read already
    calls = [line for line in err.splitlines() if " TestAuthorization " in line]
    assert len(calls) == 1 and " POST /test-authorization TestAuthorization 200 " in calls[0]


def test_quiet_writes_no_log_lines(world_file: Path) -> None:
    running = start("--world", str(world_file), "--quiet")
    running.client().list_policies()
    code, _, err = running.stop()
    assert (code, err) == (0, "")


def test_without_a_world_it_serves_an_empty_one() -> None:
    running = start("--region", "ap-south-1", "--quiet")
    config = Config(signature_version=UNSIGNED, retries={"max_attempts": 1})
    iot = boto3.client("iot", region_name="ap-south-1", endpoint_url=running.url, config=config)
    assert iot.list_policies()["policies"] == []
    iot.create_thing(thingName="new")
    assert iot.describe_thing(thingName="new")["thingArn"] == f"arn:aws:iot:ap-south-1:{ACCOUNT}:thing/new"
    assert running.stop()[0] == 0


def test_a_bad_world_file_is_exit_code_4(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "boto_iotauth_local.faces.cli", "serve", "--world", str(tmp_path / "no.yaml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 4
    assert "no.yaml: no such file" in done.stderr
    assert done.stdout == ""


def test_a_region_the_world_does_not_serve_is_a_usage_error(world_file: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "boto_iotauth_local.faces.cli",
            "serve",
            "--world",
            str(world_file),
            "--region",
            "us-east-1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "the world file serves eu-west-1, not us-east-1" in done.stderr


@pytest.mark.skipif(AWS_V1 is None, reason="the AWS CLI v1 (awscli) is not installed next to Python")
def test_aws_cli_v1_with_endpoint_url(server: Server, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-checked",
        AWS_DEFAULT_REGION=REGION,
    )

    def aws(*args: str) -> subprocess.CompletedProcess[str]:
        assert AWS_V1 is not None
        command = [AWS_V1, "--endpoint-url", server.url, "iot", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)

    done = aws(
        "test-authorization",
        "--principal",
        f"{REGION}:00000000-0000-0000-0000-000000000001",
        "--policy-names-to-add",
        "pub",
        "--auth-infos",
        f"actionType=PUBLISH,resources={ARN}:topic/a/b",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["authResults"][0]["authDecision"] == "ALLOWED"
    done = aws("test-invoke-authorizer", "--authorizer-name", "missing", "--token", "t")
    assert done.returncode == 255
    assert done.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the TestInvokeAuthorizer operation: "
        "Authorizer missing does not exist"
    )
    assert server.stop()[0] == 0
