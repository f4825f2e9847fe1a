"""AWS CLI v2 (built from source), through the plugin and through the local endpoint.

The seed example of the CLI reference runs offline both ways with the documented output. v2's own
formats and input options (yaml, yaml-stream, --cli-input-yaml, --generate-cli-skeleton) and its exit
codes (254 for a service error) apply to answers of the emulator as to AWS's.
"""

from __future__ import annotations

import http.server
import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from boto_iotauth_local import Endpoint

from .conftest import REGION, SEED_JSON, SEED_OUTPUT, Seed, client_env, plugin_path

pytestmark = pytest.mark.clients

PLUGIN = "iotauth_local = boto_iotauth_local.faces.awscli_plugin"


def config(base: Path, *, plugin: bool, profile: str = "") -> Path:
    lines = [f"[default]\nregion = {REGION}\n{profile}\n"]
    if plugin:
        lines.insert(0, f"[plugins]\ncli_legacy_plugin_path = {plugin_path()}\n{PLUGIN}\n")
    path = base / f"config-{int(plugin)}-{abs(hash(profile))}"
    path.write_text("\n".join(lines))
    return path


def run(aws: Path, *args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(aws), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=180, check=False
    )


def seed_args(seed: Seed) -> list[str]:
    return [
        "iot",
        "test-invoke-authorizer",
        "--authorizer-name",
        "IoTAuthorizer",
        "--token",
        "allow",
        "--token-signature",
        seed.signature,
    ]


class PluginCli:
    def __init__(self, aws: Path, seed: Seed) -> None:
        self.aws, self.seed = aws, seed

    def __call__(
        self, *args: str, world: str | None = None, profile: str = "", **extra: str
    ) -> subprocess.CompletedProcess[str]:
        env = client_env(AWS_CONFIG_FILE=str(config(self.seed.base, plugin=True, profile=profile)), **extra)
        if profile == "":
            env["IOTAUTH_LOCAL_WORLD"] = world or str(self.seed.world_file)
        return run(self.aws, *args, env=env, cwd=self.seed.base)


@pytest.fixture
def plugin_cli(aws_v2: Path, seed: Seed) -> PluginCli:
    return PluginCli(aws_v2, seed)


# -- through the plugin ------------------------------------------------------------------------------------


def test_seed_example_through_the_plugin(plugin_cli: PluginCli, seed: Seed) -> None:
    done = plugin_cli(*seed_args(seed))
    assert done.returncode == 0, done.stderr
    assert done.stdout == SEED_JSON


@pytest.mark.parametrize(
    ("output", "expected"),
    [("yaml", SEED_OUTPUT), ("yaml-stream", [SEED_OUTPUT])],
    ids=["yaml", "yaml-stream"],
)
def test_yaml_outputs(plugin_cli: PluginCli, seed: Seed, output: str, expected: object) -> None:
    done = plugin_cli(*seed_args(seed), "--output", output)
    assert done.returncode == 0, done.stderr
    assert yaml.safe_load(done.stdout) == expected


def test_cli_input_yaml(plugin_cli: PluginCli, seed: Seed) -> None:
    request = seed.base / "request.yaml"
    request.write_text(
        yaml.safe_dump(
            {"authorizerName": "IoTAuthorizer", "token": "allow", "tokenSignature": seed.signature}
        )
    )
    done = plugin_cli("iot", "test-invoke-authorizer", "--cli-input-yaml", f"file://{request}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == SEED_OUTPUT


def test_generate_cli_skeleton_never_loads_the_world(plugin_cli: PluginCli) -> None:
    done = plugin_cli("iot", "test-invoke-authorizer", "--generate-cli-skeleton", world="nonexistent.yaml")
    assert done.returncode == 0, done.stderr
    assert set(json.loads(done.stdout)) >= {"authorizerName", "token", "tokenSignature", "mqttContext"}
    done = plugin_cli("iot", "test-authorization", "--generate-cli-skeleton", "yaml-input", world="none.yaml")
    assert done.returncode == 0, done.stderr
    assert "authInfos:" in done.stdout


def test_service_errors_exit_254(plugin_cli: PluginCli) -> None:
    done = plugin_cli("iot", "test-invoke-authorizer", "--authorizer-name", "Missing", "--token", "allow")
    assert done.returncode == 254
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "aws: [ERROR]: An error occurred (ResourceNotFoundException) when calling the TestInvokeAuthorizer "
        "operation: "
        "Authorizer Missing does not exist"
    )
    done = plugin_cli(
        "iot", "test-invoke-authorizer", "--authorizer-name", "IoTAuthorizer", "--token", "allow"
    )
    assert done.returncode == 254
    assert "(InvalidRequestException) when calling the TestInvokeAuthorizer operation" in done.stderr


class _S3(http.server.BaseHTTPRequestHandler):
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


@pytest.fixture
def s3_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _S3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_bad_world_path_breaks_only_the_operations_it_answers(
    plugin_cli: PluginCli, seed: Seed, s3_url: str
) -> None:
    creds = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "not-checked"}
    done = plugin_cli("s3", "ls", "--endpoint-url", s3_url, world="nonexistent.yaml", **creds)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    done = plugin_cli("help", world="nonexistent.yaml", MANPAGER="cat", PAGER="cat")
    assert done.returncode == 0, done.stderr
    assert "nonexistent" not in done.stderr
    done = plugin_cli(*seed_args(seed), world="nonexistent.yaml")
    assert done.returncode == 255
    assert "the world file named by the environment variable IOTAUTH_LOCAL_WORLD" in done.stderr
    assert "nonexistent.yaml: no such file" in done.stderr
    done = plugin_cli(*seed_args(seed), profile="iotauth_local_world = missing.yaml")
    assert done.returncode == 255
    assert "the world file named by iotauth_local_world of profile 'default' in " in done.stderr


PROBE = """
import sys


def awscli_initialize(cli):
    cli.register("after-call.iot", report)


def report(**_):
    import botocore
    from boto_iotauth_local.wire import hooks

    sys.stderr.write("PROBE botocore=%s same_emitter=%s\\n" % (
        botocore.__file__, hooks.HierarchicalEmitter is sys.modules["botocore.hooks"].HierarchicalEmitter))
"""


def test_the_plugin_runs_on_the_clis_vendored_botocore(aws_v2: Path, seed: Seed) -> None:
    (seed.base / "probe_plugin.py").write_text(PROBE)
    path = seed.base / "config-probe"
    path.write_text(
        f"[plugins]\ncli_legacy_plugin_path = {plugin_path()}:{seed.base}\n{PLUGIN}\nprobe = probe_plugin\n\n"
        f"[default]\nregion = {REGION}\n"
    )
    env = client_env(AWS_CONFIG_FILE=str(path), IOTAUTH_LOCAL_WORLD=str(seed.world_file))
    done = run(aws_v2, *seed_args(seed), "--debug", env=env, cwd=seed.base)
    assert done.returncode == 0, done.stderr
    probe = next(line for line in done.stderr.splitlines() if line.startswith("PROBE"))
    assert "/awscli/botocore/" in probe and "same_emitter=True" in probe, probe
    assert "Starting new HTTPS connection" not in done.stderr  # answered before a connection is made


# -- through the endpoint ------------------------------------------------------------------------------------


def test_seed_example_through_the_endpoint(aws_v2: Path, seed: Seed, seed_endpoint: Endpoint) -> None:
    env = client_env(
        AWS_ENDPOINT_URL_IOT=seed_endpoint.url,
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-checked",
        AWS_DEFAULT_REGION=REGION,
    )
    done = run(aws_v2, *seed_args(seed), env=env, cwd=seed.base)
    assert done.returncode == 0, done.stderr
    assert done.stdout == SEED_JSON
    assert [call.operation for call in seed_endpoint.calls] == ["TestInvokeAuthorizer"]

    # --endpoint-url, no credentials at all (--no-sign-request), state built through the endpoint.
    bare = client_env(AWS_DEFAULT_REGION=REGION)
    base = ["--endpoint-url", seed_endpoint.url, "--no-sign-request", "iot"]
    done = run(aws_v2, *base, "create-thing", "--thing-name", "cli-thing", env=bare, cwd=seed.base)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["thingArn"] == f"arn:aws:iot:{REGION}:123456789012:thing/cli-thing"
    done = run(aws_v2, *base, "describe-thing", "--thing-name", "nope", env=bare, cwd=seed.base)
    assert done.returncode == 254
    assert "(ResourceNotFoundException) when calling the DescribeThing operation" in done.stderr
    done = run(aws_v2, *base, "list-jobs", env=bare, cwd=seed.base)
    assert done.returncode == 254
    assert "ListJobs is an AWS IoT operation that boto_iotauth_local does not implement" in done.stderr
