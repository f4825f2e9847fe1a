"""Run in the aioboto3 venv (``cache.aio_python``) by test_aiobotocore.py; prints one JSON object of results.

aiobotocore pins a botocore of its own, so it cannot share the suite's environment: this script drives
aiobotocore and aioboto3 clients under ``activate()`` there, with this checkout on ``PYTHONPATH``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from typing import Any

from boto_iotauth_local import World, activate

REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:123456789012"
TOPIC = f"{ARN}:topic/sensors/t1"
#: Set by a coroutine on the event loop while an authorizer call is in flight; the handler waits for it.
LOOP_RAN = threading.Event()


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    # If the call blocked the event loop, the coroutine that sets LOOP_RAN could not run until we return.
    ran = LOOP_RAN.wait(timeout=3)
    return {
        "isAuthenticated": ran,
        "principalId": "loopRan" if ran else "loopBlocked",
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": TOPIC}],
            }
        ],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


def world() -> World:
    made = World(region=REGION)
    made.create_policy(
        policyName="sensors",
        policyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/sensors/*"}
                ],
            }
        ),
    )
    made.create_authorizer(
        authorizerName="LoopCheck",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:123456789012:function:loop-check",
        signingDisabled=True,
        handler=handler,
        runtime="inprocess",
    )
    return made


async def exercise(client: Any) -> dict[str, Any]:
    decision = await client.test_authorization(
        principal=f"{REGION}:00000000-0000-0000-0000-000000000001",
        policyNamesToAdd=["sensors"],
        authInfos=[{"actionType": "PUBLISH", "resources": [TOPIC]}],
    )
    try:
        await client.test_invoke_authorizer(authorizerName="Missing", token="t")
        missing = None
    except client.exceptions.ResourceNotFoundException as exc:
        missing = exc.response["Error"]["Message"]

    LOOP_RAN.clear()

    async def set_when_in_flight() -> None:
        await asyncio.sleep(0.05)
        LOOP_RAN.set()

    answer, _ = await asyncio.gather(
        client.test_invoke_authorizer(authorizerName="LoopCheck", token="t"), set_when_in_flight()
    )
    return {
        "decision": decision["authResults"][0]["authDecision"],
        "missing": missing,
        "principalId": answer["principalId"],
        "status": answer["ResponseMetadata"]["HTTPStatusCode"],
    }


async def main() -> dict[str, Any]:
    import aioboto3
    from aiobotocore.session import get_session

    results: dict[str, Any] = {}
    with activate(world()) as handle:
        async with get_session().create_client("iot", region_name=REGION) as client:
            results["aiobotocore"] = await exercise(client)
        async with aioboto3.Session().client("iot", region_name=REGION) as client:
            results["aioboto3"] = await exercise(client)
        results["calls"] = [call.operation for call in handle.calls]
    # Switched off, an aiobotocore client goes to AWS again: without credentials it stops before sending.
    async with get_session().create_client("iot", region_name=REGION) as client:
        try:
            await client.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": [TOPIC]}])
            results["after_stop"] = "answered"
        except Exception as exc:
            results["after_stop"] = type(exc).__name__
    return results


if __name__ == "__main__":
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(name, None)
    sys.stdout.write(json.dumps(asyncio.run(main())) + "\n")
