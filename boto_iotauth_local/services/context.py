"""The policy-variable and condition-key values of one TestAuthorization request (part B §2.6, §2.7).

Only what a control-plane test can know is set: the client id, the resolved thing, the certificate's
fields, the Cognito identity and the clock. Keys that exist only on a live connection (``aws:SourceIp``,
``iot:DomainName``, ``iot:ConnectAttributes``, ``iot:LastWillTopic``) stay unset, so a policy that uses them
reports them in ``missingContextValues``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

from ..world import World
from .principals import Principal

COGNITO_SUB = "cognito-identity.amazonaws.com:sub"


def request_values(
    world: World,
    principal: Principal,
    client_id: str | None,
    thing_name: str | None,
    now: datetime.datetime | None = None,
    *,
    only: AbstractSet[str] | None = None,
) -> dict[str, str | Sequence[str]]:
    """The request's context values; with ``only`` (lower-cased key names), just those keys.

    ``only`` lets a fleet question work out, per principal, just the values its policies read: no
    certificate is parsed and no clock formatted for policies that read neither. The values given are
    exactly those the full call gives for the same keys.
    """
    if only is None:
        client = attached = name = thing_fields = certificate_fields = clock = True
    else:
        client, attached, name = _CLIENT_ID in only, _IS_ATTACHED in only, _THING_NAME in only
        thing_fields = any(key.startswith(_THING_PREFIX) for key in only - {_THING_NAME, _IS_ATTACHED})
        certificate_fields = any(key.startswith(_CERTIFICATE_PREFIX) for key in only)
        clock = _CURRENT_TIME in only or _EPOCH_TIME in only
    values: dict[str, str | Sequence[str]] = {}
    if client_id is not None and client:
        values["iot:ClientId"] = client_id
    if principal.kind in ("certificate", "cognito") and attached:
        values["iot:Connection.Thing.IsAttached"] = "true" if thing_name is not None else "false"
    if thing_name is not None:
        if name:
            values["iot:Connection.Thing.ThingName"] = thing_name
        thing = world.thing(thing_name) if thing_fields else None
        if thing is not None:
            if thing.thing_type_name:
                values["iot:Connection.Thing.ThingTypeName"] = thing.thing_type_name
            for key, value in thing.attributes.items():
                values[f"iot:Connection.Thing.Attributes[{key}]"] = value
    if principal.kind == "certificate" and principal.name is not None and certificate_fields:
        # Documented in the developer guide's certificate policy examples (topic/${iot:CertificateId}).
        values["iot:CertificateId"] = principal.name
        certificate = world.certificate(principal.name)
        if certificate is not None:
            values.update(certificate.policy_variables())
    if principal.kind == "cognito" and principal.value is not None:
        values[COGNITO_SUB] = principal.value
    if clock:
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        values["aws:CurrentTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        values["aws:EpochTime"] = str(int(moment.timestamp()))
    if only is not None:
        return {key: value for key, value in values.items() if key.lower() in only}
    return values


_CLIENT_ID = "iot:clientid"
_IS_ATTACHED = "iot:connection.thing.isattached"
_THING_NAME = "iot:connection.thing.thingname"
_THING_PREFIX = "iot:connection.thing."
_CERTIFICATE_PREFIX = "iot:certificate"
_CURRENT_TIME = "aws:currenttime"
_EPOCH_TIME = "aws:epochtime"
