"""CloudFormation templates as worlds: JSON or YAML, SAM, and what ``cdk synth`` writes.

``load_template(path, world)`` reads one template (or a ``cdk.out`` folder: every stack in its
``manifest.json``) into a World through its writers. The supported resources and intrinsic functions are
listed in ``docs/iac.md``; a resource type not listed there is skipped with one warning, and an IoT
resource that cannot be built is a :class:`TemplateError` naming the file, the line, the logical id and
the property.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from boto_iotauth_local.sources.cloudformation import reader
from boto_iotauth_local.sources.cloudformation.errors import (
    PartialLoadWarning,
    TemplateError,
    UnsupportedResourcesWarning,
    warn_unsupported,
)
from boto_iotauth_local.sources.cloudformation.nested import nested_stack
from boto_iotauth_local.sources.cloudformation.resources import BUILDERS, PHASES
from boto_iotauth_local.sources.cloudformation.template import Shared, Stack
from boto_iotauth_local.world.world import World

__all__ = [
    "PartialLoadWarning",
    "TemplateError",
    "UnsupportedResourcesWarning",
    "is_template",
    "load_template",
    "template_paths",
]

_BUILDERS = {**BUILDERS, "AWS::CloudFormation::Stack": nested_stack}


def is_template(data: Any) -> bool:
    """CloudFormation's own test: a top-level ``Resources`` mapping."""
    return isinstance(data, dict) and isinstance(data.get("Resources"), dict)


def template_paths(folder: Path) -> list[Path]:
    """The stack templates a ``cdk.out`` folder's ``manifest.json`` lists, in its order."""
    manifest_path = folder / "manifest.json"
    text = reader.read_text(manifest_path)
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(manifest_path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    artifacts = manifest.get("artifacts", {}) if isinstance(manifest, dict) else {}
    paths = []
    for name, artifact in artifacts.items() if isinstance(artifacts, dict) else []:
        if isinstance(artifact, dict) and artifact.get("type") == "aws:cloudformation:stack":
            file = artifact.get("properties", {}).get("templateFile")
            if not isinstance(file, str):
                raise TemplateError(manifest_path, None, f"stack artifact {name} names no templateFile")
            paths.append(folder / file)
    if not paths:
        raise TemplateError(manifest_path, None, "this cdk.out manifest lists no CloudFormation stack")
    return paths


def load_template(
    path: Path,
    world: World,
    *,
    parameters: Mapping[str, Any] | None = None,
    parsed: reader.TemplateText | None = None,
) -> None:
    """Build the resources of the template at ``path`` (or of every stack in a cdk.out) into ``world``."""
    shared = Shared(world=world, parameters=dict(parameters or {}))
    sources = [parsed] if parsed is not None else []
    if not sources:
        files = template_paths(path) if path.is_dir() else [path]
        sources = [reader.parse(file, reader.read_text(file)) for file in files]
    for source in sources:
        stack_name = str(shared.parameters.get("AWS::StackName", _stack_name(source.path)))
        Stack(
            source,
            shared,
            stack_name=stack_name,
            parameters=shared.parameters,
            builders=_BUILDERS,
            phases=PHASES,
        ).load()
    labels = dict(world.certificate_labels)
    labels.update(shared.labels)
    world.certificate_labels = MappingProxyType(labels)
    # attributed to the code calling World.from_file (load_template <- load_sources <- from_file)
    warn_unsupported(path, shared.skipped, stacklevel=4)
    if shared.notes:
        warnings.warn(PartialLoadWarning("; ".join(shared.notes)), stacklevel=4)


def _stack_name(path: Path) -> str:
    """The stack name from the file name (``Sensors.template.json`` -> ``Sensors``), as cdk names it."""
    name = path.name.split(".")[0]
    cleaned = "".join(c if c.isalnum() or c == "-" else "-" for c in name).strip("-")
    return cleaned if cleaned and cleaned[0].isalpha() else f"stack-{cleaned or 'template'}"
