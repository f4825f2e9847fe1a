"""Run audit checks over a world: each check's status, resource count and findings, as one report.

The same report answers the audit operations (through their AWS shapes), ``World.audit()`` in Python (text
and HTML), and the command line (json, table, JUnit).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import InvalidRequestException, ServiceError
from ...world import World
from ...world.weak_keys import WeakKeyList
from . import checks as _checks  # noqa: F401  # registers every check
from .findings import Finding
from .registry import CHECKS, SEVERITIES, CheckContext, CheckSpec, DataNotHeld, severity_rank

COMPLIANT = "COMPLETED_COMPLIANT"
NON_COMPLIANT = "COMPLETED_NON_COMPLIANT"
WAITING = "WAITING_FOR_DATA_COLLECTION"
FAILED = "FAILED"


@dataclass(frozen=True)
class CheckRun:
    """One check's outcome in an audit."""

    spec: CheckSpec
    status: str
    total_resources: int = 0
    findings: tuple[Finding, ...] = ()
    message: str = ""
    #: What the check could not decide, for people (text, HTML, command line); not part of AWS's shapes.
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def ran(self) -> bool:
        return self.status in (COMPLIANT, NON_COMPLIANT)

    def details(self) -> dict[str, Any]:
        """AWS's ``AuditCheckDetails`` for this check."""
        details: dict[str, Any] = {"checkRunStatus": self.status}
        if self.ran:
            resources = {r.resource.label for r in self.findings}
            details.update(
                checkCompliant=self.status == COMPLIANT,
                totalResourcesCount=self.total_resources,
                nonCompliantResourcesCount=len(resources),
                suppressedNonCompliantResourcesCount=0,
            )
        if self.message:
            details["message"] = self.message
        if self.status == FAILED:
            details["errorCode"] = "FAILED"
        return details


@dataclass(frozen=True)
class AuditReport:
    """Every check's run, in the order asked, with the moment the audit started."""

    started: datetime.datetime
    runs: tuple[CheckRun, ...]
    account_id: str = ""
    region: str = ""
    task_id: str | None = field(default=None, compare=False)

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, most severe first, then in check order."""
        ordered = [f for run in self.runs for f in run.findings]
        return tuple(sorted(ordered, key=lambda f: -severity_rank(f.severity)))

    @property
    def clean(self) -> bool:
        """No findings, and every check ran."""
        return all(run.status == COMPLIANT for run in self.runs)

    def at_or_above(self, severity: str) -> tuple[Finding, ...]:
        """Findings of ``severity`` or worse (CRITICAL > HIGH > MEDIUM > LOW)."""
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        floor = severity_rank(severity)
        return tuple(f for f in self.findings if severity_rank(f.severity) >= floor)

    def statistics(self) -> dict[str, int]:
        """AWS's ``TaskStatistics``."""
        count = {status: sum(1 for run in self.runs if run.status == status) for status in (
            COMPLIANT, NON_COMPLIANT, WAITING, FAILED)}  # fmt: skip
        return {
            "totalChecks": len(self.runs),
            "inProgressChecks": 0,
            "waitingForDataCollectionChecks": count[WAITING],
            "compliantChecks": count[COMPLIANT],
            "nonCompliantChecks": count[NON_COMPLIANT],
            "failedChecks": count[FAILED],
            "canceledChecks": 0,
        }

    def to_dict(self) -> dict[str, Any]:
        """Stable keys for JSON: the statistics, each check's details, every finding with its evidence."""
        return {
            "accountId": self.account_id,
            "region": self.region,
            "taskStartTime": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "taskStatistics": self.statistics(),
            "auditDetails": {run.name: run.details() for run in self.runs},
            "findings": [f.to_dict() for f in self.findings],
            "notes": {run.name: list(run.notes) for run in self.runs if run.notes},
        }

    def __str__(self) -> str:
        from ...render.audit import audit_text

        return audit_text(self)

    def _repr_html_(self) -> str:
        from ...render.audit import audit_html

        return audit_html(self)


def check_names(names: Iterable[object], member: str = "targetCheckNames") -> list[str]:
    """The names, each a check AWS knows; InvalidRequestException naming the first that is not."""
    chosen: list[str] = []
    for name in names:
        if not isinstance(name, str) or name not in CHECKS:
            raise InvalidRequestException(
                f"{member} contains an unknown audit check name: {name!r}. "
                f"Known checks: {', '.join(sorted(CHECKS))}"
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def default_checks() -> list[str]:
    """The checks a new audit runs unless told: those AWS enables by default that can run offline."""
    return [name for name, spec in CHECKS.items() if spec.run is not None and spec.enabled_by_default]


def run_checks(
    world: World,
    names: Sequence[str],
    *,
    now: datetime.datetime | None = None,
    configurations: Mapping[str, Mapping[str, str]] | None = None,
    weak_key_lists: tuple[WeakKeyList, ...] = (),
) -> AuditReport:
    """Run the named checks; ``configurations`` gives each check's custom configuration (thresholds),
    ``weak_key_lists`` CVE-2008-0166 lists for this audit besides the world's."""
    moment = now or datetime.datetime.now(datetime.timezone.utc)
    runs: list[CheckRun] = []
    for name in check_names(names, "checks"):
        spec = CHECKS[name]
        if spec.run is None:
            runs.append(CheckRun(spec, WAITING, message=f"Not run offline: this check needs {spec.needs}."))
            continue
        context = CheckContext(moment, dict((configurations or {}).get(name, {})), weak_key_lists)
        try:
            outcome = spec.run(world, context)
        except DataNotHeld as missing:
            message = f"Not run offline: this check needs {missing.needs}."
            runs.append(CheckRun(spec, WAITING, message=message))
            continue
        except ServiceError as error:  # a state the world holds but cannot read, such as a bad moto policy
            runs.append(CheckRun(spec, FAILED, message=error.message))
            continue
        status = NON_COMPLIANT if outcome.findings else COMPLIANT
        runs.append(CheckRun(spec, status, outcome.total_resources, outcome.findings, notes=outcome.notes))
    return AuditReport(moment, tuple(runs), world.account_id, world.region)
