"""The event AWS IoT sends to a custom authorizer's Lambda function (spec A13, §3.3).

AWS documents the event as listing every possible field and leaving out those that do not apply to the
request. ``TestInvokeAuthorizer`` builds it from the call: ``token`` only when given, ``protocols`` always
(``[]`` when no context is given, the safer choice for handlers typed against ``protocols: string[]``),
``protocolData`` only with at least one context and then only the blocks and members the caller supplied,
and a fresh connection id each time.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from typing import Any

#: The order of ``protocols`` in AWS's documented event.
_PROTOCOL_ORDER = ("tls", "http", "mqtt")
_MEMBERS = {
    "tls": ("serverName",),
    "http": ("headers", "queryString"),
    "mqtt": ("username", "password", "clientId"),
}


def _block(protocol: str, context: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {}
    for member in _MEMBERS[protocol]:
        if member not in context or context[member] is None:
            continue
        value = context[member]
        if member == "headers":
            value = dict(value)
        elif member == "password" and isinstance(value, (bytes, bytearray)):
            # The event carries the password as the Base64 text that came on the wire.
            value = base64.b64encode(bytes(value)).decode("ascii")
        block[member] = value
    return block


def build_event(
    *,
    token: str | None,
    signature_verified: bool,
    http_context: Mapping[str, Any] | None,
    mqtt_context: Mapping[str, Any] | None,
    tls_context: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The authorizer event for one ``TestInvokeAuthorizer`` call.

    Contexts use the API's member names (``headers``/``queryString``, ``username``/``password``/``clientId``,
    ``serverName``). The MQTT password is expected as the Base64 text the request carried; raw ``bytes``
    are Base64-encoded to that text.
    """
    contexts = {"tls": tls_context, "http": http_context, "mqtt": mqtt_context}
    given = [protocol for protocol in _PROTOCOL_ORDER if contexts[protocol] is not None]
    event: dict[str, Any] = {}
    if token is not None:
        event["token"] = token
    event["signatureVerified"] = bool(signature_verified)
    event["protocols"] = list(given)
    if given:
        event["protocolData"] = {protocol: _block(protocol, contexts[protocol] or {}) for protocol in given}
    event["connectionMetadata"] = {"id": str(uuid.uuid4())}
    return event
