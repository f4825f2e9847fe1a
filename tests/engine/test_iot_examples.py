"""Policies in the style of the AWS IoT Developer Guide examples, evaluated in the iot dialect."""

from __future__ import annotations

from ._support import ARN, decide

CLIENT = f"{ARN}:client"
TOPIC = f"{ARN}:topic"
FILTER = f"{ARN}:topicfilter"
THING = "iot:Connection.Thing.ThingName"
ATTACHED = "iot:Connection.Thing.IsAttached"


def _verdict(policy: dict[str, object], action: str, resource: str, ctx: dict[str, str] | None = None) -> str:
    return decide(policy, action, resource, ctx, dialect="iot").decision


DEVICE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iot:Connect",
            "Resource": f"{CLIENT}/${{{THING}}}",
            "Condition": {"Bool": {ATTACHED: "true"}},
        },
        {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{TOPIC}/${{iot:ClientId}}/*"},
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{FILTER}/${{iot:ClientId}}/*"},
        {"Effect": "Allow", "Action": "iot:Receive", "Resource": f"{TOPIC}/${{iot:ClientId}}/*"},
        {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{TOPIC}/${{iot:ClientId}}/admin"},
    ],
}
ATTACHED_THING = {"iot:ClientId": "thing1", THING: "thing1", ATTACHED: "true"}


def test_connect_needs_an_attached_thing() -> None:
    assert _verdict(DEVICE_POLICY, "iot:Connect", f"{CLIENT}/thing1", ATTACHED_THING) == "ALLOWED"
    unattached = {"iot:ClientId": "thing1", ATTACHED: "false"}
    decision = decide(DEVICE_POLICY, "iot:Connect", f"{CLIENT}/thing1", unattached, dialect="iot")
    assert decision.decision == "IMPLICIT_DENY"
    assert decision.missing_keys == (THING,)
    assert _verdict(DEVICE_POLICY, "iot:Connect", f"{CLIENT}/thing2", ATTACHED_THING) == "IMPLICIT_DENY"


def test_publish_subscribe_receive_own_topics() -> None:
    assert _verdict(DEVICE_POLICY, "iot:Publish", f"{TOPIC}/thing1/telemetry", ATTACHED_THING) == "ALLOWED"
    assert (
        _verdict(DEVICE_POLICY, "iot:Publish", f"{TOPIC}/thing2/telemetry", ATTACHED_THING) == "IMPLICIT_DENY"
    )
    assert _verdict(DEVICE_POLICY, "iot:Subscribe", f"{FILTER}/thing1/#", ATTACHED_THING) == "ALLOWED"
    assert _verdict(DEVICE_POLICY, "iot:Subscribe", f"{TOPIC}/thing1/#", ATTACHED_THING) == "IMPLICIT_DENY"
    assert _verdict(DEVICE_POLICY, "iot:Receive", f"{TOPIC}/thing1/cmd", ATTACHED_THING) == "ALLOWED"


def test_explicit_deny_on_admin_topic() -> None:
    assert _verdict(DEVICE_POLICY, "iot:Publish", f"{TOPIC}/thing1/admin", ATTACHED_THING) == "EXPLICIT_DENY"


def test_client_id_plus_is_literal() -> None:
    # The documented trap: a client named '+' gets 'topicfilter/+/...', which is the literal filter '+/...'.
    ctx = {"iot:ClientId": "+"}
    assert _verdict(DEVICE_POLICY, "iot:Subscribe", f"{FILTER}/+/x", ctx) == "ALLOWED"
    assert _verdict(DEVICE_POLICY, "iot:Subscribe", f"{FILTER}/thing1/x", ctx) == "IMPLICIT_DENY"


RESTRICTED = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{FILTER}/a/*"},
        {"Effect": "Deny", "Action": "iot:Subscribe", "Resource": f"{FILTER}/a/restricted/*"},
        {"Effect": "Allow", "Action": "iot:Receive", "NotResource": f"{TOPIC}/a/restricted/*"},
    ],
}


def test_not_resource_on_receive_closes_the_wildcard_gap() -> None:
    # Subscribing to 'a/#' is not denied ('#' is literal, not under 'a/restricted/'), ...
    assert _verdict(RESTRICTED, "iot:Subscribe", f"{FILTER}/a/#") == "ALLOWED"
    assert _verdict(RESTRICTED, "iot:Subscribe", f"{FILTER}/a/restricted/x") == "EXPLICIT_DENY"
    # ... so the docs restrict delivery instead.
    assert _verdict(RESTRICTED, "iot:Receive", f"{TOPIC}/a/open") == "ALLOWED"
    assert _verdict(RESTRICTED, "iot:Receive", f"{TOPIC}/a/restricted/secret") == "IMPLICIT_DENY"


CERT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "iot:Connect",
            "Resource": f"{CLIENT}/${{iot:Certificate.Subject.CommonName}}",
        },
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": f"{TOPIC}/*",
            "Condition": {
                "ForAllValues:StringEquals": {
                    "iot:Certificate.Subject.Organization.List": ["Example Corp", "Lab"]
                },
                "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
            },
        },
    ],
}


def test_certificate_variables_and_conditions() -> None:
    cert = {"iot:Certificate.Subject.CommonName": "dev-7"}
    assert _verdict(CERT_POLICY, "iot:Connect", f"{CLIENT}/dev-7", cert) == "ALLOWED"
    assert _verdict(CERT_POLICY, "iot:Connect", f"{CLIENT}/dev-8", cert) == "IMPLICIT_DENY"
    ctx: dict[str, object] = {
        "iot:Certificate.Subject.Organization.List": ["Lab"],
        "aws:SourceIp": "192.0.2.9",
    }
    assert decide(CERT_POLICY, "iot:Publish", f"{TOPIC}/x", ctx, dialect="iot").decision == "ALLOWED"  # type: ignore[arg-type]
    ctx["iot:Certificate.Subject.Organization.List"] = ["Lab", "Other"]
    assert decide(CERT_POLICY, "iot:Publish", f"{TOPIC}/x", ctx, dialect="iot").decision == "IMPLICIT_DENY"  # type: ignore[arg-type]
    no_ip = decide(CERT_POLICY, "iot:Publish", f"{TOPIC}/x", {}, dialect="iot")
    assert no_ip.decision == "IMPLICIT_DENY"
    assert no_ip.missing_keys == ("iot:Certificate.Subject.Organization.List", "aws:SourceIp")


def test_shadow_topics_with_thing_name() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": f"{TOPIC}/$aws/things/${{{THING}}}/shadow/*",
            }
        ],
    }
    ctx = {THING: "lamp"}
    assert _verdict(policy, "iot:Publish", f"{TOPIC}/$aws/things/lamp/shadow/update", ctx) == "ALLOWED"
    assert _verdict(policy, "iot:Publish", f"{TOPIC}/$aws/things/fan/shadow/update", ctx) == "IMPLICIT_DENY"
