"""Plain-text rendering for terminals: aligned tables and tab-separated lines.

Tables (``table``) are for people; tab-separated lines (``tsv``) are for ``grep``, ``cut`` and ``awk``.
Both take the service's own dict shapes as well as the result objects, so that the command line can print
exactly what boto3 returned.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..services.authorization import AuthResult, ResourceDecision
    from ..services.invoke_authorizer import AuthorizerRun
    from ..services.who_can import WhoCan


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns aligned on the widest line of each cell; a cell may span several lines."""
    cells = [[_cell(value).splitlines() or [""] for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for index, lines in enumerate(row):
            widths[index] = max(widths[index], *(len(line) for line in lines))
    out = [_line(headers, widths), _line(["-" * w for w in widths], widths)]
    for row in cells:
        for depth in range(max(len(lines) for lines in row)):
            out.append(_line([lines[depth] if depth < len(lines) else "" for lines in row], widths))
    return "\n".join(out)


def tsv(rows: Iterable[Sequence[Any]]) -> str:
    """One line per row, fields separated by tabs; lists joined with commas, None as an empty field."""
    return "\n".join("\t".join(_field(value) for value in row) for row in rows)


def key_values(pairs: Iterable[tuple[str, Any]]) -> str:
    """``key  value`` lines, keys aligned."""
    items = [(key, _cell(value)) for key, value in pairs]
    width = max((len(key) for key, _ in items), default=0)
    lines: list[str] = []
    for key, value in items:
        first, *rest = value.splitlines() or [""]
        lines.append(f"{key.ljust(width)}  {first}".rstrip())
        lines.extend(" " * (width + 2) + line for line in rest)
    return "\n".join(lines)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "\n".join(_cell(item) for item in value) if value else "-"
    return str(value)


def _field(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_field(item) for item in value)
    return str(value).replace("\t", " ").replace("\n", " ")


def _names(policies: Mapping[str, Any]) -> list[str]:
    return [policy["policyName"] for policy in policies.get("policies", [])]


# -- TestAuthorization ---------------------------------------------------------------------------------


def auth_result_row(result: Mapping[str, Any]) -> list[Any]:
    """One service ``AuthResult`` dict as the columns of ``AUTH_RESULT_HEADERS``."""
    denied = result.get("denied", {})
    info = result.get("authInfo", {})
    return [
        result.get("authDecision"),
        info.get("actionType"),
        list(info.get("resources", [])),
        _names(result.get("allowed", {})),
        _names(denied.get("explicitDeny", {})),
        _names(denied.get("implicitDeny", {})),
        list(result.get("missingContextValues", [])),
    ]


AUTH_RESULT_HEADERS = (
    "DECISION",
    "ACTION",
    "RESOURCES",
    "ALLOWED BY",
    "EXPLICIT DENY",
    "IMPLICIT DENY",
    "MISSING CONTEXT",
)


def auth_results_table(results: Iterable[Mapping[str, Any]]) -> str:
    """TestAuthorization's ``authResults`` as a table, one authInfo per row."""
    return table(AUTH_RESULT_HEADERS, (auth_result_row(result) for result in results))


def auth_results_tsv(results: Iterable[Mapping[str, Any]]) -> str:
    """TestAuthorization's ``authResults`` as tab-separated lines, columns as ``AUTH_RESULT_HEADERS``."""
    return tsv(auth_result_row(result) for result in results)


def resource_decision_text(item: ResourceDecision) -> str:
    """One resource of an authInfo: its decision, then the policies' (and the Cognito gate's) reasons."""
    lines = [f"resource {item.resource}: {item.decision}"]
    lines.extend("  " + line for line in str(item.policies).splitlines())
    if item.gate is not None:
        lines.append(f"  Cognito role gate: {item.gate.decision}")
        lines.extend("    " + line for line in str(item.gate).splitlines())
    return "\n".join(lines)


def auth_result_text(result: AuthResult) -> str:
    """An explained AuthResult: the summary row, then why, resource by resource and statement by statement."""
    return auth_results_table([result.to_dict()]) + "\n\n" + result.explain()


# -- TestInvokeAuthorizer ----------------------------------------------------------------------------


def invoke_authorizer_text(response: Mapping[str, Any], logs: str = "") -> str:
    """TestInvokeAuthorizer's answer for people: the members, each policy document pretty-printed."""
    out = key_values(
        [
            ("isAuthenticated", response.get("isAuthenticated")),
            ("principalId", response.get("principalId")),
            ("refreshAfterInSeconds", response.get("refreshAfterInSeconds")),
            ("disconnectAfterInSeconds", response.get("disconnectAfterInSeconds")),
        ]
    )
    for index, document in enumerate(response.get("policyDocuments", [])):
        out += f"\n\npolicyDocuments[{index}]:\n" + _pretty(document)
    if logs:
        out += "\n\nauthorizer logs:\n" + logs.rstrip("\n")
    return out


def invoke_authorizer_tsv(response: Mapping[str, Any]) -> str:
    """First line: isAuthenticated, principalId, refreshAfterInSeconds, disconnectAfterInSeconds; then one
    line per policy document (compact JSON, as returned)."""
    rows: list[list[Any]] = [
        [
            response.get("isAuthenticated"),
            response.get("principalId"),
            response.get("refreshAfterInSeconds"),
            response.get("disconnectAfterInSeconds"),
        ]
    ]
    rows += [[document] for document in response.get("policyDocuments", [])]
    return tsv(rows)


def authorizer_run_text(run: AuthorizerRun) -> str:
    """One authorizer run: who ran, what it answered (or how it failed), and what it printed."""
    lines = [
        key_values(
            [
                ("authorizer", run.authorizer),
                ("function", run.function_arn),
                ("signature key", run.signature_key or "(not verified: signing disabled)"),
                ("duration", f"{run.duration * 1000:.1f} ms"),
            ]
        )
    ]
    if run.error is not None:
        lines.append(f"error: {run.error.code}: {run.error.message}")
    elif run.response is not None:
        lines.append(invoke_authorizer_text(run.response.to_api()))
    if run.logs:
        lines.append("logs:\n" + run.logs.rstrip("\n"))
    return "\n\n".join(lines)


def _pretty(document: str) -> str:
    try:
        return json.dumps(json.loads(document), indent=2)
    except ValueError:
        return document


# -- who can ---------------------------------------------------------------------------------------------

WHO_CAN_HEADERS = ("DECISION", "KIND", "NAME", "CLIENT ID", "THING", "POLICIES", "CERT STATUS", "PRINCIPAL")


def who_can_rows(result: WhoCan, *, everyone: bool = False) -> list[list[Any]]:
    """Rows of ``WHO_CAN_HEADERS``: the deciding policies are the allowing ones, or the denying ones."""
    entries = result.entries if everyone else result.allowed
    return [
        [
            entry.auth_decision,
            entry.kind,
            entry.name,
            entry.client_id,
            entry.thing,
            list(entry.denied_by or entry.allowed_by),
            entry.certificate_status,
            entry.principal,
        ]
        for entry in entries
    ]


def who_can_text(result: WhoCan, *, everyone: bool = False) -> str:
    """A heading with the counts, then the table (allowed principals, or every decision)."""
    resources = ", ".join(result.resources)
    allowed = len(result.allowed)
    head = (
        f"{result.action_type} on {resources}: {allowed} of {len(result.entries)} principals allowed"
        if result.entries
        else f"{result.action_type} on {resources}: the world has no principal"
    )
    rows = who_can_rows(result, everyone=everyone)
    return head if not rows else head + "\n\n" + table(WHO_CAN_HEADERS, rows)
