"""Writing a World as a world file that loads back into an equivalent world.

Generated certificates are written as PEM, so their content-hash ids stay the same; policy documents are
written as mappings when that reproduces their stored text exactly, else as the JSON string they were
given; policy version ids are written only where they do not simply count up. A function whose handler
is a Python callable cannot be written: only an importable reference can be named in a file.

The world offers no List call for thing groups, identity pools or local functions, so those are read
from its tables, as its own readers do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from boto_iotauth_local.authorizers.references import describe, split_reference
from boto_iotauth_local.sources.worldfile.errors import WorldFileError
from boto_iotauth_local.sources.worldfile.loader import file_format
from boto_iotauth_local.world.arns import principal_kind
from boto_iotauth_local.world.functions import FunctionSpec
from boto_iotauth_local.world.world import World


def dump_world(world: World, path: str | os.PathLike[str]) -> None:
    """Write ``world`` to ``path`` as YAML or JSON, by the suffix."""
    target = Path(path)
    file_format(target)
    write_data(world_to_data(world, target.resolve().parent, path=target), target)


def write_data(data: Mapping[str, Any], path: Path, comments: Iterable[str] = ()) -> None:
    """Write world-file data; ``comments`` head a YAML file (JSON has no comments, so they are dropped)."""
    if file_format(path) == "json":
        text = json.dumps(data, indent=2) + "\n"
    else:
        header = "".join(f"# {line}\n" if line else "#\n" for line in comments)
        text = header + yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


class _Dumper(yaml.SafeDumper):
    """Block literals for multi-line text (PEMs, JSON strings), so a dumped file stays readable."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def document_value(text: str) -> Any:
    """A stored policy document as written: a mapping when it loads back to the same text, else a string."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, dict) and json.dumps(parsed) == text else text


def _relative(path: Path, base: Path) -> str:
    """``path`` relative to the file's directory when it lies under it, else absolute."""
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path)


def world_to_data(world: World, base_dir: Path, *, path: Path | None = None) -> dict[str, Any]:
    """The world-file data of ``world``, with file paths relative to ``base_dir``."""
    data: dict[str, Any] = {"account_id": world.account_id, "region": world.region}
    labels = {certificate_id: label for label, certificate_id in world.certificate_labels.items()}

    def certificate_reference(arn: str) -> str:
        found = world.certificate_by_arn(arn)
        assert found is not None
        return labels.get(found.certificate_id, found.certificate_id)

    data["policies"] = [_policy(world, name) for name in world._policies]
    data["thing_types"] = [_thing_type(world, name) for name in world._thing_types]
    data["thing_groups"] = [_thing_group(world, name) for name in world._groups]

    ca_certificates: list[dict[str, Any]] = []
    for ca in world._ca_certificates.values():
        ca_entry: dict[str, Any] = {"pem": ca.pem}
        if ca.verification_pem is not None:
            ca_entry["verification_pem"] = ca.verification_pem
        ca_entry["certificate_mode"] = ca.certificate_mode
        if ca.status != "ACTIVE":
            ca_entry["status"] = ca.status
        if ca.auto_registration_status == "ENABLE":
            ca_entry["auto_registration"] = True
        ca_certificates.append(ca_entry)
    data["ca_certificates"] = ca_certificates
    data["revocation_lists"] = [{"pem": listed.pem} for listed in world._revocation_lists]
    if world.weak_key_lists():
        data["weak_key_lists"] = [listed.path for listed in world.weak_key_lists()]

    certificates: list[dict[str, Any]] = []
    for certificate in world._certificates.values():
        entry: dict[str, Any] = {}
        if certificate.certificate_id in labels:
            entry["name"] = labels[certificate.certificate_id]
        entry["pem"] = certificate.pem
        if certificate.status != "ACTIVE":
            entry["status"] = certificate.status
        policies = world.policies_for_target(certificate.arn)
        if policies:
            entry["policies"] = list(policies)
        certificates.append(entry)
    data["certificates"] = certificates

    cognito = [
        {"id": target, "policies": list(policies)}
        for target, policies in world._target_policies.items()
        if principal_kind(target) == "cognito" and policies
    ]
    data["cognito_identities"] = cognito

    things: list[dict[str, Any]] = []
    for name, thing in world._things.items():
        entry = {"name": name}
        if thing.thing_type_name is not None:
            entry["type"] = thing.thing_type_name
        if thing.attributes:
            entry["attributes"] = dict(thing.attributes)
        if world.groups_of_thing(name):
            entry["groups"] = list(world.groups_of_thing(name))
        principals: list[Any] = []
        for principal, kind in world.principals_of_thing(name):
            exclusive = kind == "EXCLUSIVE_THING"
            if principal_kind(principal) == "cognito":
                item: dict[str, Any] = {"cognito_identity": principal}
            elif not exclusive:
                principals.append(certificate_reference(principal))
                continue
            else:
                item = {"certificate": certificate_reference(principal)}
            if exclusive:
                item["exclusive"] = True
            principals.append(item)
        if principals:
            entry["principals"] = principals
        things.append(entry)
    data["things"] = things

    data["cognito_identity_pools"] = [
        {
            "id": pool.pool_id,
            **{
                key: {p.name: document_value(p.document) for p in policies}
                for key, policies in (
                    ("authenticated_policies", pool.authenticated_policies),
                    ("unauthenticated_policies", pool.unauthenticated_policies),
                )
                if policies
            },
        }
        for pool in world._cognito_pools.values()
    ]

    function_names: dict[str, str] = {}
    functions: list[dict[str, Any]] = []
    for index, spec in enumerate(world._functions.values()):
        entry = _function(world, spec, base_dir, path, index)
        function_names[spec.arn] = entry["name"]
        functions.append(entry)
    data["functions"] = functions

    default = world.default_authorizer()
    authorizers: list[dict[str, Any]] = []
    for name, authorizer in world._authorizers.items():
        entry = {
            "name": name,
            "function": function_names.get(authorizer.function_arn, authorizer.function_arn),
        }
        if authorizer.token_key_name is not None:
            entry["token_key_name"] = authorizer.token_key_name
        if authorizer.token_signing_public_keys:
            entry["signing_public_keys"] = dict(authorizer.token_signing_public_keys)
        if authorizer.status != "ACTIVE":
            entry["status"] = authorizer.status
        if authorizer.signing_disabled:
            entry["signing_disabled"] = True
        if authorizer.enable_caching_for_http:
            entry["enable_caching_for_http"] = True
        if default is not None and default.name == name:
            entry["default"] = True
        authorizers.append(entry)
    data["authorizers"] = authorizers
    return {key: value for key, value in data.items() if value not in ([], None)}


def _policy(world: World, name: str) -> dict[str, Any]:
    stored = world.stored_policy(name)
    assert stored is not None
    versions = sorted(stored.versions, key=lambda v: int(v.version_id))
    entry: dict[str, Any] = {"name": name, "document": document_value(versions[0].document)}
    if versions[0].version_id != "1":
        entry["version_id"] = int(versions[0].version_id)
    extra: list[dict[str, Any]] = []
    previous = int(versions[0].version_id)
    for version in versions[1:]:
        item: dict[str, Any] = {}
        if int(version.version_id) != previous + 1:
            item["id"] = int(version.version_id)
        item["document"] = document_value(version.document)
        extra.append(item)
        previous = int(version.version_id)
    if extra:
        entry["versions"] = extra
    if stored.default_version_id != versions[0].version_id:
        entry["default_version"] = int(stored.default_version_id)
    return entry


def _thing_type(world: World, name: str) -> dict[str, Any]:
    thing_type = world._thing_types[name]
    entry: dict[str, Any] = {"name": name}
    description = thing_type.properties.get("thingTypeDescription")
    if description is not None:
        entry["description"] = description
    searchable = thing_type.properties.get("searchableAttributes")
    if searchable:
        entry["searchable_attributes"] = list(searchable)
    if thing_type.deprecated:
        entry["deprecated"] = True
    return entry


def _thing_group(world: World, name: str) -> dict[str, Any]:
    group = world._groups[name]
    entry: dict[str, Any] = {"name": name}
    if group.parent_name is not None:
        entry["parent"] = group.parent_name
    description = group.properties.get("thingGroupDescription")
    if description is not None:
        entry["description"] = description
    attributes = (group.properties.get("attributePayload") or {}).get("attributes")
    if attributes:
        entry["attributes"] = dict(attributes)
    policies = world.policies_for_target(group.arn)
    if policies:
        entry["policies"] = list(policies)
    return entry


def _function(
    world: World, spec: FunctionSpec, base_dir: Path, path: Path | None, index: int
) -> dict[str, Any]:
    name = spec.name if spec.arn == world.arns.lambda_function(spec.name) else spec.arn
    if not isinstance(spec.handler, str):
        raise WorldFileError(
            path or base_dir,
            None,
            f"functions[{index}].handler",
            f"function {name!r} has a Python callable as its handler ({describe(spec.handler)}), which a "
            "world file cannot name; register it with a 'package.module.function' or "
            "'path/to/app.py:function' reference instead",
        )
    handler = spec.handler
    kind, target, attribute = split_reference(handler)
    if kind == "file" and spec.code_dir is None:  # the runtime reads it from the working directory
        handler = f"{_relative(Path(os.path.abspath(os.path.expanduser(target))), base_dir)}:{attribute}"
    entry: dict[str, Any] = {"name": name, "handler": handler}
    if spec.code_dir is not None:
        entry["code_dir"] = _relative(spec.code_dir, base_dir)
    if spec.runtime != "auto":
        entry["runtime"] = spec.runtime
    if spec.environment:
        entry["environment"] = dict(spec.environment)
    if spec.memory_mb != 128:
        entry["memory_mb"] = spec.memory_mb
    if spec.timeout != 5.0:
        entry["timeout"] = spec.timeout
    return entry
