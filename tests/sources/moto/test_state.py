"""IoT state created with boto3 in moto is what TestAuthorization decides on, read live."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from boto_iotauth_local import Activation

from .conftest import ACCOUNT, ARN, REGION, allow, decide, deny, doc


@pytest.fixture
def device(iot: Any) -> dict[str, str]:
    cert = iot.create_keys_and_certificate(setAsActive=True)
    iot.create_thing_type(thingTypeName="thermometer")
    iot.create_thing(
        thingName="sensor-1", thingTypeName="thermometer", attributePayload={"attributes": {"site": "lab"}}
    )
    iot.attach_thing_principal(thingName="sensor-1", principal=cert["certificateArn"])
    iot.create_thing_group(thingGroupName="campus")
    iot.create_thing_group(thingGroupName="building-1", parentGroupName="campus")
    iot.add_thing_to_thing_group(thingGroupName="building-1", thingName="sensor-1")
    return {"arn": cert["certificateArn"], "id": cert["certificateId"]}


def test_certificate_thing_and_policies(iot: Any, device: dict[str, str]) -> None:
    iot.create_policy(
        policyName="Device",
        policyDocument=doc(
            allow("iot:Publish", f"{ARN}:topic/${{iot:Connection.Thing.ThingName}}/*"),
            allow("iot:Connect", f"{ARN}:client/${{iot:Connection.Thing.Attributes[site]}}"),
        ),
    )
    iot.attach_policy(policyName="Device", target=device["arn"])
    assert decide(iot, device["arn"], "PUBLISH", f"{ARN}:topic/sensor-1/t", clientId="sensor-1") == "ALLOWED"
    # Without the client id naming the thing, thing variables stay unresolved (moto keeps no exclusivity).
    assert decide(iot, device["arn"], "PUBLISH", f"{ARN}:topic/sensor-1/t") == "IMPLICIT_DENY"
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/lab", clientId="sensor-1") == "ALLOWED"
    assert (
        decide(iot, device["arn"], "PUBLISH", f"{ARN}:topic/other/t", clientId="sensor-1") == "IMPLICIT_DENY"
    )


def test_thing_type_and_certificate_variables(iot: Any, device: dict[str, str]) -> None:
    iot.create_policy(
        policyName="Typed",
        policyDocument=doc(
            allow("iot:Subscribe", f"{ARN}:topicfilter/${{iot:Connection.Thing.ThingTypeName}}/*"),
            # moto's CreateKeysAndCertificate subject is "CN=AWS IoT Certificate".
            allow("iot:Receive", f"{ARN}:topic/${{iot:Certificate.Subject.CommonName}}"),
        ),
    )
    iot.attach_policy(policyName="Typed", target=device["arn"])
    sensor = {"clientId": "sensor-1"}
    assert decide(iot, device["arn"], "SUBSCRIBE", f"{ARN}:topicfilter/thermometer/x", **sensor) == "ALLOWED"
    assert decide(iot, device["arn"], "RECEIVE", f"{ARN}:topic/AWS IoT Certificate", **sensor) == "ALLOWED"


def test_inherited_group_policy_and_explicit_deny(iot: Any, device: dict[str, str]) -> None:
    iot.create_policy(policyName="CampusOpen", policyDocument=doc(allow("iot:*", "*")))
    iot.create_policy(
        policyName="NoSecrets", policyDocument=doc(deny("iot:Publish", f"{ARN}:topic/secret/*"))
    )
    campus = iot.describe_thing_group(thingGroupName="campus")["thingGroupArn"]
    iot.attach_policy(policyName="CampusOpen", target=campus)
    iot.attach_policy(policyName="NoSecrets", target=device["arn"])

    result = iot.test_authorization(
        principal=device["arn"],
        clientId="sensor-1",
        authInfos=[{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/secret/x"]}],
    )["authResults"][0]
    assert result["authDecision"] == "EXPLICIT_DENY"
    assert [p["policyName"] for p in result["denied"]["explicitDeny"]["policies"]] == ["NoSecrets"]
    assert decide(iot, device["arn"], "PUBLISH", f"{ARN}:topic/open", clientId="sensor-1") == "ALLOWED"
    # The thing group itself as the principal.
    assert decide(iot, campus, "PUBLISH", f"{ARN}:topic/open") == "ALLOWED"
    # Removing the thing from its group takes the inherited policy away at once.
    iot.remove_thing_from_thing_group(thingGroupName="building-1", thingName="sensor-1")
    assert decide(iot, device["arn"], "PUBLISH", f"{ARN}:topic/open", clientId="sensor-1") == "IMPLICIT_DENY"


def test_default_policy_version_is_read_live(iot: Any, device: dict[str, str]) -> None:
    iot.create_policy(policyName="Evolving", policyDocument=doc(deny("iot:Connect", "*")))
    iot.attach_policy(policyName="Evolving", target=device["arn"])
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c") == "EXPLICIT_DENY"
    iot.create_policy_version(
        policyName="Evolving", policyDocument=doc(allow("iot:Connect", "*")), setAsDefault=True
    )
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c") == "ALLOWED"
    iot.set_default_policy_version(policyName="Evolving", policyVersionId="1")
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c") == "EXPLICIT_DENY"
    iot.detach_policy(policyName="Evolving", target=device["arn"])
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c") == "IMPLICIT_DENY"


def test_policy_names_to_add_and_missing_resources(iot: Any, device: dict[str, str]) -> None:
    iot.create_policy(policyName="Extra", policyDocument=doc(allow("iot:Connect", "*")))
    assert decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c", policyNamesToAdd=["Extra"]) == "ALLOWED"
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="Missing"):
        decide(iot, device["arn"], "CONNECT", f"{ARN}:client/c", policyNamesToAdd=["Missing"])
    missing = f"{ARN}:cert/{'0' * 64}"
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        decide(iot, missing, "CONNECT", f"{ARN}:client/c")


def test_cognito_identity_policies(iot: Any) -> None:
    identity = boto3.client("cognito-identity", region_name=REGION)
    pool = identity.create_identity_pool(IdentityPoolName="pool", AllowUnauthenticatedIdentities=True)
    identity_id = identity.get_id(IdentityPoolId=pool["IdentityPoolId"])["IdentityId"]
    iot.create_policy(policyName="Cognito", policyDocument=doc(allow("iot:Connect", "*")))
    iot.attach_policy(policyName="Cognito", target=identity_id)
    assert decide(iot, identity_id, "CONNECT", f"{ARN}:client/c") == "ALLOWED"
    # moto keeps no pool roles: the pool exists, and its (absent) role policies allow nothing.
    assert (
        decide(iot, identity_id, "CONNECT", f"{ARN}:client/c", cognitoIdentityPoolId=pool["IdentityPoolId"])
        == "IMPLICIT_DENY"
    )
    unknown_pool = f"{REGION}:11111111-0000-0000-0000-000000000000"
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="identity pool"):
        iot.test_authorization(
            cognitoIdentityPoolId=unknown_pool,
            authInfos=[{"actionType": "CONNECT", "resources": [f"{ARN}:client/c"]}],
        )


def test_world_for_reads_moto(handle: Activation, iot: Any, device: dict[str, str]) -> None:
    assert handle.moto_backed
    world = handle.world_for(REGION)
    assert world.account_id == ACCOUNT
    thing = world.thing("sensor-1")
    assert thing is not None and thing.thing_type_name == "thermometer"
    assert world.group_ancestry("building-1") == ("building-1", "campus")
    assert world.groups_of_thing("sensor-1") == ("building-1",)
    assert world.certificate(device["id"]) is not None
    with pytest.raises(TypeError, match="lives in moto"):
        world.create_policy(policyName="X", policyDocument=doc(allow("iot:*", "*")))
    iot.create_policy(policyName="Open", policyDocument=doc(allow("iot:*", "*")))
    assert (
        handle.explain("CONNECT", f"{ARN}:client/c", policy_names_to_add=["Open"]).auth_decision == "ALLOWED"
    )


def test_policy_compiled_once_per_version(handle: Activation, iot: Any) -> None:
    from boto_iotauth_local.sources.moto import world as moto_world_module

    iot.create_policy(policyName="Once", policyDocument=doc(allow("iot:Connect", "*")))
    world = handle.world_for(REGION)
    before = moto_world_module._compiled.cache_info()
    first = world.policy("Once")
    assert world.policy("Once") is first
    assert moto_world_module._compiled.cache_info().misses == before.misses + 1
