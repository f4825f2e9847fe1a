"""Property-based hardening of the policy engine and of TestAuthorization through boto3.

* The engine agrees with a small reference evaluator written here (statement by statement, a
  dynamic-programming glob, literal substitution of variables), on the fast path, the bound path and the
  explained path alike.
* Monotonicity: a Deny never creates an ALLOWED, nothing undoes an EXPLICIT_DENY, removing policies never
  creates an ALLOWED that the full set lacks (unless a Deny went), order does not matter.
* The glob matcher agrees with the reference on generated patterns, including literal (substituted) pieces.
* Every generated valid request through a real boto3 client gets a response of the output shape or a
  modeled exception (never InternalFailureException); every generated invalid one gets the modeled
  InvalidRequestException with the exact number of validation errors.
* The matcher finishes on pathological patterns (hang guard only, no timing claim).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import validate_parameters
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from boto_iotauth_local import Activation, World, activate
from boto_iotauth_local.engine import Glob, RequestContext, evaluate, evaluate_all, parse_policy
from boto_iotauth_local.engine.jsondata import compact
from boto_iotauth_local.services.authorization import ACTIONS, PolicyRef, PolicySet, authorize, wire_answer
from boto_iotauth_local.services.principals import Principal
from boto_iotauth_local.wire.model import operation_model

ACCOUNT = "123456789012"
REGION = "us-east-1"
PREFIX = f"arn:aws:iot:{REGION}:{ACCOUNT}:"
HANG_GUARD_SECONDS = 60.0

ENGINE = settings(
    derandomize=True,
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WIRE = settings(
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the reference -------------------------------------------------------------------------------------

Token = tuple[str, bool]  # (character, is a wildcard)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def wild_tokens(text: str) -> list[Token]:
    return [(c, c in "*?") for c in text]


def literal_tokens(text: str) -> list[Token]:
    return [(c, False) for c in text]


def ref_match(tokens: Sequence[Token], subject: str) -> bool:
    """Full-string glob match by dynamic programming: ``dp[j]`` is "the tokens so far match subject[:j]"."""
    n = len(subject)
    dp = [True] + [False] * n
    for char, wild in tokens:
        if wild and char == "*":
            new = [dp[0]] + [False] * n
            for j in range(1, n + 1):
                new[j] = dp[j] or new[j - 1]
        elif wild:
            new = [False, *dp[:-1]]
        else:
            new = [False] + [dp[j - 1] and subject[j - 1] == char for j in range(1, n + 1)]
        dp = new
    return dp[n]


def lookup(context: Mapping[str, str], key: str) -> str | None:
    for name, value in context.items():
        if name.lower() == key.lower():
            return value
    return None


def ref_substitute(text: str, context: Mapping[str, str], version: str) -> list[Token] | None:
    """The pattern's tokens with variables replaced by literal text; None when a variable is unresolved."""
    if version != "2012-10-17":
        return wild_tokens(text)
    out: list[Token] = []
    pos = 0
    for found in _VARIABLE.finditer(text):
        out += wild_tokens(text[pos : found.start()])
        inner = found.group(1)
        if inner in ("*", "?", "$"):
            out += literal_tokens(inner)
        else:
            value = lookup(context, inner)
            if value is None:
                return None
            out += literal_tokens(value)
        pos = found.end()
    out += wild_tokens(text[pos:])
    return out


def listify(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def ref_condition(
    operator: str, key: str, values: list[str], context: Mapping[str, str], version: str
) -> bool:
    got = lookup(context, key)
    if operator == "Null":
        return (got is None) == (values[0] == "true")
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    negated = base in ("StringNotEquals", "StringNotLike")
    if got is None:
        return if_exists or negated
    matched = unknown = False
    for value in values:
        tokens = ref_substitute(value, context, version)
        if tokens is None:
            unknown = True
            continue
        if base in ("StringLike", "StringNotLike"):
            hit = ref_match(tokens, got)
        else:
            hit = "".join(c for c, _ in tokens) == got
        matched = matched or hit
    return (not matched and not unknown) if negated else matched


def ref_applies(
    statement: Mapping[str, Any], version: str, action: str, resource: str, context: Mapping[str, str]
) -> bool:
    not_action = "NotAction" in statement
    actions = listify(statement["NotAction" if not_action else "Action"])
    hit = any(ref_match(wild_tokens(a.lower()), action.lower()) for a in actions)
    if hit == not_action:
        return False
    not_resource = "NotResource" in statement
    matched = unresolved = False
    for entry in listify(statement["NotResource" if not_resource else "Resource"]):
        tokens = ref_substitute(entry, context, version)
        if tokens is None:
            unresolved = True
        elif ref_match(tokens, resource):
            matched = True
    # NotResource: outside every entry, and an Allow never relies on an unresolved entry.
    allow_unsure = unresolved and statement["Effect"] == "Allow"
    covered = (not matched and not allow_unsure) if not_resource else matched
    if not covered:
        return False
    return all(
        ref_condition(operator, key, listify(values), context, version)
        for operator, block in statement.get("Condition", {}).items()
        for key, values in block.items()
    )


def ref_outcome(document: Mapping[str, Any], action: str, resource: str, context: Mapping[str, str]) -> str:
    version = document.get("Version", "2008-10-17")
    applying = [s for s in document["Statement"] if ref_applies(s, version, action, resource, context)]
    if any(s["Effect"] == "Deny" for s in applying):
        return "deny"
    return "allow" if applying else "none"


def ref_decision(outcomes: Sequence[str]) -> str:
    if "deny" in outcomes:
        return "EXPLICIT_DENY"
    return "ALLOWED" if "allow" in outcomes else "IMPLICIT_DENY"


# -- strategies ---------------------------------------------------------------------------------------

POLICY_ACTIONS = [
    "iot:Connect",
    "iot:Publish",
    "iot:Subscribe",
    "iot:Receive",
    "iot:*",
    "*",
    "iot:P*",
    "iot:?onnect",
    "IOT:publish",
    "iot:Pub?ish",
    "iot:Sub*e",
]
REQUEST_ACTIONS = ["iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive"]
KINDS = ["topic/", "topicfilter/", "client/", ""]
PATH_TOKENS = ["a", "b", "/", "+", "#", "$", "$aws", "t1", "c?d", "a*", "x/"]
VARIABLES = [
    "${iot:ClientId}",
    "${iot:Connection.Thing.ThingName}",
    "${iot:Connection.Thing.Attributes[color]}",
    "${IOT:clientid}",
]
PATTERN_TOKENS = [*PATH_TOKENS, "*", "?", "*", "${*}", "${?}", "${$}", *VARIABLES, *VARIABLES]
CONTEXT_VALUES = ["a", "b", "a*", "+", "#", "c?d", "t1", "$aws", "a/b", "*", "?"]
CONDITION_KEYS = ["iot:ClientId", "iot:Connection.Thing.ThingName", "iot:Connection.Thing.Attributes[color]"]
CONDITION_VALUES = [
    "a",
    "b",
    "a*",
    "*",
    "t1",
    "c?d",
    "?",
    "${iot:ClientId}",
    "${iot:Connection.Thing.ThingName}",
]
STRING_OPERATORS = ["StringEquals", "StringNotEquals", "StringLike", "StringNotLike"]

resource_patterns = st.one_of(
    st.just("*"),
    st.just(PREFIX + "topic/${iot:ClientId}"),
    st.builds(
        lambda head, kind, tokens: head + kind + "".join(tokens),
        st.sampled_from([PREFIX, PREFIX, f"arn:aws:iot:*:{ACCOUNT}:", "arn:aws:iot:??-east-1:*:"]),
        st.sampled_from(KINDS),
        st.lists(st.sampled_from(PATTERN_TOKENS), max_size=5),
    ),
)
request_resources = st.builds(
    lambda kind, tokens: PREFIX + kind + "".join(tokens),
    st.sampled_from(KINDS),
    st.lists(st.sampled_from([*PATH_TOKENS, *CONTEXT_VALUES]), max_size=5),
)


def one_or_many(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | list[str]]:
    return st.one_of(strategy, st.lists(strategy, min_size=1, max_size=3))


@st.composite
def condition_blocks(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.integers(0, 5)) == 0:
            block.setdefault("Null", {})[draw(st.sampled_from(CONDITION_KEYS))] = draw(
                st.sampled_from(["true", "false"])
            )
            continue
        operator = draw(st.sampled_from(STRING_OPERATORS)) + draw(st.sampled_from(["", "", "IfExists"]))
        key = draw(st.sampled_from(CONDITION_KEYS))
        block.setdefault(operator, {})[key] = draw(one_or_many(st.sampled_from(CONDITION_VALUES)))
    return block


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    action_element = "NotAction" if draw(st.integers(0, 9)) == 0 else "Action"
    statement[action_element] = draw(one_or_many(st.sampled_from(POLICY_ACTIONS)))
    resource_element = "NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"
    statement[resource_element] = draw(one_or_many(resource_patterns))
    if draw(st.integers(0, 3)) == 0:
        statement["Condition"] = draw(condition_blocks())
    return statement


@st.composite
def documents(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17"]))
    return {"Version": version, "Statement": draw(st.lists(statements(effect), min_size=1, max_size=3))}


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in ("iot:ClientId", "iot:Connection.Thing.ThingName", "iot:Connection.Thing.Attributes[color]"):
        if draw(st.booleans()):
            values[key] = draw(st.sampled_from(CONTEXT_VALUES))
    return values


def compiled(docs: Sequence[Mapping[str, Any]], start: int = 0) -> list[tuple[str, Any]]:
    return [(f"p{start + i}", parse_policy(dict(d), dialect="iot")) for i, d in enumerate(docs)]


def decide(policies: Sequence[tuple[str, Any]], action: str, resource: str, context: RequestContext) -> str:
    """The fast decision, checked against the explained one on every call."""
    fast = evaluate(policies, action, resource, context)
    slow = evaluate(policies, action, resource, context, explain=True)
    assert fast.decision == slow.decision
    assert [p.outcome for p in fast.policies] == [p.outcome for p in slow.policies]
    assert fast.missing_keys == slow.missing_keys
    assert dict(fast.variables) == dict(slow.variables)
    return fast.decision


# -- the engine against the reference -------------------------------------------------------------------


@settings(ENGINE, max_examples=300)
@given(
    docs=st.lists(documents(), min_size=1, max_size=4),
    values=contexts(),
    action=st.sampled_from(REQUEST_ACTIONS),
    resources=st.lists(request_resources, min_size=1, max_size=4),
)
@example(  # an Allow must not rely on an unresolved NotResource entry
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:*", "NotResource": PREFIX + "topic/${iot:ClientId}"}
            ],
        }
    ],
    values={},
    action="iot:Publish",
    resources=[PREFIX + "topic/a"],
)
@example(  # ... while a Deny with one still applies
    docs=[
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "iot:*", "NotResource": PREFIX + "topic/${iot:ClientId}"}
            ],
        },
    ],
    values={},
    action="iot:Publish",
    resources=[PREFIX + "topic/a"],
)
@example(  # negated operators on an absent key are true; positive ones false unless IfExists
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Publish",
                    "Resource": "*",
                    "Condition": {"StringNotEquals": {"iot:ClientId": "a"}},
                },
                {
                    "Effect": "Deny",
                    "Action": "iot:Publish",
                    "Resource": "*",
                    "Condition": {"StringLikeIfExists": {"iot:Connection.Thing.ThingName": "x*"}},
                },
            ],
        }
    ],
    values={"iot:ClientId": "b"},
    action="iot:Publish",
    resources=[PREFIX + "topic/a"],
)
@example(  # a substituted value is literal: a client id of '*' covers only the topic named '*'
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:Publish", "Resource": PREFIX + "topic/${iot:ClientId}"}
            ],
        }
    ],
    values={"iot:ClientId": "*"},
    action="iot:Publish",
    resources=[PREFIX + "topic/a", PREFIX + "topic/*"],
)
def test_engine_agrees_with_the_reference_on_every_path(
    docs: list[dict[str, Any]], values: dict[str, str], action: str, resources: list[str]
) -> None:
    policies = compiled(docs)
    context = RequestContext(values)
    # The first question in a context goes statement by statement, later ones through the bound set: ask
    # every resource twice so both paths answer each one.
    for resource in [*resources, *resources]:
        expected = [ref_outcome(d, action, resource, values) for d in docs]
        fast = evaluate(policies, action, resource, context)
        slow = evaluate(policies, action, resource, context, explain=True)
        for decision in (fast, slow):
            assert [p.outcome for p in decision.policies] == expected, (resource, values)
            assert decision.decision == ref_decision(expected), (resource, values)
        assert fast.missing_keys == slow.missing_keys
        assert dict(fast.variables) == dict(slow.variables)
        for policy in slow.policies:
            assert (policy.outcome != "none") == any(s.matched for s in policy.statements)


@settings(ENGINE, max_examples=200)
@given(
    docs=st.lists(documents(), min_size=1, max_size=4),
    values=contexts(),
    other=contexts(),
    action=st.sampled_from(REQUEST_ACTIONS),
    resources=st.lists(request_resources, min_size=1, max_size=3),
)
def test_bound_sets_shared_between_contexts_agree_with_the_reference(
    docs: list[dict[str, Any]],
    values: dict[str, str],
    other: dict[str, str],
    action: str,
    resources: list[str],
) -> None:
    """A set bound for one context serves every context reading the same values: fresh context objects,
    contexts with keys no statement reads, asked after contexts with other values, in any order."""
    policies = compiled(docs)
    unread = {**values, "iot:Certificate.Subject.Country": "NZ"}
    for values_now in (other, values, unread, other, values, unread):
        for resource in [*resources, *resources]:
            expected = [ref_outcome(d, action, resource, values_now) for d in docs]
            fresh = evaluate(policies, action, resource, RequestContext(values_now))
            assert [p.outcome for p in fresh.policies] == expected, (resource, values_now)
            assert fresh.decision == ref_decision(expected)
            slow = evaluate(policies, action, resource, RequestContext(values_now), explain=True)
            assert fresh.missing_keys == slow.missing_keys
            assert dict(fresh.variables) == dict(slow.variables)
        shared = RequestContext(values_now)  # one context: its second question binds the set for all
        for resource in [*resources, *resources]:
            expected = [ref_outcome(d, action, resource, values_now) for d in docs]
            assert [p.outcome for p in evaluate(policies, action, resource, shared).policies] == expected
        # Several resources at once bind the set on the first question, in a fresh context or a used one.
        for context in (RequestContext(values_now), shared):
            decided = evaluate_all(policies, action, [*resources, *resources], context)
            for resource, decision in zip([*resources, *resources], decided, strict=True):
                expected = [ref_outcome(d, action, resource, values_now) for d in docs]
                assert [p.outcome for p in decision.policies] == expected
                slow = evaluate(policies, action, resource, RequestContext(values_now), explain=True)
                assert decision.missing_keys == slow.missing_keys
                assert dict(decision.variables) == dict(slow.variables)


@settings(ENGINE, max_examples=150)
@given(
    docs=st.lists(documents(), min_size=1, max_size=3),
    gate_docs=st.none() | st.lists(documents(), min_size=0, max_size=2),
    values=contexts(),
    other=contexts(),
    action_type=st.sampled_from(["CONNECT", "PUBLISH", "SUBSCRIBE", "RECEIVE"]),
    resources=st.lists(request_resources, min_size=1, max_size=3),
)
def test_answers_shared_between_policy_sets_agree_with_the_reference(
    docs: list[dict[str, Any]],
    gate_docs: list[dict[str, Any]] | None,
    values: dict[str, str],
    other: dict[str, str],
    action_type: str,
    resources: list[str],
) -> None:
    """TestAuthorization's answers are shared by every policy set with the same policies and the same
    reading of the keys they read: each new set, whatever else its context holds, gets the answer the
    statement-by-statement evaluation gives it; and what the wire sends (``wire_answer``, which builds no
    AuthResult) is that answer's encoding, byte for byte, with or without a Cognito role gate."""
    refs = tuple(PolicyRef(name, f"{PREFIX}policy/{name}", policy) for name, policy in compiled(docs))
    gate = None
    if gate_docs is not None:
        pairs = compiled(gate_docs, start=len(docs))
        gate = tuple(PolicyRef(name, f"{PREFIX}policy/{name}", policy) for name, policy in pairs)
    action = ACTIONS[action_type]
    unread = {**values, "iot:Certificate.Subject.Country": "NZ"}
    for values_now in (other, values, unread, other, values, unread):
        policy_set = PolicySet(Principal("none", None), None, refs, gate, RequestContext(values_now))
        sent = wire_answer(policy_set, action_type, resources)
        got = authorize(policy_set, action_type, resources)
        want = authorize(policy_set, action_type, resources, explain=True)
        assert got.to_dict() == want.to_dict(), values_now
        assert sent == compact(got.to_dict()) == compact(want.to_dict()), values_now
        assert [d.decision for d in got.decisions] == [d.decision for d in want.decisions]
        main = [ref_decision([ref_outcome(d, action, r, values_now) for d in docs]) for r in resources]
        if gate_docs is None:
            assert [d.decision for d in got.decisions] == main
        else:
            gated = [
                ref_decision([ref_outcome(d, action, r, values_now) for d in gate_docs]) for r in resources
            ]
            both = [
                "EXPLICIT_DENY"
                if "EXPLICIT_DENY" in (m, g)
                else "ALLOWED"
                if (m, g) == ("ALLOWED", "ALLOWED")
                else "IMPLICIT_DENY"
                for m, g in zip(main, gated, strict=True)
            ]
            assert [d.decision for d in got.decisions] == both


@settings(ENGINE, max_examples=120)
@given(
    docs=st.lists(documents(), min_size=0, max_size=3),
    deny_doc=documents(effect="Deny"),
    deny_statement=statements(effect="Deny"),
    other=documents(),
    values=contexts(),
    action=st.sampled_from(REQUEST_ACTIONS),
    resources=st.lists(request_resources, min_size=1, max_size=3),
)
def test_monotonicity_of_the_decision(
    docs: list[dict[str, Any]],
    deny_doc: dict[str, Any],
    deny_statement: dict[str, Any],
    other: dict[str, Any],
    values: dict[str, str],
    action: str,
    resources: list[str],
) -> None:
    base = compiled(docs)
    with_deny = [*base, ("deny", parse_policy(deny_doc, dialect="iot"))]
    with_other = [*base, ("other", parse_policy(other, dialect="iot"))]
    amended: list[tuple[str, Any]] = list(base)
    if docs:
        grown = {**docs[0], "Statement": [*docs[0]["Statement"], deny_statement]}
        amended[0] = ("p0", parse_policy(grown, dialect="iot"))
    context = RequestContext(values)  # one context for every set: the per-context caches must not mix them
    for resource in resources:
        before = decide(base, action, resource, context)
        # Adding a Deny (a policy, or a statement in a policy) never creates an ALLOWED.
        for grown_set in (with_deny, amended):
            after = decide(grown_set, action, resource, context)
            assert after == before or after == "EXPLICIT_DENY", (before, after)
        # Adding any policy never undoes an EXPLICIT_DENY, and never loses an ALLOWED but to a Deny.
        after = decide(with_other, action, resource, context)
        if before == "EXPLICIT_DENY":
            assert after == "EXPLICIT_DENY"
        if before == "ALLOWED":
            assert after in ("ALLOWED", "EXPLICIT_DENY")
        # Removing policies never creates an ALLOWED the full set would not give, unless a Deny went with
        # them; and every policy's outcome is its own, whatever else is in the set, in any order.
        full = evaluate(base, action, resource, context, explain=True)
        outcomes = {p.name: p.outcome for p in full.policies}
        for drop in range(len(base)):
            subset = base[:drop] + base[drop + 1 :]
            reduced = decide(subset, action, resource, context)
            if reduced == "ALLOWED" and full.decision != "ALLOWED":
                assert full.decision == "EXPLICIT_DENY"
            if full.decision == "IMPLICIT_DENY":
                assert reduced == "IMPLICIT_DENY"
        reordered = evaluate(list(reversed(base)), action, resource, context)
        assert reordered.decision == full.decision
        assert {p.name: p.outcome for p in reordered.policies} == outcomes


# -- the glob matcher ---------------------------------------------------------------------------------

glob_parts = st.lists(
    st.tuples(st.text(alphabet="ab*?/+#$", max_size=6), st.booleans()),
    max_size=4,
)


def part_tokens(parts: Sequence[tuple[str, bool]]) -> list[Token]:
    out: list[Token] = []
    for text, literal in parts:
        out += literal_tokens(text) if literal else wild_tokens(text)
    return out


@st.composite
def subjects_for(draw: st.DrawFn, tokens: Sequence[Token]) -> str:
    """Usually a string the tokens match (wildcards filled in), sometimes mutated, sometimes random."""
    how = draw(st.integers(0, 3))
    if how == 0:
        return draw(st.text(alphabet="ab*?/+#$", max_size=12))
    pieces: list[str] = []
    for char, wild in tokens:
        if wild and char == "*":
            pieces.append(draw(st.text(alphabet="ab*?/", max_size=4)))
        elif wild:
            pieces.append(draw(st.sampled_from("ab*?/")))
        else:
            pieces.append(char)
    text = "".join(pieces)
    if how == 1 and text:
        index = draw(st.integers(0, len(text) - 1))
        text = text[:index] + draw(st.sampled_from(["", "a", "b?", "**"])) + text[index + 1 :]
    return text


@ENGINE
@given(parts=glob_parts, data=st.data())
def test_glob_agrees_with_the_dynamic_programming_reference(
    parts: list[tuple[str, bool]], data: st.DataObject
) -> None:
    """``match`` and the test ``test()`` picks for the pattern's shape both agree with the reference."""
    tokens = part_tokens(parts)
    glob = Glob.from_parts(parts)
    test = glob.test()
    for _ in range(4):
        subject = data.draw(subjects_for(tokens))
        assert glob.match(subject) is ref_match(tokens, subject), (parts, subject)
        assert test(subject) is ref_match(tokens, subject), (parts, subject)
    plain = "".join(text for text, _ in parts)
    subject = data.draw(subjects_for(wild_tokens(plain)))
    wanted = ref_match(wild_tokens(plain), subject)
    compiled_plain = Glob.compile(plain)
    assert compiled_plain.match(subject) is compiled_plain.test()(subject) is wanted, (plain, subject)
    assert (
        Glob.literal_text(plain).match(subject)
        is Glob.literal_text(plain).test()(subject)
        is (subject == plain)
    )


@ENGINE
@given(
    pattern=st.lists(st.sampled_from([*PATTERN_TOKENS, "${iot:ClientId}"]), max_size=6).map("".join),
    client_id=st.text(alphabet="ab*?/+#$", min_size=1, max_size=5),
    data=st.data(),
)
def test_substituted_values_are_literal_in_resource_patterns(
    pattern: str, client_id: str, data: st.DataObject
) -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": PREFIX + "topic/" + pattern}],
    }
    policies = compiled([document])
    values = {"iot:ClientId": client_id, "iot:Connection.Thing.ThingName": "t1"}
    tokens = ref_substitute(PREFIX + "topic/" + pattern, values, "2012-10-17")
    context = RequestContext(values)
    for _ in range(3):
        if tokens is None:
            resource = PREFIX + "topic/" + data.draw(st.text(alphabet="ab*?/+#$", max_size=8))
            expected = False
        else:
            resource = data.draw(subjects_for(tokens))
            expected = ref_match(tokens, resource)
        assert (decide(policies, "iot:Publish", resource, context) == "ALLOWED") is expected, resource


# -- bounded time on pathological patterns (a hang guard, not a speed claim) ------------------------------


def _finishes(work: Callable[[], Any]) -> Any:
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # reported in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), "the matcher did not finish (hang guard)"
    if "error" in box:
        raise box["error"]
    return box["value"]


PATHOLOGICAL = [
    ("stars-a-b", "*" + "a*" * 49 + "b", "a" * 2048, False),
    ("stars-a-b-match", "*" + "a*" * 49 + "b", "a" * 2047 + "b", True),
    ("question-marks", "*" + "?" * 1000 + "*b", "a" * 2048, False),
    ("question-marks-match", "*" + "?" * 1000 + "*b", "a" * 2047 + "b", True),
    ("mixed", "*" + "a?*" * 40 + "b", "a" * 2048, False),
    ("long-anchor", "*" + "a" * 1000 + "?*" + "a" * 900 + "b", "a" * 2048, False),
    ("many-short-segments", "*" + "ab?*" * 120, "ab" * 1024, True),
]


@pytest.mark.parametrize(
    ("pattern", "subject", "expected"),
    [case[1:] for case in PATHOLOGICAL],
    ids=[case[0] for case in PATHOLOGICAL],
)
def test_pathological_patterns_finish(pattern: str, subject: str, expected: bool) -> None:
    assert _finishes(lambda: Glob.compile(pattern).match(subject)) is expected
    assert ref_match(wild_tokens(pattern[:60]), subject[:60]) is not None  # the reference itself is sane
    # Through the whole engine, as a resource pattern of a policy (all under 2048 characters).
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": PREFIX + "topic/" + pattern}],
    }
    policies = compiled([document])
    resource = PREFIX + "topic/" + subject
    context = RequestContext({})
    decisions = _finishes(lambda: [evaluate(policies, "iot:Publish", resource, context) for _ in range(3)])
    assert {d.decision for d in decisions} == {"ALLOWED" if expected else "IMPLICIT_DENY"}


def test_pathological_pattern_through_boto3() -> None:
    world = World(account_id=ACCOUNT, region=REGION)
    pattern = PREFIX + "topic/" + "*" + "a*" * 49 + "b"
    world.create_policy(
        policyName="Slow",
        policyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": pattern}],
            }
        ),
    )
    resources = [PREFIX + "topic/" + "a" * (2048 - len(PREFIX) - 6)] * 5
    with activate(world):
        iot = boto3.client("iot", region_name=REGION)
        response = _finishes(
            lambda: iot.test_authorization(
                policyNamesToAdd=["Slow"], authInfos=[{"actionType": "PUBLISH", "resources": resources}] * 10
            )
        )
    assert [r["authDecision"] for r in response["authResults"]] == ["IMPLICIT_DENY"] * 10


# -- whole requests through boto3 ---------------------------------------------------------------------

POOL = "us-east-1:00000000-0000-0000-0000-000000000001"
COGNITO_ID = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"
POLICY_DOCS: dict[str, dict[str, Any]] = {
    "AllowAll": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}],
    },
    "DenySecret": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "iot:*", "Resource": PREFIX + "topic/secret/*"}],
    },
    "ClientEcho": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": PREFIX + "topic/${iot:ClientId}"}
        ],
    },
    "ThingConnect": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": PREFIX + "client/${iot:Connection.Thing.ThingName}",
            }
        ],
    },
    "OnlyClientA": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["iot:Subscribe", "iot:Receive"],
                "Resource": "*",
                "Condition": {"StringEquals": {"iot:ClientId": "a"}},
            }
        ],
    },
}
NAMES = sorted(POLICY_DOCS)


class Env:
    """A small world, its activation and two clients: one that validates, one that does not."""

    def __init__(self) -> None:
        world = World(account_id=ACCOUNT, region=REGION)
        for name, document in POLICY_DOCS.items():
            world.create_policy(policyName=name, policyDocument=json.dumps(document))
        cert = world.create_test_certificate(subject={"CommonName": "t1"})
        self.cert_arn: str = cert["certificateArn"]
        world.create_thing(thingName="t1")
        world.attach_thing_principal(thingName="t1", principal=self.cert_arn)
        world.attach_policy(policyName="ThingConnect", target=self.cert_arn)
        world.attach_policy(policyName="DenySecret", target=self.cert_arn)
        world.create_thing_group(thingGroupName="fleet")
        world.add_thing_to_thing_group(thingGroupName="fleet", thingName="t1")
        world.attach_policy(policyName="OnlyClientA", target=world.thing_group_arn("fleet"))
        world.attach_policy(policyName="ClientEcho", target=COGNITO_ID)
        world.create_cognito_identity_pool(
            POOL,
            authenticatedPolicies={
                "RoleAll": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}],
                }
            },
            unauthenticatedPolicies={
                "RoleGuest": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
                }
            },
        )
        self.world = world
        self.group_arn = world.thing_group_arn("fleet")


@pytest.fixture(scope="module")
def env(offline_module: None) -> Iterator[tuple[Env, Activation, Any, Any]]:
    made = Env()
    with activate(made.world) as handle:
        strict = boto3.client("iot", region_name=REGION)
        raw = boto3.client("iot", region_name=REGION, config=Config(parameter_validation=False))
        yield made, handle, strict, raw


MODELED_ERRORS = {shape.name for shape in operation_model("TestAuthorization").error_shapes}

resource_text = st.one_of(
    request_resources,
    st.sampled_from([PREFIX + "topic/secret/x", PREFIX + "client/t1", PREFIX + "topic/a"]),
    st.text(max_size=40),
    st.builds(lambda n, c: c * n, st.integers(2000, 2048), st.sampled_from(["a", "/", "é", "*"])),
)


@st.composite
def valid_requests(draw: st.DrawFn, env: Env) -> dict[str, Any]:
    """Valid for the model; most are answerable, a few name what does not exist or break a service rule."""
    rare = st.integers(0, 24).map(lambda n: n == 0)
    infos = []
    for _ in range(draw(st.integers(1, 10))):
        resources = [] if draw(rare) else draw(st.lists(resource_text, min_size=1, max_size=3))
        infos.append(
            {
                "actionType": draw(st.sampled_from(["PUBLISH", "SUBSCRIBE", "RECEIVE", "CONNECT"])),
                "resources": resources,
            }
        )
    request: dict[str, Any] = {"authInfos": infos}
    known = [None, None, env.cert_arn, env.cert_arn, env.group_arn, COGNITO_ID]
    unknown = [PREFIX + "cert/" + "a" * 64, PREFIX + "thinggroup/nope", "device-1"]
    principal = draw(st.sampled_from(unknown)) if draw(rare) else draw(st.sampled_from(known))
    if principal is not None:
        request["principal"] = principal
    if principal in (None, COGNITO_ID) and draw(st.integers(0, 3)) == 0:
        pools = [POOL, POOL, POOL, "us-east-1:00000000-0000-0000-0000-0000000000ff"]
        request["cognitoIdentityPoolId"] = draw(st.sampled_from(pools))
    if draw(st.booleans()):
        request["clientId"] = draw(
            st.one_of(st.sampled_from(["a", "t1", "b", "a*"]), st.text(min_size=1, max_size=20))
        )
    if draw(st.booleans()):
        names = [*NAMES, "Ghost"] if draw(rare) else NAMES
        request["policyNamesToAdd"] = draw(st.lists(st.sampled_from(names), max_size=3))
    if draw(st.booleans()):
        request["policyNamesToSkip"] = draw(st.lists(st.sampled_from([*NAMES, "Ghost", "x.y@z"]), max_size=3))
    return request


def test_valid_requests_get_the_output_shape_or_a_modeled_error(
    env: tuple[Env, Activation, Any, Any],
) -> None:
    made, handle, iot, _ = env
    output_shape = operation_model("TestAuthorization").output_shape

    @WIRE
    @given(request=valid_requests(made))
    def check(request: dict[str, Any]) -> None:
        try:
            response = iot.test_authorization(**request)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            assert code in MODELED_ERRORS and code != "InternalFailureException", error
            return
        body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        validate_parameters(body, output_shape)
        results = body["authResults"]
        assert [r["authInfo"] for r in results] == request["authInfos"]
        for result in results:
            allowed = result["allowed"]["policies"]
            explicit = result["denied"]["explicitDeny"]["policies"]
            if result["authDecision"] == "ALLOWED":
                assert allowed and not explicit
            elif result["authDecision"] == "EXPLICIT_DENY":
                assert explicit
            else:
                assert not explicit
        first = request["authInfos"][0]
        explained = handle.explain(
            first["actionType"],
            first["resources"],
            principal=request.get("principal"),
            client_id=request.get("clientId"),
            cognito_identity_pool_id=request.get("cognitoIdentityPoolId"),
            policy_names_to_add=request.get("policyNamesToAdd") or (),
            policy_names_to_skip=request.get("policyNamesToSkip") or (),
        )
        assert explained.to_dict() == results[0]

    check()
    assert not [c for c in handle.calls if c.error is not None and c.error.code == "InternalFailureException"]


def test_client_ids_round_trip_the_query_string(env: tuple[Env, Activation, Any, Any]) -> None:
    _, _, iot, _ = env

    @WIRE
    @given(client_id=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40))
    def check(client_id: str) -> None:
        topic = PREFIX + "topic/" + client_id
        response = iot.test_authorization(
            clientId=client_id,
            policyNamesToAdd=["ClientEcho"],
            authInfos=[
                {"actionType": "PUBLISH", "resources": [topic]},
                {"actionType": "PUBLISH", "resources": [topic + "x"]},
            ],
        )
        decisions = [r["authDecision"] for r in response["authResults"]]
        assert decisions == ["ALLOWED", "IMPLICIT_DENY"], client_id

    check()


@st.composite
def invalid_requests(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A request with model violations the service must report, and how many there are."""
    errors = 0
    items: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 10))):
        item: dict[str, Any] = {"actionType": "PUBLISH", "resources": [PREFIX + "topic/a"]}
        mutation = draw(
            st.sampled_from(["none", "none", "enum", "type", "oversize", "no-resources", "item-type"])
        )
        if mutation == "enum":
            item["actionType"] = draw(st.sampled_from(["DANCE", "publish", "", "CONNECT "]))
        elif mutation == "type":
            item["actionType"] = draw(st.sampled_from([7, True, 1.5]))
        elif mutation == "oversize":
            item["resources"] = ["r" * draw(st.integers(2049, 3000))] * draw(st.integers(1, 2))
            errors += len(item["resources"]) - 1
        elif mutation == "no-resources":
            del item["resources"]
        elif mutation == "item-type":
            item["resources"] = [PREFIX + "topic/a", draw(st.sampled_from([5, False]))]
        errors += mutation != "none"
        items.append(item)
    request: dict[str, Any] = {"authInfos": items}
    shape = draw(st.sampled_from(["as-is", "as-is", "too-many", "empty", "missing"]))
    if shape == "too-many":
        request["authInfos"] = items + [{"actionType": "CONNECT", "resources": ["c"]}] * (11 - len(items))
        errors += 1
    elif shape in ("empty", "missing"):
        errors = 1
        if shape == "empty":
            request["authInfos"] = []
        else:
            del request["authInfos"]
    for field in ("policyNamesToAdd", "policyNamesToSkip"):
        bad = draw(
            st.lists(st.sampled_from(["has space", "x" * 129, "semi;colon", "slash/", "ok"]), max_size=3)
        )
        if bad:
            request[field] = bad
            errors += sum(name != "ok" for name in bad)
    if errors == 0:
        request["authInfos"] = [{"actionType": "SHOUT", "resources": ["r"]}]
        errors = 1
    return request, errors


def test_invalid_requests_get_invalid_request_exception(env: tuple[Env, Activation, Any, Any]) -> None:
    _, handle, _, raw = env

    @WIRE
    @given(case=invalid_requests())
    def check(case: tuple[dict[str, Any], int]) -> None:
        request, expected = case
        with pytest.raises(ClientError) as caught:
            raw.test_authorization(**request)
        error = caught.value.response
        assert error["Error"]["Code"] == "InvalidRequestException", error
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        message = error["Error"]["Message"]
        plural = "error" if expected == 1 else "errors"
        assert message.startswith(f"{expected} validation {plural} detected: "), (request, message)
        assert message.count("failed to satisfy constraint") == expected

    check()
    assert not [c for c in handle.calls if c.error is not None and c.error.code == "InternalFailureException"]
