"""Terraform's ``terraform show -json`` output as a world: a plan (``planned_values``) or a state.

The supported resource types are listed in ``docs/iac.md``; others are skipped with one warning. A value
a plan does not know yet ("known after apply") is taken from the resource the configuration says it
comes from (``aws_iot_certificate.cert.arn``), once that resource is built here; otherwise it is a
:class:`~boto_iotauth_local.sources.cloudformation.TemplateError` naming the address, unless ``parameters``
gives a stand-in under ``<address>.<attribute>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from boto_iotauth_local.sources.cloudformation.errors import TemplateError
from boto_iotauth_local.sources.terraform.plan import Plan, provider_region
from boto_iotauth_local.sources.terraform.resources import BUILDERS, PHASES
from boto_iotauth_local.world.world import World

__all__ = ["load_plan", "provider_region"]


def load_plan(path: Path, data: Any, world: World, *, parameters: Mapping[str, Any] | None = None) -> None:
    """Build the resources of a ``terraform show -json`` document into ``world``."""
    if not isinstance(data, dict):
        raise TemplateError(path, None, "expected terraform show -json output (an object)")
    Plan(path, data, world, parameters or {}, BUILDERS, PHASES).load()
