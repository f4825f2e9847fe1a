"""The ``iotauth-local`` command line: both operations, explanations and who-can, from a world file.

``main`` is the console script's entry point (``iotauth-local = boto_iotauth_local.faces.cli:main``); exit
codes are listed in ``ExitCode``.
"""

from __future__ import annotations

from .main import ExitCode, build_parser, main

__all__ = ["ExitCode", "build_parser", "main"]
