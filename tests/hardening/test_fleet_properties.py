"""Property-based hardening of the fleet question: fixed resources, one reading of the context per principal.

* ``engine.fixed`` (a policy set asked one action on fixed resources, decided per reading) agrees with the
  statement-by-statement evaluation on every policy, resource and missing key, for contexts with values
  that are special in IoT topics and in patterns (``*``, ``?``, ``+``, ``#``, ``/``, ``$``, ``{``, empty),
  multi-valued keys, unknown and absent variables, IAM default values, Deny, NotResource and NotAction;
  and with the independent reference evaluator of ``test_properties`` where that one applies.
* ``who_can`` answers, for every principal of generated worlds, exactly what ``policy_set`` and the
  explained ``authorize`` (TestAuthorization's reference path) answer for that principal alone.
* A Deny never allows: adding a Deny policy to a world never turns a row into ALLOWED, and never undoes
  an EXPLICIT_DENY.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from boto_iotauth_local import World
from boto_iotauth_local.engine import RequestContext, evaluate, parse_policy
from boto_iotauth_local.engine.fixed import ALLOW, DENY, NONE, FixedQuestion
from boto_iotauth_local.errors import InvalidRequestException, LimitExceededException
from boto_iotauth_local.services.authorization import ACTIONS, authorize, policy_set
from boto_iotauth_local.services.who_can import Access, _access, who_can
from boto_iotauth_local.world import generate_certificate

from .test_properties import (
    ENGINE,
    KINDS,
    PATH_TOKENS,
    POLICY_ACTIONS,
    PREFIX,
    REQUEST_ACTIONS,
    STRING_OPERATORS,
    documents,
    one_or_many,
    ref_decision,
    ref_outcome,
    request_resources,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"
NOW = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
_RANK = {"none": NONE, "allow": ALLOW, "deny": DENY}

# -- engine.fixed against the explained evaluation and the reference ----------------------------------

#: Values special in MQTT topics, in patterns and in variable syntax, and the empty value.
SPECIAL_VALUES = [
    "a",
    "b",
    "t1",
    "*",
    "?",
    "+",
    "#",
    "a/b",
    "$aws",
    "${iot:ClientId}",
    "{",
    "$",
    "",
    "a*",
    "c?d",
]
KEYS = {
    "iot:ClientId": "${iot:ClientId}",
    "iot:Connection.Thing.ThingName": "${iot:Connection.Thing.ThingName}",
    "iot:Connection.Thing.Attributes[color]": "${iot:Connection.Thing.Attributes[color]}",
    "iot:Certificate.Subject.OrganizationalUnit.List": "${iot:Certificate.Subject.OrganizationalUnit.List}",
}
#: Variables the context may carry, one it never carries, and IAM's default-value form (unsupported, so
#: never resolved, in the iot dialect).
FIXED_VARIABLES = [*KEYS.values(), "${IOT:clientid}", "${aws:username}", "${iot:ClientId, 'dflt'}"]
FIXED_TOKENS = [*PATH_TOKENS, "*", "?", "${*}", "${?}", "${$}", "$(*)", *FIXED_VARIABLES, *FIXED_VARIABLES]

fixed_patterns = st.one_of(
    st.just("*"),
    st.sampled_from([PREFIX + "topic/" + v + "/*" for v in FIXED_VARIABLES]),
    st.builds(
        lambda head, kind, tokens: head + kind + "".join(tokens),
        st.sampled_from(
            [PREFIX, PREFIX, f"arn:aws:iot:*:{ACCOUNT}:", "arn:aws:iot:??-east-1:*:", "arn:aws:*:*:*:"]
        ),
        st.sampled_from(KINDS),
        st.lists(st.sampled_from(FIXED_TOKENS), max_size=5),
    ),
)


@st.composite
def fixed_conditions(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    block: dict[str, dict[str, Any]] = {}
    for _ in range(draw(st.integers(1, 2))):
        key = draw(st.sampled_from(list(KEYS)))
        if draw(st.integers(0, 5)) == 0:
            block.setdefault("Null", {})[key] = draw(st.sampled_from(["true", "false"]))
            continue
        qualifier = draw(st.sampled_from(["", "", "ForAnyValue:", "ForAllValues:"]))
        operator = (
            qualifier + draw(st.sampled_from(STRING_OPERATORS)) + draw(st.sampled_from(["", "IfExists"]))
        )
        block.setdefault(operator, {})[key] = draw(
            one_or_many(st.sampled_from([*SPECIAL_VALUES[:8], *FIXED_VARIABLES]))
        )
    return block


@st.composite
def fixed_statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    statement["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = draw(
        one_or_many(st.sampled_from(POLICY_ACTIONS))
    )
    statement["NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"] = draw(
        one_or_many(fixed_patterns)
    )
    if draw(st.integers(0, 3)) == 0:
        statement["Condition"] = draw(fixed_conditions())
    return statement


@st.composite
def fixed_documents(draw: st.DrawFn) -> dict[str, Any]:
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17"]))
    return {"Version": version, "Statement": draw(st.lists(fixed_statements(), min_size=1, max_size=3))}


@st.composite
def fixed_contexts(draw: st.DrawFn) -> dict[str, str | list[str]]:
    """Values for some keys: usually one value, sometimes several (a multi-valued key), sometimes none."""
    values: dict[str, str | list[str]] = {}
    for key in KEYS:
        how = draw(st.integers(0, 5))
        if how == 0:
            continue
        if how == 1 or key.endswith(".List"):
            values[key] = draw(st.lists(st.sampled_from(SPECIAL_VALUES), max_size=3))
        else:
            values[key] = draw(st.sampled_from(SPECIAL_VALUES))
    return values


fixed_resources = st.one_of(
    request_resources,
    st.builds(
        lambda kind, tokens: PREFIX + kind + "".join(tokens),
        st.sampled_from(KINDS),
        st.lists(st.sampled_from([*PATH_TOKENS, *SPECIAL_VALUES]), max_size=6),
    ),
)


def folded(values: dict[str, str | list[str]]) -> dict[str, str | tuple[str, ...]]:
    """A reading as a fleet question hands it over: lower-cased keys, lists as tuples."""
    return {key.lower(): value if isinstance(value, str) else tuple(value) for key, value in values.items()}


@settings(ENGINE, max_examples=400)
@given(
    docs=st.lists(st.one_of(fixed_documents(), documents()), min_size=1, max_size=4),
    dialect=st.sampled_from(["iot", "iot", "iam"]),
    contexts=st.lists(fixed_contexts(), min_size=1, max_size=4),
    action=st.sampled_from(REQUEST_ACTIONS),
    resources=st.lists(fixed_resources, min_size=1, max_size=3),
)
@example(  # a value of '*' covers only the topic named '*', whatever the pattern's head and tail
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iot:Publish", "Resource": PREFIX + "topic/*/${iot:ClientId}/*"}
            ],
        }
    ],
    dialect="iot",
    contexts=[{"iot:ClientId": "*"}, {"iot:ClientId": "a"}, {"iot:ClientId": ["a"]}, {}],
    action="iot:Publish",
    resources=[PREFIX + "topic/x/a/y", PREFIX + "topic/x/*/y"],
)
@example(  # a Deny with an unresolved NotResource entry applies; an Allow does not rely on one
    docs=[
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "iot:*", "NotResource": PREFIX + "topic/${iot:ClientId}"},
                {"Effect": "Allow", "Action": "iot:*", "NotResource": PREFIX + "topic/${iot:ClientId}"},
            ],
        },
    ],
    dialect="iot",
    contexts=[{}, {"iot:ClientId": "a"}, {"iot:ClientId": ["a", "b"]}],
    action="iot:Publish",
    resources=[PREFIX + "topic/a"],
)
@example(  # IAM's default value stands in for an absent or multi-valued key, in the iam dialect only
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Publish",
                    "Resource": PREFIX + "topic/${iot:ClientId, 'dflt'}",
                }
            ],
        }
    ],
    dialect="iam",
    contexts=[{}, {"iot:ClientId": "a"}, {"iot:ClientId": ["a", "b"]}],
    action="iot:Publish",
    resources=[PREFIX + "topic/dflt", PREFIX + "topic/a"],
)
@example(  # the value occurs in the resource only where the wildcard head cannot match before it
    docs=[
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iot:Publish",
                    "Resource": f"arn:aws:iot:*:{ACCOUNT}:topic/${{iot:ClientId}}",
                }
            ],
        }
    ],
    dialect="iot",
    contexts=[{"iot:ClientId": "b"}, {"iot:ClientId": "a/b"}, {"iot:ClientId": "/b"}],
    action="iot:Publish",
    resources=[PREFIX + "topic/a/b"],
)
def test_fixed_resources_agree_with_the_explained_evaluation(
    docs: list[dict[str, Any]],
    dialect: str,
    contexts: list[dict[str, str | list[str]]],
    action: str,
    resources: list[str],
) -> None:
    policies = [(f"p{i}", parse_policy(dict(d), dialect=dialect)) for i, d in enumerate(docs)]  # type: ignore[arg-type]
    question = FixedQuestion(action, resources)
    fixed = question.policy_set(policies)
    again = question.policy_set(list(reversed(policies)))  # shares the compiled tests of the first
    for values in [*contexts, *contexts]:
        decisions, ranks, missing = fixed.decide(folded(values))
        context = RequestContext(values)
        explained = [evaluate(policies, action, resource, context, explain=True) for resource in resources]
        assert list(decisions) == [d.decision for d in explained], values
        want = [max(_RANK[d.policies[i].outcome] for d in explained) for i in range(len(policies))]
        assert list(ranks) == want, values
        assert missing == explained[0].missing_keys, values
        assert list(again.decide(folded(values))[1]) == want[::-1]
        if fixed.constant is not None:
            assert fixed.constant == (decisions, ranks, missing)
        scalar = all(isinstance(v, str) for v in values.values())
        if scalar and dialect == "iot" and "'dflt'" not in json.dumps(docs):
            for resource, decision in zip(resources, decisions, strict=True):
                expected = [ref_outcome(d, action, resource, values) for d in docs]  # type: ignore[arg-type]
                assert decision == ref_decision(expected), (resource, values)


# -- who_can against TestAuthorization's reference path, per principal ------------------------------------

THINGS = ["a", "b", "t1", "c-d", "x:y"]
ATTRIBUTES = ["a", "b", "", "a/b", "#", "t1", "x=y"]
COMMON_NAMES = ["a", "t1", "b", "*", "a/b"]  # '*' is not substituted by IoT: the variable stays unresolved
COGNITO_ID = f"{REGION}:11a86fa8-fc2c-46da-a38b-e46762e447ed"
WORLD_KEYS = [
    "iot:ClientId",
    "iot:Connection.Thing.ThingName",
    "iot:Connection.Thing.Attributes[color]",
    "iot:Connection.Thing.IsAttached",
    "iot:Certificate.Subject.CommonName",
    "iot:Certificate.Subject.OrganizationalUnit.List",
    "cognito-identity.amazonaws.com:sub",
]
WORLD_TOKENS = [*PATH_TOKENS, "*", "?", "${*}", *(f"${{{key}}}" for key in WORLD_KEYS), "${aws:username}"]
world_patterns = st.one_of(
    st.just("*"),
    st.sampled_from([f"{PREFIX}topic/${{{key}}}/*" for key in WORLD_KEYS[:5]]),
    st.builds(
        lambda kind, tokens: PREFIX + kind + "".join(tokens),
        st.sampled_from(KINDS),
        st.lists(st.sampled_from(WORLD_TOKENS), max_size=4),
    ),
)


@st.composite
def world_statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Allow", "Deny"]))}
    statement["NotAction" if draw(st.integers(0, 9)) == 0 else "Action"] = draw(
        one_or_many(st.sampled_from(POLICY_ACTIONS))
    )
    statement["NotResource" if draw(st.integers(0, 5)) == 0 else "Resource"] = draw(
        one_or_many(world_patterns)
    )
    if draw(st.booleans()):
        key = draw(st.sampled_from([*WORLD_KEYS, "iot:Connection.Thing.IsAttached"]))
        if key == "iot:Connection.Thing.IsAttached":
            statement["Condition"] = {"Bool": {key: draw(st.sampled_from(["true", "false"]))}}
        else:
            operator = draw(st.sampled_from(["", "ForAnyValue:"])) + draw(st.sampled_from(STRING_OPERATORS))
            statement["Condition"] = {
                operator: {key: draw(one_or_many(st.sampled_from([*THINGS, "*", "a*"])))}
            }
    return statement


def world_document(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@functools.cache
def certificate_pem(common_name: str) -> str:
    subject = {"CommonName": common_name, "OrganizationalUnit": ["ops", common_name]}
    return generate_certificate(subject=subject).certificate_pem


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """A few certificates, things (attributes, exclusive or not), nested groups, a Cognito identity and
    policies attached here and there."""
    world = World(account_id=ACCOUNT, region=REGION)
    names = [f"P{i}" for i in range(draw(st.integers(1, 4)))]
    for name in names:
        statements = draw(st.lists(world_statements(), min_size=1, max_size=3))
        world.create_policy(policyName=name, policyDocument=world_document(statements))
    world.create_thing_group(thingGroupName="root")
    world.create_thing_group(thingGroupName="leaf", parentGroupName="root")
    world.create_thing_group(thingGroupName="other")
    things = draw(st.lists(st.sampled_from(THINGS), min_size=1, max_size=4, unique=True))
    for thing in things:
        attributes = {"color": draw(st.sampled_from(ATTRIBUTES))} if draw(st.booleans()) else {}
        world.create_thing(thingName=thing, attributePayload={"attributes": attributes})
        for group in draw(st.lists(st.sampled_from(["root", "leaf", "other"]), max_size=2, unique=True)):
            world.add_thing_to_thing_group(thingGroupName=group, thingName=thing)
    targets = [world.thing_group_arn(group) for group in ("root", "leaf", "other")] + [COGNITO_ID]
    principals = [COGNITO_ID]
    for common_name in draw(st.lists(st.sampled_from(COMMON_NAMES), min_size=1, max_size=3, unique=True)):
        arn = world.register_certificate_without_ca(certificatePem=certificate_pem(common_name))[
            "certificateArn"
        ]
        targets.append(arn)
        principals.append(arn)
    for principal in principals:
        for thing in draw(st.lists(st.sampled_from(things), max_size=2, unique=True)):
            kind = draw(st.sampled_from(["NON_EXCLUSIVE_THING", "NON_EXCLUSIVE_THING", "EXCLUSIVE_THING"]))
            with contextlib.suppress(InvalidRequestException):  # an exclusive attachment refused
                world.attach_thing_principal(thingName=thing, principal=principal, thingPrincipalType=kind)
    for target in targets:
        limit = 2 if ":thinggroup/" in target else 3  # AWS's limit per thing group is 2 here
        for name in draw(st.lists(st.sampled_from(names), max_size=limit, unique=True)):
            world.attach_policy(policyName=name, target=target)
    return world


def reference_rows(world: World, action_type: str, resources: list[str]) -> list[tuple[Any, ...]]:
    """Each principal of ``who_can``'s rows decided alone: ``policy_set`` and the explained ``authorize``."""
    rows = []
    for entry in who_can(world, action_type, resources, now=NOW):
        resolved = policy_set(world, principal=entry.principal, client_id=entry.client_id, now=NOW)
        result = authorize(resolved, action_type, resources, explain=True)
        rows.append(
            (
                entry.principal,
                entry.client_id,
                resolved.thing_name,
                result.auth_decision,
                tuple(ref.name for ref in result.allowed),
                tuple(ref.name for ref in result.explicit_deny),
                result.missing_context_values,
            )
        )
    return rows


def rows_of(answer: Any) -> list[tuple[Any, ...]]:
    return [
        (
            e.principal,
            e.client_id,
            e.thing,
            e.auth_decision,
            e.allowed_by,
            e.denied_by,
            e.missing_context_values,
        )
        for e in answer
    ]


WORLDS = settings(ENGINE, max_examples=120)
world_resources = st.lists(
    st.one_of(
        fixed_resources,
        st.builds(
            lambda kind, thing: f"{PREFIX}{kind}{thing}/x", st.sampled_from(KINDS), st.sampled_from(THINGS)
        ),
    ),
    min_size=1,
    max_size=2,
)


@WORLDS
@given(world=worlds(), action_type=st.sampled_from(list(ACTIONS)), resources=world_resources)
def test_who_can_rows_are_test_authorization_per_principal(
    world: World, action_type: str, resources: list[str]
) -> None:
    answer = who_can(world, action_type, resources, now=NOW)
    assert rows_of(answer) == reference_rows(world, action_type, resources)


@WORLDS
@given(
    world=worlds(),
    deny=st.lists(world_statements(effect="Deny"), min_size=1, max_size=2),
    attach_to=st.sets(st.integers(0, 7)),
    action_type=st.sampled_from(list(ACTIONS)),
    resources=world_resources,
)
def test_a_deny_never_allows(
    world: World, deny: list[dict[str, Any]], attach_to: set[int], action_type: str, resources: list[str]
) -> None:
    before = {
        (e.kind, e.principal, e.client_id): e.auth_decision for e in who_can(world, action_type, resources)
    }
    world.create_policy(policyName="Deny", policyDocument=world_document(deny))
    targets = (
        [c.arn for c in world.all_certificates()] + [g.arn for g in world.all_thing_groups()] + [COGNITO_ID]
    )
    for index in sorted(attach_to):
        with contextlib.suppress(LimitExceededException):  # a thing group holds two policies at most
            world.attach_policy(policyName="Deny", target=targets[index % len(targets)])
    after = who_can(world, action_type, resources)
    assert rows_of(after) == reference_rows(world, action_type, resources)
    for entry in after:
        # A Cognito identity is a principal once it has a policy: a new row had none before.
        was = before.get((entry.kind, entry.principal, entry.client_id), "IMPLICIT_DENY")
        if entry.auth_decision == "ALLOWED":
            assert was == "ALLOWED", entry
        if was == "EXPLICIT_DENY":
            assert entry.auth_decision == "EXPLICIT_DENY", entry


def test_rows_are_the_dataclass_itself() -> None:
    """Rows are built with their slots set directly: the same as ``Access(...)`` in every respect."""
    outcome = ("ALLOWED", ("P0",), (), ("iot:ClientId",))
    made = _access("thing", "arn", "t1", "t1", "t1", outcome, "ACTIVE")  # type: ignore[arg-type]
    plain = Access("thing", "arn", "t1", "t1", "t1", "ALLOWED", ("P0",), (), ("iot:ClientId",), "ACTIVE")
    assert made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
    assert made.to_dict() == plain.to_dict()


def test_is_attached_is_read_per_row() -> None:
    """``iot:Connection.Thing.IsAttached`` is "false" for a certificate alone, "true" with its thing."""
    world = World(account_id=ACCOUNT, region=REGION)
    statements = [
        {
            "Effect": "Allow",
            "Action": "iot:Publish",
            "Resource": "*",
            "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": value}},
        }
        for value in ("true", "false")
    ]
    for index, statement in enumerate(statements):
        world.create_policy(policyName=f"P{index}", policyDocument=world_document([statement]))
    arn = world.register_certificate_without_ca(certificatePem=certificate_pem("a"))["certificateArn"]
    world.create_thing(thingName="a")
    world.attach_thing_principal(thingName="a", principal=arn)
    world.attach_policy(policyName="P0", target=arn)
    world.attach_policy(policyName="P1", target=COGNITO_ID)
    answer = who_can(world, "PUBLISH", PREFIX + "topic/x", now=NOW)
    assert rows_of(answer) == reference_rows(world, "PUBLISH", [PREFIX + "topic/x"])
    assert [(e.kind, e.auth_decision) for e in answer] == [
        ("certificate", "IMPLICIT_DENY"),
        ("thing", "ALLOWED"),
        ("cognito-identity", "ALLOWED"),
    ]
