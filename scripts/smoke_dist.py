"""Smoke test of an installed distribution, run by scripts/check-dist in a clean venv outside the checkout.

Usage: python smoke_dist.py EXPECTED_VERSION
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from importlib.metadata import entry_points, version
from pathlib import Path

for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(name, None)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402

import boto_iotauth_local  # noqa: E402
from boto_iotauth_local import World, activate  # noqa: E402

expected = sys.argv[1]
package = Path(boto_iotauth_local.__file__).resolve().parent
assert "site-packages" in str(package), f"imported from {package}, not from the installed distribution"
assert boto_iotauth_local.__version__ == expected == version("boto_iotauth_local"), (
    boto_iotauth_local.__version__,
    expected,
    version("boto_iotauth_local"),
)
assert (package / "py.typed").is_file(), "py.typed is missing"

world = World()
world.create_policy(
    policyName="Open",
    policyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
    ),
)
with activate(world):
    answer = boto3.client("iot", region_name="us-east-1").test_authorization(
        authInfos=[{"actionType": "CONNECT", "resources": ["arn:aws:iot:us-east-1:123456789012:client/c"]}],
        policyNamesToAdd=["Open"],
    )
assert answer["authResults"][0]["authDecision"] == "ALLOWED", answer

script = Path(sys.executable).parent / "iotauth-local"
shown = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True).stdout
assert shown.strip() == f"iotauth-local {expected}", shown

plugins = [ep.value for ep in entry_points(group="pytest11")]
assert "boto_iotauth_local.faces.pytest_plugin" in plugins, plugins
with tempfile.TemporaryDirectory() as folder:
    Path(folder, "test_smoke.py").write_text(
        "def test_fixture(iot_world, iot_auth):\n    assert iot_auth.active and iot_auth.world is iot_world\n"
    )
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", folder], text=True)
    assert ran.returncode == 0, "the installed pytest plugin's fixtures failed"

print(f"smoke test passed: boto_iotauth_local {expected} from {package}")
