"""The reference workload of the benchmarks: 10 policies of 5 statements using variables and conditions,
attached to one certificate whose thing is in a thing group, and a request of 5 authInfos of 2 resources."""

from __future__ import annotations

import json
from typing import Any

from boto_iotauth_local import World

REGION = "us-east-1"
ACCOUNT = "123456789012"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"


def policy_document(index: int) -> str:
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": "iot:Connect",
            "Resource": f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
            "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
        },
        {
            "Effect": "Allow",
            "Action": ["iot:Publish", "iot:Receive"],
            "Resource": f"{ARN}:topic/fleet{index}/${{iot:Connection.Thing.ThingName}}/*",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Subscribe",
            "Resource": f"{ARN}:topicfilter/fleet{index}/${{iot:ClientId}}/*",
            "Condition": {"StringEquals": {"iot:Connection.Thing.Attributes[floor]": str(index)}},
        },
        {
            "Effect": "Deny",
            "Action": "iot:Publish",
            "Resource": f"{ARN}:topic/fleet{index}/*/firmware",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": f"{ARN}:topic/shared/${{iot:Certificate.Subject.Organization}}/*",
            "Condition": {"StringLike": {"iot:Certificate.Subject.CommonName": "sensor-*"}},
        },
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def build_world() -> tuple[World, str]:
    world = World(account_id=ACCOUNT, region=REGION)
    cert = world.create_test_certificate(subject={"CommonName": "sensor-1", "Organization": "Acme"})
    principal = str(cert["certificateArn"])
    world.create_thing(thingName="sensor-1", attributePayload={"attributes": {"floor": "3"}})
    world.attach_thing_principal(thingName="sensor-1", principal=principal)
    world.create_thing_group(thingGroupName="fleet")
    world.add_thing_to_thing_group(thingGroupName="fleet", thingName="sensor-1")
    for index in range(10):
        world.create_policy(policyName=f"Policy{index}", policyDocument=policy_document(index))
        target = principal if index < 8 else f"{ARN}:thinggroup/fleet"
        world.attach_policy(policyName=f"Policy{index}", target=target)
    return world, principal


def request(principal: str) -> dict[str, Any]:
    return {
        "principal": principal,
        "clientId": "sensor-1",
        "authInfos": [
            {"actionType": "CONNECT", "resources": [f"{ARN}:client/sensor-1", f"{ARN}:client/sensor-2"]},
            {
                "actionType": "PUBLISH",
                "resources": [f"{ARN}:topic/fleet3/sensor-1/t", f"{ARN}:topic/fleet3/sensor-1/firmware"],
            },
            {
                "actionType": "PUBLISH",
                "resources": [f"{ARN}:topic/shared/Acme/x", f"{ARN}:topic/fleet9/sensor-1/y"],
            },
            {
                "actionType": "SUBSCRIBE",
                "resources": [f"{ARN}:topicfilter/fleet3/sensor-1/#", f"{ARN}:topicfilter/x"],
            },
            {
                "actionType": "RECEIVE",
                "resources": [f"{ARN}:topic/fleet1/sensor-1/a", f"{ARN}:topic/fleet2/sensor-1/b"],
            },
        ],
    }


class ReferenceCalls:
    """The calls the end-to-end figures compare, through boto3, on the reference world.

    ``floor`` is botocore's own cost of the call: an unsigned client (like intercepted calls) whose
    ``before-send`` handler returns the canned response our answer gives, so that the two differ only in
    who answers ``before-send``. ``repeated`` asks the reference request again; ``new_resource`` gives
    one authInfo a resource never asked before; ``new_client_id`` asks with a client id never seen (a
    new policy set and request context: a first answer).
    """

    def __init__(self) -> None:
        import itertools

        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        from boto_iotauth_local import activate
        from boto_iotauth_local.wire.encode import encode_result

        self.world, principal = build_world()
        self.params = request(principal)
        self.client = boto3.client("iot", region_name=REGION)
        with activate(self.world):
            answered = self.client.test_authorization(**self.params)
        self.canned = {key: value for key, value in answered.items() if key != "ResponseMetadata"}
        self.floor_client = boto3.client("iot", region_name=REGION, config=Config(signature_version=UNSIGNED))
        self.floor_client.meta.events.register_first(
            "before-send.iot.TestAuthorization",
            lambda request, **_: encode_result(request.url, self.canned),
        )
        self._counter = itertools.count()

    def floor(self) -> Any:
        return self.floor_client.test_authorization(**self.params)

    def repeated(self) -> Any:
        return self.client.test_authorization(**self.params)

    def new_resource(self) -> Any:
        fresh = dict(self.params, authInfos=[dict(info) for info in self.params["authInfos"]])
        fresh["authInfos"][1]["resources"] = [f"{ARN}:topic/fleet3/sensor-1/t{next(self._counter)}"]
        return self.client.test_authorization(**fresh)

    def new_client_id(self) -> Any:
        return self.client.test_authorization(**dict(self.params, clientId=f"client-{next(self._counter)}"))
