"""AWS IoT's 5-second limit on a custom authorizer's function, whatever the function's own timeout.

The limit is ``AUTHORIZER_TIME_LIMIT``; these tests lower it to a fraction of a second (so nothing sleeps
5 s) and check that a function configured with 30 s is cut there, in both runtimes; the moto-backed case
is in tests/sources/moto/test_lambda.py. A function's own shorter timeout still applies.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from boto_iotauth_local import World, activate
from boto_iotauth_local.services import invoke_authorizer

REGION = "us-east-1"
ACCOUNT = "123456789012"
ANSWER = {
    "isAuthenticated": True,
    "principalId": "p",
    "policyDocuments": [],
    "refreshAfterInSeconds": 600,
    "disconnectAfterInSeconds": 3600,
}
APP = textwrap.dedent(
    f"""
    import time

    def handler(event, context):
        time.sleep(float(event["token"]))
        return {ANSWER!r}
    """
)


def sleeper(event: dict[str, Any], context: Any) -> Any:
    time.sleep(float(event["token"]))
    return ANSWER


def test_the_limit_is_the_documented_five_seconds() -> None:
    assert invoke_authorizer.AUTHORIZER_TIME_LIMIT == 5.0
    assert invoke_authorizer.authorizer_timeout(30.0) == 5.0
    assert invoke_authorizer.authorizer_timeout(2.0) == 2.0


@pytest.mark.parametrize("runtime", ["inprocess", "isolated"])
def test_a_function_with_a_longer_timeout_is_cut_at_the_limit(
    runtime: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if runtime == "isolated" and os.name != "posix":
        pytest.skip("isolated runtime")
    monkeypatch.setattr(invoke_authorizer, "AUTHORIZER_TIME_LIMIT", 0.3)
    world = World(account_id=ACCOUNT, region=REGION)
    (tmp_path / "slow_app.py").write_text(APP)
    handler: Any = sleeper if runtime == "inprocess" else "slow_app.handler"
    world.register_function("slow", handler, runtime=runtime, code_dir=tmp_path, timeout=30)
    world.create_authorizer(
        authorizerName="Slow",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:slow",
        signingDisabled=True,
    )
    with activate(world):
        iot = boto3.client("iot", region_name=REGION)
        assert iot.test_invoke_authorizer(authorizerName="Slow", token="0")["isAuthenticated"] is True
        with pytest.raises(iot.exceptions.InvalidResponseException, match=r"timed out after 0\.30 seconds"):
            iot.test_invoke_authorizer(authorizerName="Slow", token="1.5")


def test_a_shorter_timeout_of_the_function_still_applies() -> None:
    world = World(account_id=ACCOUNT, region=REGION)
    world.create_authorizer(
        authorizerName="Quick",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:quick",
        signingDisabled=True,
        handler=sleeper,
        timeout=0.2,
    )
    with activate(world):
        iot = boto3.client("iot", region_name=REGION)
        with pytest.raises(iot.exceptions.InvalidResponseException, match=r"timed out after 0\.20 seconds"):
            iot.test_invoke_authorizer(authorizerName="Quick", token="1")
