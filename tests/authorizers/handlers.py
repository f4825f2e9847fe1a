"""Module-level handlers that the isolated runtime can re-import by module and qualified name."""

from __future__ import annotations

import os
import sys
from typing import Any


def report(event: dict[str, Any], context: Any) -> dict[str, Any]:
    print("report called")
    return {
        "pid": os.getpid(),
        "token": event.get("token"),
        "function_name": context.function_name,
        "package_loaded": sorted(
            name for name in sys.modules if name.startswith(("boto_iotauth_local", "botocore"))
        ),
    }


class Handlers:
    @classmethod
    def authorize(cls, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"class": cls.__name__, "pid": os.getpid()}
