"""The demo behind ``./scripts/demo``: both calls answered offline through an ordinary boto3 client.

It builds a small fleet (a device certificate attached to its thing, a thing group, two policies and a
custom authorizer with a signing key), switches the emulator on, and prints what boto3 returns.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from .. import World, activate, generate_key_pair, sign_token

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def device_policy() -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Connect",
                    "Resource": f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
                    "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
                },
                {
                    "Effect": "Allow",
                    "Action": ["iot:Publish", "iot:Receive"],
                    "Resource": f"{ARN}:topic/fleet/${{iot:Connection.Thing.ThingName}}/*",
                },
                {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/fleet/*/firmware"},
            ],
        }
    )


def authorizer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A custom authorizer: the token names the only topic the caller may publish to."""
    topic = event.get("token", "")
    return {
        "isAuthenticated": bool(topic),
        "principalId": "demoUser",
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/{topic}"}
                ],
            }
        ],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


def build_world() -> tuple[World, str, str]:
    world = World(account_id=ACCOUNT, region=REGION)
    certificate = world.create_test_certificate(subject={"CommonName": "sensor-1", "Organization": "Acme"})
    principal = certificate["certificateArn"]
    world.create_thing(thingName="sensor-1")
    world.attach_thing_principal(thingName="sensor-1", principal=principal)
    world.create_policy(policyName="DevicePolicy", policyDocument=device_policy())
    world.attach_policy(policyName="DevicePolicy", target=principal)
    keys = generate_key_pair()
    world.create_authorizer(
        authorizerName="TopicAuthorizer",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:topic-authorizer",
        tokenKeyName="token",
        tokenSigningPublicKeys={"demo-key": keys.public_key_pem},
        handler=authorizer,
    )
    return world, principal, sign_token("telemetry/demo", keys)


def main() -> None:
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    world, principal, signature = build_world()
    with activate(world) as handle:
        iot = boto3.client("iot", region_name=REGION)
        response = iot.test_authorization(
            principal=principal,
            clientId="sensor-1",
            authInfos=[
                {"actionType": "CONNECT", "resources": [f"{ARN}:client/sensor-1"]},
                {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/fleet/sensor-1/temperature"]},
                {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/fleet/sensor-1/firmware"]},
                {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/fleet/sensor-2/temperature"]},
            ],
        )
        print("== TestAuthorization (certificate of thing sensor-1, clientId sensor-1)")
        for result in response["authResults"]:
            info = result["authInfo"]
            print(f"  {info['actionType']:<9} {info['resources'][0]:<72} {result['authDecision']}")

        print("\n== Why was the firmware topic denied?")
        print(
            handle.explain(
                "PUBLISH", f"{ARN}:topic/fleet/sensor-1/firmware", principal=principal, client_id="sensor-1"
            )
        )

        answer = iot.test_invoke_authorizer(
            authorizerName="TopicAuthorizer",
            token="telemetry/demo",
            tokenSignature=signature,
            mqttContext={"username": "demo", "password": b"secret", "clientId": "demo-client"},
        )
        answer.pop("ResponseMetadata")
        print("\n== TestInvokeAuthorizer (token signed with the authorizer's key)")
        print(json.dumps(answer, indent=2))

        try:
            iot.test_invoke_authorizer(
                authorizerName="TopicAuthorizer",
                token="telemetry/demo",
                tokenSignature=signature[:-8] + "AAAAAAA=",
            )
        except iot.exceptions.InvalidRequestException as error:
            print("\n== TestInvokeAuthorizer with a tampered signature")
            print(f"  {type(error).__name__}: {error.response['Error']['Message']}")

        print(f"\n{len(handle.calls)} calls answered offline, no AWS account or network used.")


if __name__ == "__main__":
    main()
