"""Which source a file is, and one World from one or several of them.

``World.from_file`` goes through :func:`load_sources`. A file's format is found from its content, as each
tool defines its own: a top-level ``Resources`` mapping is a CloudFormation template (SAM and ``cdk synth``
output included; a folder with a ``manifest.json`` is a ``cdk.out``); ``format_version`` with
``planned_values`` or ``values`` is Terraform's ``terraform show -json``; anything else is a world file.

Several paths combine into one world, loaded in order: typically a template, then a world file for the
devices that exist only at run time (the file may name the template's policies and certificates, by
logical id). The world's account and region are the arguments', else the first world file's, else the
template's ``AWS::Region`` / ``AWS::AccountId`` parameters or Terraform's provider region, else
``123456789012`` in ``us-east-1``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from boto_iotauth_local.engine import jsondata
from boto_iotauth_local.sources.cloudformation import reader
from boto_iotauth_local.sources.cloudformation.errors import TemplateError
from boto_iotauth_local.world.world import World

W = TypeVar("W", bound=World)
#: A top-level ``Resources:`` key in YAML (at the start of a line, so not nested).
_TOP_LEVEL_RESOURCES = re.compile(r"^(?:Resources|'Resources'|\"Resources\")[ \t]*:", re.MULTILINE)
PathLike = str | os.PathLike[str]


def detect(path: Path) -> tuple[str, Any]:
    """``("cloudformation" | "terraform" | "worldfile", parsed or None)`` for the file at ``path``."""
    if path.is_dir():
        if (path / "manifest.json").is_file():
            return "cloudformation", None
        raise TemplateError(path, None, "a folder is read only as a cdk.out (it has no manifest.json)")
    if not path.is_file():
        return "worldfile", None  # its reader reports a missing file, or a suffix it does not know
    text = reader.read_text(path)
    if text.lstrip().startswith("{"):
        try:
            data = jsondata.loads(text, max_depth=reader.MAX_DEPTH)
        except ValueError:
            return "worldfile", None  # the world file reader reports the error at its line
        if (
            isinstance(data, dict)
            and "format_version" in data
            and ("planned_values" in data or "values" in data)
        ):
            return "terraform", data
        if isinstance(data, dict) and {"terraform_version", "lineage", "resources"} <= data.keys():
            # Terraform's own state file (format version 4), not the documented JSON output: its layout is
            # internal to Terraform. Said plainly rather than read as a world file with unknown keys.
            raise TemplateError(
                path,
                None,
                "this is a raw Terraform state file; load the output of `terraform show -json` "
                "(with the state, or a saved plan) instead",
            )
        if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
            return "cloudformation", reader.parse(path, text)
        return "worldfile", None
    if _TOP_LEVEL_RESOURCES.search(text):  # world files have no such key; one YAML parse, not two
        return "cloudformation", reader.parse(path, text)
    return "worldfile", None


def load_sources(
    paths: PathLike | Sequence[PathLike],
    *,
    world_class: type[W],
    parameters: Mapping[str, Any] | None = None,
    region: str | None = None,
    account_id: str | None = None,
    allow_external_handlers: bool = False,
) -> W:
    """One world from one or several sources, combined in order (see the module's docstring).

    ``allow_external_handlers`` lets world files name handler code outside their directory.
    """
    from boto_iotauth_local.sources import terraform
    from boto_iotauth_local.sources.cloudformation import load_template
    from boto_iotauth_local.sources.worldfile import load_world

    listed = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    if not listed:
        raise ValueError("World.from_file needs at least one path")
    given = dict(parameters or {})
    sources = [(Path(p), *detect(Path(p))) for p in listed]
    world: W | None = None
    for index, (path, kind, parsed) in enumerate(sources):
        if world is None and kind == "worldfile" and region is None and account_id is None:
            world = load_world(path, world_class=world_class, allow_external_handlers=allow_external_handlers)
            continue
        if world is None:
            world = _new_world(world_class, sources[index:], given, region, account_id)
        if kind == "worldfile":
            load_world(
                path, world_class=world_class, into=world, allow_external_handlers=allow_external_handlers
            )
        elif kind == "terraform":
            terraform.load_plan(path, parsed, world, parameters=given)
        else:
            load_template(path, world, parameters=given, parsed=parsed)
    assert world is not None
    return world


def _new_world(
    world_class: type[W],
    sources: list[tuple[Path, str, Any]],
    given: dict[str, Any],
    region: str | None,
    account_id: str | None,
) -> W:
    from boto_iotauth_local.sources import terraform

    first_path, first_kind, first_parsed = sources[0]
    if region is None:
        region = str(given["AWS::Region"]) if "AWS::Region" in given else None
    if region is None and first_kind == "terraform":
        region = terraform.provider_region(first_parsed)
    if account_id is None and "AWS::AccountId" in given:
        account_id = str(given["AWS::AccountId"])
    try:
        return world_class(account_id=account_id or "123456789012", region=region or "us-east-1")
    except ValueError as exc:
        raise TemplateError(first_path, None, str(exc)) from None
