from __future__ import annotations

import json

import pytest

from boto_iotauth_local.engine import RequestContext, evaluate, parse_policy

from ._support import ARN, allow, decide, deny, doc, verdict

TOPIC = f"{ARN}:topic"


def test_precedence_across_policies() -> None:
    a = doc(allow("iot:Publish", f"{TOPIC}/*"))
    d = doc(deny("iot:Publish", f"{TOPIC}/secret"))
    assert verdict([a, d], "iot:Publish", f"{TOPIC}/open") == "ALLOWED"
    decision = decide([a, d], "iot:Publish", f"{TOPIC}/secret")
    assert decision.decision == "EXPLICIT_DENY"
    assert [(p.name, p.outcome) for p in decision.policies] == [("p0", "allow"), ("p1", "deny")]
    assert verdict([a, d], "iot:Subscribe", f"{TOPIC}/open") == "IMPLICIT_DENY"
    assert verdict([], "iot:Publish", f"{TOPIC}/open") == "IMPLICIT_DENY"


def test_policy_outcome_deny_beats_allow_within_a_policy() -> None:
    both = doc(allow("iot:*"), deny("iot:Publish"))
    decision = decide(both, "iot:Publish", f"{TOPIC}/x")
    assert decision.policies[0].outcome == "deny"
    assert decision.policies[0].statements == ()


def test_actions_are_case_insensitive_resources_are_not() -> None:
    policy = doc(allow("IOT:publish", f"{TOPIC}/Room"))
    assert verdict(policy, "iot:Publish", f"{TOPIC}/Room") == "ALLOWED"
    assert verdict(policy, "IoT:PUBLISH", f"{TOPIC}/Room") == "ALLOWED"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/room") == "IMPLICIT_DENY"


def test_action_wildcards() -> None:
    policy = doc(allow(["iot:*Thing?hadow", "s3:Get*"]))
    assert verdict(policy, "iot:GetThingShadow", "*") == "ALLOWED"
    assert verdict(policy, "s3:GetObject", "*") == "ALLOWED"
    assert verdict(policy, "iot:ListThings", "*") == "IMPLICIT_DENY"
    assert verdict(doc(allow("*")), "anything:AtAll", "*") == "ALLOWED"


def test_not_action() -> None:
    policy = doc({"Effect": "Allow", "NotAction": ["iot:Connect", "iot:Sub*"], "Resource": "*"})
    assert verdict(policy, "iot:Publish", "*") == "ALLOWED"
    assert verdict(policy, "iot:Connect", "*") == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Subscribe", "*") == "IMPLICIT_DENY"
    both = [doc(allow("iot:*")), doc({"Effect": "Deny", "NotAction": "iot:Connect", "Resource": "*"})]
    assert verdict(both, "iot:Connect", "*") == "ALLOWED"
    assert verdict(both, "iot:Publish", "*") == "EXPLICIT_DENY"


def test_not_resource() -> None:
    policy = doc(
        {"Effect": "Allow", "Action": "iot:Receive", "NotResource": [f"{TOPIC}/secret/*", f"{TOPIC}/x"]}
    )
    assert verdict(policy, "iot:Receive", f"{TOPIC}/open") == "ALLOWED"
    assert verdict(policy, "iot:Receive", f"{TOPIC}/secret/a") == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Receive", f"{TOPIC}/x") == "IMPLICIT_DENY"


def test_mqtt_wildcards_in_resources_are_literal() -> None:
    policy = doc(
        allow("iot:Subscribe", f"{ARN}:topicfilter/a/+/c"), deny("iot:Subscribe", f"{ARN}:topicfilter/a/#")
    )
    assert verdict(policy, "iot:Subscribe", f"{ARN}:topicfilter/a/+/c") == "ALLOWED"
    assert verdict(policy, "iot:Subscribe", f"{ARN}:topicfilter/a/b/c") == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Subscribe", f"{ARN}:topicfilter/a/#") == "EXPLICIT_DENY"
    assert verdict(policy, "iot:Subscribe", f"{ARN}:topicfilter/a/b") == "IMPLICIT_DENY"


def test_star_spans_levels_and_colons_question_mark_one_char() -> None:
    policy = doc(allow("iot:Publish", "arn:aws:iot:*:topic/dev/???"))
    assert verdict(policy, "iot:Publish", f"{TOPIC}/dev/abc") == "ALLOWED"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/dev/ab") == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/dev/a/c") == "ALLOWED"


def test_variables_substitute_literally() -> None:
    policy = doc(allow("iot:Connect", f"{ARN}:client/${{iot:ClientId}}"))
    assert verdict(policy, "iot:Connect", f"{ARN}:client/c1", {"iot:ClientId": "c1"}) == "ALLOWED"
    assert verdict(policy, "iot:Connect", f"{ARN}:client/c2", {"iot:ClientId": "c1"}) == "IMPLICIT_DENY"
    # A client ID of '*' must not grant every client.
    assert verdict(policy, "iot:Connect", f"{ARN}:client/c2", {"iot:ClientId": "*"}) == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Connect", f"{ARN}:client/*", {"iot:ClientId": "*"}) == "ALLOWED"
    assert verdict(policy, "iot:Connect", f"{ARN}:client/ab", {"iot:ClientId": "a?"}) == "IMPLICIT_DENY"


def test_variable_keys_with_brackets_and_dots() -> None:
    key = "iot:Connection.Thing.Attributes[color]"
    policy = doc(allow("iot:Publish", f"{TOPIC}/${{{key}}}/${{iot:Certificate.Subject.CommonName.1}}"))
    ctx = {key: "red", "iot:Certificate.Subject.CommonName.1": "cn2"}
    decision = decide(policy, "iot:Publish", f"{TOPIC}/red/cn2", ctx)
    assert decision.decision == "ALLOWED"
    assert dict(decision.variables) == {key: "red", "iot:Certificate.Subject.CommonName.1": "cn2"}


def test_escapes_are_literal() -> None:
    policy = doc(allow("iot:Publish", f"{TOPIC}/a${{*}}b${{?}}c${{$}}"))
    assert verdict(policy, "iot:Publish", f"{TOPIC}/a*b?c$") == "ALLOWED"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/aXXbYc$") == "IMPLICIT_DENY"


def test_the_iot_guides_parenthesised_escapes_are_literal_too() -> None:
    policy = doc(allow("iot:Publish", f"{TOPIC}/a$(*)b$(?)c$($)"))
    assert verdict(policy, "iot:Publish", f"{TOPIC}/a*b?c$", dialect="iot") == "ALLOWED"
    # Read as wildcards they would allow these: a wrong ALLOW if AWS takes them as escapes.
    assert verdict(policy, "iot:Publish", f"{TOPIC}/a$(xyz)b$(y)c$($)", dialect="iot") == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/aXXbYc$", dialect="iot") == "IMPLICIT_DENY"
    # IAM has only the ${*} form: there the characters are ordinary pattern text.
    assert verdict(policy, "iot:Publish", f"{TOPIC}/a$(xyz)b$(y)c$($)", dialect="iam") == "ALLOWED"


def test_variables_are_text_under_2008_version() -> None:
    policy = doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}"), version="2008-10-17")
    assert verdict(policy, "iot:Publish", f"{TOPIC}/c1", {"iot:ClientId": "c1"}) == "IMPLICIT_DENY"
    assert verdict(policy, "iot:Publish", f"{TOPIC}/${{iot:ClientId}}") == "ALLOWED"


def test_variables_in_actions_are_literal() -> None:
    policy = doc(allow("iot:${iot:ClientId}"))
    assert verdict(policy, "iot:Publish", "*", {"iot:ClientId": "Publish"}) == "IMPLICIT_DENY"


def test_default_values() -> None:
    policy = doc(allow("s3:GetObject", "arn:aws:s3:::b/${aws:username, 'guest'}/*"))
    assert verdict(policy, "s3:GetObject", "arn:aws:s3:::b/guest/x", dialect="iam") == "ALLOWED"
    assert verdict(policy, "s3:GetObject", "arn:aws:s3:::b/bob/x", {"aws:username": "bob"}) == "ALLOWED"
    iot = doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId, 'anon'}}"))
    decision = decide(iot, "iot:Publish", f"{TOPIC}/anon", dialect="iot")
    assert decision.decision == "IMPLICIT_DENY"
    assert decision.missing_keys == ("iot:ClientId",)
    decision = decide(iot, "iot:Publish", f"{TOPIC}/c1", {"iot:ClientId": "c1"}, dialect="iot")
    assert decision.decision == "IMPLICIT_DENY"


def test_unresolved_resource_variable() -> None:
    thing = f"{TOPIC}/${{iot:Connection.Thing.ThingName}}/*"
    decision = decide(doc(allow("iot:Publish", thing)), "iot:Publish", f"{TOPIC}/t/x")
    assert decision.decision == "IMPLICIT_DENY"
    assert decision.missing_keys == ("iot:Connection.Thing.ThingName",)
    # A Deny with an unresolved variable denies nothing.
    assert (
        verdict([doc(allow("iot:*")), doc(deny("iot:Publish", thing))], "iot:Publish", f"{TOPIC}/t/x")
        == "ALLOWED"
    )


def test_unresolved_not_resource_never_grants_but_still_denies() -> None:
    pattern = f"{TOPIC}/${{iot:Connection.Thing.ThingName}}/*"
    grant = doc({"Effect": "Allow", "Action": "iot:Receive", "NotResource": pattern})
    assert verdict(grant, "iot:Receive", f"{TOPIC}/other") == "IMPLICIT_DENY"
    assert (
        verdict(grant, "iot:Receive", f"{TOPIC}/other", {"iot:Connection.Thing.ThingName": "t"}) == "ALLOWED"
    )
    fence = [doc(allow("iot:*")), doc({"Effect": "Deny", "Action": "iot:Receive", "NotResource": pattern})]
    assert verdict(fence, "iot:Receive", f"{TOPIC}/other") == "EXPLICIT_DENY"
    assert verdict(fence, "iot:Receive", f"{TOPIC}/t/a", {"iot:Connection.Thing.ThingName": "t"}) == "ALLOWED"
    two = [
        doc(allow("iot:*")),
        doc({"Effect": "Deny", "Action": "iot:Receive", "NotResource": [pattern, f"{TOPIC}/ok"]}),
    ]
    assert verdict(two, "iot:Receive", f"{TOPIC}/ok") == "ALLOWED"


def test_missing_keys_order_dedup_and_only_matched_actions() -> None:
    policies = [
        doc(
            allow("iot:Connect", f"{ARN}:client/${{iot:ClientId}}"),
            allow(
                "iot:Publish",
                f"{TOPIC}/${{iot:Connection.Thing.ThingName}}",
                Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            ),
        ),
        doc(
            deny(
                "iot:Publish",
                "*",
                Condition={"StringEquals": {"iot:DomainName": "${IOT:connection.thing.thingname}"}},
            )
        ),
    ]
    decision = decide(policies, "iot:Publish", f"{TOPIC}/t")
    assert decision.missing_keys == ("iot:Connection.Thing.ThingName", "aws:SourceIp", "iot:DomainName")
    assert decide(policies, "iot:Connect", f"{ARN}:client/c").missing_keys == ("iot:ClientId",)
    assert decide(policies, "iot:Subscribe", f"{ARN}:topicfilter/x").missing_keys == ()


def test_context_values_and_validation() -> None:
    ctx = RequestContext({"IoT:ClientId": "c1", "aws:TagKeys": ["a", "b"]})
    assert "iot:clientid" in ctx and ctx["IOT:CLIENTID"] == "c1"
    assert ctx["aws:tagkeys"] == ("a", "b")
    assert ctx.to_dict() == {"IoT:ClientId": "c1", "aws:TagKeys": ["a", "b"]}
    assert sorted(ctx) == ["IoT:ClientId", "aws:TagKeys"] and len(ctx) == 2
    with pytest.raises(ValueError, match="differ only in case"):
        RequestContext({"a": "1", "A": "2"})
    with pytest.raises(TypeError):
        RequestContext({"a": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        RequestContext({"a": [1]})  # type: ignore[list-item]


def test_context_is_reusable_across_policies_and_resources() -> None:
    policy = parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*")))
    ctx = RequestContext({"iot:ClientId": "c1"})
    for _ in range(3):
        assert evaluate([("p", policy)], "iot:Publish", f"{TOPIC}/c1/a", ctx).decision == "ALLOWED"
        assert evaluate([("p", policy)], "iot:Publish", f"{TOPIC}/c2/a", ctx).decision == "IMPLICIT_DENY"
    other = RequestContext({"iot:ClientId": "c2"})
    assert evaluate([("p", policy)], "iot:Publish", f"{TOPIC}/c2/a", other).decision == "ALLOWED"


def test_explanation_details() -> None:
    policy = doc(
        allow("iot:Connect", "*", Sid="ConnectOnly"),
        allow(
            "iot:Publish",
            f"{TOPIC}/${{iot:ClientId}}/*",
            Sid="OwnTopics",
            Condition={"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
        ),
    )
    decision = decide(policy, "iot:Publish", f"{TOPIC}/c1/x", {"iot:ClientId": "c1"}, explain=True)
    assert decision.decision == "IMPLICIT_DENY"
    first, second = decision.policies[0].statements
    assert (first.sid, first.matched, first.resource) == ("ConnectOnly", False, None)
    assert "is not in Action" in first.reason
    assert second.action.matched_pattern == "iot:Publish"
    assert second.resource is not None and second.resource.applies
    (pattern,) = second.resource.patterns
    assert pattern.substituted == f"{TOPIC}/c1/*" and pattern.matched
    (cond,) = second.conditions
    assert (cond.operator, cond.key, cond.context_values, cond.result) == (
        "Bool",
        "iot:Connection.Thing.IsAttached",
        None,
        False,
    )
    assert second.missing_keys == ("iot:Connection.Thing.IsAttached",)
    assert second.reason == "condition Bool on iot:Connection.Thing.IsAttached is false"
    text = str(decision)
    assert "IMPLICIT_DENY: iot:Publish" in text and "ConnectOnly" in text and "IsAttached" in text
    data = decision.to_dict()
    json.dumps(data)  # plain data all the way down
    assert data["policies"][0]["statements"][1]["conditions"][0]["result"] is False
    assert data["missing_keys"] == ["iot:Connection.Thing.IsAttached"]
    assert data["variables"] == {"iot:ClientId": "c1"}


def test_explain_false_builds_no_statement_details() -> None:
    policy = parse_policy(doc(allow("iot:*")))
    decision = evaluate([("p", policy)], "iot:Publish", "x", RequestContext())
    assert decision.policies[0].statements == ()
    assert decision.allowed


def test_identical_conditions_in_different_policies_follow_each_request() -> None:
    block = {"StringEquals": {"iot:ClientId": "c1"}}
    first = parse_policy(doc(allow("iot:Publish", f"{TOPIC}/a", Condition=block)))
    second = parse_policy(doc(deny("iot:Publish", f"{TOPIC}/b", Condition=block)))
    assert first.statements[0].conditions[0] is second.statements[0].conditions[0]
    pair = [("first", first), ("second", second)]
    c1, c2 = RequestContext({"iot:ClientId": "c1"}), RequestContext({"iot:ClientId": "c2"})
    assert evaluate(pair, "iot:Publish", f"{TOPIC}/a", c1).decision == "ALLOWED"
    assert evaluate(pair, "iot:Publish", f"{TOPIC}/a", c2).decision == "IMPLICIT_DENY"
    assert evaluate(pair, "iot:Publish", f"{TOPIC}/b", c1).decision == "EXPLICIT_DENY"
    assert evaluate(pair, "iot:Publish", f"{TOPIC}/b", c2).decision == "IMPLICIT_DENY"
    iam = parse_policy(doc(allow("iot:Publish", "*", Condition=block)), dialect="iam")
    assert iam.statements[0].conditions[0] is not first.statements[0].conditions[0]


def test_a_prefixed_context_is_the_context_built_with_those_values_first() -> None:
    base = RequestContext({"iot:Connection.Thing.ThingName": "t1", "Multi": ["a", "b"]})
    made = base.prefixed({"iot:ClientId": "c1"})
    whole = RequestContext(
        {"iot:ClientId": "c1", "iot:Connection.Thing.ThingName": "t1", "Multi": ["a", "b"]}
    )
    assert made.to_dict() == whole.to_dict() and list(made) == list(whole)
    keys = ("iot:clientid", "iot:connection.thing.thingname", "multi", "absent")
    assert made.read(keys) == whole.read(keys)
    assert made.scalar("iot:clientid") == "c1" and made.values("multi") == ("a", "b")
    assert "iot:ClientId" not in base  # the base is unchanged
    with pytest.raises(ValueError, match="iot:clientid"):
        made.prefixed({"IOT:CLIENTID": "other"})
