"""What a name means in a world: one lookup for every face that lets people name principals.

People name devices as their sources do: a world file's certificate ``name``, a template's logical id,
a thing's or a thing group's name, a certificate id. Sources record the names they give certificates
in ``certificate_labels``; :meth:`NameOperations.lookup` answers from it and from the world's own
readers, so a face never special-cases where a world came from. A source with other names for
things or groups extends :meth:`World.lookup` rather than each face.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from boto_iotauth_local.world.world import World

NamedKind = Literal["certificate", "thing", "thing-group"]


@dataclass(frozen=True)
class Named:
    """One thing a name stands for: its kind, its id in the world and its ARN."""

    kind: NamedKind
    #: The certificate id, the thing's name or the thing group's name.
    id: str
    arn: str


def lookup(world: World, name: str) -> tuple[Named, ...]:
    """What :meth:`World.lookup` answers; see there."""
    found: list[Named] = []
    certificate_id = world.certificate_labels.get(name)
    certificate = world.certificate(certificate_id if certificate_id is not None else name)
    if certificate is not None:
        found.append(Named("certificate", certificate.certificate_id, certificate.arn))
    if world.thing(name) is not None:
        found.append(Named("thing", name, world.arns.thing(name)))
    group = world.thing_group(name)
    if group is not None:
        found.append(Named("thing-group", group.name, group.arn))
    return tuple(found)
