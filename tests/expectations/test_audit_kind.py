"""``kind: audit`` in an expectations file: the world's Device Defender audit is clean."""
# ruff: noqa: E501  (policy statements in YAML flow style read best unwrapped)

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from boto_iotauth_local.expectations import ExpectationsError, load_expectations
from boto_iotauth_local.faces.cli.main import main

WORLD = """
policies:
  - name: ByClientId
    document:
      Version: 2012-10-17
      Statement:
        - Effect: Allow
          Action: iot:Subscribe
          Resource: arn:aws:iot:us-east-1:123456789012:topicfilter/$aws/things/${iot:ClientId}/shadow/*
  - name: DenyHash
    document:
      Version: 2012-10-17
      Statement:
        - {Effect: Allow, Action: iot:Publish, Resource: "arn:aws:iot:us-east-1:123456789012:topic/building/*"}
        - {Effect: Deny, Action: iot:Publish, Resource: "arn:aws:iot:us-east-1:123456789012:topic/building/secret/#"}
"""


def write(folder: Path, entries: str, world: str = WORLD) -> Path:
    (folder / "world.yaml").write_text(textwrap.dedent(world))
    path = folder / "iot-expectations.yaml"
    path.write_text("world: world.yaml\nexpectations:\n" + textwrap.dedent(entries))
    return path


def test_an_unclean_audit_is_unmet_with_the_findings(tmp_path: Path) -> None:
    path = write(tmp_path, "  - kind: audit\n")
    (outcome,) = load_expectations(path).check().outcomes
    assert not outcome.met
    assert "IOT_POLICY_OVERLY_PERMISSIVE_CHECK" in outcome.summary
    assert "a client connecting as +" in outcome.explanation
    assert {row.action for row in outcome.rows} >= {"IOT_POLICY_OVERLY_PERMISSIVE_CHECK"}


def test_fail_on_and_checks(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
          - kind: audit
            name: no misconfiguration above MEDIUM
            checks: [IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK]
            fail_on: high
          - kind: audit
            name: no misconfiguration at all
            checks: IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK
        """,
    )
    first, second = load_expectations(path).check().outcomes
    assert first.met and not second.met
    assert "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT" in second.summary


def test_clean_world_meets_it_and_the_command_line_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, "  - kind: audit\n", world="region: us-east-1\n")
    assert load_expectations(path).check().met
    assert main(["check", str(path)]) == 0


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("  - {kind: audit, checks: [NOPE_CHECK]}\n", "unknown audit check 'NOPE_CHECK'"),
        ("  - {kind: audit, checks: [CONFLICTING_CLIENT_IDS_CHECK]}\n", "cannot run offline"),
        ("  - {kind: audit, fail_on: SEVERE}\n", "fail_on must be one of"),
        ("  - {kind: audit, thing: sensor-1}\n", "unknown key 'thing'"),
    ],
)
def test_refused_at_the_door(tmp_path: Path, entry: str, fragment: str) -> None:
    path = write(tmp_path, entry)
    with pytest.raises(ExpectationsError, match=fragment):
        load_expectations(path)


def test_what_the_audit_could_not_check_is_told_in_the_table_json_and_junit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A device key that no CVE-2008-0166 list covers: the expectation is met, and every output says that
    this part of the key-quality check was not made."""
    from boto_iotauth_local import World
    from boto_iotauth_local.faces.cli.check import _to_dict
    from boto_iotauth_local.render.expectations import junit_xml, report_text
    from boto_iotauth_local.world import weak_keys

    from ..services.audit.certs import make_ca, pem
    from ..services.audit.weakkeys import rsa_key

    monkeypatch.setattr(weak_keys, "SYSTEM_DIRECTORY", tmp_path / "no-openssl-blacklist")
    world = World(account_id="123456789012", region="us-east-1")
    world.register_certificate_without_ca(pem(make_ca().issue("device", key=rsa_key(2048))), status="ACTIVE")
    path = write(tmp_path, "  - {kind: audit, checks: [DEVICE_CERTIFICATE_KEY_QUALITY_CHECK]}\n")
    report = load_expectations(path).check(world)
    (outcome,) = report.outcomes
    assert outcome.met
    (note,) = outcome.notes
    assert note.startswith("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK: ") and "CVE-2008-0166" in note
    assert "not checked" in note
    assert f"NOTE: {outcome.expectation.name}" in report_text([report]) and note in report_text([report])
    assert "<system-out>" in junit_xml([report]) and "CVE-2008-0166" in junit_xml([report])
    assert _to_dict([report])["files"][0]["expectations"][0]["notes"] == [note]
