"""Custom authorizers: creation, key validation, updates, deletion and the default authorizer."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from boto_iotauth_local.authorizers.signing import sign_token, verify_token_signature
from boto_iotauth_local.errors import (
    DeleteConflictException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world import World
from tests.world.conftest import public_pem

FN = "arn:aws:lambda:us-east-1:123456789012:function:auth"
AUTH_ARN = "arn:aws:iot:us-east-1:123456789012:authorizer/"


def make(world: World, name: str = "A", rsa_pem: str | None = None, **kwargs: Any) -> dict[str, Any]:
    if rsa_pem is not None:
        kwargs.setdefault("tokenKeyName", "token")
        kwargs.setdefault("tokenSigningPublicKeys", {"k1": rsa_pem})
    return world.create_authorizer(name, FN, **kwargs)


def test_create_and_describe(world: World, rsa_pem: str) -> None:
    assert make(world, "CustomAuthorizer", rsa_pem) == {
        "authorizerName": "CustomAuthorizer",
        "authorizerArn": AUTH_ARN + "CustomAuthorizer",
    }
    description = world.describe_authorizer("CustomAuthorizer")["authorizerDescription"]
    assert description["authorizerFunctionArn"] == FN
    assert description["tokenKeyName"] == "token"
    assert description["tokenSigningPublicKeys"] == {"k1": rsa_pem}
    assert description["status"] == "ACTIVE"
    assert description["signingDisabled"] is False and description["enableCachingForHttp"] is False
    assert isinstance(description["creationDate"], datetime) and isinstance(
        description["lastModifiedDate"], datetime
    )


def test_loaded_keys_verify_signatures(world: World, rsa_key: rsa.RSAPrivateKey, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    authorizer = world.authorizer("A")
    assert authorizer is not None and authorizer.signing_enabled
    assert isinstance(authorizer.public_keys["k1"], rsa.RSAPublicKey)
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    signature = sign_token("allow", private_pem)
    assert verify_token_signature("allow", signature, authorizer.public_keys) == "k1"
    assert world.authorizer("missing") is None


def test_bare_base64_der_key_is_accepted(world: World, rsa_key: rsa.RSAPrivateKey) -> None:
    der = rsa_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    make(world, tokenKeyName="token", tokenSigningPublicKeys={"kms:key-1": base64.b64encode(der).decode()})
    authorizer = world.authorizer("A")
    assert authorizer is not None and authorizer.public_keys["kms:key-1"].key_size == 2048


def test_short_rsa_key_is_refused(world: World) -> None:
    short = public_pem(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    with pytest.raises(InvalidRequestException, match="2048"):
        make(world, tokenKeyName="token", tokenSigningPublicKeys={"k": short})
    assert world.authorizer("A") is None


def test_ec_key_is_refused(world: World) -> None:
    ec_pem = public_pem(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(InvalidRequestException, match="RSA"):
        make(world, tokenKeyName="token", tokenSigningPublicKeys={"k": ec_pem})


@pytest.mark.parametrize(
    "value", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"]
)
def test_garbage_key_is_refused(world: World, value: str) -> None:
    with pytest.raises(InvalidRequestException, match="key name k:"):
        make(world, tokenKeyName="token", tokenSigningPublicKeys={"k": value})


def test_key_names_and_sizes(world: World, rsa_pem: str) -> None:
    with pytest.raises(InvalidRequestException, match="pattern"):
        make(world, tokenKeyName="token", tokenSigningPublicKeys={"bad name": rsa_pem})
    with pytest.raises(InvalidRequestException, match="5120"):
        make(world, tokenKeyName="token", tokenSigningPublicKeys={"k": "A" * 5121})


def test_signing_needs_token_key_name_and_a_key(world: World, rsa_pem: str) -> None:
    with pytest.raises(InvalidRequestException, match="tokenKeyName"):
        world.create_authorizer("A", FN, tokenSigningPublicKeys={"k": rsa_pem})
    with pytest.raises(InvalidRequestException, match="tokenSigningPublicKeys"):
        world.create_authorizer("A", FN, tokenKeyName="token")
    with pytest.raises(InvalidRequestException, match="tokenSigningPublicKeys"):
        world.create_authorizer("A", FN, tokenKeyName="token", tokenSigningPublicKeys={})
    result = world.create_authorizer("A", FN, signingDisabled=True)
    assert result["authorizerName"] == "A"
    description = world.describe_authorizer("A")["authorizerDescription"]
    assert description["signingDisabled"] is True and "tokenKeyName" not in description


@pytest.mark.parametrize(
    ("kwargs", "member"),
    [
        ({"authorizerName": "bad name"}, "authorizerName"),
        ({"authorizerName": "a" * 129}, "authorizerName"),
        ({"tokenKeyName": "has.dot"}, "tokenKeyName"),
        ({"status": "ENABLED"}, "status"),
        ({"authorizerFunctionArn": "x" * 2049}, "authorizerFunctionArn"),
    ],
)
def test_member_constraints(world: World, rsa_pem: str, kwargs: dict[str, Any], member: str) -> None:
    arguments: dict[str, Any] = {
        "authorizerName": "A",
        "authorizerFunctionArn": FN,
        "tokenKeyName": "token",
        "tokenSigningPublicKeys": {"k": rsa_pem},
        **kwargs,
    }
    with pytest.raises(InvalidRequestException, match=member):
        world.create_authorizer(**arguments)


def test_duplicate_authorizer(world: World, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    with pytest.raises(ResourceAlreadyExistsException) as caught:
        make(world, rsa_pem=rsa_pem)
    assert caught.value.fields == {"resourceId": "A", "resourceArn": AUTH_ARN + "A"}


def test_update_authorizer(world: World, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    before = world.describe_authorizer("A")["authorizerDescription"]
    other_pem = public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    result = world.update_authorizer(
        "A",
        authorizerFunctionArn=FN + "2",
        tokenKeyName="tok",
        tokenSigningPublicKeys={"k2": other_pem},
        status="INACTIVE",
        enableCachingForHttp=True,
    )
    assert result == {"authorizerName": "A", "authorizerArn": AUTH_ARN + "A"}
    after = world.describe_authorizer("A")["authorizerDescription"]
    assert after["authorizerFunctionArn"] == FN + "2" and after["tokenKeyName"] == "tok"
    assert after["tokenSigningPublicKeys"] == {"k2": other_pem} and after["status"] == "INACTIVE"
    assert after["enableCachingForHttp"] is True
    assert (
        after["creationDate"] == before["creationDate"]
        and after["lastModifiedDate"] >= before["lastModifiedDate"]
    )
    authorizer = world.authorizer("A")
    assert authorizer is not None and list(authorizer.public_keys) == ["k2"]


def test_update_validates_keys_and_keeps_signing_consistent(world: World, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    with pytest.raises(InvalidRequestException):
        world.update_authorizer("A", tokenSigningPublicKeys={"k": "junk"})
    with pytest.raises(InvalidRequestException, match="at least one key"):
        world.update_authorizer("A", tokenSigningPublicKeys={})
    assert world.describe_authorizer("A")["authorizerDescription"]["tokenSigningPublicKeys"] == {
        "k1": rsa_pem
    }
    with pytest.raises(ResourceNotFoundException):
        world.update_authorizer("missing", status="INACTIVE")


def test_signing_disabled_cannot_change(world: World, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    with pytest.raises(InvalidRequestException, match="signingDisabled"):
        world.update_authorizer("A", signingDisabled=True)
    world.create_authorizer("B", FN, signingDisabled=True)
    with pytest.raises(InvalidRequestException, match="signingDisabled"):
        world.update_authorizer("B", signingDisabled=False)
    world.update_authorizer("B", signingDisabled=True, status="INACTIVE")  # unchanged value is fine
    authorizer = world.authorizer("B")
    assert authorizer is not None and authorizer.signing_disabled


def test_active_authorizer_cannot_be_deleted(world: World, rsa_pem: str) -> None:
    make(world, rsa_pem=rsa_pem)
    with pytest.raises(DeleteConflictException, match="ACTIVE"):
        world.delete_authorizer("A")
    world.update_authorizer("A", status="INACTIVE")
    assert world.delete_authorizer("A") == {}
    with pytest.raises(ResourceNotFoundException):
        world.describe_authorizer("A")
    with pytest.raises(ResourceNotFoundException):
        world.delete_authorizer("A")


def test_list_authorizers(world: World) -> None:
    for name, status in [("c", "ACTIVE"), ("a", "INACTIVE"), ("b", "ACTIVE")]:
        world.create_authorizer(name, FN, signingDisabled=True, status=status)
    listed = world.list_authorizers()
    assert listed == {"authorizers": [{"authorizerName": n, "authorizerArn": AUTH_ARN + n} for n in "abc"]}
    first = world.list_authorizers(pageSize=2)
    assert [a["authorizerName"] for a in first["authorizers"]] == ["a", "b"]
    rest = world.list_authorizers(pageSize=2, marker=first["nextMarker"])
    assert [a["authorizerName"] for a in rest["authorizers"]] == ["c"] and "nextMarker" not in rest
    assert [a["authorizerName"] for a in world.list_authorizers(status="ACTIVE")["authorizers"]] == ["b", "c"]
    assert [a["authorizerName"] for a in world.list_authorizers(ascendingOrder=False)["authorizers"]] == list(
        "cba"
    )
    with pytest.raises(InvalidRequestException):
        world.list_authorizers(status="PAUSED")


def test_default_authorizer(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.describe_default_authorizer()
    assert world.default_authorizer() is None
    world.create_authorizer("A", FN, signingDisabled=True)
    world.create_authorizer("B", FN, signingDisabled=True)
    assert world.set_default_authorizer("A") == {"authorizerName": "A", "authorizerArn": AUTH_ARN + "A"}
    with pytest.raises(ResourceAlreadyExistsException):
        world.set_default_authorizer("A")
    world.set_default_authorizer("B")
    default = world.default_authorizer()
    assert default is not None and default.name == "B"
    assert world.describe_default_authorizer()["authorizerDescription"]["authorizerName"] == "B"
    with pytest.raises(ResourceNotFoundException):
        world.set_default_authorizer("missing")
    world.update_authorizer("B", status="INACTIVE")
    world.delete_authorizer("B")
    assert world.default_authorizer() is None
    world.set_default_authorizer("A")
    world.clear_default_authorizer()
    assert world.default_authorizer() is None


def test_create_with_handler_registers_the_function(world: World) -> None:
    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        return {}

    world.create_authorizer("A", FN + ":live", signingDisabled=True, handler=handler, timeout=1.5)
    spec = world.resolve_function(FN + ":live")
    assert spec.handler is handler and spec.timeout == 1.5 and spec.arn == FN

    world.create_authorizer("My=Auth,1@x", signingDisabled=True, handler="pkg.mod.fn")
    authorizer = world.authorizer("My=Auth,1@x")
    assert authorizer is not None
    assert (
        authorizer.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:iot-authorizer-My-Auth-1-x"
    )
    assert world.resolve_function(authorizer.function_arn).handler == "pkg.mod.fn"

    with pytest.raises(InvalidRequestException, match="authorizerFunctionArn"):
        world.create_authorizer("NoFunction", signingDisabled=True)
