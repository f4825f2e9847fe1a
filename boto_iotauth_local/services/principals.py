"""Which principal a TestAuthorization request names, and what the world knows of it (part A5, A6, A11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import InvalidRequestException, ResourceNotFoundException
from ..world import World, principal_kind

PrincipalKind = Literal["certificate", "thing-group", "cognito", "none"]


@dataclass(frozen=True)
class Principal:
    """The request's principal, checked against the world."""

    kind: PrincipalKind
    value: str | None
    name: str | None = None  # certificate id or thing group name


def classify_principal(world: World, principal: str | None) -> Principal:
    """Recognise one of the three documented forms; an unknown resource is a 404, an unknown form a 400.

    A certificate or thing group ARN of another region, account or partition names nothing in this world.
    """
    if principal is None:
        return Principal("none", None)
    kind = principal_kind(principal)
    if kind == "certificate":
        certificate = world.certificate_by_arn(principal)
        if certificate is None:
            raise ResourceNotFoundException(f"The certificate {principal} does not exist")
        return Principal("certificate", principal, certificate.certificate_id)
    if kind == "thinggroup":
        group = world.thing_group_by_arn(principal)
        if group is None:
            raise ResourceNotFoundException(f"The thing group {principal} does not exist")
        return Principal("thing-group", principal, group.name)
    if kind == "cognito":
        return Principal("cognito", principal)
    raise InvalidRequestException(
        f"Principal '{principal}' is not valid: expected a certificate ARN "
        "(arn:aws:iot:region:accountId:cert/certificateId), a thing group ARN "
        "(arn:aws:iot:region:accountId:thinggroup/groupName) or a Cognito identity id (region:id)"
    )


def resolve_thing(world: World, principal: Principal, client_id: str | None) -> str | None:
    """Part A6: the thing named by clientId when attached to the principal, else its exclusive thing."""
    if principal.kind not in ("certificate", "cognito") or principal.value is None:
        return None
    return choose_thing(world.things_for_principal(principal.value), client_id)


def choose_thing(attached: tuple[tuple[str, str], ...], client_id: str | None) -> str | None:
    """Part A6 over the principal's ``(thing name, thingPrincipalType)`` attachments."""
    if client_id is not None and any(name == client_id for name, _ in attached):
        return client_id
    exclusive = [name for name, kind in attached if kind == "EXCLUSIVE_THING"]
    return exclusive[0] if len(exclusive) == 1 else None
