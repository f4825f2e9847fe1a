"""The AWS CLI v1 plugin, exercised through the real ``aws`` executable in a subprocess.

The suite never imports awscli itself: awscli redirects ``import botocore`` to its own copy, which must not
leak into the test process. Each run gets a temporary config file, no credentials and no metadata probe.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from boto_iotauth_local.world import certificate_id_of, generate_certificate

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
TOPIC = f"{ARN}:topic/sensors/t"

AWS = shutil.which("aws", path=os.path.dirname(sys.executable))
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI v1 (awscli) is not installed next to Python")

HANDLER = """
def handler(event, context):
    allowed = event.get("token") == "allow"
    return {
        "isAuthenticated": allowed,
        "principalId": "cliDevice",
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 600,
        "policyDocuments": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}],
    }
"""

PROBE = """
import sys


def awscli_initialize(cli):
    cli.register("after-call.iot", report)


def report(**_):
    import botocore
    from boto_iotauth_local.wire import hooks, model

    cli_hooks = sys.modules["botocore.hooks"]
    sys.stderr.write("PROBE botocore=%s same_emitter=%s same_loader=%s\\n" % (
        botocore.__file__,
        hooks.HierarchicalEmitter is cli_hooks.HierarchicalEmitter,
        model.Loader is sys.modules["botocore.loaders"].Loader,
    ))
"""


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("awscli")
    generated = generate_certificate({"CommonName": "sensor-1"})
    (base / "sensor.pem").write_text(generated.certificate_pem)
    (base / "handlers").mkdir()
    (base / "handlers" / "app.py").write_text(HANDLER)
    (base / "probe_plugin.py").write_text(PROBE)
    world = {
        "account_id": ACCOUNT,
        "region": REGION,
        "policies": [
            {
                "name": "sensor-policy",
                "document": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/sensors/*"}
                    ],
                },
            }
        ],
        "certificates": [{"name": "sensor-cert", "pem_file": "sensor.pem", "policies": ["sensor-policy"]}],
        "functions": [
            {"name": "cli-authorizer", "handler": "handlers/app.py:handler", "runtime": "inprocess"}
        ],
        "authorizers": [{"name": "cli-authorizer", "function": "cli-authorizer", "signing_disabled": True}],
    }
    (base / "world.yaml").write_text(yaml.safe_dump(world))
    certificate_id = certificate_id_of(_der(generated.certificate_pem))
    return {"base": str(base), "principal": f"{ARN}:cert/{certificate_id}"}


def _der(pem: str) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    return x509.load_pem_x509_certificate(pem.encode()).public_bytes(serialization.Encoding.DER)


def _write_config(base: Path, *, plugins: list[str], profile: str = "") -> Path:
    config = base / f"config-{len(plugins)}-{abs(hash(profile))}"
    lines = ["[plugins]", *plugins, "", "[default]", f"region = {REGION}", profile, ""]
    config.write_text("\n".join(lines))
    return config


def aws(
    setup: dict[str, str],
    *args: str,
    world_env: bool | str = True,
    profile: str = "",
    probe: bool = False,
) -> subprocess.CompletedProcess[str]:
    base = Path(setup["base"])
    plugins = ["iotauth_local = boto_iotauth_local.faces.awscli_plugin"]
    if probe:
        plugins.append("probe = probe_plugin")
    config = _write_config(base, plugins=plugins, profile=profile)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "IOTAUTH_LOCAL_WORLD"}
    env.update(
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
        PYTHONPATH=os.pathsep.join(filter(None, [str(base), env.get("PYTHONPATH")])),
    )
    if world_env:
        env["IOTAUTH_LOCAL_WORLD"] = world_env if isinstance(world_env, str) else str(base / "world.yaml")
    assert AWS is not None
    return subprocess.run(
        [AWS, *args], capture_output=True, text=True, env=env, cwd=base, timeout=120, check=False
    )


def authorize(setup: dict[str, str], *extra: str, **options: object) -> subprocess.CompletedProcess[str]:
    return aws(
        setup,
        "iot",
        "test-authorization",
        "--principal",
        setup["principal"],
        "--auth-infos",
        f"actionType=PUBLISH,resources={TOPIC}",
        *extra,
        **options,  # type: ignore[arg-type]
    )


def test_json(setup: dict[str, str]) -> None:
    done = authorize(setup)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)["authResults"][0]
    assert result["authDecision"] == "ALLOWED"
    assert result["allowed"]["policies"] == [
        {"policyName": "sensor-policy", "policyArn": f"{ARN}:policy/sensor-policy"}
    ]
    assert result["denied"] == {"implicitDeny": {"policies": []}, "explicitDeny": {"policies": []}}


def test_text(setup: dict[str, str]) -> None:
    done = authorize(setup, "--output", "text")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "AUTHRESULTS\tALLOWED",
        f"POLICIES\t{ARN}:policy/sensor-policy\tsensor-policy",
        "AUTHINFO\tPUBLISH",
        f"RESOURCES\t{TOPIC}",
    ]


def test_table(setup: dict[str, str]) -> None:
    done = authorize(setup, "--output", "table")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "TestAuthorization" in lines[1]
    assert any("authDecision" in line and "ALLOWED" in line for line in lines)
    assert any("policyName" in line and "sensor-policy" in line for line in lines)


def test_query(setup: dict[str, str]) -> None:
    done = authorize(setup, "--query", "authResults[0].authDecision", "--output", "text")
    assert (done.returncode, done.stdout) == (0, "ALLOWED\n"), done.stderr
    done = authorize(setup, "--query", "authResults[].allowed.policies[].policyName")
    assert json.loads(done.stdout) == ["sensor-policy"]


def test_yaml_is_not_an_output_of_cli_v1(setup: dict[str, str]) -> None:
    """AWS CLI v1 has json, text and table only; ``--output yaml`` is refused by its own argument parser."""
    done = authorize(setup, "--output", "yaml")
    assert done.returncode == 2
    assert "Invalid choice" in done.stderr


def test_resource_not_found(setup: dict[str, str]) -> None:
    missing = f"{ARN}:cert/{'a' * 64}"
    done = aws(
        setup,
        "iot",
        "test-authorization",
        "--principal",
        missing,
        "--auth-infos",
        "actionType=CONNECT,resources=*",
    )
    assert done.returncode == 255
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the TestAuthorization operation: "
        f"The certificate {missing} does not exist"
    )


def test_invalid_request(setup: dict[str, str]) -> None:
    done = aws(
        setup,
        "iot",
        "test-authorization",
        "--principal",
        "bogus",
        "--auth-infos",
        "actionType=CONNECT,resources=*",
    )
    assert done.returncode == 255
    assert done.stdout == ""
    assert done.stderr.strip().startswith(
        "An error occurred (InvalidRequestException) when calling the TestAuthorization operation: "
        "Principal 'bogus' is not valid"
    )


def test_invoke_authorizer(setup: dict[str, str]) -> None:
    done = aws(
        setup, "iot", "test-invoke-authorizer", "--authorizer-name", "cli-authorizer", "--token", "allow"
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["isAuthenticated"] is True
    assert answer["principalId"] == "cliDevice"
    assert json.loads(answer["policyDocuments"][0])["Statement"][0]["Action"] == "iot:Connect"

    done = aws(setup, "iot", "test-invoke-authorizer", "--authorizer-name", "missing", "--token", "allow")
    assert done.returncode == 255
    assert "(ResourceNotFoundException) when calling the TestInvokeAuthorizer operation" in done.stderr


def test_world_named_in_the_profile(setup: dict[str, str]) -> None:
    done = authorize(setup, world_env=False, profile="iotauth_local_world = world.yaml")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["authResults"][0]["authDecision"] == "ALLOWED"


def test_without_a_world_the_plugin_stays_off(setup: dict[str, str]) -> None:
    # No world: the CLI would call AWS; with no credentials it stops before sending anything.
    done = authorize(setup, world_env=False)
    assert done.returncode == 255
    assert "Unable to locate credentials" in done.stderr


def test_runs_on_the_clis_own_botocore(setup: dict[str, str]) -> None:
    done = authorize(setup, probe=True)
    assert done.returncode == 0, done.stderr
    probe = next(line for line in done.stderr.splitlines() if line.startswith("PROBE"))
    assert f"{os.sep}awscli{os.sep}botocore{os.sep}" in probe
    assert "same_emitter=True" in probe
    assert "same_loader=True" in probe


def test_the_suite_never_imports_awscli() -> None:
    assert "awscli" not in sys.modules


class _S3(http.server.BaseHTTPRequestHandler):
    """Answers S3 ListBuckets with no buckets: an unrelated command's own service, on loopback."""

    def do_GET(self) -> None:
        body = (
            b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            b"<Owner><ID>o</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>"
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _S3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_bad_world_path_breaks_only_the_operations_it_answers(setup: dict[str, str], s3_url: str) -> None:
    """The world is loaded when one of its operations is called, not when the CLI starts."""
    credentials = "aws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-checked"
    done = aws(setup, "s3", "ls", "--endpoint-url", s3_url, world_env="nonexistent.yaml", profile=credentials)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    done = authorize(setup, world_env="nonexistent.yaml")
    assert done.returncode == 255
    assert "the world file named by the environment variable IOTAUTH_LOCAL_WORLD" in done.stderr
    assert "nonexistent.yaml: no such file" in done.stderr


def test_a_bad_world_path_in_the_profile_names_the_profile(setup: dict[str, str]) -> None:
    done = authorize(setup, world_env=False, profile="iotauth_local_world = missing/world.yaml")
    assert done.returncode == 255
    assert "the world file named by iotauth_local_world of profile 'default' in " in done.stderr
    assert "world.yaml: no such file" in done.stderr


def test_a_certificate_name_from_the_world_file_is_a_principal(setup: dict[str, str]) -> None:
    done = aws(
        setup,
        "iot",
        "test-authorization",
        "--principal",
        "sensor-cert",
        "--auth-infos",
        f"actionType=PUBLISH,resources={TOPIC}",
        "--query",
        "authResults[0].authDecision",
        "--output",
        "text",
    )
    assert (done.returncode, done.stdout) == (0, "ALLOWED\n"), done.stderr


def test_handler_code_outside_the_world_directory_needs_the_allow_setting(setup: dict[str, str]) -> None:
    base = Path(setup["base"])
    (base / "worlds").mkdir(exist_ok=True)
    world = yaml.safe_load((base / "world.yaml").read_text())
    world["functions"][0]["handler"] = "../handlers/app.py:handler"
    world["certificates"][0]["pem_file"] = "../sensor.pem"
    (base / "worlds" / "outside.yaml").write_text(yaml.safe_dump(world))
    invoke = ("iot", "test-invoke-authorizer", "--authorizer-name", "cli-authorizer", "--token", "allow")
    done = aws(setup, *invoke, world_env=str(base / "worlds" / "outside.yaml"))
    assert done.returncode == 255
    assert "is outside the world file's directory" in done.stderr
    assert "IOTAUTH_LOCAL_ALLOW_EXTERNAL_HANDLERS" in done.stderr
    allowed = "iotauth_local_allow_external_handlers = true"
    done = aws(setup, *invoke, world_env=str(base / "worlds" / "outside.yaml"), profile=allowed)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["isAuthenticated"] is True
