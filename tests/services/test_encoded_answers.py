"""Responses joined from answers encoded once are byte for byte what encoding the whole response gives."""

from __future__ import annotations

import itertools
import json
from typing import Any

import boto3
import pytest

from boto_iotauth_local import World, activate
from boto_iotauth_local.engine.jsondata import EncodedObject, compact
from boto_iotauth_local.services import test_authorization
from boto_iotauth_local.services.options import ServiceOptions

ARN = "arn:aws:iot:us-east-1:123456789012"


def _world() -> tuple[World, str]:
    world = World()
    cert = world.create_test_certificate(subject={"CommonName": "sensor-1"})["certificateArn"]
    world.create_thing(thingName="sensor-1")
    world.attach_thing_principal(thingName="sensor-1", principal=cert)
    documents = {
        "Things": {
            "Effect": "Allow",
            "Action": ["iot:Publish", "iot:Connect"],
            "Resource": [f"{ARN}:topic/t/${{iot:Connection.Thing.ThingName}}/*", f"{ARN}:client/*"],
        },
        "Clients": {
            "Effect": "Allow",
            "Action": "iot:Subscribe",
            "Resource": f"{ARN}:topicfilter/${{iot:ClientId}}/*",
        },
        "NoFirmware": {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/t/*/firmware"},
    }
    for name, statement in documents.items():
        world.create_policy(
            policyName=name, policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )
        world.attach_policy(policyName=name, target=cert)
    return world, cert


def _requests(cert: str) -> list[dict[str, Any]]:
    counter = itertools.count()
    requests = []
    for client_id in ["sensor-1", "other", "sensor-1", 'é\u2028"quoted"', "other"]:
        infos = [
            {
                "actionType": "PUBLISH",
                "resources": [f"{ARN}:topic/t/sensor-1/a", f"{ARN}:topic/t/sensor-1/firmware"],
            },
            {"actionType": "SUBSCRIBE", "resources": [f"{ARN}:topicfilter/{client_id}/#"]},
            {"actionType": "CONNECT", "resources": [f"{ARN}:client/{client_id}"]},
            {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/t/sensor-1/n{next(counter)}"]},
        ]
        requests.append({"principal": cert, "clientId": client_id, "authInfos": infos})
    return requests


def test_the_encoding_is_that_of_the_members_for_new_shared_and_repeated_answers() -> None:
    world, cert = _world()
    options = ServiceOptions()
    for request in _requests(cert) * 2:
        response = test_authorization(world, request, options)
        assert isinstance(response, EncodedObject)
        assert response.encoded == compact(dict(response))
        assert json.loads(response.encoded) == response


def test_the_wire_sends_the_joined_encoding_and_botocore_reads_it_back() -> None:
    world, cert = _world()
    iot = boto3.client("iot", region_name="us-east-1")
    with activate(world) as handle:
        for request in _requests(cert):
            response = iot.test_authorization(**request)
            sent = handle.calls[-1]
            assert sent.body == compact(sent.response)
            assert response["authResults"] == json.loads(sent.body)["authResults"]


@pytest.mark.parametrize("name", ["authResults", 'a"b', "é"])
def test_with_array_escapes_the_member_name_as_json_does(name: str) -> None:
    items = [{"x": 1}, {"y": ["\u2028", "é"]}]
    made = EncodedObject.with_array(name, items, [compact(item) for item in items])
    assert made.encoded == compact({name: items})
