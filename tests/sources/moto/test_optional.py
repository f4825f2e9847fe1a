"""moto stays optional: a process that does not use it never imports it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import json
    import sys

    import boto3
    from boto_iotauth_local import World, activate

    world = World()
    world.create_policy(policyName="Open", policyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}))
    for handle, added in ((activate(world), ["Open"]), (activate(), [])):
        with handle:
            iot = boto3.client("iot", region_name="us-east-1")
            iot.test_authorization(policyNamesToAdd=added,
                                   authInfos=[{"actionType": "CONNECT", "resources": ["*"]}])
            assert not handle.moto_backed
            assert not handle.answers("CreateAuthorizer")
    loaded = sorted(name for name in sys.modules if name == "moto" or name.startswith("moto."))
    print(json.dumps(loaded))
    """
)


def test_moto_is_not_imported_when_unused() -> None:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
