"""Responses joined from answers encoded once are byte for byte what encoding the whole response gives."""

from __future__ import annotations

import itertools
import json
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boto_iotauth_local import World, activate
from boto_iotauth_local.engine import parse_policy
from boto_iotauth_local.engine.jsondata import EncodedObject, compact
from boto_iotauth_local.services import test_authorization
from boto_iotauth_local.services.authorization import (
    AuthResult,
    PolicyRef,
    auth_result_json,
    authorize,
    policy_set,
)
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


def test_new_shared_and_repeated_answers_are_the_explained_results_encoded() -> None:
    """Each answer sent, whether new, shared with another set or repeated, is byte for byte the encoding of
    what the statement-by-statement evaluation gives for that authInfo."""
    world, cert = _world()
    options = ServiceOptions()
    for request in _requests(cert) * 2:
        response = test_authorization(world, request, options)
        assert isinstance(response, EncodedObject)
        resolved = policy_set(world, principal=cert, client_id=request["clientId"])
        wanted = [
            authorize(resolved, info["actionType"], info["resources"], explain=True).to_dict()
            for info in request["authInfos"]
        ]
        assert response.encoded == compact({"authResults": wanted})
        assert response == {"authResults": wanted}


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
    made = EncodedObject.with_array(name, [compact(item) for item in items])
    assert made.encoded == compact({name: items})
    assert dict(made) == {name: items}


@settings(derandomize=True, max_examples=200, deadline=None, database=None)
@given(
    action_type=st.text(),
    resources=st.lists(st.text(), max_size=3),
    decision=st.sampled_from(["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY"]),
    names=st.lists(st.tuples(st.text(), st.text()), max_size=4),
    outcomes=st.lists(st.integers(0, 2), min_size=4, max_size=4),
    missing=st.lists(st.text(), max_size=3),
)
def test_an_answer_written_from_its_parts_is_its_members_encoded(
    action_type: str,
    resources: list[str],
    decision: str,
    names: list[tuple[str, str]],
    outcomes: list[int],
    missing: list[str],
) -> None:
    """Any text (quotes, backslashes, control characters, non-ASCII, lone surrogates) is escaped exactly as
    the encoder of whole responses escapes it."""
    statement = {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}
    policy = parse_policy({"Version": "2012-10-17", "Statement": [statement]}, dialect="iot")
    refs = [PolicyRef(name, arn, policy) for name, arn in names]
    by = [[ref for ref, o in zip(refs, outcomes, strict=False) if o == wanted] for wanted in (1, 0, 2)]
    result = AuthResult(
        action_type,
        tuple(resources),
        decision,
        *map(tuple, by),
        tuple(missing),
        (),
        {},  # type: ignore[arg-type]
    )
    written = auth_result_json(action_type, resources, decision, *by, missing)
    assert written == compact(result.to_dict())
