"""``kind: audit``: the world's Device Defender audit is clean, as a CI gate in the expectations file.

```yaml
- kind: audit
  name: no permissive policies or expiring certificates   # optional
  checks: [IOT_POLICY_OVERLY_PERMISSIVE_CHECK, DEVICE_CERTIFICATE_EXPIRING_CHECK]   # default: the defaults
  fail_on: MEDIUM                                          # default LOW: any finding fails
```

It is met when no finding is at or above ``fail_on``; a check that cannot run offline is refused at the
door, since a clean audit that did not look proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..render.audit import finding_text
from ..services.audit import CHECKS, SEVERITIES, default_checks
from ..services.audit.runner import run_checks
from ..sources.worldfile.schema import Field
from ..world import World
from .model import Outcome, Row, register_kind

KIND = "audit"
KEYS = ("name", "checks", "fail_on")


@dataclass(frozen=True)
class AuditExpectation:
    """A clean audit: no finding at or above ``fail_on`` among ``checks``."""

    name: str
    line: int
    checks: tuple[str, ...]
    fail_on: str

    @property
    def kind(self) -> str:
        return KIND

    def bind(self, world: World) -> BoundAudit:
        return BoundAudit(self, world)


@dataclass(frozen=True)
class BoundAudit:
    expectation: AuditExpectation
    world: World

    def run(self) -> Outcome:
        report = run_checks(self.world, list(self.expectation.checks))
        failing = report.at_or_above(self.expectation.fail_on)
        flagged = {run.name: len({f.resource.label for f in run.findings}) for run in report.runs}
        rows = tuple(
            Row(
                principal=f"account {report.account_id} {report.region}",
                client_id=None,
                action=run.name,
                resource=f"{flagged[run.name]}/{run.total_resources} noncompliant",
                expected=f"nothing at or above {self.expectation.fail_on}",
                actual=run.status,
                met=not any(f in failing for f in run.findings),
            )
            for run in report.runs
        )
        notes = tuple(f"{run.name}: {note}" for run in report.runs for note in run.notes)
        if not failing:
            return Outcome(self.expectation, True, rows, notes=notes)
        worst = failing[0]
        summary = (
            f"{len(failing)} audit finding(s) at or above {self.expectation.fail_on}; the first: "
            f"{worst.severity} {worst.check_name} {worst.resource.label} {worst.reason_code}"
        )
        explanation = "\n\n".join(finding_text(f) for f in failing)
        return Outcome(self.expectation, False, rows, explanation, summary, notes=notes)


def parse(fields: dict[str, Field], entry: Field) -> AuditExpectation:
    checks: tuple[str, ...]
    if "checks" in fields:
        where = fields["checks"]
        items = [where] if where.is_string() else where.items()
        names: list[str] = []
        for item in items:
            name = item.text()
            spec = CHECKS.get(name)
            if spec is None:
                raise item.error(f"unknown audit check {name!r}; checks are: {', '.join(sorted(CHECKS))}")
            if spec.run is None:
                raise item.error(f"{name} cannot run offline: it needs {spec.needs}")
            names.append(name)
        if not names:
            raise where.error("expected at least one audit check")
        checks = tuple(names)
    else:
        checks = tuple(default_checks())
    fail_on = "LOW"
    if "fail_on" in fields:
        fail_on = fields["fail_on"].text().upper()
        if fail_on not in SEVERITIES:
            raise fields["fail_on"].error(f"fail_on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
    name = fields["name"].text() if "name" in fields else f"clean audit ({fail_on} and above)"
    return AuditExpectation(name, entry.line, checks, fail_on)


register_kind(KIND, KEYS, parse)
