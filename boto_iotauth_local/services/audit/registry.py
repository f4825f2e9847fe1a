"""Every Device Defender audit check AWS names, with its severity, reason codes and source page.

A check with a ``run`` function is decided offline from the world. One without needs what a world does
not hold (connection traffic, logging options, role aliases, intermediate CA chains): it is accepted in
the audit configuration as AWS accepts it, and a task reports it ``WAITING_FOR_DATA_COLLECTION``, the
status AWS gives a check whose data has not been collected, never compliant.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...world import World
    from ...world.weak_keys import WeakKeyList
    from .findings import Finding

SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
DOCS = "https://docs.aws.amazon.com/iot-device-defender/latest/devguide/"


@dataclass(frozen=True)
class CheckContext:
    """What a check may read besides the world: the audit's clock, the check's custom configuration, and
    the CVE-2008-0166 key lists given to this audit alone (besides the world's and the system's)."""

    now: datetime.datetime
    configuration: Mapping[str, str] = field(default_factory=dict)
    weak_key_lists: tuple[WeakKeyList, ...] = ()


@dataclass(frozen=True)
class CheckOutcome:
    """How many resources a check looked at, and what it found.

    ``notes`` tell people what the check could not decide (a key no list covers); they go into the text,
    HTML and command-line reports, never into AWS's response shapes.
    """

    total_resources: int
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()


Runner = Callable[["World", CheckContext], CheckOutcome]


class DataNotHeld(Exception):
    """Raised by a check whose data this world cannot give (it is then reported not run, never compliant)."""

    def __init__(self, needs: str) -> None:
        super().__init__(needs)
        self.needs = needs


@dataclass(frozen=True)
class CheckSpec:
    name: str
    severity: str
    reason_codes: tuple[str, ...]
    resource_type: str
    page: str
    #: Enabled in a new account's configuration (AWS enables every check but the age check by default).
    enabled_by_default: bool = True
    run: Runner | None = None
    #: For checks without ``run``: what the world lacks.
    needs: str = ""

    @property
    def url(self) -> str:
        return DOCS + self.page


CHECKS: dict[str, CheckSpec] = {}


def register(spec: CheckSpec) -> CheckSpec:
    CHECKS[spec.name] = spec
    return spec


def severity_rank(severity: str) -> int:
    """CRITICAL 4, HIGH 3, MEDIUM 2, LOW 1."""
    return len(SEVERITIES) - SEVERITIES.index(severity)


for _spec in (
    CheckSpec(
        "LOGGING_DISABLED_CHECK",
        "LOW",
        ("LOGGING_DISABLED",),
        "ACCOUNT_SETTINGS",
        "audit-chk-logging-disabled.html",
        needs="the account's IoT logging options, which a world does not hold",
    ),
    CheckSpec(
        "CONFLICTING_CLIENT_IDS_CHECK",
        "HIGH",
        ("DUPLICATE_CLIENT_ID_ACROSS_CONNECTIONS",),
        "CLIENT_ID",
        "audit-chk-conflicting-client-ids.html",
        needs="connection traffic (concurrent connections with one client id), which a world does not hold",
    ),
    CheckSpec(
        "IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK",
        "MEDIUM",
        ("ALLOWS_BROAD_ACCESS_TO_USED_SERVICES",),
        "ROLE_ALIAS",
        "audit-chk-iot-role-alias-permissive.html",
        needs="role aliases and the IAM policies of their roles, which a world does not hold",
    ),
    CheckSpec(
        "IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK",
        "MEDIUM",
        ("ALLOWS_ACCESS_TO_UNUSED_SERVICES",),
        "ROLE_ALIAS",
        "audit-chk-role-alias-unused-svcs.html",
        needs="role aliases and the services a fleet used in the last year, which a world does not hold",
    ),
    CheckSpec(
        "INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK",
        "CRITICAL",
        ("INTERMEDIATE_CA_REVOKED_BY_ISSUER",),
        "ISSUER_CERTIFICATE",
        "audit-chk-active-intermediary-device-revoked-CA.html",
        needs="device certificates' intermediate CA chains, which a world does not hold",
    ),
):
    register(_spec)
