"""``world show`` and ``sign-token``, in process (the README's console test runs them as a user would)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from boto_iotauth_local import World, generate_key_pair, sign_token
from boto_iotauth_local.authorizers.signing import load_public_key
from boto_iotauth_local.faces.cli.main import main

from .conftest import Fleet

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_world_show_json_lists_what_the_world_holds() -> None:
    code, out, _ = run("world", "show", "--world", EXAMPLES / "world.yaml", "--output", "json")
    assert code == 0
    shown = json.loads(out)
    world = World.from_file(EXAMPLES / "world.yaml")
    cert, *_ = shown["certificates"]
    assert cert["name"] == "sensor-1-cert"
    assert cert["certificateArn"] == world.certificate_arn("sensor-1-cert")
    assert cert["things"] == ["sensor-1"] and cert["policies"] == ["SensorPolicy"]
    things = {thing["thingName"]: thing for thing in shown["things"]}
    assert things["sensor-1"] == {
        "thingName": "sensor-1", "thingTypeName": None, "groups": [], "principals": [cert["certificateArn"]]
    }  # fmt: skip
    assert things["gateway-1"]["groups"] == ["gateways"]
    policies = {policy["policyName"]: policy["targets"] for policy in shown["policies"]}
    assert cert["certificateArn"] in policies["SensorPolicy"]
    assert policies["GatewayPolicy"] == ["arn:aws:iot:us-east-1:123456789012:thinggroup/gateways"]
    assert [a["authorizerName"] for a in shown["authorizers"]] == ["TokenAuthorizer"]


def test_world_show_follows_every_page(tmp_path: Path) -> None:
    world = World()
    arns = [
        world.create_test_certificate(subject={"CommonName": f"c{i}"})["certificateArn"] for i in range(30)
    ]
    path = tmp_path / "many.yaml"
    world.to_file(path)
    code, out, _ = run("world", "show", "--world", path, "--output", "json")
    assert code == 0
    assert len(json.loads(out)["certificates"]) == len(arns)


def test_world_show_text_is_one_line_per_item(fleet: Fleet) -> None:
    code, out, _ = run("world", "show", "--world", fleet.path, "--output", "text")
    assert code == 0
    lines = out.splitlines()[1:]
    certificates = [line.split("\t") for line in lines if line.startswith("CERTIFICATES\t")]
    assert sorted(fields[-1] for fields in certificates) == sorted([fleet.cert, fleet.other_cert])


def test_world_show_bad_file_is_exit_4(tmp_path: Path) -> None:
    code, _, err = run("world", "show", "--world", tmp_path / "missing.yaml")
    assert code == 4 and "missing.yaml" in err


def test_sign_token_prints_what_the_library_signs(tmp_path: Path) -> None:
    keys = generate_key_pair()
    key = tmp_path / "key.pem"
    key.write_text(keys.private_key_pem, encoding="ascii")
    code, out, _ = run("sign-token", "--private-key", key, "--token", "allow")
    assert code == 0
    assert out == sign_token("allow", keys) + "\n"
    load_public_key(keys.public_key_pem)  # the pair is one TestInvokeAuthorizer accepts


def test_sign_token_bad_key_files_are_exit_4(tmp_path: Path) -> None:
    code, _, err = run("sign-token", "--private-key", tmp_path / "none.pem", "--token", "t")
    assert code == 4 and "no such file" in err
    public = tmp_path / "public.pem"
    public.write_text(generate_key_pair().public_key_pem, encoding="ascii")
    code, _, err = run("sign-token", "--private-key", public, "--token", "t")
    assert code == 4 and "not an unencrypted RSA private key" in err
