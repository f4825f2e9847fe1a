"""World files: a whole IoT account state in one YAML or JSON file, for fixtures and snapshots.

``World.from_file(path)`` and ``world.to_file(path)`` are the usual entry points; the format is described
in ``docs/world-files.md``. Every problem with a file is a :class:`WorldFileError` naming the file, the
line and the field.
"""

from __future__ import annotations

from boto_iotauth_local.sources.worldfile.dumper import dump_world
from boto_iotauth_local.sources.worldfile.errors import WorldFileError
from boto_iotauth_local.sources.worldfile.loader import load_world

__all__ = ["WorldFileError", "dump_world", "load_world"]
