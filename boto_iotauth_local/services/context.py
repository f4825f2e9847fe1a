"""The policy-variable and condition-key values of one TestAuthorization request (part B §2.6, §2.7).

Only what a control-plane test can know is set: the client id, the resolved thing, the certificate's
fields, the Cognito identity and the clock. Keys that exist only on a live connection (``aws:SourceIp``,
``iot:DomainName``, ``iot:ConnectAttributes``, ``iot:LastWillTopic``) stay unset, so a policy that uses them
reports them in ``missingContextValues``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from ..world import World
from .principals import Principal

COGNITO_SUB = "cognito-identity.amazonaws.com:sub"


def request_values(
    world: World,
    principal: Principal,
    client_id: str | None,
    thing_name: str | None,
    now: datetime.datetime | None = None,
) -> dict[str, str | Sequence[str]]:
    values: dict[str, str | Sequence[str]] = {}
    if client_id is not None:
        values["iot:ClientId"] = client_id
    if principal.kind in ("certificate", "cognito"):
        values["iot:Connection.Thing.IsAttached"] = "true" if thing_name is not None else "false"
    if thing_name is not None:
        thing = world.thing(thing_name)
        values["iot:Connection.Thing.ThingName"] = thing_name
        if thing is not None:
            if thing.thing_type_name:
                values["iot:Connection.Thing.ThingTypeName"] = thing.thing_type_name
            for key, value in thing.attributes.items():
                values[f"iot:Connection.Thing.Attributes[{key}]"] = value
    if principal.kind == "certificate" and principal.name is not None:
        # Documented in the developer guide's certificate policy examples (topic/${iot:CertificateId}).
        values["iot:CertificateId"] = principal.name
        certificate = world.certificate(principal.name)
        if certificate is not None:
            values.update(certificate.policy_variables())
    if principal.kind == "cognito" and principal.value is not None:
        values[COGNITO_SUB] = principal.value
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    values["aws:CurrentTime"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    values["aws:EpochTime"] = str(int(moment.timestamp()))
    return values
