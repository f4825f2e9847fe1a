"""An authorizer whose function was created in moto runs that function's deployed zip."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from boto_iotauth_local import Activation, generate_key_pair, sign_token

from .conftest import ACCOUNT, REGION, lambda_zip

SOURCE = """
import os
import sys

import helper_module_that_does_not_exist_elsewhere as helper  # shipped in the same zip


def handler(event, context):
    print("authorizing", event["token"])
    return {
        "isAuthenticated": event["token"] == "allow",
        "principalId": os.environ["PRINCIPAL"] + helper.SUFFIX,
        "policyDocuments": [json_policy()],
        "refreshAfterInSeconds": 300,
        "disconnectAfterInSeconds": 3600 + int(context.memory_limit_in_mb),
    }


def json_policy():
    return {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}]}
"""


def _create_function(name: str, source: str, **extra: Any) -> str:
    iam = boto3.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        role = iam.create_role(RoleName="authorizer-role", AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]
    except iam.exceptions.EntityAlreadyExistsException:
        role = iam.get_role(RoleName="authorizer-role")["Role"]["Arn"]
    import io
    import zipfile

    buffer = io.BytesIO(lambda_zip(source))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("helper_module_that_does_not_exist_elsewhere.py", "SUFFIX = 'zip'\n")
    client = boto3.client("lambda", region_name=REGION)
    return str(
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": buffer.getvalue()},
            **extra,
        )["FunctionArn"]
    )


def test_lambda_authorizer_from_its_zip(handle: Activation, iot: Any) -> None:
    arn = _create_function(
        "token-authorizer",
        SOURCE,
        Environment={"Variables": {"PRINCIPAL": "device"}},
        MemorySize=256,
        Timeout=5,
    )
    assert arn == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:token-authorizer"
    keys = generate_key_pair()
    iot.create_authorizer(
        authorizerName="TokenAuth",
        authorizerFunctionArn=arn,
        tokenKeyName="token",
        tokenSigningPublicKeys={"key1": keys.public_key_pem},
    )
    answer = iot.test_invoke_authorizer(
        authorizerName="TokenAuth", token="allow", tokenSignature=sign_token("allow", keys)
    )
    assert answer["isAuthenticated"] is True
    assert answer["principalId"] == "devicezip"
    assert answer["disconnectAfterInSeconds"] == 3600 + 256  # the function's memory size reached the context
    assert json.loads(answer["policyDocuments"][0])["Statement"][0]["Action"] == "iot:Connect"
    assert "authorizing allow" in handle.authorizer_runs[-1].logs

    with pytest.raises(iot.exceptions.InvalidRequestException, match="signature"):
        iot.test_invoke_authorizer(
            authorizerName="TokenAuth", token="allow", tokenSignature=sign_token("x", keys)
        )


def test_code_update_is_picked_up(handle: Activation, iot: Any) -> None:
    arn = _create_function("versioned", SOURCE, Environment={"Variables": {"PRINCIPAL": "v1"}})
    iot.create_authorizer(authorizerName="Open", authorizerFunctionArn=arn, signingDisabled=True)
    assert iot.test_invoke_authorizer(authorizerName="Open", token="allow")["principalId"] == "v1zip"
    boto3.client("lambda", region_name=REGION).update_function_configuration(
        FunctionName="versioned", Environment={"Variables": {"PRINCIPAL": "v2"}}
    )
    assert iot.test_invoke_authorizer(authorizerName="Open", token="allow")["principalId"] == "v2zip"


def test_handler_failure_and_timeout(handle: Activation, iot: Any) -> None:
    failing = "def handler(event, context):\n    raise RuntimeError('boom')\n"
    slow = "import time\n\ndef handler(event, context):\n    time.sleep(5)\n"
    for name, source, timeout, message in (
        ("failing", failing, 3, "raised an error"),
        ("slow", slow, 1, "timed out"),
    ):
        arn = _create_function(name, source, Timeout=timeout)
        iot.create_authorizer(authorizerName=name, authorizerFunctionArn=arn, signingDisabled=True)
        with pytest.raises(iot.exceptions.InvalidResponseException, match=message):
            iot.test_invoke_authorizer(authorizerName=name, token="t")


def test_a_moto_function_timeout_above_the_authorizer_limit_is_cut_at_it(
    handle: Activation, iot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from boto_iotauth_local.services import invoke_authorizer

    monkeypatch.setattr(invoke_authorizer, "AUTHORIZER_TIME_LIMIT", 0.5)  # 5 s in AWS; shortened here
    slow = "import time\n\ndef handler(event, context):\n    time.sleep(3)\n"
    arn = _create_function("slow-configured-30", slow, Timeout=30)
    iot.create_authorizer(authorizerName="Slow30", authorizerFunctionArn=arn, signingDisabled=True)
    with pytest.raises(iot.exceptions.InvalidResponseException, match=r"timed out after 0\.50 seconds"):
        iot.test_invoke_authorizer(authorizerName="Slow30", token="t")
