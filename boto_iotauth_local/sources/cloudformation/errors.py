"""The errors of infrastructure-code sources: a template that cannot be turned into a world.

A :class:`TemplateError` is a :class:`~boto_iotauth_local.sources.worldfile.WorldFileError` (every
``--world`` reader already reports those as ``path:line: field: message``) that also carries the logical
id and the property at fault, so a team finds the line of their template that AWS IoT would refuse.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence

from boto_iotauth_local.sources.worldfile.errors import WorldFileError


class TemplateError(WorldFileError):
    """A template (CloudFormation, SAM, CDK output) or Terraform JSON that cannot become a world.

    ``logical_id`` is the resource's logical id (a Terraform address for Terraform), ``property`` the
    property path inside it (``Properties.PolicyDocument``), either None when the fault is elsewhere.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        line: int | None,
        message: str,
        *,
        logical_id: str | None = None,
        property: str | None = None,
    ) -> None:
        self.logical_id = logical_id
        self.property = property
        where = ".".join(p for p in (logical_id, property) if p) or None
        super().__init__(path, line, where, message)

    def __reduce__(self) -> tuple[type[TemplateError], tuple[object, ...]]:  # type: ignore[override]
        return (_rebuild, (self.path, self.line, self.message, self.logical_id, self.property))  # type: ignore[return-value]


def _rebuild(
    path: str, line: int | None, message: str, logical_id: str | None, property: str | None
) -> TemplateError:
    return TemplateError(path, line, message, logical_id=logical_id, property=property)


class PartialLoadWarning(UserWarning):
    """Parts of supported resources left out (Lambda code that cannot run here, unknown IAM policies)."""


class UnsupportedResourcesWarning(UserWarning):
    """Resources a source does not turn into world state (they cannot change an IoT decision here)."""


def warn_unsupported(
    path: str | os.PathLike[str], skipped: Mapping[str, Sequence[str]], stacklevel: int = 2
) -> None:
    """One warning listing every skipped resource type with its logical ids (or addresses).

    ``stacklevel`` counts from the caller of this function, as in :func:`warnings.warn`.
    """
    if not skipped:
        return
    listed = "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in sorted(skipped.items()))
    warnings.warn(
        UnsupportedResourcesWarning(
            f"{path}: resources not modelled (no effect on IoT authorization here), skipped: {listed}"
        ),
        stacklevel=stacklevel + 1,
    )
