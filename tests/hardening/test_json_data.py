"""JSON-like data from outside, as a class: too deep, NaN/Infinity, bytes, huge integers.

Every door (create_policy, world files, a handler's answer and the documents it returns, command-line
``file://`` inputs) refuses such data with the door's own modeled error, whatever the caller's stack depth:
never a RecursionError, TypeError or bare ValueError. Documented in docs/bad-input.md (rows ``*-deep``,
``*-nan``...) and bounded by ``engine/jsondata.py``.
"""

from __future__ import annotations

import json
import math
import os
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from boto_iotauth_local import World, activate, simulate_token
from boto_iotauth_local.engine.jsondata import MAX_DEPTH
from boto_iotauth_local.errors import MalformedPolicyException
from boto_iotauth_local.sources.worldfile import WorldFileError

from ..faces.cli.conftest import run_cli

REGION = "us-east-1"
ACCOUNT = "123456789012"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:deep"
ALLOW = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}


def nested(levels: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


def with_condition(value: Any) -> dict[str, Any]:
    statement = {**ALLOW["Statement"][0], "Condition": {"StringEquals": {"iot:ClientId": value}}}
    return {"Version": "2012-10-17", "Statement": [statement]}


def deep_stack(levels: int, call: Callable[[], Any]) -> Any:
    """Run ``call`` under ``levels`` extra frames: a caller deep in its own stack, as under a framework."""
    if levels == 0:
        return call()
    return deep_stack(levels - 1, call)


#: Headroom left below the recursion limit: the library must not depend on the caller's stack.
STACK = sys.getrecursionlimit() - 150

# -- policy documents (World.create_policy) ------------------------------------------------------------------

DEEP_TEXT = json.dumps(with_condition("x")).replace('"x"', "[" * 900 + '"x"' + "]" * 900)
BAD_DOCUMENTS: dict[str, Any] = {
    "deep-text": DEEP_TEXT,
    "deep-dict": with_condition(nested(900)),
    "just-too-deep-dict": with_condition(nested(MAX_DEPTH)),
    "nan-text": json.dumps(with_condition("x")).replace('"x"', "NaN"),
    "infinity-text": json.dumps(with_condition("x")).replace('"x"', "[-Infinity]"),
    "nan-dict": with_condition(math.nan),
    "bytes-dict": with_condition(b"x"),
    "bytes-action": {"Version": "2012-10-17", "Statement": [{**ALLOW["Statement"][0], "Action": b"iot:*"}]},
    "set-dict": with_condition({"x"}),
    "int-key": {"Version": "2012-10-17", "Statement": [ALLOW["Statement"][0]], 7: "x"},
    "huge-int-dict": with_condition(10**5000),
}


@pytest.mark.parametrize("name", sorted(BAD_DOCUMENTS))
def test_create_policy_refuses_what_is_not_json_data_whatever_the_stack(name: str) -> None:
    world = World()
    with pytest.raises(MalformedPolicyException) as raised:
        deep_stack(STACK, lambda: world.create_policy(policyName="P", policyDocument=BAD_DOCUMENTS[name]))
    assert "Policy document is Malformed" in str(raised.value)
    assert not world.has_policy("P")


def test_a_deep_but_allowed_document_is_still_accepted() -> None:
    # 3 levels around the value: within the bound; refused only by the grammar (a list inside a list).
    world = World()
    with pytest.raises(MalformedPolicyException, match="Condition"):
        world.create_policy(policyName="P", policyDocument=with_condition(nested(MAX_DEPTH - 6)))
    world.create_policy(policyName="Q", policyDocument=json.dumps(with_condition(["a", "b"])))


# -- authorizer answers -------------------------------------------------------------------------------------

CALLS: list[str] = []
ANSWERS: dict[str, Callable[[], Any]] = {
    "deep-answer": lambda: {**good_answer(), "extra": nested(5000)},
    "deep-document": lambda: good_answer(policyDocuments=[with_condition(nested(900))]),
    "deep-document-text": lambda: good_answer(policyDocuments=[DEEP_TEXT]),
    "deep-answer-text": lambda: json.dumps(good_answer())[:-1] + ', "x": ' + "[" * 900 + "]" * 900 + "}",
    "nan-document-text": lambda: good_answer(policyDocuments=[BAD_DOCUMENTS["nan-text"]]),
    "nan-answer": lambda: good_answer(refreshAfterInSeconds=math.nan),
}


def good_answer(**overrides: Any) -> dict[str, Any]:
    return {
        "isAuthenticated": True,
        "principalId": "p",
        "policyDocuments": [ALLOW],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
        **overrides,
    }


def answering(event: dict[str, Any], context: Any) -> Any:
    CALLS.append(event["token"])
    return ANSWERS[event["token"]]()


ISOLATED = textwrap.dedent(
    """
    import json, math

    def nested(levels, leaf="x"):
        value = leaf
        for _ in range(levels):
            value = [value]
        return value

    def handler(event, context):
        answer = {"isAuthenticated": True, "principalId": "p", "policyDocuments": [],
                  "refreshAfterInSeconds": 600, "disconnectAfterInSeconds": 3600}
        if event["token"] == "deep-answer":
            answer["extra"] = nested(800)
        elif event["token"] == "nan-answer":
            answer["refreshAfterInSeconds"] = math.nan
        return answer
    """
)


@pytest.fixture
def authorizers(tmp_path: Path) -> Iterator[Any]:
    world = World(account_id=ACCOUNT, region=REGION)
    world.create_authorizer(
        authorizerName="InProcess", authorizerFunctionArn=FUNCTION, signingDisabled=True, handler=answering
    )
    (tmp_path / "deep_isolated_app.py").write_text(ISOLATED)
    world.register_function("iso", "deep_isolated_app.handler", runtime="isolated", code_dir=tmp_path)
    world.create_authorizer(
        authorizerName="Isolated",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:iso",
        signingDisabled=True,
    )
    CALLS.clear()
    with activate(world) as handle:
        yield world, handle


@pytest.mark.parametrize("token", sorted(ANSWERS))
def test_a_deep_or_non_json_answer_is_an_invalid_response_run_once_and_recorded(
    authorizers: Any, token: str
) -> None:
    world, handle = authorizers
    iot = boto3.client("iot", region_name=REGION)
    with pytest.raises(ClientError) as raised:
        deep_stack(STACK - 100, lambda: iot.test_invoke_authorizer(authorizerName="InProcess", token=token))
    error = raised.value.response["Error"]
    assert error["Code"] == "InvalidResponseException", error
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [token] == CALLS  # not retried
    assert len(handle.authorizer_runs) == 1 and handle.authorizer_runs[-1].error is not None
    str(handle.authorizer_runs[-1])  # the run renders
    simulated = deep_stack(
        STACK - 100,
        lambda: simulate_token(
            world, "InProcess", [{"actionType": "CONNECT", "resources": ["*"]}], token=token
        ),
    )
    assert type(simulated.run.error).__name__ == "InvalidResponseException"
    str(simulated)


@pytest.mark.skipif(os.name != "posix", reason="the isolated runtime's process semantics")
@pytest.mark.parametrize("token", ["deep-answer", "nan-answer"])
def test_the_isolated_runtime_reads_answers_through_the_same_door(authorizers: Any, token: str) -> None:
    _, handle = authorizers
    iot = boto3.client("iot", region_name=REGION)
    with pytest.raises(ClientError) as raised:
        iot.test_invoke_authorizer(authorizerName="Isolated", token=token)
    assert raised.value.response["Error"]["Code"] == "InvalidResponseException"
    assert "not JSON" in raised.value.response["Error"]["Message"]
    assert len(handle.authorizer_runs) == 1


# -- world files ---------------------------------------------------------------------------------------------


def _deep_block_yaml(levels: int) -> str:
    lines = ["policies:", "  - name: P", "    document:", "      Version: '2012-10-17'", "      Statement:"]
    indent = "        "
    lines.append(indent + "- Effect: Allow")
    lines.append(indent + "  Action: 'iot:*'")
    lines.append(indent + "  Resource: '*'")
    lines.append(indent + "  Condition:")
    indent += "    "
    for level in range(levels):
        lines.append(f"{indent}k{level}:")
        indent += "  "
    lines.append(indent + "x: 1")
    return "\n".join(lines) + "\n"


WORLD_FILES: dict[str, tuple[str, str, int | None]] = {
    # name: (file name, text, expected line or None when only the file can be named)
    "deep-flow-yaml": ("w.yaml", "policies:\n  - name: P\n    document: " + "[" * 5000 + "]" * 5000, None),
    "deep-json": (
        "w.json",
        '{\n"policies": [{"name": "P",\n"document": ' + "[" * 5000 + "]" * 5000 + "}]}",
        3,
    ),
    "deep-block-yaml": ("w.yaml", _deep_block_yaml(200), None),
    "deep-policy-yaml": ("w.yaml", _deep_block_yaml(70), None),
    "unknown-tag-timeout": (
        "w.yaml",
        "functions:\n  - name: f\n    handler: m.h\n    timeout: !seconds 5\n",
        4,
    ),
    "unknown-tag-boolean": (
        "w.yaml",
        "authorizers:\n  - name: a\n    function: arn:aws:lambda:us-east-1:123456789012:function:f\n"
        "    signing_disabled: !yes true\n",
        4,
    ),
    "unknown-tag-policy": (
        "w.yaml",
        "policies:\n  - name: P\n    document:\n      Version: '2012-10-17'\n"
        "      Statement: [{Effect: Allow, Action: !act 'iot:*', Resource: '*'}]\n",
        5,
    ),
    "python-tag-policy": (
        "w.yaml",
        "policies:\n  - name: P\n    document:\n      Statement: !!python/object:object {}\n",
        4,
    ),
    "huge-int-yaml": (
        "w.yaml",
        "functions:\n  - name: f\n    handler: m.h\n    memory_mb: " + "9" * 5000 + "\n",
        4,
    ),
    "huge-int-json": (
        "w.json",
        '{"functions": [\n{"name": "f", "handler": "m.h",\n"memory_mb": ' + "9" * 5000 + "}]}",
        3,
    ),
    "huge-int-policy": (
        "w.yaml",
        "policies:\n  - name: P\n    document:\n      Version: '2012-10-17'\n"
        "      Statement: [{Effect: Allow, Action: 'iot:*', Resource: '*', Condition: {NumericEquals: {k: "
        + "9" * 5000
        + "}}}]\n",
        5,
    ),
    "nan-timeout-json": ("w.json", '{"functions": [\n{"name": "f", "handler": "m.h", "timeout": NaN}]}', 2),
    "infinite-timeout-yaml": ("w.yaml", "functions:\n  - name: f\n    handler: m.h\n    timeout: .inf\n", 4),
}


@pytest.mark.parametrize("name", sorted(WORLD_FILES))
def test_world_files_refuse_it_with_file_line_and_field(tmp_path: Path, name: str) -> None:
    file_name, text, line = WORLD_FILES[name]
    path = tmp_path / file_name
    path.write_text(text)
    with pytest.raises(WorldFileError) as raised:
        deep_stack(STACK - 200, lambda: World.from_file(path))
    error = raised.value
    assert error.path == path
    if line is not None:
        assert error.line == line, str(error)
        assert error.field is not None or "nested" in error.message, str(error)


# -- the command line ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fragment"),
    [("[" * 100_000 + "]" * 100_000, "nested too deeply"), ('[{"actionType": NaN}]', "NaN")],
)
def test_the_command_line_reports_a_bad_file_input_without_a_traceback(
    tmp_path: Path, content: str, fragment: str
) -> None:
    world = tmp_path / "world.yaml"
    World().to_file(world)
    infos = tmp_path / "infos.json"
    infos.write_text(content)
    ran = run_cli(
        "test-authorization", "--world", world, "--principal", "arn:aws:iot:us-east-1:123456789012:cert/"
        + "a" * 64, "--auth-infos", f"file://{infos}",
    )  # fmt: skip
    assert ran.code == 4, ran.err
    assert "Traceback" not in ran.err
    assert fragment in ran.err and str(infos) in ran.err
