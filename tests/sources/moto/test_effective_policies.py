"""GetEffectivePolicies over moto's state: the principal's policies and the thing's group policies."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ARN, allow, doc


def test_certificate_and_thing_groups(iot: Any) -> None:
    cert = iot.create_keys_and_certificate(setAsActive=True)["certificateArn"]
    iot.create_thing(thingName="sensor-1")
    iot.create_thing_group(thingGroupName="campus")
    iot.create_thing_group(thingGroupName="building-1", parentGroupName="campus")
    iot.add_thing_to_thing_group(thingGroupName="building-1", thingName="sensor-1")
    for name in ("Cert", "Building", "Campus"):
        iot.create_policy(policyName=name, policyDocument=doc(allow("iot:Connect", f"{ARN}:client/{name}")))
    iot.attach_policy(policyName="Cert", target=cert)
    iot.attach_policy(
        policyName="Building", target=iot.describe_thing_group(thingGroupName="building-1")["thingGroupArn"]
    )
    campus = iot.describe_thing_group(thingGroupName="campus")["thingGroupArn"]
    iot.attach_policy(policyName="Campus", target=campus)

    effective = iot.get_effective_policies(principal=cert, thingName="sensor-1")["effectivePolicies"]
    assert [p["policyName"] for p in effective] == ["Cert", "Building", "Campus"]
    assert effective[0]["policyArn"] == f"{ARN}:policy/Cert"
    assert effective[0]["policyDocument"] == doc(allow("iot:Connect", f"{ARN}:client/Cert"))

    only_cert = iot.get_effective_policies(principal=cert)["effectivePolicies"]
    assert [p["policyName"] for p in only_cert] == ["Cert"]
    by_group = iot.get_effective_policies(principal=campus)["effectivePolicies"]
    assert [p["policyName"] for p in by_group] == ["Campus"]

    # The default version's document, read live.
    iot.create_policy_version(policyName="Cert", policyDocument=doc(allow("iot:*", "*")), setAsDefault=True)
    latest = iot.get_effective_policies(principal=cert)["effectivePolicies"][0]["policyDocument"]
    assert latest == doc(allow("iot:*", "*"))


def test_errors(iot: Any) -> None:
    with pytest.raises(iot.exceptions.ResourceNotFoundException):
        iot.get_effective_policies(principal=f"{ARN}:cert/{'a' * 64}")
    with pytest.raises(iot.exceptions.ResourceNotFoundException, match="thing"):
        iot.get_effective_policies(thingName="missing")
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.get_effective_policies(principal="not-a-principal")
    assert iot.get_effective_policies()["effectivePolicies"] == []
