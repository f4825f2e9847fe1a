"""ANY_RESOURCE: "is the action allowed on some resource?" (IAM simulation), next to the literal ``"*"``."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

from boto_iotauth_local.engine import ANY_RESOURCE, AnyResource, RequestContext, evaluate, parse_policy

from ._support import ARN, allow, decide, deny, doc, verdict

TOPIC = f"{ARN}:topic"
THING = "${iot:Connection.Thing.ThingName}"
EVERYTHING = doc(allow("iot:*"))


def not_resource(effect: str, entries: Any, action: str = "iot:Publish", **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "NotResource": entries, **extra}


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (f"{TOPIC}/a/b", "ALLOWED"),
        (f"{TOPIC}/a/*", "ALLOWED"),
        ("arn:aws:iot:*", "ALLOWED"),
        ("*", "ALLOWED"),
        ("?*", "ALLOWED"),
    ],
)
def test_allow_resource_applies_if_some_resource_matches(resource: str, expected: str) -> None:
    assert verdict(doc(allow("iot:Publish", resource)), "iot:Publish", ANY_RESOURCE) == expected


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (f"{TOPIC}/secret", "ALLOWED"),
        ([f"{TOPIC}/secret/*", f"{TOPIC}/x"], "ALLOWED"),
        ("*", "IMPLICIT_DENY"),
        ("**", "IMPLICIT_DENY"),
        ("?*", "IMPLICIT_DENY"),  # every resource has at least one character
        ([f"{TOPIC}/x", "*"], "IMPLICIT_DENY"),
    ],
)
def test_allow_not_resource_applies_unless_it_excludes_everything(entries: Any, expected: str) -> None:
    assert verdict(doc(not_resource("Allow", entries)), "iot:Publish", ANY_RESOURCE) == expected


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        (f"{TOPIC}/secret", "ALLOWED"),
        (f"{TOPIC}/*", "ALLOWED"),
        ("arn:*", "ALLOWED"),
        ("${*}", "ALLOWED"),  # a literal star names one resource
        ("*", "EXPLICIT_DENY"),
        ("**", "EXPLICIT_DENY"),
        ("*?", "EXPLICIT_DENY"),
        ([f"{TOPIC}/x", "*"], "EXPLICIT_DENY"),
    ],
)
def test_deny_resource_applies_only_if_it_denies_every_resource(resource: Any, expected: str) -> None:
    policies = [EVERYTHING, doc(deny("iot:Publish", resource))]
    assert verdict(policies, "iot:Publish", ANY_RESOURCE) == expected


@pytest.mark.parametrize("entries", [f"{TOPIC}/public/*", "*", [f"{TOPIC}/a", f"{TOPIC}/b"]])
def test_deny_not_resource_does_not_deny_every_resource(entries: Any) -> None:
    policies = [EVERYTHING, doc(not_resource("Deny", entries))]
    assert verdict(policies, "iot:Publish", ANY_RESOURCE) == "ALLOWED"


def test_literal_star_is_still_one_resource_name() -> None:
    """TestAuthorization passes resources as given: ``"*"`` must never turn into "any resource"."""
    specific = doc(allow("iot:Publish", f"{TOPIC}/a"))
    assert verdict(specific, "iot:Publish", "*") == "IMPLICIT_DENY"
    assert verdict(specific, "iot:Publish", ANY_RESOURCE) == "ALLOWED"
    fence = [EVERYTHING, doc(not_resource("Deny", f"{TOPIC}/a"))]
    assert verdict(fence, "iot:Publish", "*") == "EXPLICIT_DENY"
    assert verdict(fence, "iot:Publish", ANY_RESOURCE) == "ALLOWED"
    literal = decide(specific, "iot:Publish", "*")
    assert (literal.resource, literal.any_resource) == ("*", False)


def test_actions_still_filter() -> None:
    policy = doc(allow("iot:Subscribe", f"{ARN}:topicfilter/a"))
    assert verdict(policy, "iot:Publish", ANY_RESOURCE) == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Subscribe", ANY_RESOURCE) == "ALLOWED"
    assert verdict([], "iot:Publish", ANY_RESOURCE) == "IMPLICIT_DENY"


def test_conditions_still_apply() -> None:
    block = {"StringEquals": {"iot:ClientId": "c1"}}
    grant = doc(allow("iot:Publish", f"{TOPIC}/a", Condition=block))
    assert verdict(grant, "iot:Publish", ANY_RESOURCE, {"iot:ClientId": "c1"}) == "ALLOWED"
    assert verdict(grant, "iot:Publish", ANY_RESOURCE, {"iot:ClientId": "c2"}) == "IMPLICIT_DENY"
    assert verdict(grant, "iot:Publish", ANY_RESOURCE) == "IMPLICIT_DENY"
    fence = [EVERYTHING, doc(deny("iot:Publish", "*", Condition=block))]
    assert verdict(fence, "iot:Publish", ANY_RESOURCE, {"iot:ClientId": "c1"}) == "EXPLICIT_DENY"
    assert verdict(fence, "iot:Publish", ANY_RESOURCE, {"iot:ClientId": "c2"}) == "ALLOWED"


def test_unresolved_variables_still_match_nothing() -> None:
    grant = doc(allow("iot:Publish", f"{TOPIC}/{THING}/*"))
    decision = decide(grant, "iot:Publish", ANY_RESOURCE)
    assert decision.decision == "IMPLICIT_DENY"
    assert decision.missing_keys == ("iot:Connection.Thing.ThingName",)
    resolved = decide(grant, "iot:Publish", ANY_RESOURCE, {"iot:Connection.Thing.ThingName": "t"})
    assert resolved.decision == "ALLOWED"
    assert dict(resolved.variables) == {"iot:Connection.Thing.ThingName": "t"}
    # An Allow with an unresolved NotResource entry does not grant on a guess ...
    outside = doc(not_resource("Allow", [f"{TOPIC}/{THING}", f"{TOPIC}/x"]))
    assert verdict(outside, "iot:Publish", ANY_RESOURCE) == "IMPLICIT_DENY"
    assert verdict(outside, "iot:Publish", ANY_RESOURCE, {"iot:Connection.Thing.ThingName": "t"}) == "ALLOWED"
    # ... while a Deny whose NotResource entries are all unresolved excludes nothing: it denies everything.
    fence = [EVERYTHING, doc(not_resource("Deny", f"{TOPIC}/{THING}"))]
    assert verdict(fence, "iot:Publish", ANY_RESOURCE) == "EXPLICIT_DENY"
    assert verdict(fence, "iot:Publish", ANY_RESOURCE, {"iot:Connection.Thing.ThingName": "t"}) == "ALLOWED"
    # A substituted value is literal: a client ID of '*' does not make a Deny cover every resource.
    star = [EVERYTHING, doc(deny("iot:Publish", "${iot:ClientId}"))]
    assert verdict(star, "iot:Publish", ANY_RESOURCE, {"iot:ClientId": "*"}) == "ALLOWED"


def test_explanation_says_any_resource() -> None:
    policies = [
        doc(allow("iot:Publish", f"{TOPIC}/a", Sid="One")),
        doc(deny("iot:Publish", f"{TOPIC}/secret/*", Sid="Fence")),
    ]
    decision = decide(policies, "iot:Publish", ANY_RESOURCE, explain=True)
    assert decision.decision == "ALLOWED"
    assert (decision.resource, decision.any_resource) == ("*", True)
    (granted,) = decision.policies[0].statements
    assert granted.matched and granted.reason == "allows iot:publish on any resource"
    assert granted.resource is not None and granted.resource.any_resource
    assert granted.resource.patterns[0].matched
    assert "For any resource" in granted.resource.note
    (fence,) = decision.policies[1].statements
    assert not fence.matched and "any resource" in fence.reason
    assert fence.resource is not None and not fence.resource.patterns[0].matched
    text = str(decision)
    assert "ALLOWED: iot:Publish on any resource" in text
    assert "Resource vs any resource -> applies" in text
    data = decision.to_dict()
    json.dumps(data)
    assert data["any_resource"] is True and data["resource"] == "*"
    assert data["policies"][0]["statements"][0]["resource"]["any_resource"] is True


def test_explanation_of_an_allow_that_covers_no_resource() -> None:
    decision = decide(
        doc(allow("iot:Publish", f"{TOPIC}/{THING}")), "iot:Publish", ANY_RESOURCE, explain=True
    )
    (statement,) = decision.policies[0].statements
    assert statement.reason == "Resource does not cover any resource"
    assert statement.resource is not None and "matches nothing" in statement.resource.note


def test_sentinel() -> None:
    assert ANY_RESOURCE is AnyResource.ANY_RESOURCE
    assert repr(ANY_RESOURCE) == "ANY_RESOURCE"
    assert ANY_RESOURCE != "*"
    assert pickle.loads(pickle.dumps(ANY_RESOURCE)) is ANY_RESOURCE


@pytest.mark.parametrize("resource", [None, b"*", 0, ["*"]])
def test_only_the_sentinel_means_any_resource(resource: Any) -> None:
    policy = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/a"))))]
    for explain in (False, True):
        with pytest.raises(TypeError, match="ANY_RESOURCE"):
            evaluate(policy, "iot:Publish", resource, RequestContext(), explain=explain)


def test_same_context_serves_literal_and_any_questions() -> None:
    policy = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/a"))))]
    ctx = RequestContext()
    for _ in range(3):
        assert evaluate(policy, "iot:Publish", ANY_RESOURCE, ctx).decision == "ALLOWED"
        assert evaluate(policy, "iot:Publish", "*", ctx).decision == "IMPLICIT_DENY"
        assert evaluate(policy, "iot:Publish", f"{TOPIC}/a", ctx).decision == "ALLOWED"


def test_several_resources_with_any_resource_among_them_are_each_decided_as_alone() -> None:
    from boto_iotauth_local.engine import evaluate_all

    policy = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:Publish", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Action": "iot:Publish",
                    "Resource": "arn:aws:iot:us-east-1:1:topic/secret",
                },
            ],
        }
    )
    pairs = [("P", policy)]
    resources = ["arn:aws:iot:us-east-1:1:topic/secret", ANY_RESOURCE, "arn:aws:iot:us-east-1:1:topic/open"]
    together = evaluate_all(pairs, "iot:Publish", resources, RequestContext({}))  # type: ignore[arg-type]
    alone = [evaluate(pairs, "iot:Publish", r, RequestContext({})) for r in resources]
    assert [d.decision for d in together] == [d.decision for d in alone]
    assert [d.decision for d in together] == ["EXPLICIT_DENY", "ALLOWED", "ALLOWED"]
