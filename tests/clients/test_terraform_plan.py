"""The committed plans are what the real Terraform writes: regenerated offline (``plan.sh``), each becomes
the same world. Skips where Terraform or its provider mirror is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from boto_iotauth_local import World

pytestmark = pytest.mark.clients

REAL = Path(__file__).resolve().parents[1] / "sources" / "terraform" / "real"
MIRROR = Path(os.environ.get("TF_PLUGIN_MIRROR", "/opt/tf-plugins"))


def _facts(world: World, certificates: list[str], things: list[str]) -> tuple[object, ...]:
    arns = [world.certificate_arn(address) for address in certificates]
    return (
        world.region,
        [world.policies_for_target(arn) for arn in arns],
        [world.things_for_principal(arn) for arn in arns],
        [world.groups_of_thing(thing) for thing in things],
        [world.describe_thing(thingName=thing)["attributes"] for thing in things],
        [p["policyName"] for p in world.list_policies()["policies"]],
    )


CASES = {
    "provider-docs": (["aws_iot_certificate.cert"], ["example"]),
    "fleet": (["aws_iot_certificate.sensor[0]", "aws_iot_certificate.sensor[1]"], ["sensor-0", "sensor-1"]),
}


@pytest.mark.filterwarnings("ignore:.*resources not modelled:UserWarning")
def test_plans_regenerated_by_terraform_are_the_committed_ones(tmp_path: Path) -> None:
    if shutil.which("terraform") is None or not (MIRROR / "registry.terraform.io/hashicorp/aws").is_dir():
        pytest.skip("terraform and its AWS provider mirror are not installed here")
    for name in CASES:
        shutil.copytree(REAL / name, tmp_path / name)
        (tmp_path / name / "plan.json").unlink()
    folders = [str(tmp_path / name) for name in CASES]
    done = subprocess.run(
        ["bash", str(REAL / "plan.sh"), *folders], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    for name, (certificates, things) in CASES.items():
        fresh = World.from_file(tmp_path / name / "plan.json")
        committed = World.from_file(REAL / name / "plan.json")
        assert _facts(fresh, certificates, things) == _facts(committed, certificates, things), name
