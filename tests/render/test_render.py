"""Readable results: well-formed, escaped HTML for notebooks and aligned text for terminals."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from boto_iotauth_local import World, explain_authorization, simulate_token
from boto_iotauth_local.render import html, text
from boto_iotauth_local.services.invoke_authorizer import run_authorizer
from boto_iotauth_local.services.who_can import who_can

ARN = "arn:aws:iot:us-east-1:123456789012"
EVIL = "<script>alert('x')</script>&"
VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}


class _Checker(HTMLParser):
    """Fails on a closing tag that does not close the innermost open element; collects the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Checker:
    checker = _Checker()
    checker.feed(markup)
    checker.close()
    assert checker.stack == [], f"unclosed: {checker.stack}"
    assert "script" not in checker.tags
    return checker


def world() -> World:
    w = World()
    w.create_policy(
        policyName="P",
        policyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iot:Publish",
                        "Resource": f"{ARN}:topic/${{iot:ClientId}}/*",
                    },
                    {
                        "Sid": "NoAdmin",
                        "Effect": "Deny",
                        "Action": "iot:Publish",
                        "Resource": f"{ARN}:topic/*/admin",
                        "Condition": {"StringLike": {"iot:ClientId": "c*"}},
                    },
                ],
            }
        ),
    )
    return w


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    print(f"<b>token</b> {event.get('token')}")
    return {
        "isAuthenticated": event.get("token") != "no",
        "principalId": "u1",
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": "*"}],
            }
        ],
        "refreshAfterInSeconds": 300,
        "disconnectAfterInSeconds": 300,
    }


def authorizer_world() -> World:
    w = world()
    w.create_authorizer(
        authorizerName="A",
        authorizerFunctionArn="arn:aws:lambda:us-east-1:123456789012:function:a",
        signingDisabled=True,
        handler=handler,
    )
    return w


def test_auth_result_html_is_well_formed_and_escaped() -> None:
    result = explain_authorization(
        world(),
        "PUBLISH",
        [f"{ARN}:topic/c1/x", f"{ARN}:topic/{EVIL}"],
        policy_names_to_add=["P"],
        client_id="c1",
    )
    markup = result._repr_html_()
    page = parse(markup)
    shown = "".join(page.text)
    assert EVIL in shown  # the resource, escaped, reads as written
    assert "<script>" not in markup
    assert "IMPLICIT_DENY" in shown and "ALLOWED" in shown  # final badge and the per-resource one
    assert "statement #0 Allow" in shown and "iot:ClientId" in shown and "c1" in shown
    assert {"details", "summary", "table"} <= set(page.tags)


def test_auth_result_html_lists_missing_context_values() -> None:
    result = explain_authorization(world(), "PUBLISH", f"{ARN}:topic/c1/admin", policy_names_to_add=["P"])
    page = parse(result._repr_html_())
    shown = "".join(page.text)
    assert "missing context values" in shown and "iot:ClientId" in shown


def test_explicit_deny_decision_html() -> None:
    result = explain_authorization(
        world(), "PUBLISH", f"{ARN}:topic/c1/admin", policy_names_to_add=["P"], client_id="c1"
    )
    assert result.auth_decision == "EXPLICIT_DENY"
    decision = result.decisions[0].policies
    shown = "".join(parse(decision._repr_html_()).text)
    assert "EXPLICIT_DENY" in shown and "NoAdmin" in shown and "StringLike" in shown
    policy = decision.policies[0]
    assert "deny" in "".join(parse(policy._repr_html_()).text)
    statement = policy.statements[1]
    assert "NoAdmin" in "".join(parse(statement._repr_html_()).text)


def test_authorizer_run_html_and_text() -> None:
    run = run_authorizer(authorizer_world(), "A", token=EVIL, mqtt_context={"clientId": "c1"})
    markup = run._repr_html_()
    shown = "".join(parse(markup).text)
    assert "AUTHENTICATED" in shown and "u1" in shown
    assert "<b>token</b>" in shown  # the handler's output, escaped
    assert EVIL in shown  # in the event
    assert '"Action": "iot:Publish"' in shown
    printed = str(run)
    assert "authorizer     A" in printed and "principalId               u1" in printed
    assert "logs:\n<b>token</b>" in printed


def test_authorizer_run_error_html() -> None:
    w = authorizer_world()
    w.register_function("arn:aws:lambda:us-east-1:123456789012:function:a", lambda e, c: {"nope": 1})
    run = run_authorizer(w, "A", token="t")
    shown = "".join(parse(run._repr_html_()).text)
    assert "ERROR" in shown and "InvalidResponseException" in shown
    assert "error: InvalidResponseException:" in str(run)


def test_simulation_html() -> None:
    simulation = simulate_token(
        authorizer_world(),
        "A",
        [{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/a"]}],
        token="yes",
    )
    shown = "".join(parse(simulation._repr_html_()).text)
    assert "ALLOWED" in shown and "policyDocuments[0]" in shown
    denied = simulate_token(
        authorizer_world(), "A", [{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/a"]}], token="no"
    )
    shown = "".join(parse(denied._repr_html_()).text)
    assert "NOT AUTHENTICATED" in shown and "IMPLICIT_DENY" in shown


def test_who_can_html_and_text() -> None:
    w = world()
    arn = w.create_test_certificate(subject={"CommonName": "c1"})["certificateArn"]
    w.create_thing(thingName="c1")
    w.attach_thing_principal(thingName="c1", principal=arn)
    w.attach_policy(policyName="P", target=arn)
    result = who_can(w, "PUBLISH", f"{ARN}:topic/c1/data")
    shown = "".join(parse(result._repr_html_()).text)
    assert "1 of 2 principals allowed" in shown and "c1" in shown and "ACTIVE" in shown
    everyone = "".join(parse(html.who_can_html(result, everyone=True)).text)
    assert "IMPLICIT_DENY" in everyone
    capped = "".join(parse(html.who_can_html(result, everyone=True, limit=1)).text)
    assert "and 1 more" in capped
    printed = str(result)
    assert printed.splitlines()[0] == f"PUBLISH on {ARN}:topic/c1/data: 1 of 2 principals allowed"
    assert "ALLOWED   thing  c1" in printed
    assert "IMPLICIT_DENY" in text.who_can_text(result, everyone=True)
    assert str(who_can(World(), "PUBLISH", "x")) == "PUBLISH on x: the world has no principal"


def test_text_table_alignment_and_multiline_cells() -> None:
    rendered = text.table(["A", "LONGER"], [["x", ["1", "2"]], ["yyyy", None], ["z", True]])
    assert rendered.splitlines() == [
        "A     LONGER",
        "----  ------",
        "x     1",
        "      2",
        "yyyy  -",
        "z     true",
    ]
    assert text.tsv([["a", ["b", "c"], None, "tab\there"]]) == "a\tb,c\t\ttab here"


def test_auth_result_text_is_the_summary_and_the_explanation() -> None:
    result = explain_authorization(
        world(), "PUBLISH", f"{ARN}:topic/c1/x", policy_names_to_add=["P"], client_id="c1"
    )
    rendered = text.auth_result_text(result)
    lines = rendered.splitlines()
    assert lines[0].split()[:2] == ["DECISION", "ACTION"]
    assert lines[2].split()[:4] == ["ALLOWED", "PUBLISH", f"{ARN}:topic/c1/x", "P"]
    assert result.explain() in rendered


@pytest.mark.parametrize("label", ["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY", EVIL])
def test_badge_escapes_and_colours(label: str) -> None:
    page = parse(html.badge(label))
    assert "".join(page.text) == label
