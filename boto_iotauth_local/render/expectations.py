"""Expectation outcomes for people (a table, then why each unmet one is unmet) and for CI (JUnit XML).

The JUnit file follows the schema CI servers read (Jenkins, GitLab, GitHub Actions reporters): one
``testsuite`` per expectations file, one ``testcase`` per expectation, a ``failure`` (the expectation is
not met) or an ``error`` (the question could not be answered) holding the explanation.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .text import table

if TYPE_CHECKING:
    from ..expectations import Outcome, Report

#: Characters XML 1.0 cannot hold at all, even escaped (a resource may contain them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


HEADERS = ("RESULT", "EXPECTATION", "PRINCIPAL", "CLIENT ID", "ACTION", "RESOURCE", "EXPECTED", "ACTUAL")


def outcomes_table(outcomes: Sequence[Outcome]) -> str:
    """One row per principal, action and resource; the expectation's name on its first row."""
    rows = []
    for outcome in outcomes:
        for index, row in enumerate(outcome.rows):
            rows.append(
                [
                    "ok" if row.met else "UNMET",
                    outcome.expectation.name if index == 0 else "",
                    row.principal,
                    row.client_id,
                    row.action,
                    row.resource,
                    row.expected,
                    row.actual,
                ]
            )
    return table(HEADERS, rows)


def unmet_text(outcome: Outcome) -> str:
    """The heading of an unmet expectation (file line and name), then its explanation."""
    expectation = outcome.expectation
    return f"UNMET: {expectation.name} (line {expectation.line})\n{outcome.explanation}"


def notes_text(outcome: Outcome) -> str:
    """What an expectation's check could not decide, met or not."""
    expectation = outcome.expectation
    lines = [f"NOTE: {expectation.name} (line {expectation.line})"]
    lines.extend(f"  {note}" for note in outcome.notes)
    return "\n".join(lines)


def report_text(reports: Sequence[Report]) -> str:
    """Each file's table, every unmet expectation's explanation, and a one-line summary."""
    parts: list[str] = []
    for report in reports:
        parts.append(f"{report.path}\n\n{outcomes_table(report.outcomes)}")
    for report in reports:
        parts.extend(unmet_text(outcome) for outcome in report.unmet)
    for report in reports:
        parts.extend(notes_text(outcome) for outcome in report.outcomes if outcome.notes)
    total = sum(len(report.outcomes) for report in reports)
    unmet = sum(len(report.unmet) for report in reports)
    parts.append(f"{total - unmet} of {total} expectations met" + (f", {unmet} unmet" if unmet else ""))
    return "\n\n".join(parts)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def junit_xml(reports: Sequence[Report]) -> str:
    """A JUnit XML document: ``testsuites`` > ``testsuite`` per file > ``testcase`` per expectation."""
    suites = ET.Element("testsuites", name="iotauth-local check")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report in reports:
        failures = sum(1 for o in report.unmet if not o.error)
        errors = sum(1 for o in report.unmet if o.error)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=_xml(str(report.path)),
            tests=str(len(report.outcomes)),
            failures=str(failures),
            errors=str(errors),
            skipped="0",
            time=_seconds(sum(o.seconds for o in report.outcomes)),
        )
        totals["tests"] += len(report.outcomes)
        totals["failures"] += failures
        totals["errors"] += errors
        for outcome in report.outcomes:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=report.path.stem,
                name=_xml(outcome.expectation.name),
                file=_xml(str(report.path)),
                line=str(outcome.expectation.line),
                time=_seconds(outcome.seconds),
            )
            if not outcome.met:
                tag = "error" if outcome.error else "failure"
                message = outcome.summary or outcome.explanation.split("\n", 1)[0]
                element = ET.SubElement(case, tag, message=_xml(message), type="UnmetExpectation")
                element.text = _xml(outcome.explanation)
            if outcome.notes:
                ET.SubElement(case, "system-out").text = _xml("\n".join(outcome.notes))
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", _seconds(sum(o.seconds for r in reports for o in r.outcomes)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
