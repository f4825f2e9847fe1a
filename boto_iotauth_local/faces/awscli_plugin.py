"""AWS CLI plugin (v1 and v2): ``aws iot test-authorization`` and ``test-invoke-authorizer`` answered offline.

Enable it in the CLI's config file (``~/.aws/config`` or ``$AWS_CONFIG_FILE``)::

    [plugins]
    iotauth_local = boto_iotauth_local.faces.awscli_plugin
    # AWS CLI v2 only: the site-packages directory this package is installed in
    cli_legacy_plugin_path = /path/to/venv/lib/python3.X/site-packages

and name the world file with ``IOTAUTH_LOCAL_WORLD=path/to/world.yaml`` or, per profile,
``iotauth_local_world = path/to/world.yaml`` (a relative path in the config file is relative to the config
file's directory). Without either, the plugin stays off and the CLI calls AWS as usual. A world file is
trusted like code; its handler code must lie inside its directory unless
``IOTAUTH_LOCAL_ALLOW_EXTERNAL_HANDLERS=1`` or ``iotauth_local_allow_external_handlers = true`` allows
otherwise (docs/threat-model.md).

The world is loaded only when one of the operations it answers is about to be called
(``before-parameter-build.iot.<Operation>``), so every other command (``aws s3 ls``, ``aws help``,
``--generate-cli-skeleton``) runs as if the plugin were absent, whatever the setting says; a world that
cannot be loaded fails that call alone, with a message naming the setting that gave its path. The
activation is then process-wide, so ``--profile``, ``--region`` and every output option apply as usual: the
CLI formats the answer itself and exits with its own codes on a service error. A certificate's ``name``
from the world file is accepted as ``--principal``, as ``iotauth-local`` accepts it.

The CLI loads its own copy of botocore and makes ``import botocore`` resolve to it; this module imports
the package's botocore users only from the hooks, inside the CLI, so the wire layer runs on that same copy.
"""

from __future__ import annotations

import os
import threading
from typing import Any

WORLD_ENV = "IOTAUTH_LOCAL_WORLD"
WORLD_CONFIG_KEY = "iotauth_local_world"
ALLOW_EXTERNAL_ENV = "IOTAUTH_LOCAL_ALLOW_EXTERNAL_HANDLERS"
ALLOW_EXTERNAL_CONFIG_KEY = "iotauth_local_allow_external_handlers"
_TRUE = ("1", "true", "yes", "on")

_lock = threading.Lock()
_session: Any = None
_handle: Any = None


class WorldSettingError(Exception):
    """The world file a setting names cannot be loaded; the message names the setting and the file."""


def awscli_initialize(cli: Any) -> None:
    """Called by the AWS CLI with its event emitter when the plugin is loaded."""
    cli.register("session-initialized", _session_initialized, unique_id="boto-iotauth-local")
    cli.register("before-parameter-build.iot", _before_parameter_build, unique_id="boto-iotauth-local-call")


def world_setting(session: Any) -> tuple[str, str] | None:
    """``(path, setting)``: the world file the environment or the profile names, and which one did.

    None when neither names one.
    """
    from_env = os.environ.get(WORLD_ENV)
    if from_env:
        return os.path.expanduser(from_env), f"the environment variable {WORLD_ENV}"
    configured = session.get_scoped_config().get(WORLD_CONFIG_KEY)
    if not configured:
        return None
    path = os.path.expanduser(str(configured))
    config_file = session.get_config_variable("config_file")
    if not os.path.isabs(path) and config_file:
        path = os.path.join(os.path.dirname(os.path.abspath(os.path.expanduser(config_file))), path)
    profile = session.get_config_variable("profile") or "default"
    where = f" in {config_file}" if config_file else ""
    return path, f"{WORLD_CONFIG_KEY} of profile {profile!r}{where}"


def world_path(session: Any) -> str | None:
    """The world file the environment or the profile names, or None when neither does."""
    setting = world_setting(session)
    return setting[0] if setting is not None else None


def allow_external_handlers(session: Any) -> bool:
    """Whether the environment or the profile allows handler code outside the world file's directory."""
    from_env = os.environ.get(ALLOW_EXTERNAL_ENV)
    if from_env is not None and from_env.strip():
        return from_env.strip().lower() in _TRUE
    configured = session.get_scoped_config().get(ALLOW_EXTERNAL_CONFIG_KEY)
    return str(configured or "").strip().lower() in _TRUE


def _session_initialized(session: Any, **_: Any) -> None:
    global _session
    _session = session


def _activation() -> Any:
    """The started activation over the configured world (loaded on first use), or None when off."""
    global _handle
    with _lock:
        if _handle is not None or _session is None:
            return _handle
        setting = world_setting(_session)
        if setting is None:
            return None
        path, source = setting
        from boto_iotauth_local.activation.handle import Activation
        from boto_iotauth_local.sources.worldfile import WorldFileError
        from boto_iotauth_local.world import World

        try:
            world = World.from_file(path, allow_external_handlers=allow_external_handlers(_session))
        except WorldFileError as exc:
            raise WorldSettingError(f"boto_iotauth_local: the world file named by {source}: {exc}") from None
        _handle = Activation(world).start()
        return _handle


def _before_parameter_build(params: Any, model: Any, **_: Any) -> None:
    from boto_iotauth_local.services import SERVICES

    if model.name not in SERVICES:
        return
    handle = _activation()
    if handle is None:
        return
    principal = params.get("principal") if isinstance(params, dict) else None
    if model.name == "TestAuthorization" and isinstance(principal, str):
        from boto_iotauth_local.faces.cli.inputs import principal as resolve_principal

        params["principal"] = resolve_principal(handle.world, principal)
