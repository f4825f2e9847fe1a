"""AWS CLI v1 plugin: ``aws iot test-authorization`` and ``aws iot test-invoke-authorizer`` answered offline.

Enable it in the CLI's config file (``~/.aws/config`` or ``$AWS_CONFIG_FILE``)::

    [plugins]
    iotauth_local = boto_iotauth_local.faces.awscli_plugin

and name the world file with ``IOTAUTH_LOCAL_WORLD=path/to/world.yaml`` or, per profile,
``iotauth_local_world = path/to/world.yaml`` (a relative path in the config file is relative to the config
file's directory). Without either, the plugin stays off and the CLI calls AWS as usual.

The activation is process-wide, started once the CLI has parsed its arguments (``session-initialized``),
so ``--profile``, ``--region`` and every output option apply as usual: the CLI formats the answer itself
(json, text, table, ``--query``; the CLI v1 has no yaml output) and exits with its own codes on a service
error. The CLI loads its own copy of botocore and makes ``import botocore`` resolve to it; this module
imports the package's botocore users only from the hook, inside the CLI, so the wire layer runs on that
same copy.
"""

from __future__ import annotations

import os
from typing import Any

WORLD_ENV = "IOTAUTH_LOCAL_WORLD"
WORLD_CONFIG_KEY = "iotauth_local_world"

_handle: Any = None


def awscli_initialize(cli: Any) -> None:
    """Called by the AWS CLI with its event emitter when the plugin is loaded."""
    cli.register("session-initialized", _session_initialized, unique_id="boto-iotauth-local")


def world_path(session: Any) -> str | None:
    """The world file the environment or the profile names, or None when neither does."""
    from_env = os.environ.get(WORLD_ENV)
    if from_env:
        return os.path.expanduser(from_env)
    configured = session.get_scoped_config().get(WORLD_CONFIG_KEY)
    if not configured:
        return None
    path = os.path.expanduser(str(configured))
    config_file = session.get_config_variable("config_file")
    if not os.path.isabs(path) and config_file:
        path = os.path.join(os.path.dirname(os.path.abspath(os.path.expanduser(config_file))), path)
    return path


def _session_initialized(session: Any, **_: Any) -> None:
    global _handle
    path = world_path(session)
    if path is None or _handle is not None:
        return
    from boto_iotauth_local.activation.handle import Activation
    from boto_iotauth_local.world import World

    _handle = Activation(World.from_file(path)).start()
