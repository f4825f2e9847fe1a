"""Audit reports drawn for people (text, HTML) and for CI (a JUnit XML file: one test case per check).

Every value that comes from a world (policy names, topics, certificate ids) is escaped in HTML and XML.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from . import html as h
from . import text as t

if TYPE_CHECKING:
    from ..services.audit.findings import Finding
    from ..services.audit.runner import AuditReport, CheckRun

_SEVERITY_COLOURS = {"CRITICAL": "#cf222e", "HIGH": "#bc4c00", "MEDIUM": "#9a6700", "LOW": "#6e7781"}
_STATUS = {
    "COMPLETED_COMPLIANT": "compliant",
    "COMPLETED_NON_COMPLIANT": "NONCOMPLIANT",
    "WAITING_FOR_DATA_COLLECTION": "not run offline",
    "FAILED": "FAILED",
}


def _resources(run: CheckRun) -> str:
    if not run.ran:
        return "-"
    flagged = len({f.resource.label for f in run.findings})
    return f"{flagged}/{run.total_resources}"


def checks_table(report: AuditReport) -> str:
    """One row per check: status, severity, noncompliant/total resources."""
    rows = [
        (run.name, _STATUS.get(run.status, run.status), run.spec.severity, _resources(run))
        for run in report.runs
    ]
    return t.table(("check", "status", "severity", "noncompliant"), rows)


def findings_table(report: AuditReport) -> str:
    """One row per finding: severity, check, resource, reason code."""
    rows = [(f.severity, f.check_name, f.resource.label, f.reason_code) for f in report.findings]
    return t.table(("severity", "check", "resource", "reason code"), rows)


def finding_text(finding: Finding, *, explanations: bool = True) -> str:
    lines = [
        f"[{finding.severity}] {finding.check_name} "
        f"{finding.resource.resource_type} {finding.resource.label}",
        f"  {finding.reason_code}: {finding.reason}",
    ]
    for evidence in finding.evidence:
        if evidence.summary not in finding.reason:
            lines.append(f"  evidence: {evidence.summary}")
        if explanations and evidence.explanation:
            lines.extend("    " + line for line in evidence.explanation.splitlines())
    return "\n".join(lines)


def notes_text(report: AuditReport) -> list[str]:
    """One line per note: what a check could not decide (a key no CVE-2008-0166 list covers)."""
    return [f"{run.name}: {note}" for run in report.runs for note in run.notes]


def audit_text(report: AuditReport) -> str:
    """A summary line, the checks table, then every finding with its evidence and explanation."""
    stats = report.statistics()
    found = len(report.findings)
    head = (
        f"Audit of {report.account_id} {report.region} at {report.started.strftime('%Y-%m-%dT%H:%M:%SZ')}: "
        f"{stats['totalChecks']} checks, {stats['nonCompliantChecks']} noncompliant, "
        f"{stats['waitingForDataCollectionChecks']} not run offline, "
        f"{found} finding{'s' if found != 1 else ''}"
    )
    parts = [head, "", checks_table(report)]
    for finding in report.findings:
        parts += ["", finding_text(finding)]
    for run in report.runs:
        if run.message:
            parts += ["", f"{run.name}: {run.message}"]
    for line in notes_text(report):
        parts += ["", f"note: {line}"]
    return "\n".join(parts)


def _severity_badge(severity: str) -> str:
    colour = _SEVERITY_COLOURS.get(severity, "#6e7781")
    return (
        f'<span style="background:{colour};color:#fff;border-radius:4px;padding:1px 6px;'
        f'font-weight:bold;font-family:monospace">{escape(severity)}</span>'
    )


def audit_html(report: AuditReport) -> str:
    """The checks table, then each finding in a fold holding its evidence and the engine's explanation."""
    stats = report.statistics()
    rows = [
        (h.code(run.name), escape(_STATUS.get(run.status, run.status)), _severity_badge(run.spec.severity),
         escape(_resources(run)))
        for run in report.runs
    ]  # fmt: skip
    parts = [
        f"<div><b>Audit</b> {h.code(report.account_id)} {h.code(report.region)}: "
        f"{stats['nonCompliantChecks']} of {stats['totalChecks']} checks noncompliant, "
        f"{len(report.findings)} findings</div>",
        h.table(("check", "status", "severity", "noncompliant"), rows),
        *(f"<div>note: {escape(line)}</div>" for line in notes_text(report)),
    ]
    for finding in report.findings:
        body = [f"<div>{h.code(finding.reason_code)}: {escape(finding.reason)}</div>"]
        for evidence in finding.evidence:
            body.append(f"<div>evidence: {escape(evidence.summary)}</div>")
            if evidence.explanation:
                body.append(h.pre(evidence.explanation))
        summary = (
            f"{_severity_badge(finding.severity)} {h.code(finding.check_name)} "
            f"{escape(finding.resource.resource_type)} {h.code(finding.resource.label)}"
        )
        parts.append(h.fold(summary, "".join(body)))
    return '<div class="iotauth-audit">' + "".join(parts) + "</div>"


def audit_junit(report: AuditReport, *, fail_on: str | None = None) -> str:
    """JUnit XML: one test case per check; a check with findings at or above ``fail_on`` fails (every
    finding when None), a check not run offline is skipped."""
    failing = {id(f) for f in (report.at_or_above(fail_on) if fail_on else report.findings)}
    suite = ElementTree.Element("testsuite", name="iotauth-local audit", tests=str(len(report.runs)))
    failures = skipped = 0
    for run in report.runs:
        case = ElementTree.SubElement(suite, "testcase", classname="audit", name=run.name)
        bad = [f for f in run.findings if id(f) in failing]
        if bad:
            failures += 1
            failure = ElementTree.SubElement(
                case, "failure", message=f"{len(bad)} finding(s), {bad[0].severity}: {bad[0].reason_code}"
            )
            failure.text = "\n\n".join(finding_text(f) for f in bad)
        elif not run.ran:
            skipped += 1
            ElementTree.SubElement(case, "skipped", message=run.message or run.status)
        if run.notes:
            ElementTree.SubElement(case, "system-out").text = "\n".join(run.notes)
    suite.set("failures", str(failures))
    suite.set("skipped", str(skipped))
    suite.set("errors", "0")
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
