"""The checks, one module per kind of resource; importing this package registers them all."""

from __future__ import annotations

from . import certificates, cognito, policies

__all__ = ["certificates", "cognito", "policies"]
