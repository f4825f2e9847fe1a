"""A ``cdk.out`` written by the real AWS CDK: nested stack, asset folder, Cognito, domain configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from boto_iotauth_local import World, activate, explain_authorization
from boto_iotauth_local.sources.cloudformation import names

HERE = Path(__file__).parent / "cdk"
CDK_OUT = HERE / "cdk.out"
ARN = "arn:aws:iot:us-east-1:123456789012"
CACHE = (
    Path(os.environ.get("BOTO_IOTAUTH_LOCAL_CACHE", Path.home() / ".cache" / "boto-iotauth-local")) / "cdk"
)


def csr(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def world() -> World:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return World.from_file(CDK_OUT, parameters={"DeviceCsr": csr("sensor-1")})


def test_policies_attachments_and_the_nested_stack(world: World) -> None:
    cert = world.certificate_arn("SensorCert")
    assert world.things_for_principal(cert) == (("sensor-1", "NON_EXCLUSIVE_THING"),)
    (telemetry,) = world.policies_for_target(cert)
    assert telemetry.startswith("SensorFleet-TelemetryPolicy-")
    allowed = explain_authorization(
        world, "PUBLISH", f"{ARN}:topic/dt/sensor-1/temp", principal=cert, client_id="sensor-1"
    )
    other = explain_authorization(
        world, "PUBLISH", f"{ARN}:topic/dt/sensor-2/temp", principal=cert, client_id="sensor-1"
    )
    assert (allowed.auth_decision, other.auth_decision) == ("ALLOWED", "IMPLICIT_DENY")
    # the nested stack's group policy, attached through the nested stack's outputs
    (group_policy,) = world.policies_for_target(world.thing_group_arn("sensors"))
    assert "GroupPolicy" in group_policy


def test_the_authorizer_runs_the_asset_folder_code_and_is_the_domain_default(world: World) -> None:
    default = world.default_authorizer()
    assert default is not None and default.name == "fleet-token"
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        answer = iot.test_invoke_authorizer(authorizerName="fleet-token", token="let-me-in")
        refused = iot.test_invoke_authorizer(authorizerName="fleet-token", token="guess")
    assert answer["isAuthenticated"] is True
    assert f"{ARN}:topic/fleet/*" in answer["policyDocuments"][0]
    assert refused["isAuthenticated"] is False


def test_the_identity_pool_gets_its_guest_role_policies(world: World) -> None:
    # Ref to an identity pool is its id, <region>:<uuid>, derived from the stack and logical id
    pool = world.cognito_pool(f"us-east-1:{names.generated_uuid('SensorFleet', 'Dashboard')}")
    assert pool is not None
    assert [p.name for p in pool.unauthenticated_policies] == ["GuestRoleDefaultPolicy074E2FB1"]
    assert pool.authenticated_policies == ()


def test_synth_reproduces_the_fixture(tmp_path: Path) -> None:
    """The committed cdk.out is what the real CDK writes for app/ (needs the CDK in the cache)."""
    if not (CACHE / "node_modules" / ".bin" / "cdk").exists() or shutil.which("node") is None:
        pytest.skip(f"the AWS CDK is not installed in {CACHE} (tests/sources/cloudformation/cdk/synth.sh)")
    out = tmp_path / "cdk.out"
    done = subprocess.run(
        ["bash", str(HERE / "synth.sh"), str(out)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for name in ("SensorFleet.template.json", "SensorFleetGroupsC5BB4BEC.nested.template.json"):
        assert json.loads((out / name).read_text()) == json.loads((CDK_OUT / name).read_text()), name
    assert sorted(p.name for p in out.glob("asset.*")) == sorted(p.name for p in CDK_OUT.glob("asset.*"))
