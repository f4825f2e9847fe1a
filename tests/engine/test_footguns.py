"""Foot-gun notes: each is flagged, names its policy and statement, and never changes the decision."""

from __future__ import annotations

import json
from typing import Any

import pytest

from boto_iotauth_local import World, explain_authorization
from boto_iotauth_local.engine import parse_policy
from boto_iotauth_local.engine.footguns import IOT_POLICY_ACTIONS, notes

from ._support import ARN, allow, decide, deny, doc


def kinds(document: dict[str, Any], action: str, resource: str) -> list[tuple[str, int | None]]:
    found = notes([("P", parse_policy(document))], action, [resource])
    return [(note.kind, note.statement) for note in found]


def test_subscribe_on_a_topic_arn_in_the_request() -> None:
    (note,) = notes([], "iot:Subscribe", [f"{ARN}:topic/a/b"])
    assert note.kind == "subscribe-needs-topicfilter" and note.policy is None
    assert f"ask for {ARN}:topicfilter/a/b" in note.message
    (back,) = notes([], "iot:Publish", [f"{ARN}:topicfilter/a/b"])
    assert f"ask for {ARN}:topic/a/b" in back.message
    assert notes([], "iot:Subscribe", [f"{ARN}:topicfilter/a/b"]) == ()


def test_a_subscription_filter_with_wildcards_is_literal_text() -> None:
    (note,) = notes([], "iot:Subscribe", [f"{ARN}:topicfilter/a/#"])
    assert note.kind == "mqtt-wildcard" and "does not cover a/#" in note.message


def test_subscribe_statement_written_with_topic() -> None:
    document = doc(allow("iot:Subscribe", f"{ARN}:topic/a/*"))
    assert kinds(document, "iot:Subscribe", f"{ARN}:topicfilter/a/b") == [("subscribe-needs-topicfilter", 0)]
    assert decide(document, "iot:Subscribe", f"{ARN}:topicfilter/a/b").decision == "IMPLICIT_DENY"
    # A statement that does not name iot:Subscribe (iot:* on topics, for publish and receive) is left alone.
    assert kinds(doc(allow("iot:*", f"{ARN}:topic/a/*")), "iot:Subscribe", f"{ARN}:topicfilter/a/b") == []


@pytest.mark.parametrize("pattern", ["topicfilter/a/#", "topicfilter/+/b", "topic/a/+/c"])
def test_mqtt_wildcards_in_a_policy(pattern: str) -> None:
    action = "iot:Subscribe" if pattern.startswith("topicfilter") else "iot:Publish"
    document = doc(allow(action, f"{ARN}:{pattern}"))
    resource = f"{ARN}:{pattern.split('/')[0]}/a/x/c"
    found = notes([("P", parse_policy(document))], action, [resource])
    assert [(n.kind, n.policy, n.statement) for n in found] == [("mqtt-wildcard", "P", 0)]
    assert "'+' and '#' are literal" in found[0].message
    assert decide(document, action, resource).decision == "IMPLICIT_DENY"  # still literal


def test_wildcard_deny_that_does_not_deny() -> None:
    document = doc(
        allow("iot:Subscribe", f"{ARN}:topicfilter/a/*"),
        deny("iot:Subscribe", f"{ARN}:topicfilter/a/secret/#"),
    )
    resource = f"{ARN}:topicfilter/a/secret/x"
    assert kinds(document, "iot:Subscribe", resource) == [("mqtt-wildcard", 1)]
    assert decide(document, "iot:Subscribe", resource).decision == "ALLOWED"


def test_unknown_iot_action_is_flagged_and_still_matched_as_written() -> None:
    document = doc(allow("iot:Publsh", f"{ARN}:topic/*"), allow("iot:Connect", "*"))
    found = notes([("P", parse_policy(document))], "iot:Publish", [f"{ARN}:topic/t"])
    assert [(n.kind, n.statement) for n in found] == [("unknown-action", 0)]
    assert "did you mean 'iot:Publish'?" in found[0].message
    assert decide(document, "iot:Publish", f"{ARN}:topic/t").decision == "IMPLICIT_DENY"
    assert decide(document, "iot:Publsh", f"{ARN}:topic/t").decision == "ALLOWED"  # as AWS matches it


def test_known_actions_wildcards_and_other_services_are_not_flagged() -> None:
    document = doc(allow([*IOT_POLICY_ACTIONS, "iot:*", "iot:Get*", "greengrass:*", "IOT:CONNECT"], "*"))
    assert kinds(document, "iot:Connect", f"{ARN}:client/c") == []


def test_thing_variable_suggests_the_connection_form() -> None:
    document = doc(allow("iot:Publish", f"{ARN}:topic/${{iot:Thing.ThingName}}/*"))
    found = notes([("P", parse_policy(document))], "iot:Publish", [f"{ARN}:topic/t1/x"])
    assert [(n.kind, n.statement) for n in found] == [("undocumented-variable", 0)]
    assert "${iot:Connection.Thing.ThingName}" in found[0].message
    world = World()
    cert = world.create_test_certificate()["certificateArn"]
    world.create_thing(thingName="t1")
    world.attach_thing_principal(thingName="t1", principal=cert)
    world.create_policy(policyName="P", policyDocument=json.dumps(document))
    world.attach_policy(policyName="P", target=cert)
    result = explain_authorization(world, "PUBLISH", f"{ARN}:topic/t1/x", principal=cert, client_id="t1")
    assert result.auth_decision == "IMPLICIT_DENY"  # unresolved, the safe side, even with the thing resolved
    assert [n.kind for n in result.notes] == ["undocumented-variable"]


def _world(*statements: dict[str, Any]) -> World:
    world = World()
    world.create_policy(policyName="P", policyDocument=json.dumps(doc(*statements)))
    return world


def test_explain_attaches_the_notes_and_the_text_shows_them() -> None:
    world = _world(allow("iot:Subscribe", f"{ARN}:topicfilter/a/#"))
    result = explain_authorization(world, "SUBSCRIBE", f"{ARN}:topicfilter/a/b", policy_names_to_add=["P"])
    assert result.auth_decision == "IMPLICIT_DENY"
    assert [n.kind for n in result.notes] == ["mqtt-wildcard"]
    assert "note: P statement #0: Resource" in str(result)
    assert "note:" in result._repr_html_()
    assert "notes" not in json.dumps(result.to_dict())  # the service's shape is unchanged


def test_notes_are_computed_only_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from boto_iotauth_local.services import authorization

    calls: list[int] = []

    def counting(*args: Any) -> tuple[()]:
        calls.append(1)
        return ()

    monkeypatch.setattr(authorization, "footgun_notes", counting)
    result = explain_authorization(
        _world(allow("iot:*", "*")), "PUBLISH", f"{ARN}:topic/t", policy_names_to_add=["P"]
    )
    assert calls == []
    assert result.notes == () and result.notes == ()
    assert calls == [1]
