"""The authorizer event, field by field (spec A13, §3.3)."""

from __future__ import annotations

import uuid
from typing import Any

from boto_iotauth_local.authorizers import build_event


def _event(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "token": None,
        "signature_verified": False,
        "http_context": None,
        "mqtt_context": None,
        "tls_context": None,
    }
    arguments.update(overrides)
    return build_event(**arguments)


def test_no_context_has_empty_protocols_and_no_protocol_data() -> None:
    event = _event()
    assert list(event) == ["signatureVerified", "protocols", "connectionMetadata"]
    assert event["signatureVerified"] is False
    assert event["protocols"] == []
    assert "token" not in event
    assert "protocolData" not in event


def test_token_and_signature_verified_when_given() -> None:
    event = _event(token="allow", signature_verified=True)
    assert list(event) == ["token", "signatureVerified", "protocols", "connectionMetadata"]
    assert event["token"] == "allow"
    assert event["signatureVerified"] is True


def test_empty_token_is_still_a_token() -> None:
    assert _event(token="")["token"] == ""


def test_connection_id_is_a_fresh_uuid4() -> None:
    first, second = _event()["connectionMetadata"]["id"], _event()["connectionMetadata"]["id"]
    assert uuid.UUID(first).version == 4
    assert uuid.UUID(second).version == 4
    assert first != second
    assert list(_event()["connectionMetadata"]) == ["id"]


def test_http_context_with_both_members() -> None:
    event = _event(http_context={"headers": {"x-token": "abc"}, "queryString": "?a=1"})
    assert event["protocols"] == ["http"]
    assert event["protocolData"] == {"http": {"headers": {"x-token": "abc"}, "queryString": "?a=1"}}


def test_http_context_keeps_only_supplied_members() -> None:
    assert _event(http_context={"headers": {"h": "v"}})["protocolData"] == {"http": {"headers": {"h": "v"}}}
    assert _event(http_context={"queryString": "?q=1"})["protocolData"] == {"http": {"queryString": "?q=1"}}


def test_http_headers_are_copied() -> None:
    headers = {"h": "v"}
    event = _event(http_context={"headers": headers})
    headers["other"] = "x"
    assert event["protocolData"]["http"]["headers"] == {"h": "v"}


def test_mqtt_context_with_all_members_in_documented_order() -> None:
    event = _event(mqtt_context={"clientId": "thing1", "password": "dGVzdA==", "username": "user"})
    assert event["protocols"] == ["mqtt"]
    mqtt = event["protocolData"]["mqtt"]
    assert mqtt == {"username": "user", "password": "dGVzdA==", "clientId": "thing1"}
    assert list(mqtt) == ["username", "password", "clientId"]


def test_mqtt_password_is_passed_as_the_base64_text_given() -> None:
    assert _event(mqtt_context={"password": "dGVzdA=="})["protocolData"]["mqtt"] == {"password": "dGVzdA=="}


def test_mqtt_password_bytes_become_base64_text() -> None:
    assert _event(mqtt_context={"password": b"test"})["protocolData"]["mqtt"] == {"password": "dGVzdA=="}


def test_mqtt_context_without_client_id_leaves_it_out() -> None:
    mqtt = _event(mqtt_context={"username": "user"})["protocolData"]["mqtt"]
    assert mqtt == {"username": "user"}


def test_tls_context() -> None:
    event = _event(tls_context={"serverName": "iot.example.com"})
    assert event["protocols"] == ["tls"]
    assert event["protocolData"] == {"tls": {"serverName": "iot.example.com"}}


def test_all_contexts_in_tls_http_mqtt_order() -> None:
    event = _event(
        token="t",
        signature_verified=True,
        mqtt_context={"username": "u"},
        http_context={"queryString": "?x=1"},
        tls_context={"serverName": "s"},
    )
    assert event["protocols"] == ["tls", "http", "mqtt"]
    assert list(event["protocolData"]) == ["tls", "http", "mqtt"]
    assert list(event) == ["token", "signatureVerified", "protocols", "protocolData", "connectionMetadata"]


def test_http_and_mqtt_without_tls() -> None:
    event = _event(mqtt_context={"clientId": "c"}, http_context={"headers": {}})
    assert event["protocols"] == ["http", "mqtt"]
    assert event["protocolData"] == {"http": {"headers": {}}, "mqtt": {"clientId": "c"}}


def test_empty_context_counts_as_given() -> None:
    event = _event(tls_context={})
    assert event["protocols"] == ["tls"]
    assert event["protocolData"] == {"tls": {}}


def test_unknown_context_members_are_not_copied() -> None:
    assert _event(tls_context={"serverName": "s", "extra": 1})["protocolData"] == {"tls": {"serverName": "s"}}
