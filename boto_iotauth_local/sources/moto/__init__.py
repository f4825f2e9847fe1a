"""moto-backed worlds: answer from the IoT state boto3 created under ``moto.mock_aws``.

Importing this package does not import moto; :func:`moto_active` only looks at modules already loaded, and
the rest reads moto's backends only once moto is active.
"""

from __future__ import annotations

from .detect import default_account, moto_active, request_account

__all__ = ["MotoWorld", "default_account", "moto_active", "moto_world", "request_account"]


def __getattr__(name: str) -> object:
    if name in ("MotoWorld", "moto_world"):
        from . import world

        return getattr(world, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
