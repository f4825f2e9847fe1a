"""The bad-input table: every kind of bad input, with the outcome it gets, kept equal to docs/bad-input.md.

Each case has a stable id, a one-line description of the input, and an outcome: a boto3 error code with its
HTTP status (for what reaches TestAuthorization/TestInvokeAuthorizer through botocore) or a Python exception
(for the World's own methods and world files), plus a fragment the message must contain.
``test_the_doc_lists_exactly_these_cases`` parses the table in ``docs/bad-input.md`` and fails on any drift.
"""

from __future__ import annotations

import datetime
import http.client as httpclient
import json
import os
import socket
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from boto_iotauth_local import (
    Activation,
    Endpoint,
    World,
    activate,
    explain_authorization,
    generate_key_pair,
    sign_token,
    simulate_token,
)
from boto_iotauth_local.errors import ServiceError

from ..services.audit.certs import make_ca, pem

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
DOC = Path(__file__).resolve().parents[2] / "docs" / "bad-input.md"
INFO = {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/t"]}
KEYS = generate_key_pair()
OTHER_KEYS = generate_key_pair()
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:behaviours"
GOOD_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"}],
}


@dataclass(frozen=True)
class Outcome:
    """What a bad input gets: an error code (boto3) or exception class (python), a status, a fragment."""

    via: str  # "boto3", "python" or "http"
    error: str
    status: int | None
    fragment: str

    def render(self) -> str:
        if self.via == "http":
            if self.status is None:
                return f"local endpoint: connection closed, no answer; the log says `{self.fragment}`"
            return f"local endpoint: HTTP {self.status} `{self.error}`; message contains `{self.fragment}`"
        if self.via == "boto3":
            return (
                f"boto3 `ClientError` `{self.error}`, HTTP {self.status}; message contains `{self.fragment}`"
            )
        status = f" (status {self.status})" if self.status is not None else ""
        return f"raises `{self.error}`{status}; message contains `{self.fragment}`"


def wire(error: str, status: int, fragment: str) -> Outcome:
    return Outcome("boto3", error, status, fragment)


def python(error: str, fragment: str, status: int | None = None) -> Outcome:
    return Outcome("python", error, status, fragment)


def http(status: int | None, error: str, fragment: str) -> Outcome:
    """What the local endpoint (``serve``) answers a raw HTTP request with; None: it closes the connection."""
    return Outcome("http", error, status, fragment)


INVALID = "InvalidRequestException"
NOT_FOUND = "ResourceNotFoundException"
RESPONSE = "InvalidResponseException"
MALFORMED = "MalformedPolicyException"


class Env:
    """One world with everything the cases lean on, its activation, and helpers to reach it."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        world = World(account_id=ACCOUNT, region=REGION)
        world.create_policy(policyName="Good", policyDocument=json.dumps(GOOD_POLICY))
        self.cert = world.create_test_certificate(subject={"CommonName": "device"})
        world.create_cognito_identity_pool(f"{REGION}:00000000-0000-0000-0000-000000000001")
        world.create_authorizer(
            authorizerName="Signed",
            authorizerFunctionArn=FUNCTION,
            tokenKeyName="token",
            tokenSigningPublicKeys={"key1": KEYS.public_key_pem},
            handler=behaviours,
            timeout=0.5,
        )
        world.create_authorizer(
            authorizerName="Unsigned", authorizerFunctionArn=FUNCTION, signingDisabled=True
        )
        code = tmp / "isolated"
        code.mkdir()
        (code / "hardening_isolated_app.py").write_text(ISOLATED_APP)
        world.register_function(
            "isolated-fn", "hardening_isolated_app.handler", runtime="isolated", code_dir=code
        )
        world.create_authorizer(
            authorizerName="Isolated",
            authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:isolated-fn",
            signingDisabled=True,
        )
        world.register_function("ghost-fn", "no_such_module_for_hardening.handler", runtime="inprocess")
        world.create_authorizer(
            authorizerName="Ghost",
            authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:ghost-fn",
            signingDisabled=True,
        )
        world.create_authorizer(
            authorizerName="Orphan",
            authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:nobody-home",
            signingDisabled=True,
        )
        self.world = world
        self._endpoint: Endpoint | None = None
        self.endpoint_log: list[str] = []
        self.iot = boto3.client("iot", region_name=REGION)
        self.raw = boto3.client("iot", region_name=REGION, config=Config(parameter_validation=False))

    def with_body(self, body: bytes) -> Any:
        """Send TestAuthorization with ``body`` in place of the serialized one."""
        client = boto3.client("iot", region_name=REGION)

        def replace(request: Any, **_: Any) -> None:
            request.data = body

        client.meta.events.register("before-sign.iot.TestAuthorization", replace)
        return client.test_authorization(authInfos=[INFO])

    @property
    def endpoint(self) -> Endpoint:
        """A local endpoint over this world, started on first use, with a short client timeout."""
        if self._endpoint is None:
            self._endpoint = Endpoint(self.world, client_timeout=0.5, log=self.endpoint_log.append).start()
        return self._endpoint

    def stop(self) -> None:
        if self._endpoint is not None:
            self._endpoint.stop()

    def http(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        cut: int = -1,
    ) -> tuple[int | None, str, str]:
        """Send a raw request; ``cut`` >= 0 sends only that many bytes of it, then waits for the answer.

        Returns (status, x-amzn-ErrorType, message); (None, "", "") when the server closes without one.
        """
        all_headers = {"Host": "127.0.0.1", "Content-Length": str(len(body)), **(headers or {})}
        head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in all_headers.items())
        data = head.encode() + b"\r\n" + body
        with socket.create_connection(("127.0.0.1", self.endpoint.port), timeout=10) as connection:
            connection.sendall(data if cut < 0 else data[:cut])
            response = httpclient.HTTPResponse(connection)
            try:
                response.begin()
            except httpclient.RemoteDisconnected:
                return None, "", ""
            payload = json.loads(response.read() or b"{}")
            return response.status, response.getheader("x-amzn-ErrorType", ""), payload.get("message", "")

    def behave(self, token: str) -> Any:
        return self.iot.test_invoke_authorizer(authorizerName="Unsigned", token=token)

    def policy(self, document: Any) -> Any:
        text = document if isinstance(document, str) else json.dumps(document)
        return self.world.create_policy(policyName=f"P{time.monotonic_ns()}", policyDocument=text)

    def world_file(self, name: str, text: str) -> Any:
        path = self.tmp / name
        path.write_text(textwrap.dedent(text))
        return World.from_file(path)

    def weak_key_list(self, name: str, text: str) -> Any:
        path = self.tmp / "weak-keys" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        return self.world.register_weak_key_list(path)

    def template(self, resources: str, *, extra: str = "", parameters: dict[str, Any] | None = None) -> Any:
        """Load a YAML template with these (indented) resources and top-level sections."""
        path = self.tmp / f"stack{time.monotonic_ns()}.yaml"
        path.write_text("Resources:\n" + textwrap.indent(textwrap.dedent(resources), "  ") + extra)
        return World.from_file(path, parameters=parameters)

    def expectations_file(self, name: str, text: str) -> Any:
        """Check an expectations file against a world of one thing, ``sensor-1``, with a certificate."""
        from boto_iotauth_local.expectations import load_expectations

        (self.tmp / "expected-world.yaml").write_text(EXPECTED_WORLD)
        path = self.tmp / name
        path.write_text("world: expected-world.yaml\n" + textwrap.dedent(text))
        return load_expectations(path).check()


EXPECTED_WORLD = (
    "certificates: [{name: c, subject: {CommonName: s}}]\nthings: [{name: sensor-1, principals: [c]}]\n"
)
ONE_EXPECTATION = "expectations:\n  - {thing: sensor-1, action: publish, resources: t, expect: allowed}\n"

ISOLATED_APP = textwrap.dedent(
    """
    import os
    import sys

    def handler(event, context):
        if event["token"] == "exit":
            sys.exit(3)
        if event["token"] == "die":
            os._exit(7)
        return {"isAuthenticated": True, "principalId": "p", "policyDocuments": [],
                "refreshAfterInSeconds": 300, "disconnectAfterInSeconds": 300}
    """
)


def answer(**overrides: Any) -> dict[str, Any]:
    response: dict[str, Any] = {
        "isAuthenticated": True,
        "principalId": "user1",
        "policyDocuments": [GOOD_POLICY],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }
    response.update(overrides)
    return response


def _head_length(content_length: int) -> int:
    """The bytes of the request head ``Env.http`` sends for a POST /test-authorization."""
    return len(
        f"POST /test-authorization HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {content_length}\r\n\r\n"
    )


def _raise() -> Any:
    raise KeyError("missing-claim")


def _sleep() -> Any:
    time.sleep(1.5)  # past the authorizer's 0.5 s timeout
    return answer()


def _statement(resource: str, **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": resource, **extra}],
    }


def _deep_condition(levels: int) -> dict[str, Any]:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return _statement("*", Condition={"StringEquals": {"iot:ClientId": value}})


BEHAVIOURS: dict[str, Callable[[], Any]] = {
    "allow": answer,
    "raise": _raise,
    "sleep": _sleep,
    "none": lambda: None,
    "dash": lambda: answer(principalId="user-1"),
    "eleven": lambda: answer(policyDocuments=[GOOD_POLICY] * 11),
    "long-document": lambda: answer(policyDocuments=[_statement(f"{ARN}:topic/" + "x" * 2950)]),
    "refresh-short": lambda: answer(refreshAfterInSeconds=299),
    "disconnect-long": lambda: answer(disconnectAfterInSeconds=86401),
    "timer-float": lambda: answer(refreshAfterInSeconds=600.0),
    "not-json": lambda: "this is not json",
    "json-array": lambda: "[1, 2]",
    "malformed-document": lambda: answer(
        policyDocuments=[{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe"}]}]
    ),
    "unserializable": lambda: {"when": object()},
    "deep-document": lambda: answer(policyDocuments=[json.dumps(_deep_condition(900))]),
    "nan-document": lambda: answer(policyDocuments=[json.dumps(_deep_condition(0)).replace('"x"', "NaN")]),
    "missing-field": lambda: {k: v for k, v in answer().items() if k != "isAuthenticated"},
}


def behaviours(event: dict[str, Any], context: Any) -> Any:
    token = event.get("token") or "allow"
    return BEHAVIOURS[token]()


def _csr_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csr")]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _public_pem(key: Any) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _authorizer_with_key(env: Env, key: str) -> Any:
    return env.world.create_authorizer(
        authorizerName=f"K{time.monotonic_ns()}",
        authorizerFunctionArn=FUNCTION,
        tokenKeyName="token",
        tokenSigningPublicKeys={"k": key},
    )


def _six_versions(env: Env) -> Any:
    env.world.create_policy(policyName="Versioned", policyDocument=json.dumps(GOOD_POLICY))
    for _ in range(4):
        env.world.create_policy_version(policyName="Versioned", policyDocument=json.dumps(GOOD_POLICY))
    return env.world.create_policy_version(policyName="Versioned", policyDocument=json.dumps(GOOD_POLICY))


def _duplicate_certificate(env: Env) -> Any:
    pem = env.cert["certificatePem"]
    return env.world.register_certificate_without_ca(certificatePem=pem)


def _client_in(region: str) -> Any:
    return boto3.client(
        "iot", region_name=region, config=Config(retries={"mode": "standard", "max_attempts": 1})
    )


def _wrapped(signature: str) -> str:
    return "\n".join(signature[i : i + 64] for i in range(0, len(signature), 64))


def _alias_bomb() -> str:
    lines = ["policies:", "  - name: P", "    document:", "      Statement:"]
    items = '["x","x","x","x","x","x","x","x","x","x"]'
    for level in range(9):
        lines += [
            "        - Effect: Allow",
            f"          Action: &a{level} {items}",
            "          Resource: '*'",
        ]
        items = "[" + ", ".join([f"*a{level}"] * 10) + "]"
    return "\n".join(lines) + "\n"


def _handler_outside(env: Env) -> Any:
    (env.tmp / "elsewhere").mkdir(exist_ok=True)
    (env.tmp / "elsewhere" / "app.py").write_text("def handler(event, context):\n    return None\n")
    (env.tmp / "worlds").mkdir(exist_ok=True)
    return env.world_file(
        "worlds/outside.yaml", "functions:\n  - {name: f, handler: ../elsewhere/app.py:handler}\n"
    )


@dataclass(frozen=True)
class Case:
    id: str
    input: str
    outcome: Outcome
    run: Callable[[Env], Any]


CASES: list[Case] = [
    # -- request bodies ------------------------------------------------------------------------------------
    Case(
        "req-body-not-json",
        "TestAuthorization body `{this is not json`",
        wire(INVALID, 400, "not valid JSON"),
        lambda e: e.with_body(b"{this is not json"),
    ),
    Case(
        "req-body-too-deep",
        "TestAuthorization body nesting 100,000 lists",
        wire(INVALID, 400, "nested too deeply"),
        lambda e: e.with_body(b'{"authInfos": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
    ),
    Case(
        "req-body-not-object",
        "TestAuthorization body `[1, 2]`",
        wire(INVALID, 400, "must be a JSON object"),
        lambda e: e.with_body(b"[1, 2]"),
    ),
    Case(
        "req-body-not-utf8",
        "TestAuthorization body of bytes that are not UTF-8",
        wire(INVALID, 400, "not valid JSON"),
        lambda e: e.with_body(b'{"authInfos": "\xff\xfe"}'),
    ),
    Case(
        "req-auth-infos-not-a-list",
        'body `{"authInfos": "PUBLISH"}`',
        wire(INVALID, 400, "Member must be a list"),
        lambda e: e.with_body(b'{"authInfos": "PUBLISH"}'),
    ),
    Case(
        "req-auth-info-not-an-object",
        'body `{"authInfos": ["x"]}`',
        wire(INVALID, 400, "Member must be a structure"),
        lambda e: e.with_body(b'{"authInfos": ["x"]}'),
    ),
    Case(
        "req-action-type-not-a-string",
        "actionType `7` (validation off)",
        wire(INVALID, 400, "Member must be a string"),
        lambda e: e.raw.test_authorization(authInfos=[{"actionType": 7, "resources": ["r"]}]),
    ),
    Case(
        "req-resource-not-a-string",
        "a resource `5` (validation off)",
        wire(INVALID, 400, "Member must be a string"),
        lambda e: e.raw.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": [5]}]),
    ),
    Case(
        "req-too-many-auth-infos",
        "11 authInfos",
        wire(INVALID, 400, "Member must have length less than or equal to 10"),
        lambda e: e.raw.test_authorization(authInfos=[INFO] * 11),
    ),
    Case(
        "req-no-auth-infos",
        "authInfos `[]`",
        wire(INVALID, 400, "Member must have length greater than or equal to 1"),
        lambda e: e.raw.test_authorization(authInfos=[]),
    ),
    Case(
        "req-missing-auth-infos",
        "no authInfos member",
        wire(INVALID, 400, "Value null at 'authInfos'"),
        lambda e: e.raw.test_authorization(),
    ),
    Case(
        "req-bad-action-type",
        "actionType `DANCE`",
        wire(INVALID, 400, "Member must satisfy enum value set"),
        lambda e: e.raw.test_authorization(authInfos=[{"actionType": "DANCE", "resources": ["r"]}]),
    ),
    Case(
        "req-missing-action-type",
        "an authInfo without actionType",
        wire(INVALID, 400, "actionType' failed to satisfy constraint: Member must not be null"),
        lambda e: e.raw.test_authorization(authInfos=[{"resources": ["r"]}]),
    ),
    Case(
        "req-oversize-resource",
        "a resource of 2049 characters",
        wire(INVALID, 400, "Member must have length less than or equal to 2048"),
        lambda e: e.raw.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r" * 2049]}]),
    ),
    Case(
        "req-empty-resources",
        "an authInfo with `resources: []`",
        wire(INVALID, 400, "at least one resource"),
        lambda e: e.raw.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": []}]),
    ),
    Case(
        "req-bad-policy-name",
        "policyNamesToAdd `['has space']`",
        wire(INVALID, 400, "Member must satisfy regular expression pattern"),
        lambda e: e.raw.test_authorization(authInfos=[INFO], policyNamesToAdd=["has space"]),
    ),
    Case(
        "req-long-policy-name",
        "policyNamesToSkip with a 129-character name",
        wire(INVALID, 400, "Member must have length less than or equal to 128"),
        lambda e: e.raw.test_authorization(authInfos=[INFO], policyNamesToSkip=["x" * 129]),
    ),
    Case(
        "req-principal-of-no-known-form",
        "principal `device-1`",
        wire(INVALID, 400, "is not valid: expected a certificate ARN"),
        lambda e: e.raw.test_authorization(authInfos=[INFO], principal="device-1"),
    ),
    Case(
        "req-principal-iam-user",
        "principal `arn:aws:iam::123456789012:user/bob`",
        wire(INVALID, 400, "is not valid: expected a certificate ARN"),
        lambda e: e.raw.test_authorization(authInfos=[INFO], principal=f"arn:aws:iam::{ACCOUNT}:user/bob"),
    ),
    Case(
        "req-unknown-certificate",
        "principal: a certificate ARN never registered",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.test_authorization(authInfos=[INFO], principal=f"{ARN}:cert/{'a' * 64}"),
    ),
    Case(
        "req-certificate-of-another-account",
        "principal: a registered certificate's id under another account",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.test_authorization(
            authInfos=[INFO], principal=f"arn:aws:iot:{REGION}:999999999999:cert/{e.cert['certificateId']}"
        ),
    ),
    Case(
        "req-unknown-thing-group",
        "principal: thing group ARN of a group that does not exist",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.test_authorization(authInfos=[INFO], principal=f"{ARN}:thinggroup/nope"),
    ),
    Case(
        "req-unknown-identity-pool",
        "cognitoIdentityPoolId of a pool that does not exist",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.test_authorization(
            authInfos=[INFO], cognitoIdentityPoolId=f"{REGION}:00000000-0000-0000-0000-00000000dead"
        ),
    ),
    Case(
        "req-pool-with-certificate-principal",
        "cognitoIdentityPoolId with a certificate principal",
        wire(INVALID, 400, "cognitoIdentityPoolId applies to a Cognito identity"),
        lambda e: e.iot.test_authorization(
            authInfos=[INFO],
            principal=e.cert["certificateArn"],
            cognitoIdentityPoolId=f"{REGION}:00000000-0000-0000-0000-000000000001",
        ),
    ),
    Case(
        "req-unknown-policy-to-add",
        "policyNamesToAdd `['Ghost']`",
        wire(NOT_FOUND, 404, "The policy Ghost in policyNamesToAdd does not exist"),
        lambda e: e.iot.test_authorization(authInfos=[INFO], policyNamesToAdd=["Ghost"]),
    ),
    Case(
        "req-unknown-authorizer",
        "TestInvokeAuthorizer on authorizer `Nope`",
        wire(NOT_FOUND, 404, "Authorizer Nope does not exist"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Nope", token="t"),
    ),
    Case(
        "req-bad-authorizer-name",
        "TestInvokeAuthorizer on authorizer `a.b`",
        wire(INVALID, 400, "Member must satisfy regular expression pattern"),
        lambda e: e.raw.test_invoke_authorizer(authorizerName="a.b", token="t"),
    ),
    Case(
        "req-missing-token",
        "signed authorizer, tokenSignature without token",
        wire(INVALID, 400, "token is required"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Signed", tokenSignature=sign_token("t", KEYS)),
    ),
    # -- policy documents ----------------------------------------------------------------------------------
    Case(
        "policy-not-json",
        "CreatePolicy with `{nope`",
        python(MALFORMED, "not valid JSON", 400),
        lambda e: e.policy("{nope"),
    ),
    Case(
        "policy-not-an-object",
        "CreatePolicy with `[]`",
        python(MALFORMED, "must be a JSON object", 400),
        lambda e: e.policy("[]"),
    ),
    Case(
        "policy-missing-statement",
        'CreatePolicy with `{"Version": "2012-10-17"}`',
        python(MALFORMED, "has no Statement", 400),
        lambda e: e.policy({"Version": "2012-10-17"}),
    ),
    Case(
        "policy-bad-effect",
        "a statement with Effect `Maybe`",
        python(MALFORMED, 'Effect must be "Allow" or "Deny"', 400),
        lambda e: e.policy(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "iot:*", "Resource": "*"}]}
        ),
    ),
    Case(
        "policy-action-and-not-action",
        "a statement with both Action and NotAction",
        python(MALFORMED, "exactly one of Action or NotAction", 400),
        lambda e: e.policy(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iot:*", "NotAction": "iot:Connect", "Resource": "*"}
                ],
            }
        ),
    ),
    Case(
        "policy-principal",
        "a statement with a Principal",
        python(MALFORMED, "Principal is not allowed", 400),
        lambda e: e.policy(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "iot:*", "Resource": "*"}],
            }
        ),
    ),
    Case(
        "policy-stringified-array-resource",
        "Resource `'[\"arn:...\"]'` (an array inside a string)",
        python(MALFORMED, "is not in valid ARN format", 400),
        lambda e: e.policy(_statement(json.dumps([f"{ARN}:topic/a"]))),
    ),
    Case(
        "policy-resource-not-an-arn",
        "Resource `topic/a`",
        python(MALFORMED, "is not in valid ARN format", 400),
        lambda e: e.policy(_statement("topic/a")),
    ),
    Case(
        "policy-unclosed-variable",
        "Resource with `${iot:ClientId` (no closing brace)",
        python(MALFORMED, "is not closed", 400),
        lambda e: e.policy(_statement(f"{ARN}:topic/${{iot:ClientId")),
    ),
    Case(
        "policy-unknown-condition-operator",
        "Condition operator `StringSortOf`",
        python(MALFORMED, "Condition operator StringSortOf is not supported", 400),
        lambda e: e.policy(_statement("*", Condition={"StringSortOf": {"iot:ClientId": "a"}})),
    ),
    Case(
        "policy-non-numeric-numeric-equals",
        "NumericEquals with the value `abc`",
        python(MALFORMED, "is not a number", 400),
        lambda e: e.policy(_statement("*", Condition={"NumericEquals": {"aws:EpochTime": "abc"}})),
    ),
    Case(
        "policy-unsupported-version",
        "Version `2020-01-01`",
        python(MALFORMED, "is not supported", 400),
        lambda e: e.policy({"Version": "2020-01-01", "Statement": GOOD_POLICY["Statement"]}),
    ),
    Case(
        "policy-duplicate-key",
        "a document with Version twice",
        python(MALFORMED, "duplicate key: Version", 400),
        lambda e: e.policy('{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}'),
    ),
    Case(
        "policy-over-2048-characters",
        "a document of more than 2048 non-whitespace characters",
        python(MALFORMED, "the maximum is 2048", 400),
        lambda e: e.policy(_statement(f"{ARN}:topic/" + "x" * 2100)),
    ),
    Case(
        "policy-sixth-version",
        "CreatePolicyVersion when the policy has 5 versions",
        python("VersionsLimitExceededException", "maximum number of versions (5)", 409),
        _six_versions,
    ),
    Case(
        "policy-too-deep",
        "a document whose Condition value nests 900 lists (given as a dict)",
        python(MALFORMED, "nested too deeply", 400),
        lambda e: e.world.create_policy(policyName="Deep", policyDocument=_deep_condition(900)),
    ),
    Case(
        "policy-nan",
        "a document with `NaN` as a condition value",
        python(MALFORMED, "NaN is not a JSON number", 400),
        lambda e: e.policy(json.dumps(_deep_condition(0)).replace('"x"', "NaN")),
    ),
    Case(
        "policy-bytes-in-dict",
        "a dict document whose Action is `bytes`",
        python(MALFORMED, "a value of type bytes is not JSON data", 400),
        lambda e: e.world.create_policy(
            policyName="Bytes", policyDocument={**GOOD_POLICY, "Statement": [{"Action": b"iot:*"}]}
        ),
    ),
    # -- certificates --------------------------------------------------------------------------------------
    Case(
        "cert-garbage-pem",
        "RegisterCertificateWithoutCA with a PEM of garbage",
        python(INVALID, "is not a valid PEM-encoded X.509 certificate", 400),
        lambda e: e.world.register_certificate_without_ca(
            certificatePem="-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n"
        ),
    ),
    Case(
        "cert-csr-instead-of-certificate",
        "RegisterCertificateWithoutCA with a certificate signing request",
        python(INVALID, "is not a valid PEM-encoded X.509 certificate", 400),
        lambda e: e.world.register_certificate_without_ca(certificatePem=_csr_pem()),
    ),
    Case(
        "cert-duplicate-registration",
        "registering the same certificate twice",
        python("ResourceAlreadyExistsException", "already provisioned or registered", 409),
        _duplicate_certificate,
    ),
    Case(
        "cert-bad-status",
        "RegisterCertificateWithoutCA with status `SLEEPING`",
        python(INVALID, "SLEEPING", 400),
        lambda e: e.world.register_certificate_without_ca(
            certificatePem=e.world.create_test_certificate()["certificatePem"], status="SLEEPING"
        ),
    ),
    # -- token signing keys --------------------------------------------------------------------------------
    Case(
        "key-rsa-1024",
        "tokenSigningPublicKeys with a 1024-bit RSA key",
        python(INVALID, "at least 2048 bits, not 1024", 400),
        lambda e: _authorizer_with_key(e, generate_key_pair(1024).public_key_pem),
    ),
    Case(
        "key-ec",
        "tokenSigningPublicKeys with an EC P-256 key",
        python(INVALID, "must be an RSA key", 400),
        lambda e: _authorizer_with_key(e, _public_pem(ec.generate_private_key(ec.SECP256R1()).public_key())),
    ),
    Case(
        "key-garbage",
        "tokenSigningPublicKeys with a PEM of garbage",
        python(INVALID, "not a valid PEM or Base64 DER public key", 400),
        lambda e: _authorizer_with_key(e, "-----BEGIN PUBLIC KEY-----\nbm9wZQ==\n-----END PUBLIC KEY-----\n"),
    ),
    Case(
        "key-empty",
        "tokenSigningPublicKeys with an empty key",
        python(INVALID, "the public key is empty", 400),
        lambda e: _authorizer_with_key(e, ""),
    ),
    Case(
        "key-private-instead-of-public",
        "tokenSigningPublicKeys with the private key PEM",
        python(INVALID, "not a valid PEM or Base64 DER public key", 400),
        lambda e: _authorizer_with_key(e, KEYS.private_key_pem),
    ),
    # -- signatures ----------------------------------------------------------------------------------------
    Case(
        "sig-not-base64",
        "tokenSignature `not base64!`",
        wire(INVALID, 400, "Member must satisfy regular expression pattern"),
        lambda e: e.iot.test_invoke_authorizer(
            authorizerName="Signed", token="t", tokenSignature="not base64!"
        ),
    ),
    Case(
        "sig-wrong-key",
        "a signature made with another key",
        wire(INVALID, 400, "could not be verified"),
        lambda e: e.iot.test_invoke_authorizer(
            authorizerName="Signed", token="t", tokenSignature=sign_token("t", OTHER_KEYS)
        ),
    ),
    Case(
        "sig-wrong-token",
        "a signature of another token",
        wire(INVALID, 400, "could not be verified"),
        lambda e: e.iot.test_invoke_authorizer(
            authorizerName="Signed", token="t", tokenSignature=sign_token("u", KEYS)
        ),
    ),
    Case(
        "sig-line-wrapped-base64",
        "a valid signature wrapped at 64 characters",
        wire(INVALID, 400, "Member must satisfy regular expression pattern"),
        lambda e: e.iot.test_invoke_authorizer(
            authorizerName="Signed", token="t", tokenSignature=_wrapped(sign_token("t", KEYS))
        ),
    ),
    Case(
        "sig-valid-base64-of-garbage",
        "tokenSignature `AAAA` (Base64, not a signature)",
        wire(INVALID, 400, "could not be verified"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Signed", token="t", tokenSignature="AAAA"),
    ),
    # -- regions and worlds --------------------------------------------------------------------------------
    Case(
        "region-no-world-serves",
        "a client in `mars-1` (a region no partition has) names policy `Good` of the `us-east-1` world",
        wire(NOT_FOUND, 404, "the worlds given serve us-east-1"),
        lambda e: _client_in("mars-1").test_authorization(authInfos=[INFO], policyNamesToAdd=["Good"]),
    ),
    Case(
        "region-other-partition",
        "a client in `eusc-de-east-1` (partition aws-eusc) names policy `Good` of the `us-east-1` world",
        wire(NOT_FOUND, 404, "no world given to activate() serves region 'eusc-de-east-1'"),
        lambda e: _client_in("eusc-de-east-1").test_authorization(
            authInfos=[INFO], policyNamesToAdd=["Good"]
        ),
    ),
    Case(
        "world-region-unknown",
        '`World(region="mars-1")`',
        python("ValueError", "region must be one an AWS partition has"),
        lambda e: World(region="mars-1"),
    ),
    Case(
        "activate-a-path",
        '`activate("world.yaml")`',
        python("TypeError", "activate(World.from_file('world.yaml'))"),
        lambda e: activate("world.yaml"),
    ),
    # -- world files ---------------------------------------------------------------------------------------
    Case(
        "worldfile-bad-yaml",
        "a world file with `policies: [unclosed`",
        python("WorldFileError", "invalid YAML"),
        lambda e: e.world_file("bad.yaml", "policies: [unclosed\n"),
    ),
    Case(
        "worldfile-unknown-key",
        "a world file with a top-level key `polices`",
        python("WorldFileError", "unknown key 'polices'"),
        lambda e: e.world_file("typo.yaml", "polices: []\n"),
    ),
    Case(
        "worldfile-missing-pem-file",
        "a certificate with `pem_file: missing.pem`",
        python("WorldFileError", "no such file"),
        lambda e: e.world_file("cert.yaml", "certificates:\n  - pem_file: missing.pem\n"),
    ),
    Case(
        "worldfile-alias-bomb",
        "a world file whose YAML aliases nest 10 lists 9 deep (a billion values)",
        python("WorldFileError", "aliases expand this file"),
        lambda e: e.world_file("bomb.yaml", _alias_bomb()),
    ),
    Case(
        "worldfile-recursive-alias",
        "a policy document that is an alias of itself",
        python("WorldFileError", "refers to a value containing it"),
        lambda e: e.world_file(
            "loop.yaml", "policies:\n  - name: P\n    document: &d\n      Statement: [*d]\n"
        ),
    ),
    Case(
        "worldfile-bad-suffix",
        "a world file named `world.txt`",
        python("WorldFileError", "unknown world file suffix"),
        lambda e: e.world_file("world.txt", "{}\n"),
    ),
    Case(
        "worldfile-malformed-policy",
        "a world file whose policy has Effect `Maybe`",
        python("WorldFileError", "Policy document is Malformed"),
        lambda e: e.world_file(
            "policy.yaml",
            """
             policies:
               - name: p
                 document:
                   Version: "2012-10-17"
                   Statement: [{Effect: Maybe, Action: "iot:*", Resource: "*"}]
             """,
        ),
    ),
    Case(
        "worldfile-handler-outside",
        "a function whose handler file is `../elsewhere/app.py:handler`",
        python("WorldFileError", "outside the world file's directory"),
        _handler_outside,
    ),
    Case(
        "worldfile-too-deep",
        "a JSON world file whose policy document nests 5000 lists",
        python("WorldFileError", "nested too deeply"),
        lambda e: e.world_file(
            "deep.json", '{"policies": [{"name": "P", "document": ' + "[" * 5000 + "]" * 5000 + "}]}"
        ),
    ),
    Case(
        "worldfile-unknown-tag",
        "a function with `timeout: !seconds 5`",
        python("WorldFileError", "unsupported YAML tag '!seconds'"),
        lambda e: e.world_file("tag.yaml", "functions:\n  - {name: f, handler: m.h, timeout: !seconds 5}\n"),
    ),
    Case(
        "worldfile-huge-integer",
        "a function whose memory_mb has 5000 digits",
        python("WorldFileError", "at most 4300 digits"),
        lambda e: e.world_file(
            "big.yaml", f"functions:\n  - {{name: f, handler: m.h, memory_mb: {'9' * 5000}}}\n"
        ),
    ),
    # -- the local endpoint (iotauth-local serve): raw HTTP requests ----------------------------------------
    Case(
        "endpoint-body-not-json",
        "POST /test-authorization with body `{nope`",
        http(400, INVALID, "not valid JSON"),
        lambda e: e.http("POST", "/test-authorization", b"{nope"),
    ),
    Case(
        "endpoint-unknown-path",
        "GET /no/such/path",
        http(404, "UnknownOperationException", "No AWS IoT operation is GET /no/such/path"),
        lambda e: e.http("GET", "/no/such/path"),
    ),
    Case(
        "endpoint-unimplemented-operation",
        "GET /jobs (ListJobs, an IoT operation the World does not implement)",
        http(400, INVALID, "ListJobs is an AWS IoT operation that boto_iotauth_local does not implement"),
        lambda e: e.http("GET", "/jobs"),
    ),
    Case(
        "endpoint-unimplemented-member",
        "CreateThing with billingGroupName",
        http(400, INVALID, "CreateThing: billingGroupName is not supported"),
        lambda e: e.http("POST", "/things/t1", b'{"billingGroupName": "g"}'),
    ),
    Case(
        "endpoint-huge-body",
        "a Content-Length of 2 MiB (the body is never read)",
        http(413, "RequestEntityTooLargeException", "larger than the 1048576 bytes accepted"),
        lambda e: e.http("POST", "/test-authorization", headers={"Content-Length": str(2 << 20)}, cut=200),
    ),
    Case(
        "endpoint-chunked-body",
        "a body sent with Transfer-Encoding: chunked and no Content-Length",
        http(411, "LengthRequiredException", "needs a Content-Length"),
        lambda e: e.http(
            "POST", "/test-authorization", b"2\r\n{}\r\n0\r\n\r\n", {"Transfer-Encoding": "chunked"}
        ),
    ),
    Case(
        "endpoint-slow-body",
        "a client that sends 10 of its 100 body bytes, then stalls",
        http(408, "RequestTimeoutException", "was not received within 0.5 s"),
        lambda e: e.http("POST", "/test-authorization", b"x" * 100, cut=_head_length(100) + 10),
    ),
    Case(
        "endpoint-slow-headers",
        "a client that stalls in the middle of its headers",
        http(None, "closed", "Request timed out"),
        lambda e: e.http("POST", "/test-authorization", b"{}", cut=30),
    ),
    Case(
        "endpoint-bad-uri-label",
        "DescribeThing on a name of 200 characters",
        http(400, INVALID, "Member must have length less than or equal to 128"),
        lambda e: e.http("GET", "/things/" + "x" * 200),
    ),
    # -- expectations files ---------------------------------------------------------------------------------
    Case(
        "expectations-bad-yaml",
        "an expectations file with `expectations: [unclosed`",
        python("ExpectationsError", "invalid YAML"),
        lambda e: e.expectations_file("bad.yaml", "expectations: [unclosed\n"),
    ),
    Case(
        "expectations-unknown-key",
        "an expectation with a key `resource` (for `resources`)",
        python("ExpectationsError", "unknown key 'resource'"),
        lambda e: e.expectations_file("typo.yaml", ONE_EXPECTATION.replace("resources", "resource")),
    ),
    Case(
        "expectations-unknown-action",
        "an expectation with `action: dance`",
        python("ExpectationsError", "unknown action 'dance'"),
        lambda e: e.expectations_file("action.yaml", ONE_EXPECTATION.replace("publish", "dance")),
    ),
    Case(
        "expectations-unknown-decision",
        "an expectation with `expect: maybe`",
        python("ExpectationsError", "unknown decision 'maybe'"),
        lambda e: e.expectations_file("decision.yaml", ONE_EXPECTATION.replace("allowed", "maybe")),
    ),
    Case(
        "expectations-no-principal",
        "an expectation naming no certificate, thing, thing group or principal",
        python("ExpectationsError", "name the principal"),
        lambda e: e.expectations_file("who.yaml", ONE_EXPECTATION.replace("thing: sensor-1, ", "")),
    ),
    Case(
        "expectations-audit-unknown-check",
        "a `kind: audit` expectation with `checks: [NOPE_CHECK]`",
        python("ExpectationsError", "unknown audit check 'NOPE_CHECK'"),
        lambda e: e.expectations_file(
            "audit.yaml", "expectations:\n  - {kind: audit, checks: [NOPE_CHECK]}\n"
        ),
    ),
    Case(
        "expectations-audit-check-not-offline",
        "a `kind: audit` expectation naming `CONFLICTING_CLIENT_IDS_CHECK`",
        python("ExpectationsError", "cannot run offline"),
        lambda e: e.expectations_file(
            "traffic.yaml", "expectations:\n  - {kind: audit, checks: [CONFLICTING_CLIENT_IDS_CHECK]}\n"
        ),
    ),
    Case(
        "expectations-unknown-thing",
        "an expectation on `thing: sensr-1`, which the world lacks",
        python("ExpectationsError", "no thing 'sensr-1' in the world"),
        lambda e: e.expectations_file("thing.yaml", ONE_EXPECTATION.replace("sensor-1", "sensr-1")),
    ),
    Case(
        "expectations-unknown-kind",
        "an expectation with `kind: magic`",
        python("ExpectationsError", "unknown kind 'magic'"),
        lambda e: e.expectations_file("kind.yaml", ONE_EXPECTATION.replace("{", "{kind: magic, ")),
    ),
    Case(
        "expectations-alias-bomb",
        "an expectations file whose YAML aliases nest 10 lists 9 deep (a billion values)",
        python("ExpectationsError", "aliases expand this file"),
        lambda e: e.expectations_file("bomb.yaml", _alias_bomb()),
    ),
    # -- CloudFormation templates and Terraform plans ----------------------------------------------------
    Case(
        "template-unknown-short-tag",
        "a template value `!Reff Name`",
        python("TemplateError", "unknown tag !Reff"),
        lambda e: e.template("T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Reff Name}\n"),
    ),
    Case(
        "template-yaml-alias",
        "a template using a YAML anchor and alias",
        python("TemplateError", "YAML aliases (*name) are not supported"),
        lambda e: e.template("A: &a {Type: AWS::IoT::Thing}\nB: *a\n"),
    ),
    Case(
        "template-duplicate-key",
        "a JSON template with the logical id `T` twice",
        python("TemplateError", "duplicate key 'T'"),
        lambda e: e.world_file(
            "dup.json", '{"Resources": {"T": {"Type": "AWS::IoT::Thing"}, "T": {"Type": "AWS::IoT::Thing"}}}'
        ),
    ),
    Case(
        "template-too-deep",
        "a JSON template nesting 5000 lists (too deep to tell its format: read as a world file)",
        python("WorldFileError", "nested too deeply"),
        lambda e: e.world_file("deep.json", '{"Resources": {"T": ' + "[" * 5000 + "]" * 5000 + "}}"),
    ),
    Case(
        "template-unknown-section",
        "a template with a top-level `Resource` section besides `Resources`",
        python("TemplateError", "unknown template section 'Resource'"),
        lambda e: e.template("T: {Type: AWS::IoT::Thing}\n", extra="Resource: {}\n"),
    ),
    Case(
        "template-unescaped-policy-variable",
        "`!Sub` with `${iot:ClientId}` in a policy",
        python("TemplateError", "escape it: ${!iot:ClientId}"),
        lambda e: e.template(
            "P:\n  Type: AWS::IoT::Policy\n  Properties:\n    PolicyDocument:\n      Statement:\n"
            "        - {Effect: Allow, Action: iot:Connect,\n"
            "           Resource: !Sub 'arn:aws:iot:*:*:client/${iot:ClientId}'}\n"
        ),
    ),
    Case(
        "template-unknown-ref",
        "`!Ref Nowhere` naming nothing in the template",
        python("TemplateError", "no such parameter, resource or pseudo parameter"),
        lambda e: e.template("T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Ref Nowhere}\n"),
    ),
    Case(
        "template-import-value",
        "`!ImportValue shared` with no stand-in",
        python("TemplateError", "Fn::ImportValue 'shared' is an output of another stack"),
        lambda e: e.template("T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !ImportValue shared}\n"),
    ),
    Case(
        "template-ref-to-unmodelled-resource",
        "a thing named `!Ref Bucket`, an S3 bucket",
        python("TemplateError", "a resource type not modelled here"),
        lambda e: e.template(
            "Bucket: {Type: AWS::S3::Bucket}\n"
            "T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Ref Bucket}\n"
        ),
    ),
    Case(
        "template-missing-parameter",
        "a parameter without Default, used and not given",
        python("TemplateError", "parameter Name has no Default"),
        lambda e: e.template(
            "T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Ref Name}\n",
            extra="Parameters:\n  Name: {Type: String}\n",
        ),
    ),
    Case(
        "template-circular-reference",
        "two things naming each other",
        python("TemplateError", "circular dependency between resources: A -> B -> A"),
        lambda e: e.template(
            "A:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Ref B}\n"
            "B:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Ref A}\n"
        ),
    ),
    Case(
        "template-unknown-attribute",
        "`!GetAtt Other.Fingerprint` of a thing",
        python("TemplateError", "has no attribute 'Fingerprint'"),
        lambda e: e.template(
            "T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !GetAtt Other.Fingerprint}\n"
            "Other: {Type: AWS::IoT::Thing, Properties: {ThingName: other}}\n"
        ),
    ),
    Case(
        "template-select-out-of-range",
        "`!Select [3, [a, b]]`",
        python("TemplateError", "Fn::Select index 3 is out of range"),
        lambda e: e.template("T:\n  Type: AWS::IoT::Thing\n  Properties: {ThingName: !Select [3, [a, b]]}\n"),
    ),
    Case(
        "template-malformed-policy",
        "an `AWS::IoT::Policy` whose statement has Effect `Maybe`",
        python("TemplateError", "Policy document is Malformed"),
        lambda e: e.template(
            "P:\n  Type: AWS::IoT::Policy\n  Properties:\n    PolicyDocument:\n"
            "      Statement: [{Effect: Maybe, Action: iot:Connect, Resource: '*'}]\n"
        ),
    ),
    Case(
        "template-bad-certificate",
        "an `AWS::IoT::Certificate` with `CertificatePem: not a pem`",
        python("TemplateError", "Certificate.Properties.CertificatePem"),
        lambda e: e.template(
            "Certificate:\n  Type: AWS::IoT::Certificate\n"
            "  Properties: {CertificatePem: not a pem, Status: ACTIVE}\n"
        ),
    ),
    Case(
        "template-dynamic-thing-group",
        "an `AWS::IoT::ThingGroup` with a `QueryString`",
        python("TemplateError", "dynamic thing group"),
        lambda e: e.template(
            "G:\n  Type: AWS::IoT::ThingGroup\n"
            "  Properties: {ThingGroupName: g, QueryString: 'attributes.a:1'}\n"
        ),
    ),
    Case(
        "terraform-unknown-value",
        "a plan whose attachment target is known only after apply, from nothing in the plan",
        python("TemplateError", "known only after apply"),
        lambda e: e.world_file(
            "plan.json",
            json.dumps(
                {
                    "format_version": "1.2",
                    "planned_values": {
                        "root_module": {
                            "resources": [
                                {
                                    "address": "aws_iot_policy.p",
                                    "mode": "managed",
                                    "type": "aws_iot_policy",
                                    "name": "p",
                                    "values": {"name": "P", "policy": json.dumps(GOOD_POLICY)},
                                },
                                {
                                    "address": "aws_iot_policy_attachment.a",
                                    "mode": "managed",
                                    "type": "aws_iot_policy_attachment",
                                    "name": "a",
                                    "values": {"policy": "P"},
                                },
                            ]
                        }
                    },
                    "resource_changes": [
                        {
                            "address": "aws_iot_policy_attachment.a",
                            "change": {"after_unknown": {"target": True}},
                        }
                    ],
                }
            ),
        ),
    ),
    Case(
        "terraform-raw-state",
        "Terraform's own `terraform.tfstate` (version 4) instead of `terraform show -json` output",
        python("TemplateError", "raw Terraform state file"),
        lambda e: e.world_file(
            "terraform.tfstate",
            json.dumps(
                {
                    "version": 4,
                    "terraform_version": "1.9.5",
                    "serial": 3,
                    "lineage": "5f2b1c1e-0000-4000-8000-000000000000",
                    "outputs": {},
                    "resources": [
                        {
                            "mode": "managed",
                            "type": "aws_iot_policy",
                            "name": "p",
                            "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                            "instances": [{"attributes": {"name": "P", "policy": json.dumps(GOOD_POLICY)}}],
                        }
                    ],
                }
            ),
        ),
    ),
    # -- custom authorizer handler behaviours --------------------------------------------------------------
    Case(
        "handler-raises",
        "the handler raises KeyError",
        wire(RESPONSE, 400, "raised an error: KeyError"),
        lambda e: e.behave("raise"),
    ),
    Case(
        "handler-sleeps-past-timeout",
        "the handler sleeps 1.5 s with a 0.5 s timeout",
        wire(RESPONSE, 400, "timed out"),
        lambda e: e.behave("sleep"),
    ),
    Case(
        "handler-returns-none",
        "the handler returns None",
        wire(RESPONSE, 400, "the handler returned null"),
        lambda e: e.behave("none"),
    ),
    Case(
        "handler-principal-with-dash",
        "principalId `user-1`",
        wire(RESPONSE, 400, "principalId must be 1 to 128 letters and digits"),
        lambda e: e.behave("dash"),
    ),
    Case(
        "handler-eleven-documents",
        "11 policy documents",
        wire(RESPONSE, 400, "policyDocuments has 11 documents"),
        lambda e: e.behave("eleven"),
    ),
    Case(
        "handler-3000-character-document",
        "a policy document of about 3000 characters",
        wire(RESPONSE, 400, "a policy document may have at most 2048"),
        lambda e: e.behave("long-document"),
    ),
    Case(
        "handler-refresh-too-short",
        "refreshAfterInSeconds `299`",
        wire(RESPONSE, 400, "refreshAfterInSeconds must be an integer from 300 to 86400"),
        lambda e: e.behave("refresh-short"),
    ),
    Case(
        "handler-disconnect-too-long",
        "disconnectAfterInSeconds `86401`",
        wire(RESPONSE, 400, "disconnectAfterInSeconds must be an integer from 300 to 86400"),
        lambda e: e.behave("disconnect-long"),
    ),
    Case(
        "handler-timer-as-float",
        "refreshAfterInSeconds `600.0`",
        wire(RESPONSE, 400, "refreshAfterInSeconds must be an integer"),
        lambda e: e.behave("timer-float"),
    ),
    Case(
        "handler-non-json-string",
        "the handler returns `this is not json`",
        wire(RESPONSE, 400, "a string that is not valid JSON"),
        lambda e: e.behave("not-json"),
    ),
    Case(
        "handler-json-array-string",
        "the handler returns the string `[1, 2]`",
        wire(RESPONSE, 400, "must be a JSON object"),
        lambda e: e.behave("json-array"),
    ),
    Case(
        "handler-missing-field",
        "an answer without isAuthenticated",
        wire(RESPONSE, 400, "missing 'isAuthenticated'"),
        lambda e: e.behave("missing-field"),
    ),
    Case(
        "handler-malformed-document",
        "a returned policy document with Effect `Maybe`",
        wire(RESPONSE, 400, "Policy document is Malformed"),
        lambda e: e.behave("malformed-document"),
    ),
    Case(
        "handler-unserializable",
        "the handler returns an object that is not JSON",
        wire(RESPONSE, 400, "returned a value that is not JSON"),
        lambda e: e.behave("unserializable"),
    ),
    Case(
        "handler-deep-document",
        "a returned policy document string nesting 900 lists",
        wire(RESPONSE, 400, "nested too deeply"),
        lambda e: e.behave("deep-document"),
    ),
    Case(
        "handler-nan-document",
        "a returned policy document string with `NaN`",
        wire(RESPONSE, 400, "NaN is not a JSON number"),
        lambda e: e.behave("nan-document"),
    ),
    Case(
        "handler-sys-exit-isolated",
        "sys.exit(3) in the isolated runtime",
        wire(RESPONSE, 400, "raised an error: SystemExit: 3"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Isolated", token="exit"),
    ),
    Case(
        "handler-os-exit-isolated",
        "os._exit(7) in the isolated runtime",
        wire(RESPONSE, 400, "crashed: Runtime exited with error: exit status 7"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Isolated", token="die"),
    ),
    Case(
        "handler-unknown-reference",
        "handler reference `no_such_module_for_hardening.handler`",
        wire(RESPONSE, 400, "could not be loaded"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Ghost", token="t"),
    ),
    Case(
        "handler-no-local-function",
        "an authorizer whose function has no local handler",
        wire(RESPONSE, 400, "no local handler is registered"),
        lambda e: e.iot.test_invoke_authorizer(authorizerName="Orphan", token="t"),
    ),
    Case(
        "handler-bad-reference-form",
        "register_function with handler `not a reference`",
        python("ValueError", "handler must be a callable"),
        lambda e: e.world.register_function("bad-ref", "not a reference"),
    ),
    Case(
        "python-str-for-a-list",
        'explain_authorization with `policy_names_to_add="Good"` (a str, not a list)',
        python("TypeError", "takes a list of strings, not a str"),
        lambda e: explain_authorization(e.world, "PUBLISH", INFO["resources"], policy_names_to_add="Good"),
    ),
    Case(
        "python-one-object-for-a-list",
        "simulate_token with one authInfo object instead of a list",
        python("TypeError", "takes a list of objects, not one object"),
        lambda e: simulate_token(e.world, "Unsigned", INFO),
    ),
    Case(
        "python-subject-not-a-name",
        'create_test_certificate with `subject="sensor-1"` (not an RFC 4514 name)',
        python("ValueError", "cannot read 'sensor-1' as an RFC 4514 name"),
        lambda e: e.world.create_test_certificate(subject="sensor-1"),
    ),
    # -- Device Defender audit and CA certificates ---------------------------------------------------------
    Case(
        "audit-unknown-check",
        "StartOnDemandAuditTask with targetCheckNames `['NOPE_CHECK']`",
        wire(INVALID, 400, "unknown audit check name: 'NOPE_CHECK'"),
        lambda e: e.iot.start_on_demand_audit_task(targetCheckNames=["NOPE_CHECK"]),
    ),
    Case(
        "audit-check-not-enabled",
        "StartOnDemandAuditTask with a check the account has not enabled",
        wire(INVALID, 400, "not enabled for this account"),
        lambda e: e.iot.start_on_demand_audit_task(targetCheckNames=["LOGGING_DISABLED_CHECK"]),
    ),
    Case(
        "audit-first-configuration-without-role",
        "the first UpdateAccountAuditConfiguration without roleArn",
        wire(INVALID, 400, "roleArn is required"),
        lambda e: e.iot.update_account_audit_configuration(auditCheckConfigurations={}),
    ),
    Case(
        "audit-threshold-out-of-range",
        "CERT_AGE_THRESHOLD_IN_DAYS `10` (below 30)",
        wire(INVALID, 400, "from 30 to 3652"),
        lambda e: e.iot.update_account_audit_configuration(
            roleArn="arn:aws:iam::123456789012:role/audit",
            auditCheckConfigurations={
                "DEVICE_CERTIFICATE_AGE_CHECK": {"configuration": {"CERT_AGE_THRESHOLD_IN_DAYS": "10"}}
            },
        ),
    ),
    Case(
        "audit-unknown-task",
        "DescribeAuditTask of a task id never started",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.describe_audit_task(taskId="0123abcd"),
    ),
    Case(
        "audit-malformed-task-id",
        "DescribeAuditTask with taskId `bad_id!`",
        wire(INVALID, 400, "Member must satisfy regular expression pattern"),
        lambda e: e.iot.describe_audit_task(taskId="bad_id!"),
    ),
    Case(
        "audit-cancel-unknown-task",
        "CancelAuditTask of a task id never started",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.cancel_audit_task(taskId="0123abcd"),
    ),
    Case(
        "audit-unknown-finding",
        "DescribeAuditFinding of a finding id never made",
        wire(NOT_FOUND, 404, "does not exist"),
        lambda e: e.iot.describe_audit_finding(findingId="nope"),
    ),
    Case(
        "audit-findings-without-filter",
        "ListAuditFindings with neither taskId nor startTime and endTime",
        wire(INVALID, 400, "either taskId or startTime and endTime"),
        lambda e: e.iot.list_audit_findings(),
    ),
    Case(
        "audit-findings-bad-token",
        "ListAuditFindings with a forged nextToken",
        wire(INVALID, 400, "The nextToken is not valid"),
        lambda e: e.iot.list_audit_findings(
            startTime=datetime.datetime(2020, 1, 1),
            endTime=datetime.datetime(2030, 1, 1),
            nextToken="Zm9yZ2Vk",
        ),
    ),
    Case(
        "ca-not-a-ca",
        "RegisterCACertificate with a leaf (not CA) certificate",
        python("CertificateValidationException", "not a CA certificate", 400),
        lambda e: e.world.register_ca_certificate(
            caCertificate=pem(make_ca().issue("leaf")), certificateMode="SNI_ONLY"
        ),
    ),
    Case(
        "ca-missing-verification",
        "RegisterCACertificate in DEFAULT mode without verificationCertificate",
        python("InvalidRequestException", "verificationCertificate is required", 400),
        lambda e: e.world.register_ca_certificate(caCertificate=make_ca().pem),
    ),
    Case(
        "ca-verification-of-another-key",
        "RegisterCACertificate with a verification certificate signed by another key",
        python("CertificateValidationException", "not signed by the CA", 400),
        lambda e: e.world.register_ca_certificate(
            caCertificate=make_ca().pem, verificationCertificate=make_ca("other").verification()
        ),
    ),
    Case(
        "crl-garbage",
        "register_revocation_list with a PEM of garbage",
        python("InvalidRequestException", "not a valid PEM-encoded X.509 CRL", 400),
        lambda e: e.world.register_revocation_list(
            "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n"
        ),
    ),
    Case(
        "weak-key-list-bad-line",
        "register_weak_key_list with a `blacklist.RSA-2048` whose second line is upper-case hex",
        python(
            "WeakKeyListError", "blacklist.RSA-2048, line 2: 'ABCDEF0123456789ABCD' is not 20 lower-case hex"
        ),
        lambda e: e.weak_key_list("blacklist.RSA-2048", "0123456789abcdef0123\nABCDEF0123456789ABCD\n"),
    ),
]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, offline_module: None) -> Iterator[tuple[Env, Activation]]:
    made = Env(tmp_path_factory.mktemp("bad-input"))
    with activate(made.world) as handle:
        yield made, handle
    made.stop()


@pytest.mark.skipif(os.name != "posix", reason="os._exit and the isolated runtime's process semantics")
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(env: tuple[Env, Activation], case: Case) -> None:
    made, _ = env
    outcome = case.outcome
    if outcome.via == "http":
        made.endpoint_log.clear()
        status, error, message = case.run(made)
        assert status == outcome.status
        if status is None:
            assert any(outcome.fragment in line for line in made.endpoint_log), made.endpoint_log
        else:
            assert error.split(":", 1)[0] == outcome.error, (error, message)
            assert outcome.fragment in message, message
        # The endpoint stays up and answers the next good request.
        good = json.dumps({"authInfos": [INFO]}).encode()
        assert made.http("POST", "/test-authorization", good)[0] == 200
    elif outcome.via == "boto3":
        with pytest.raises(ClientError) as caught:
            case.run(made)
        response = caught.value.response
        assert response["Error"]["Code"] == outcome.error, response
        assert response["ResponseMetadata"]["HTTPStatusCode"] == outcome.status
        assert outcome.fragment in response["Error"]["Message"], response["Error"]["Message"]
    else:
        with pytest.raises(Exception) as raised:
            case.run(made)
        error = raised.value
        assert type(error).__name__ == outcome.error, repr(error)
        assert outcome.fragment in str(error), str(error)
        if isinstance(error, ServiceError):
            assert error.status == outcome.status
        else:
            assert outcome.status is None
    # Whatever the bad input, the next good call is answered.
    assert made.iot.test_authorization(authInfos=[INFO])["authResults"][0]["authDecision"] == "IMPLICIT_DENY"


# -- the doc ------------------------------------------------------------------------------------------------

HEADER = "| id | input | outcome |"


def table_rows() -> list[str]:
    return [f"| {c.id} | {c.input} | {c.outcome.render()} |" for c in CASES]


def parse_table(text: str) -> list[tuple[str, str, str]]:
    lines = text.splitlines()
    start = lines.index(HEADER)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        assert len(cells) == 3, line
        rows.append((cells[0], cells[1], cells[2]))
    return rows


def test_case_ids_are_unique_and_the_table_is_parseable() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 40
    for case in CASES:
        assert " | " not in case.input and " | " not in case.outcome.render(), case.id


def test_the_doc_lists_exactly_these_cases() -> None:
    rows = parse_table(DOC.read_text(encoding="utf-8"))
    documented = {row[0]: (row[1], row[2]) for row in rows}
    assert len(documented) == len(rows), "duplicate ids in docs/bad-input.md"
    expected = {c.id: (c.input, c.outcome.render()) for c in CASES}
    assert set(documented) == set(expected), (
        f"only in the doc: {sorted(set(documented) - set(expected))}; "
        f"only in the tests: {sorted(set(expected) - set(documented))}"
    )
    for case_id, (text, outcome) in expected.items():
        assert documented[case_id][1] == outcome, case_id
        assert documented[case_id][0] == text, case_id


if __name__ == "__main__":  # regenerate the table: python -m tests.hardening.test_bad_input
    sys.stdout.write("\n".join([HEADER, "|---|---|---|", *table_rows()]) + "\n")
