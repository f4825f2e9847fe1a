"""HTML for Jupyter (``_repr_html_``): a decision badge, tables, and the reasons behind a fold.

Every value that comes from a policy, a request, a world or a handler is escaped with ``html.escape``;
the markup is self-contained (inline styles only), so it renders the same in JupyterLab, VS Code and
exported notebooks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine.explain import Decision, PolicyResult, StatementResult
    from ..services.authorization import AuthResult, PolicyRef, ResourceDecision
    from ..services.invoke_authorizer import AuthorizerRun
    from ..services.simulation import TokenSimulation
    from ..services.who_can import WhoCan

_COLOURS = {
    "ALLOWED": "#1a7f37",
    "EXPLICIT_DENY": "#cf222e",
    "IMPLICIT_DENY": "#9a6700",
    "allow": "#1a7f37",
    "deny": "#cf222e",
    "none": "#6e7781",
    "ERROR": "#cf222e",
    "AUTHENTICATED": "#1a7f37",
    "NOT AUTHENTICATED": "#cf222e",
}
_TABLE = "border-collapse:collapse;margin:4px 0"
_CELL = "border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top"


def badge(label: str) -> str:
    """A coloured label: green for ALLOWED, red for an explicit deny or an error, amber for implicit."""
    colour = _COLOURS.get(label, "#6e7781")
    return (
        f'<span class="iotauth-badge" style="background:{colour};color:#fff;border-radius:4px;'
        f'padding:1px 6px;font-weight:bold;font-family:monospace">{escape(label)}</span>'
    )


def code(value: Any) -> str:
    return f"<code>{escape(str(value))}</code>"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table whose cells are already HTML (escape values with ``code`` or ``escape`` first)."""
    head = "".join(f'<th style="{_CELL}">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{cell}</td>' for cell in row) + "</tr>" for row in rows
    )
    return f'<table style="{_TABLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def fold(summary: str, body: str, *, open_: bool = False) -> str:
    """An expandable section; ``summary`` is already HTML."""
    opened = " open" if open_ else ""
    return f"<details{opened}><summary>{summary}</summary>{body}</details>"


def pre(text: str) -> str:
    return f'<pre style="margin:2px 0;white-space:pre-wrap">{escape(text)}</pre>'


def _list(values: Iterable[Any]) -> str:
    items = [code(value) for value in values]
    return ", ".join(items) if items else "&mdash;"


def _refs(refs: Sequence[PolicyRef]) -> str:
    return _list(ref.name for ref in refs)


def _wrap(body: str, kind: str) -> str:
    return f'<div class="iotauth-{kind}" style="font-family:sans-serif;margin:4px 0">{body}</div>'


# -- the engine's decisions ------------------------------------------------------------------------------


def statement_html(statement: StatementResult) -> str:
    """One statement's checks: action, resource patterns, conditions, missing keys, and the verdict."""
    rows = [["Action", escape(str(statement.action))]]
    if statement.resource is not None:
        rows.append(["Resource", pre(str(statement.resource))])
    rows += [["Condition", escape(str(condition))] for condition in statement.conditions]
    if statement.missing_keys:
        rows.append(["missing keys", _list(statement.missing_keys)])
    verdict = badge("allow" if statement.effect == "Allow" else "deny") if statement.matched else ""
    title = (
        f"statement {escape(statement.label)} {escape(statement.effect)} {verdict} "
        f"&ndash; {escape(statement.reason)}"
    )
    return f'<div class="iotauth-statement">{title}{table(["check", "detail"], rows)}</div>'


def policy_result_html(policy: PolicyResult) -> str:
    """A policy's outcome and, when explained, its statements."""
    statements = "".join(statement_html(statement) for statement in policy.statements)
    return _wrap(f"policy {code(policy.name)}: {badge(policy.outcome)}{statements}", "policy")


def decision_html(decision: Decision) -> str:
    """An engine Decision: badge, per-policy outcomes, and the statements, missing keys and variables."""
    shown = "any resource" if decision.any_resource else decision.resource
    head = f"{badge(decision.decision)} {code(decision.action)} on {code(shown)}"
    rows = [[code(p.name), badge(p.outcome)] for p in decision.policies]
    body = head + (table(["policy", "outcome"], rows) if rows else "<div>no policy applies</div>")
    if decision.missing_keys:
        body += f"<div>missing context values: {_list(decision.missing_keys)}</div>"
    details = "".join(policy_result_html(p) for p in decision.policies if p.statements)
    if details:
        body += fold("statements", details)
    if decision.variables:
        body += fold("variable values", _variables(decision.variables))
    return _wrap(body, "decision")


def _variables(values: Mapping[str, Any]) -> str:
    return table(["variable", "value"], ([code(k), code(v)] for k, v in values.items()))


# -- TestAuthorization -----------------------------------------------------------------------------------


def auth_result_html(result: AuthResult) -> str:
    """An AuthResult: the badge, the per-policy lists as the service returns them, missing context values,
    and (folded) the explanation resource by resource and statement by statement."""
    head = f"{badge(result.auth_decision)} {code(result.action_type)} on {_list(result.resources)}"
    lists = table(
        ["", "policies"],
        [
            ["allowed", _refs(result.allowed)],
            ["explicit deny", _refs(result.explicit_deny)],
            ["implicit deny", _refs(result.implicit_deny)],
            ["missing context values", _list(result.missing_context_values)],
        ],
    )
    per_resource = table(
        ["resource", "decision", "policies", "Cognito role gate"],
        [
            [
                code(item.resource),
                badge(item.decision),
                badge(item.policies.decision),
                badge(item.gate.decision) if item.gate is not None else "&mdash;",
            ]
            for item in result.decisions
        ],
    )
    why = "".join(
        f"<div>resource {code(item.resource)}</div>"
        + decision_html(item.policies)
        + (f"<div>Cognito role gate</div>{decision_html(item.gate)}" if item.gate is not None else "")
        for item in result.decisions
    )
    body = head + lists
    if result.notes:
        body += "<ul>" + "".join(f"<li>note: {escape(str(note))}</li>" for note in result.notes) + "</ul>"
    body += fold("per resource", per_resource) + fold("why: policies and statements", why)
    if result.variables:
        body += fold("variable values", _variables(result.variables))
    return _wrap(body, "auth-result")


def resource_decision_html(item: ResourceDecision) -> str:
    """One resource of an authInfo: its decision badge, then the policies' (and the gate's) reasons."""
    body = f"{badge(item.decision)} {code(item.resource)}" + decision_html(item.policies)
    if item.gate is not None:
        body += f"<div>Cognito role gate {badge(item.gate.decision)}</div>" + decision_html(item.gate)
    return _wrap(body, "resource-decision")


# -- TestInvokeAuthorizer --------------------------------------------------------------------------------


def _documents(documents: Sequence[str]) -> str:
    shown = []
    for index, document in enumerate(documents):
        try:
            text = json.dumps(json.loads(document), indent=2)
        except ValueError:
            text = document
        shown.append(f"<div>policyDocuments[{index}]</div>{pre(text)}")
    return "".join(shown)


def authorizer_run_html(run: AuthorizerRun) -> str:
    """An authorizer run: its answer or its error, the event it got (folded) and what it logged."""
    if run.error is not None:
        state = badge("ERROR")
    elif run.response is not None and run.response.is_authenticated:
        state = badge("AUTHENTICATED")
    else:
        state = badge("NOT AUTHENTICATED")
    head = f"{state} authorizer {code(run.authorizer)} ({code(run.function_arn)})"
    facts = [
        [
            "signature key",
            code(run.signature_key) if run.signature_key else "not verified (signing disabled)",
        ],
        ["duration", escape(f"{run.duration * 1000:.1f} ms")],
    ]
    body = head + table(["", ""], facts)
    if run.error is not None:
        body += f'<div style="color:#cf222e">{code(run.error.code)}: {escape(run.error.message)}</div>'
    elif run.response is not None:
        response = run.response
        body += table(
            ["member", "value"],
            [
                ["isAuthenticated", code(json.dumps(response.is_authenticated))],
                ["principalId", code(response.principal_id)],
                ["refreshAfterInSeconds", code(response.refresh_after_in_seconds)],
                ["disconnectAfterInSeconds", code(response.disconnect_after_in_seconds)],
            ],
        )
        if response.policy_documents:
            body += fold("policy documents", _documents(response.policy_documents), open_=True)
    if run.event is not None:
        body += fold("event", pre(json.dumps(run.event, indent=2, default=str)))
    body += fold("logs", pre(run.logs) if run.logs else "<div>(nothing printed or logged)</div>")
    return _wrap(body, "authorizer-run")


def simulation_html(simulation: TokenSimulation) -> str:
    """A token simulation: the authorizer's run, then each authInfo's decision with its reasons."""
    decisions = table(
        ["action", "resources", "decision"],
        [[code(r.action_type), _list(r.resources), badge(r.auth_decision)] for r in simulation.results],
    )
    body = authorizer_run_html(simulation.run)
    if simulation.results:
        body += decisions + "".join(auth_result_html(result) for result in simulation.results)
    return _wrap(body, "simulation")


# -- who can ---------------------------------------------------------------------------------------------


#: A notebook cell stays responsive: larger who-can answers show their first rows and how many are left out.
WHO_CAN_ROWS = 500


def who_can_html(result: WhoCan, *, everyone: bool = False, limit: int = WHO_CAN_ROWS) -> str:
    """The principals allowed (or, with ``everyone``, every decision), with the deciding policies."""
    listed = result.entries if everyone else result.allowed
    entries = listed[:limit]
    head = (
        f"{code(result.action_type)} on {_list(result.resources)}: "
        f"<b>{len(result.allowed)}</b> of {len(result.entries)} principals allowed"
    )
    rows = [
        [
            badge(entry.auth_decision),
            escape(entry.kind),
            code(entry.name),
            code(entry.client_id) if entry.client_id is not None else "&mdash;",
            code(entry.thing) if entry.thing is not None else "&mdash;",
            _list(entry.denied_by or entry.allowed_by),
            escape(entry.certificate_status or "") or "&mdash;",
        ]
        for entry in entries
    ]
    headers = ["decision", "kind", "name", "client id", "thing", "policies", "certificate status"]
    more = len(listed) - len(entries)
    tail = f"<div>&hellip; and {more} more (all in <code>result.entries</code>)</div>" if more > 0 else ""
    return _wrap(head + (table(headers, rows) if rows else "") + tail, "who-can")
