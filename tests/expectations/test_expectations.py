"""Expectations files: the format, refusal at the door, and decisions that are TestAuthorization's own."""
# ruff: noqa: E501  (one expectation per line, in YAML flow style, reads best unwrapped)

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import boto3
import pytest

from boto_iotauth_local import World, activate
from boto_iotauth_local.expectations import ExpectationsError, load_expectations
from boto_iotauth_local.sources.worldfile import WorldFileError

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ARN = "arn:aws:iot:us-east-1:123456789012"
OPEN_PUBLISH = {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/open/*"}
WORLD = """
region: us-east-1
policies:
  - name: Device
    document:
      Version: 2012-10-17
      Statement:
        - Effect: Allow
          Action: iot:Publish
          Resource: arn:aws:iot:us-east-1:123456789012:topic/dt/${iot:Connection.Thing.ThingName}/*
        - Effect: Deny
          Action: iot:Publish
          Resource: arn:aws:iot:us-east-1:123456789012:topic/dt/*/secret
  - name: Extra
    document:
      Version: 2012-10-17
      Statement:
        - {Effect: Allow, Action: iot:Publish, Resource: "arn:aws:iot:us-east-1:123456789012:topic/dt/*"}
thing_groups:
  - name: readers
    policies: [Extra]
  - name: both
certificates:
  - {name: c1, subject: {CommonName: one}, policies: [Device]}
  - {name: c2, subject: {CommonName: two}, policies: [Device, Extra]}
  - {name: lonely, subject: {CommonName: lonely}}
things:
  - {name: sensor-1, principals: [c1]}
  - {name: shared, principals: [c1, c2]}
  - {name: bare}
  - {name: both}
"""


def write(folder: Path, text: str, name: str = "iot-expectations.yaml", world: str | None = WORLD) -> Path:
    if world is not None:
        (folder / "world.yaml").write_text(textwrap.dedent(world))
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def outcomes(folder: Path, entries: str) -> list[tuple[str, bool]]:
    text = "world: world.yaml\nexpectations:\n" + textwrap.indent(textwrap.dedent(entries), "  ")
    report = load_expectations(write(folder, text)).check()
    return [(outcome.expectation.name, outcome.met) for outcome in report.outcomes]


# -- the example -------------------------------------------------------------------------------------------


def test_the_example_file_is_met_against_the_example_world() -> None:
    report = load_expectations(EXAMPLES / "iot-expectations.yaml").check()
    assert report.met, "\n\n".join(o.explanation for o in report.unmet)
    assert len(report.outcomes) >= 7


def test_every_decision_is_what_test_authorization_answers_through_boto3() -> None:
    """No second evaluator: each row's decision equals boto3's TestAuthorization for the same request."""
    parsed = load_expectations(EXAMPLES / "iot-expectations.yaml")
    world = parsed.load_world()
    compared = 0
    with activate(world):
        iot = boto3.client("iot", region_name="us-east-1")
        for _, check in parsed.bind(world):
            for subject in check.subjects:  # type: ignore[attr-defined]
                for action, _, arn in check.resources:  # type: ignore[attr-defined]
                    params = {
                        "principal": subject.principal,
                        "authInfos": [{"actionType": action, "resources": [arn]}],
                    }
                    if subject.client_id is not None:
                        params["clientId"] = subject.client_id
                    answer = iot.test_authorization(**params)["authResults"][0]
                    row = next(
                        r
                        for r in check.run().rows
                        if r.principal == subject.label and r.action == action and arn.endswith(r.resource)
                    )
                    assert row.actual.split(" ")[0] == answer["authDecision"], (row, answer)
                    compared += 1
    assert compared >= 15


# -- semantics ---------------------------------------------------------------------------------------------


def test_each_resource_and_action_is_decided_on_its_own(tmp_path: Path) -> None:
    """``denied`` on two resources means each is denied: one allowed resource makes it unmet."""
    assert outcomes(
        tmp_path,
        """
        - {name: mixed, thing: sensor-1, action: publish, resources: [dt/sensor-1/a, dt/other/a], expect: denied}
        - {name: both denied, thing: sensor-1, action: [publish, subscribe], resources: [dt/x/a, "#"], expect: denied}
        """,
    ) == [("mixed", False), ("both denied", True)]


def test_explicit_and_implicit_deny_are_told_apart(tmp_path: Path) -> None:
    assert outcomes(
        tmp_path,
        """
        - {name: e, thing: sensor-1, action: publish, resources: dt/sensor-1/secret, expect: explicit_deny}
        - {name: i, thing: sensor-1, action: publish, resources: dt/sensor-1/secret, expect: implicit_deny}
        - {name: d, thing: sensor-1, action: publish, resources: dt/sensor-1/secret, expect: denied}
        - {name: aws spelling, thing: sensor-1, action: iot:Publish, resources: dt/sensor-1/secret, expect: EXPLICIT_DENY}
        """,
    ) == [("e", True), ("i", False), ("d", True), ("aws spelling", True)]


def test_policies_must_be_exactly_the_deciding_ones(tmp_path: Path) -> None:
    """An over-broad second policy that also allows is caught: the deciding set is compared whole."""
    assert outcomes(
        tmp_path,
        """
        - {name: one, certificate: c1, client_id: sensor-1, action: publish, resources: dt/sensor-1/t, expect: allowed, policies: [Device]}
        - {name: two, certificate: c2, action: publish, resources: dt/x/t, expect: allowed, policies: [Device]}
        - {name: two ok, certificate: c2, action: publish, resources: dt/x/t, expect: allowed, policies: [Extra]}
        - {name: deny by, thing: sensor-1, action: publish, resources: dt/sensor-1/secret, expect: denied, policies: [Device]}
        """,
    ) == [("one", True), ("two", False), ("two ok", True), ("deny by", True)]


def test_a_thing_is_checked_with_every_principal_attached_to_it(tmp_path: Path) -> None:
    """``shared`` has c1 (Device only) and c2 (also Extra): dt/other/t is allowed to c2 only."""
    path = write(
        tmp_path,
        """
        world: world.yaml
        expectations:
          - {name: each, thing: shared, action: publish, resources: dt/other/t, expect: denied}
          - {name: narrowed, thing: shared, certificate: c1, action: publish, resources: dt/other/t, expect: denied}
        """,
    )
    report = load_expectations(path).check()
    each, narrowed = report.outcomes
    assert not each.met and narrowed.met
    assert [(row.principal, row.met) for row in each.rows] == [
        ("thing shared (certificate c1)", True),
        ("thing shared (certificate c2)", False),
    ]
    assert {row.client_id for row in each.rows} == {"shared"}


def test_principals_by_arn_id_group_and_the_generic_key(tmp_path: Path) -> None:
    write(tmp_path, "expectations: []\n")
    world = World.from_file(tmp_path / "world.yaml")
    arn = world.certificate_arn("c2")
    certificate_id = arn.rsplit("/", 1)[1]
    path = write(
        tmp_path,
        f"""
        expectations:
          - {{name: arn, principal: "{arn}", action: publish, resources: dt/x/t, expect: allowed}}
          - {{name: id, certificate: "{certificate_id}", action: publish, resources: dt/x/t, expect: allowed}}
          - {{name: group, thing_group: readers, action: publish, resources: dt/x/t, expect: allowed}}
          - {{name: group arn, principal: "{ARN}:thinggroup/readers", action: publish, resources: dt/x/t, expect: allowed}}
          - {{name: label, principal: c2, action: publish, resources: "{ARN}:topic/dt/x/t", expect: allowed}}
          - {{name: thing, principal: sensor-1, action: publish, resources: dt/sensor-1/t, expect: allowed}}
        """,
        world=None,
    )
    report = load_expectations(path).check(world)
    assert [(o.expectation.name, o.met) for o in report.outcomes] == [
        ("arn", True),
        ("id", True),
        ("group", True),
        ("group arn", True),
        ("label", True),
        ("thing", True),
    ]


def test_names_come_from_the_worlds_lookup_whatever_the_source(tmp_path: Path) -> None:
    """A source that labels certificates by its own names (a template's logical ids) needs nothing more."""
    world = World()
    cert = world.create_test_certificate(subject={"CommonName": "x"})
    world.create_policy(
        policyName="P", policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [OPEN_PUBLISH]})
    )
    world.attach_policy(policyName="P", target=cert["certificateArn"])
    world.certificate_labels = {"SensorCertificate": cert["certificateId"]}
    assert [n.kind for n in world.lookup("SensorCertificate")] == ["certificate"]
    path = write(
        tmp_path,
        """
        expectations:
          - {certificate: SensorCertificate, action: publish, resources: open/1, expect: allowed, policies: [P]}
        """,
        world=None,
    )
    assert load_expectations(path).check(world).met


def test_an_unmet_expectation_explains_statements_and_variables(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        world: world.yaml
        expectations:
          - {name: wrong, thing: sensor-1, action: publish, resources: dt/sensor-2/t, expect: allowed}
        """,
    )
    (outcome,) = load_expectations(path).check().outcomes
    assert not outcome.met and not outcome.error
    assert "expected allowed, got IMPLICIT_DENY by Device" in outcome.summary
    assert f"{ARN}:topic/dt/sensor-2/t" in outcome.explanation
    assert "statement #0 Allow" in outcome.explanation
    assert "iot:Connection.Thing.ThingName='sensor-1'" in outcome.explanation


# -- refused at the door ----------------------------------------------------------------------------------

BAD_FILES = [
    ("yaml", "expectations: [unclosed\n", 2, None, "invalid YAML"),
    (
        "unknown top key",
        "world: world.yaml\nexpectation: []\n",
        2,
        "expectation",
        "unknown key 'expectation'",
    ),
    ("no expectations", "world: world.yaml\n", 1, None, "missing required key 'expectations'"),
    ("empty list", "world: world.yaml\nexpectations: []\n", 2, "expectations", "at least one expectation"),
    (
        "entry not a mapping",
        "expectations:\n  - sensor-1 may publish\n",
        2,
        "expectations[0]",
        "expected an expectation",
    ),
    ("unknown kind", "expectations:\n  - kind: magic\n", 2, "expectations[0].kind", "unknown kind 'magic'"),
    (
        "unknown key",
        "expectations:\n  - thing: a\n    action: publish\n    resource: t\n",
        4,
        "expectations[0].resource",
        "unknown key 'resource'",
    ),
    (
        "no principal",
        "expectations:\n  - {action: publish, resources: t, expect: allowed}\n",
        2,
        "expectations[0]",
        "name the principal",
    ),
    (
        "two principals",
        "expectations:\n  - {thing: a, thing_group: g, action: publish, resources: t, expect: allowed}\n",
        2,
        "expectations[0].thing_group",
        "both name the principal",
    ),
    (
        "no expect",
        "expectations:\n  - {thing: a, action: publish, resources: t}\n",
        2,
        "expectations[0]",
        "missing required key 'expect'",
    ),
    (
        "bad action",
        "expectations:\n  - thing: a\n    action: [publish, dance]\n    resources: t\n    expect: allowed\n",
        3,
        "expectations[0].action[1]",
        "unknown action 'dance'",
    ),
    (
        "bad decision",
        "expectations:\n  - thing: a\n    action: publish\n    resources: t\n    expect: maybe\n",
        5,
        "expectations[0].expect",
        "unknown decision 'maybe'",
    ),
    (
        "number resource",
        "expectations:\n  - thing: a\n    action: publish\n    resources: [7]\n    expect: allowed\n",
        4,
        "expectations[0].resources[0]",
        "expected a string, got a number (quote it)",
    ),
    (
        "empty resources",
        "expectations:\n  - {thing: a, action: publish, resources: [], expect: allowed}\n",
        2,
        "expectations[0].resources",
        "non-empty list",
    ),
    (
        "duplicate names",
        "expectations:\n  - {name: n, thing: a, action: publish, resources: t, expect: allowed}\n"
        "  - {name: n, thing: a, action: publish, resources: u, expect: allowed}\n",
        3,
        "expectations[1]",
        "duplicate expectation name 'n' (first at line 2)",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "fragment"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_malformed_files_are_refused_with_file_line_and_field(
    tmp_path: Path, text: str, line: int, field: str | None, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ExpectationsError) as raised:
        load_expectations(path).check()
    error = raised.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert fragment in error.message
    assert str(error).startswith(f"{path}:{line}: ")


BAD_NAMES = [
    (
        "unknown thing",
        "{thing: sensr-1, action: publish, resources: t, expect: allowed}",
        "thing",
        "no thing 'sensr-1'",
    ),
    (
        "unknown certificate",
        "{certificate: c9, action: publish, resources: t, expect: allowed}",
        "certificate",
        "no certificate named 'c9'",
    ),
    (
        "unknown group",
        "{thing_group: nobody, action: publish, resources: t, expect: allowed}",
        "thing_group",
        "no thing group 'nobody'",
    ),
    (
        "thing without principal",
        "{thing: bare, action: publish, resources: t, expect: allowed}",
        "thing",
        "has no principal attached",
    ),
    (
        "ambiguous name",
        "{principal: both, action: publish, resources: t, expect: allowed}",
        "principal",
        "thing: both or thing_group: both",
    ),
    (
        "unknown name",
        "{principal: ghost, action: publish, resources: t, expect: allowed}",
        "principal",
        "nothing in the world is called 'ghost'",
    ),
    (
        "unknown certificate arn",
        f"{{principal: '{ARN}:cert/{'0' * 64}', action: publish, resources: t, expect: allowed}}",
        "principal",
        "no certificate",
    ),
    (
        "unknown pool",
        "{certificate: c1, cognito_identity_pool: 'us-east-1:00000000-0000-0000-0000-000000000000', action: publish, resources: t, expect: allowed}",
        "cognito_identity_pool",
        "no Cognito identity pool",
    ),
    (
        "resource too long",
        "{thing: sensor-1, action: publish, resources: " + "x" * 2048 + ", expect: allowed}",
        "resources",
        "at most 2048",
    ),
]


@pytest.mark.parametrize(
    ("entry", "field", "fragment"), [c[1:] for c in BAD_NAMES], ids=[c[0] for c in BAD_NAMES]
)
def test_names_the_world_lacks_are_refused_before_anything_runs(
    tmp_path: Path, entry: str, field: str, fragment: str
) -> None:
    path = write(
        tmp_path,
        "world: world.yaml\nexpectations:\n"
        "  - {thing: sensor-1, action: publish, resources: dt/sensor-1/t, expect: allowed}\n"
        f"  - {entry}\n",
    )
    with pytest.raises(ExpectationsError) as raised:
        load_expectations(path).check()
    assert raised.value.line == 4
    assert raised.value.field == f"expectations[1].{field}"
    assert fragment in raised.value.message


def test_world_problems_name_the_right_file(tmp_path: Path) -> None:
    entry = "  - {thing: a, action: publish, resources: t, expect: allowed}\n"
    missing = write(tmp_path, "world: nowhere.yaml\nexpectations:\n" + entry, world=None)
    with pytest.raises(ExpectationsError, match=r":1: world: no such file"):
        load_expectations(missing).check()
    no_world = write(tmp_path, "expectations:\n" + entry, name="no-world.yaml", world=None)
    with pytest.raises(ExpectationsError, match="no world"):
        load_expectations(no_world).check()
    (tmp_path / "broken.yaml").write_text("polices: []\n")
    broken = write(tmp_path, "world: broken.yaml\nexpectations:\n" + entry, name="b.yaml", world=None)
    with pytest.raises(WorldFileError, match=r"broken.yaml:1: polices: unknown key") as raised:
        load_expectations(broken).check()
    assert not isinstance(raised.value, ExpectationsError)


def test_a_json_file_and_a_bad_suffix(tmp_path: Path) -> None:
    (tmp_path / "world.yaml").write_text(textwrap.dedent(WORLD))
    entry = {"thing": "sensor-1", "action": "publish", "resources": "dt/sensor-1/t", "expect": "allowed"}
    (tmp_path / "e.json").write_text(json.dumps({"world": "world.yaml", "expectations": [entry]}))
    assert load_expectations(tmp_path / "e.json").check().met
    with pytest.raises(ExpectationsError, match=r"unknown expectations file suffix '\.txt'"):
        load_expectations(tmp_path / "e.txt")
