"""The real ``iotauth-local`` in a subprocess: every subcommand, output mode and exit code, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import boto3

from boto_iotauth_local import activate

from .conftest import ARN, COGNITO_ID, Fleet, run_cli

TEMP = f"{ARN}:topic/sensor-1/temp"
ADMIN = f"{ARN}:topic/sensor-1/admin"
OTHER = f"{ARN}:topic/sensor-2/temp"


def shorthand(*resources: str) -> str:
    return "actionType=PUBLISH,resources=" + ",".join(resources)


# -- test-authorization ----------------------------------------------------------------------------------


def test_json_output_is_what_boto3_returns(fleet: Fleet) -> None:
    infos = [
        {"actionType": "PUBLISH", "resources": [TEMP]},
        {"actionType": "PUBLISH", "resources": [ADMIN, OTHER]},
    ]
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", fleet.cert, "--client-id", "sensor-1",
        "--auth-infos", json.dumps(infos), "--output", "json",
    )  # fmt: skip
    assert ran.code == 1, ran.err  # answered, one authInfo denied
    with activate(fleet.world):
        expected = boto3.client("iot", region_name="us-east-1").test_authorization(
            principal=fleet.cert, clientId="sensor-1", authInfos=infos
        )
    expected.pop("ResponseMetadata")
    assert ran.json() == expected


def test_table_output_and_exit_code_zero_when_everything_is_allowed(fleet: Fleet) -> None:
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", fleet.cert,
        "--client-id", "sensor-1", "--auth-infos", shorthand(TEMP), script=True,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    header, rule, row = ran.out.splitlines()
    assert header.split()[:3] == ["DECISION", "ACTION", "RESOURCES"]
    assert set(rule) <= {"-", " "}
    assert row.split()[:4] == ["ALLOWED", "PUBLISH", TEMP, "DevicePolicy"]


def test_shorthand_repeated_and_several_resources_in_text_output(fleet: Fleet) -> None:
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", fleet.cert, "--client-id", "sensor-1",
        "--auth-infos", shorthand(TEMP, OTHER),
        "--auth-infos", "actionType=PUBLISH,resources=[" + ADMIN + "]", "--output", "text",
    )  # fmt: skip
    assert ran.code == 1
    lines = [line.split("\t") for line in ran.out.splitlines()]
    assert lines == [
        ["IMPLICIT_DENY", "PUBLISH", f"{TEMP},{OTHER}", "DevicePolicy", "", "", ""],
        ["EXPLICIT_DENY", "PUBLISH", ADMIN, "", "DevicePolicy", "", ""],
    ]


def test_auth_infos_from_a_file_and_policy_names_to_add(fleet: Fleet, tmp_path: Path) -> None:
    infos = tmp_path / "infos.json"
    infos.write_text(json.dumps([{"actionType": "SUBSCRIBE", "resources": [f"{ARN}:topicfilter/ops/a"]}]))
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", fleet.other_cert,
        "--auth-infos", f"file://{infos}", "--policy-names-to-add", "Ops", "--output", "json",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.json()["authResults"][0]["allowed"]["policies"][0]["policyName"] == "Ops"
    skipped = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", fleet.other_cert,
        "--auth-infos", f"file://{infos}", "--policy-names-to-add", "Ops", "--policy-names-to-skip", "Ops",
    )  # fmt: skip
    assert skipped.code == 1
    assert "IMPLICIT_DENY" in skipped.out


def test_principal_by_its_world_file_name(tmp_path: Path) -> None:
    world = tmp_path / "named.yaml"
    world.write_text(
        f"""
policies:
  - name: Connect
    document:
      Version: "2012-10-17"
      Statement:
        - {{Effect: Allow, Action: "iot:Connect", Resource: "{ARN}:client/${{iot:ClientId}}"}}
certificates:
  - name: gateway
    subject: {{CommonName: gateway}}
    policies: [Connect]
""",
        encoding="utf-8",
    )
    ran = run_cli(
        "test-authorization", "--world", world, "--principal", "gateway", "--client-id", "gw1",
        "--auth-infos", f"actionType=CONNECT,resources={ARN}:client/gw1",
    )  # fmt: skip
    assert ran.code == 0, ran.err + ran.out


def test_service_error_is_printed_like_the_aws_cli(fleet: Fleet) -> None:
    unknown = f"{ARN}:cert/{'a' * 64}"
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--principal", unknown, "--auth-infos", shorthand(TEMP)
    )
    assert ran.code == 3
    assert ran.out == ""
    assert ran.err.startswith(
        "An error occurred (ResourceNotFoundException) when calling the TestAuthorization operation: "
    )
    assert unknown in ran.err


def test_invalid_request_is_a_service_error(fleet: Fleet) -> None:
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--auth-infos", "actionType=PUBLISH,resources="
    )
    assert ran.code == 3
    assert "(InvalidRequestException)" in ran.err


def test_region_without_a_world_is_what_aws_says_there(fleet: Fleet) -> None:
    ran = run_cli(
        "test-authorization", "--world", fleet.path, "--region", "eu-west-1",
        "--principal", fleet.cert, "--auth-infos", shorthand(TEMP),
    )  # fmt: skip
    assert ran.code == 3
    assert "(ResourceNotFoundException)" in ran.err


# -- bad input ---------------------------------------------------------------------------------------------


def test_missing_world_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    ran = run_cli("test-authorization", "--world", missing, "--auth-infos", shorthand(TEMP))
    assert ran.code == 4
    assert str(missing) in ran.err and "no such file" in ran.err


def test_bad_world_file_names_the_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies:\n  - name: P\n    document: {Statement: [{Effect: Allow}]}\n", encoding="utf-8")
    ran = run_cli("who-can", "--world", bad, "--action-type", "PUBLISH", "--resource", TEMP)
    assert ran.code == 4
    assert f"{bad}:3" in ran.err
    assert "policies[0].document" in ran.err


def test_bad_inline_json_is_a_usage_error(fleet: Fleet) -> None:
    ran = run_cli("test-authorization", "--world", fleet.path, "--auth-infos", '[{"actionType": PUBLISH}]')
    assert ran.code == 2
    assert "--auth-infos: invalid JSON" in ran.err and "column" in ran.err


def test_bad_json_file_names_file_and_line(fleet: Fleet, tmp_path: Path) -> None:
    infos = tmp_path / "infos.json"
    infos.write_text('[\n  {"actionType": "PUBLISH",\n   "resources": [oops]}\n]\n')
    ran = run_cli("explain", "--world", fleet.path, "--auth-infos", f"file://{infos}")
    assert ran.code == 4
    assert f"{infos}:3: --auth-infos: invalid JSON" in ran.err
    missing = run_cli("explain", "--world", fleet.path, "--auth-infos", f"file://{tmp_path / 'none.json'}")
    assert missing.code == 4 and "no such file" in missing.err


def test_bad_shorthand_and_argparse_errors(fleet: Fleet) -> None:
    ran = run_cli("test-authorization", "--world", fleet.path, "--auth-infos", "action=PUBLISH")
    assert ran.code == 2 and "actionType=PUBLISH" in ran.err
    assert run_cli("test-authorization", "--auth-infos", shorthand(TEMP)).code == 2  # no --world
    assert run_cli("who-can", "--world", fleet.path, "--action-type", "FLY", "--resource", TEMP).code == 2
    assert run_cli("nonsense").code == 2


# -- test-invoke-authorizer --------------------------------------------------------------------------------


def test_invoke_authorizer_table_shows_answer_and_logs(fleet: Fleet) -> None:
    ran = run_cli(
        "test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "TokenAuthorizer",
        "--token", "allow", "--mqtt-context", '{"username": "u", "password": "secret", "clientId": "c1"}',
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "isAuthenticated           true" in ran.out
    assert '"Resource": "arn:aws:iot:us-east-1:123456789012:topic/x"' in ran.out  # pretty-printed document
    assert "authorizer logs:" in ran.out
    assert "password c2VjcmV0" in ran.out  # text sent as UTF-8 bytes, Base64 in the event as IoT sends it


def test_invoke_authorizer_json_and_not_authenticated(fleet: Fleet) -> None:
    ran = run_cli(
        "test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "TokenAuthorizer",
        "--token", "deny", "--output", "json",
    )  # fmt: skip
    assert ran.code == 1
    answer = ran.json()
    assert isinstance(answer, dict)
    assert answer["isAuthenticated"] is False
    assert answer["policyDocuments"] == [
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/x"}],
            },
            separators=(",", ":"),
        )
    ]
    text = run_cli(
        "test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "TokenAuthorizer",
        "--token", "allow", "--output", "text",
    )  # fmt: skip
    assert text.code == 0
    assert text.out.splitlines()[0].split("\t") == ["true", "user1", "600", "3600"]


def test_invoke_authorizer_errors(fleet: Fleet) -> None:
    unknown = run_cli("test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "Nope")
    assert unknown.code == 3
    assert "(ResourceNotFoundException) when calling the TestInvokeAuthorizer operation" in unknown.err
    broken = run_cli(
        "test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "TokenAuthorizer",
        "--token", "broken",
    )  # fmt: skip
    assert broken.code == 3
    assert "(InvalidResponseException)" in broken.err
    assert "authorizer logs:\ntoken broken" in broken.err
    bad = run_cli(
        "test-invoke-authorizer", "--world", fleet.path, "--authorizer-name", "TokenAuthorizer",
        "--http-context", "[1]",
    )  # fmt: skip
    assert bad.code == 2 and "expected a JSON object" in bad.err


# -- explain -------------------------------------------------------------------------------------------------


def test_explain_table_and_text(fleet: Fleet) -> None:
    ran = run_cli(
        "explain", "--world", fleet.path, "--principal", fleet.cert, "--client-id", "sensor-1",
        "--auth-infos", shorthand(TEMP), "--auth-infos", shorthand(ADMIN),
    )  # fmt: skip
    assert ran.code == 1
    assert "statement #0 Allow" in ran.out and "statement #1 Deny" in ran.out
    assert "=> arn:aws:iot:us-east-1:123456789012:topic/sensor-1/*" in ran.out  # the substituted pattern
    assert "iot:Connection.Thing.ThingName='sensor-1'" in ran.out  # the variable values
    text = run_cli(
        "explain", "--world", fleet.path, "--principal", fleet.cert, "--auth-infos", shorthand(TEMP),
        "--output", "text",
    )  # fmt: skip
    assert text.code == 1  # no clientId: the thing is not resolved
    assert text.out.startswith(f"PUBLISH ['{TEMP}'] -> IMPLICIT_DENY")
    assert "missing context values: iot:Connection.Thing.ThingName" in text.out


def test_explain_json(fleet: Fleet) -> None:
    ran = run_cli(
        "explain", "--world", fleet.path, "--principal", fleet.cert, "--client-id", "sensor-1",
        "--auth-infos", shorthand(TEMP), "--output", "json",
    )  # fmt: skip
    assert ran.code == 0
    document = ran.json()
    assert isinstance(document, dict)
    (result,) = document["authResults"]
    assert result["authDecision"] == "ALLOWED"
    explanation = result["explanation"]
    assert explanation["variables"] == {"iot:Connection.Thing.ThingName": "sensor-1"}
    (resource,) = explanation["resources"]
    assert resource["resource"] == TEMP and resource["cognitoRoleGate"] is None
    assert resource["policies"]["policies"][0]["statements"][0]["matched"] is True


def test_explain_service_error(fleet: Fleet) -> None:
    ran = run_cli(
        "explain", "--world", fleet.path, "--principal", f"{ARN}:thinggroup/nowhere",
        "--auth-infos", shorthand(TEMP),
    )  # fmt: skip
    assert ran.code == 3
    assert ran.err.startswith("An error occurred (ResourceNotFoundException): ")


def test_mistyped_certificate_name_lists_the_known_names(tmp_path: Path) -> None:
    world = tmp_path / "named.yaml"
    world.write_text(
        "certificates:\n  - {name: sensor-cert, subject: {CommonName: s}}\n"
        "  - {name: gateway-cert, subject: {CommonName: g}}\n",
        encoding="utf-8",
    )
    for command in ("test-authorization", "explain"):
        ran = run_cli(command, "--world", world, "--principal", "sensr-cert", "--auth-infos", shorthand(TEMP))
        assert ran.code == 2, ran.err
        assert "unknown certificate name 'sensr-cert'; did you mean 'sensor-cert'?" in ran.err
        assert "known: 'gateway-cert', 'sensor-cert'" in ran.err


def test_a_name_in_a_world_without_names_says_so(fleet: Fleet) -> None:
    ran = run_cli(
        "explain", "--world", fleet.path, "--principal", "nonsense", "--auth-infos", shorthand(TEMP)
    )
    assert ran.code == 2
    assert "unknown certificate name 'nonsense'; the world file names no certificates" in ran.err


# -- who-can -------------------------------------------------------------------------------------------------


def test_who_can_table(fleet: Fleet) -> None:
    ran = run_cli("who-can", "--world", fleet.path, "--action-type", "PUBLISH", "--resource", TEMP)
    assert ran.code == 0, ran.err
    head, _, header, _, *rows = ran.out.splitlines()
    assert head == f"PUBLISH on {TEMP}: 1 of 5 principals allowed"
    assert header.split()[:3] == ["DECISION", "KIND", "NAME"]
    assert [row.split()[:6] for row in rows] == [
        ["ALLOWED", "thing", "sensor-1", "sensor-1", "sensor-1", "DevicePolicy"]
    ]


def test_who_can_json_all_and_text(fleet: Fleet) -> None:
    ops = f"{ARN}:topic/ops/deploy"
    ran = run_cli("who-can", "--world", fleet.path, "--action-type", "PUBLISH", "--resource", ops, "--all",
                  "--output", "json")  # fmt: skip
    assert ran.code == 0
    document = ran.json()
    assert isinstance(document, dict)
    assert document["evaluated"] == document["allowedCount"] + 3 == 5
    kinds = {(row["kind"], row["authDecision"]) for row in document["results"]}
    assert kinds == {
        ("certificate", "IMPLICIT_DENY"),
        ("thing", "IMPLICIT_DENY"),
        ("thing-group", "ALLOWED"),
        ("cognito-identity", "ALLOWED"),
    }
    assert set(document["results"][0]) == {
        "kind", "name", "principal", "clientId", "thing", "authDecision", "allowedBy", "deniedBy",
        "missingContextValues", "certificateStatus",
    }  # fmt: skip
    text = run_cli("who-can", "--world", fleet.path, "--action-type", "PUBLISH", "--resource", ops,
                   "--output", "text")  # fmt: skip
    rows = [line.split("\t") for line in text.out.splitlines()]
    assert [(row[0], row[1], row[2]) for row in rows] == [
        ("ALLOWED", "thing-group", "operators"),
        ("ALLOWED", "cognito-identity", COGNITO_ID),
    ]
