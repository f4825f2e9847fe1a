"""The bound fast path (``BoundSet``) against the statement-by-statement reference evaluation."""

from __future__ import annotations

import random
from typing import Any

from boto_iotauth_local.engine import Policy, RequestContext, evaluate, parse_policy
from boto_iotauth_local.engine.bound import BoundSet

from ._support import ARN, allow, deny, doc

TOPIC = f"{ARN}:topic"
_PATTERNS = [
    "*",
    "?*",
    f"{TOPIC}/a",
    f"{TOPIC}/a/*",
    f"{TOPIC}/*",
    f"{TOPIC}/*/b",
    f"{TOPIC}/a/?",
    f"{TOPIC}/${{iot:ClientId}}",
    f"{TOPIC}/${{iot:ClientId}}/*",
    f"{TOPIC}/*/${{iot:Connection.Thing.ThingName}}",
    f"{TOPIC}/${{iot:Connection.Thing.ThingName}}/?",
    f"{TOPIC}/${{*}}",
    f"{TOPIC}/${{iot:ClientId, 'c1'}}",
]
_CONDITIONS: list[dict[str, Any]] = [
    {"StringEquals": {"iot:ClientId": "c1"}},
    {"StringNotEquals": {"iot:ClientId": "${iot:Connection.Thing.ThingName}"}},
    {"StringLikeIfExists": {"iot:Connection.Thing.ThingName": "t*"}},
    {"Null": {"iot:Connection.Thing.ThingName": "true"}},
    {"ForAnyValue:StringEquals": {"iot:Tags": ["x", "y"]}},
]
_CONTEXTS: list[dict[str, str | list[str]]] = [
    {},
    {"iot:ClientId": "c1"},
    {"iot:ClientId": "c2", "iot:Connection.Thing.ThingName": "t1", "iot:Tags": ["y"]},
    {"iot:ClientId": "a", "iot:Connection.Thing.ThingName": "a", "iot:Tags": []},
    {"iot:ClientId": "*", "iot:Connection.Thing.ThingName": ["t1", "t2"]},
]
_RESOURCES = [
    "*",
    f"{TOPIC}/a",
    f"{TOPIC}/a/b",
    f"{TOPIC}/a/x",
    f"{TOPIC}/c1",
    f"{TOPIC}/c1/x",
    f"{TOPIC}/c2/b",
    f"{TOPIC}/x/t1",
    f"{TOPIC}/t1/z",
    f"{TOPIC}/*",
    f"{TOPIC}/a/*",
    f"{ARN}:client/c1",
]


def _statement(rng: random.Random) -> dict[str, Any]:
    entries = rng.sample(_PATTERNS, rng.randint(1, 3))
    statement: dict[str, Any] = {
        "Effect": rng.choice(["Allow", "Allow", "Deny"]),
        "Action": rng.choice(["iot:Publish", "iot:*", "iot:Receive"]),
        rng.choice(["Resource", "Resource", "NotResource"]): entries,
    }
    if rng.random() < 0.5:
        statement["Condition"] = rng.choice(_CONDITIONS)
    return statement


def _policies(rng: random.Random) -> list[tuple[str, Policy]]:
    return [
        (f"p{i}", parse_policy(doc(*[_statement(rng) for _ in range(rng.randint(1, 4))]), dialect="iam"))
        for i in range(rng.randint(0, 4))
    ]


def test_bound_path_agrees_with_reference_on_random_policies() -> None:
    rng = random.Random(20250601)
    for _ in range(300):
        policies = _policies(rng)
        for values in _CONTEXTS:
            context = RequestContext(values)
            bound = BoundSet(policies, "iot:Publish", context)
            for resource in _RESOURCES:
                got = bound.decide(resource)
                want = evaluate(policies, "iot:Publish", resource, context, explain=True)
                assert got.decision == want.decision, (resource, values, [p.document for _, p in policies])
                assert [p.outcome for p in got.policies] == [p.outcome for p in want.policies]
                assert got.missing_keys == want.missing_keys
                assert dict(got.variables) == dict(want.variables)
                assert (got.action, got.resource, got.any_resource) == ("iot:Publish", resource, False)


def test_second_question_on_a_context_uses_the_binding() -> None:
    policies = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*"))))]
    context = RequestContext({"iot:ClientId": "c1"})
    assert evaluate(policies, "iot:Publish", f"{TOPIC}/c1/a", context).allowed
    assert not any(isinstance(found, BoundSet) for found in context.bindings.values())
    assert not evaluate(policies, "iot:Publish", f"{TOPIC}/c2/a", context).allowed
    assert any(isinstance(found, BoundSet) for found in context.bindings.values())
    assert evaluate(policies, "iot:Publish", f"{TOPIC}/c1/b", context).allowed


def test_many_policy_sets_on_one_context_stay_bounded_and_correct() -> None:
    context = RequestContext({"iot:ClientId": "c1"})
    sets = [[(f"p{n}", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/{n}/*"))))] for n in range(200)]
    for _ in range(2):
        for n, policies in enumerate(sets):
            assert evaluate(policies, "iot:Publish", f"{TOPIC}/{n}/x", context).allowed
            assert not evaluate(policies, "iot:Publish", f"{TOPIC}/{n + 1}/x", context).allowed
    assert len(context.bindings) <= 64


def test_unhashable_pairs_are_still_evaluated() -> None:
    policy = parse_policy(doc(allow("iot:Publish", f"{TOPIC}/a"), deny("iot:Publish", f"{TOPIC}/b")))
    pairs: Any = [["p", policy]]
    context = RequestContext()
    for _ in range(2):
        assert evaluate(pairs, "iot:Publish", f"{TOPIC}/a", context).decision == "ALLOWED"
        assert evaluate(pairs, "iot:Publish", f"{TOPIC}/b", context).decision == "EXPLICIT_DENY"


def test_identical_entries_and_key_sets_are_shared_across_policies() -> None:
    """A request substitutes a repeated entry, and reports a repeated key set, once for all policies."""
    first = parse_policy(doc(allow("iot:Publish", [f"{TOPIC}/${{iot:ClientId}}/*", f"{TOPIC}/one"])))
    second = parse_policy(doc(deny("iot:Publish", [f"{TOPIC}/${{iot:ClientId}}/*", f"{TOPIC}/two"])))
    assert first.statements[0].resources[0] is second.statements[0].resources[0]
    assert first.plan_for("iot:publish").key_report is second.plan_for("iot:publish").key_report
    other = parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*")), dialect="iam")
    assert other.statements[0].resources[0] is not first.statements[0].resources[0]


def test_missing_keys_keep_the_first_name_per_key() -> None:
    policies = [
        (
            "p",
            parse_policy(
                doc(
                    allow("iot:Publish", "*", Condition={"StringEquals": {"IOT:ClientId": ["a"]}}),
                    allow("iot:Publish", f"{TOPIC}/${{iot:clientid}}"),
                )
            ),
        )
    ]
    for values in ({}, {"iot:ClientId": ["a"]}):
        context = RequestContext(values)
        decisions = [evaluate(policies, "iot:Publish", f"{TOPIC}/a", context) for _ in range(2)]
        decisions.append(evaluate(policies, "iot:Publish", f"{TOPIC}/a", context, explain=True))
        assert len({d.missing_keys for d in decisions}) == 1
    assert decisions[0].missing_keys == ("iot:clientid",)  # a list value is no single value to substitute


def test_a_list_value_never_shares_a_binding_with_the_same_single_value() -> None:
    # Only a single value is substituted into a variable: ["c1"] must not reuse the binding made for "c1".
    policies = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*"))))]
    for _ in range(2):
        single = RequestContext({"iot:ClientId": "c1"})
        assert evaluate(policies, "iot:Publish", f"{TOPIC}/c1/a", single).allowed
        assert evaluate(policies, "iot:Publish", f"{TOPIC}/c1/b", single).allowed
        listed = RequestContext({"iot:ClientId": ["c1"]})
        assert not evaluate(policies, "iot:Publish", f"{TOPIC}/c1/a", listed).allowed
        assert not evaluate(policies, "iot:Publish", f"{TOPIC}/c1/b", listed).allowed


def test_a_binding_is_shared_by_contexts_with_the_same_values_only() -> None:
    policies = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*"))))]
    first = RequestContext({"iot:ClientId": "c7", "iot:Connection.Thing.ThingName": "t"})
    evaluate(policies, "iot:Publish", f"{TOPIC}/c7/a", first)
    evaluate(policies, "iot:Publish", f"{TOPIC}/c7/b", first)
    bound = next(found for found in first.bindings.values() if isinstance(found, BoundSet))
    # Another context object, differing only in a key no statement reads: the same binding, at once.
    again = RequestContext({"iot:ClientId": "c7", "iot:Connection.Thing.ThingName": "other"})
    assert evaluate(policies, "iot:Publish", f"{TOPIC}/c7/c", again).allowed
    assert bound in again.bindings.values()
    changed = RequestContext({"iot:ClientId": "c8"})
    assert not evaluate(policies, "iot:Publish", f"{TOPIC}/c7/c", changed).allowed
    assert bound not in changed.bindings.values()


def test_released_caches_still_decide() -> None:
    from boto_iotauth_local import caches

    policies = [("p", parse_policy(doc(allow("iot:Publish", f"{TOPIC}/${{iot:ClientId}}/*"))))]
    context = RequestContext({"iot:ClientId": "c9"})
    for _ in range(2):
        assert evaluate(policies, "iot:Publish", f"{TOPIC}/c9/a", context).allowed
    caches.release()
    assert evaluate(policies, "iot:Publish", f"{TOPIC}/c9/a", RequestContext({"iot:ClientId": "c9"})).allowed
