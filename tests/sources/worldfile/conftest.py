"""Helpers for the world-file tests: writing files, loading them, and a world's comparable state."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.sources.worldfile import WorldFileError
from boto_iotauth_local.world import World
from boto_iotauth_local.world.arns import principal_kind

DATA = Path(__file__).parent / "data"
EXAMPLE = DATA / "example-world.yaml"

ALLOW_CONNECT = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}'
)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(directory: Path, text: str, name: str = "world.yaml") -> WorldFileError:
    """The error loading ``text`` raises (the test fails when it loads)."""
    path = write(directory, name, text)
    with pytest.raises(WorldFileError) as caught:
        World.from_file(path)
    assert caught.value.path == path
    return caught.value


def state(world: World) -> dict[str, Any]:
    """Everything a world file describes, in a form two equivalent worlds share."""
    policies = {}
    for name in world._policies:
        stored = world.stored_policy(name)
        assert stored is not None
        policies[name] = (
            [(v.version_id, v.document) for v in stored.versions],
            stored.default_version_id,
        )
    default = world.default_authorizer()
    return {
        "account": (world.account_id, world.region),
        "policies": policies,
        "certificates": {
            c.certificate_id: (c.pem, c.status, world.policies_for_target(c.arn))
            for c in world._certificates.values()
        },
        "labels": dict(world.certificate_labels),
        "thing_types": {t.name: (dict(t.properties), t.deprecated) for t in world._thing_types.values()},
        "groups": {
            g.name: (g.parent_name, dict(g.properties), world.policies_for_target(g.arn))
            for g in world._groups.values()
        },
        "things": {
            t.name: (
                t.thing_type_name,
                dict(t.attributes),
                world.groups_of_thing(t.name),
                world.principals_of_thing(t.name),
            )
            for t in world._things.values()
        },
        "cognito": {
            target: policies
            for target, policies in world._target_policies.items()
            if principal_kind(target) == "cognito"
        },
        "pools": {
            p.pool_id: (
                [(r.name, r.document) for r in p.authenticated_policies],
                [(r.name, r.document) for r in p.unauthenticated_policies],
            )
            for p in world._cognito_pools.values()
        },
        "functions": {
            f.arn: (f.handler, f.code_dir, f.runtime, dict(f.environment), f.memory_mb, f.timeout)
            for f in world._functions.values()
        },
        "authorizers": {
            a.name: (
                a.function_arn,
                a.token_key_name,
                dict(a.token_signing_public_keys),
                a.status,
                a.signing_disabled,
                a.enable_caching_for_http,
            )
            for a in world._authorizers.values()
        },
        "default_authorizer": default.name if default is not None else None,
    }
