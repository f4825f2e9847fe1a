"""Device Defender's audit, offline: AWS's checks, reason codes and severities over a world.

``audit(world)`` runs checks in Python and returns an :class:`AuditReport`; ``OPERATIONS`` answers the
audit API (UpdateAccountAuditConfiguration ... DescribeAuditFinding) through the wire layer. Checks are
small modules under ``checks/``, listed with their AWS names, reason codes and severities in ``CHECKS``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Mapping

from ...arguments import strings
from ...world import World
from ...world.weak_keys import read_weak_key_lists
from .findings import Evidence, Finding, Resource
from .operations import OPERATIONS
from .registry import CHECKS, SEVERITIES, CheckSpec
from .runner import AuditReport, CheckRun, default_checks, run_checks


def audit(
    world: World,
    checks: Iterable[str] | None = None,
    *,
    now: datetime.datetime | None = None,
    configurations: Mapping[str, Mapping[str, str]] | None = None,
    weak_key_lists: Iterable[str | os.PathLike[str]] | None = None,
) -> AuditReport:
    """Run ``checks`` (default: every check AWS enables by default that can run offline) over ``world``.

    ``now`` fixes the audit's clock (expiry and age checks); ``configurations`` gives a check's custom
    configuration as UpdateAccountAuditConfiguration takes it, e.g.
    ``{"DEVICE_CERTIFICATE_AGE_CHECK": {"CERT_AGE_THRESHOLD_IN_DAYS": "90"}}``. ``weak_key_lists`` are
    paths of CVE-2008-0166 key lists (``blacklist.RSA-<bits>``) for this audit, besides those the world
    holds (``world.register_weak_key_list``) and those under ``/usr/share/openssl-blacklist/``; a list out
    of format raises WeakKeyListError before any check runs. An unknown check name is an
    InvalidRequestException.
    """
    names = list(strings(checks, "checks")) if checks is not None else default_checks()
    lists = read_weak_key_lists(weak_key_lists) if weak_key_lists is not None else ()
    return run_checks(world, names, now=now, configurations=configurations, weak_key_lists=lists)


__all__ = [
    "CHECKS",
    "OPERATIONS",
    "SEVERITIES",
    "AuditReport",
    "CheckRun",
    "CheckSpec",
    "Evidence",
    "Finding",
    "Resource",
    "audit",
    "default_checks",
]
