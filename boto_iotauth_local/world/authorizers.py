"""Custom authorizers: CreateAuthorizer and friends, and the default authorizer.

Each token signing key is loaded and checked (RSA, at least 2048 bits, PEM or bare Base64 DER) when it
enters the world, and the loaded key objects are kept beside the text so TestInvokeAuthorizer verifies a
signature without parsing a key. ``signingDisabled`` is fixed at creation, as in AWS IoT.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from boto_iotauth_local.authorizers.signing import InvalidPublicKeyError, load_public_key
from boto_iotauth_local.errors import (
    DeleteConflictException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world.base import WorldBase, utcnow
from boto_iotauth_local.world.functions import FunctionOperations, Runtime
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import (
    AUTHORIZER_NAME,
    KEY_NAME,
    TOKEN_KEY_NAME,
    check_bool,
    check_enum,
    check_string,
    check_tags,
)

AUTHORIZER_STATUSES = ("ACTIVE", "INACTIVE")
MAX_FUNCTION_ARN_LENGTH = 2048
MAX_KEY_VALUE_LENGTH = 5120


@dataclass(frozen=True)
class Authorizer:
    """A custom authorizer; ``public_keys`` are the loaded ``token_signing_public_keys``."""

    name: str
    arn: str
    function_arn: str
    token_key_name: str | None
    token_signing_public_keys: Mapping[str, str] = field(hash=False)
    public_keys: Mapping[str, RSAPublicKey] = field(hash=False, compare=False, repr=False)
    status: str
    signing_disabled: bool
    enable_caching_for_http: bool
    creation_date: datetime
    last_modified_date: datetime
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def signing_enabled(self) -> bool:
        return not self.signing_disabled


def _load_keys(keys: object) -> tuple[Mapping[str, str], Mapping[str, RSAPublicKey]]:
    """Check ``tokenSigningPublicKeys`` and load each key; InvalidRequestException names the bad one."""
    if keys is None:
        return MappingProxyType({}), MappingProxyType({})
    if not isinstance(keys, Mapping):
        raise InvalidRequestException("tokenSigningPublicKeys must be a map of key names to public keys")
    texts: dict[str, str] = {}
    loaded: dict[str, RSAPublicKey] = {}
    for name, value in keys.items():
        check_string(name, "tokenSigningPublicKeys.key", max_len=128, pattern=KEY_NAME)
        check_string(value, f"tokenSigningPublicKeys.{name}", min_len=0, max_len=MAX_KEY_VALUE_LENGTH)
        try:
            loaded[name] = load_public_key(value)
        except InvalidPublicKeyError as exc:
            raise InvalidRequestException(f"Invalid public key for key name {name}: {exc}") from None
        texts[name] = value
    return MappingProxyType(texts), MappingProxyType(loaded)


def _check_signing(signing_disabled: bool, token_key_name: str | None, keys: Mapping[str, str]) -> None:
    if signing_disabled:
        return
    if token_key_name is None:
        raise InvalidRequestException(
            "tokenKeyName is required when signing is enabled (signingDisabled is false)"
        )
    if not keys:
        raise InvalidRequestException(
            "tokenSigningPublicKeys must hold at least one key when signing is enabled "
            "(signingDisabled is false)"
        )


def _derived_function_name(authorizer_name: str) -> str:
    """A Lambda-legal function name for an authorizer created with a handler and no function ARN."""
    return ("iot-authorizer-" + re.sub(r"[^a-zA-Z0-9_-]", "-", authorizer_name))[:64]


class AuthorizerOperations(FunctionOperations, WorldBase):
    """CreateAuthorizer, UpdateAuthorizer, the default authorizer, and their readers."""

    # ----------------------------------------------------------------------------------------- readers

    def authorizer(self, name: str) -> Authorizer | None:
        """The authorizer ``name``, or None."""
        return self._authorizers.get(name)

    def default_authorizer(self) -> Authorizer | None:
        """The default authorizer, or None when none is set."""
        name = self._default_authorizer
        return self._authorizers.get(name) if name is not None else None

    # ----------------------------------------------------------------------------------------- helpers

    def _require_authorizer(self, name: str) -> Authorizer:
        check_string(name, "authorizerName", max_len=128, pattern=AUTHORIZER_NAME)
        found = self._authorizers.get(name)
        if found is None:
            raise ResourceNotFoundException(f"Authorizer {name} does not exist")
        return found

    @staticmethod
    def _description(a: Authorizer) -> dict[str, Any]:
        description: dict[str, Any] = {
            "authorizerName": a.name,
            "authorizerArn": a.arn,
            "authorizerFunctionArn": a.function_arn,
            "tokenSigningPublicKeys": dict(a.token_signing_public_keys),
            "status": a.status,
            "creationDate": a.creation_date,
            "lastModifiedDate": a.last_modified_date,
            "signingDisabled": a.signing_disabled,
            "enableCachingForHttp": a.enable_caching_for_http,
        }
        if a.token_key_name is not None:
            description["tokenKeyName"] = a.token_key_name
        return description

    # ----------------------------------------------------------------------------------------- writers

    def create_authorizer(
        self,
        authorizerName: str,
        authorizerFunctionArn: str | None = None,
        tokenKeyName: str | None = None,
        tokenSigningPublicKeys: Mapping[str, str] | None = None,
        status: str = "ACTIVE",
        tags: list[dict[str, str]] | None = None,
        signingDisabled: bool = False,
        enableCachingForHttp: bool = False,
        *,
        handler: Callable[..., Any] | str | None = None,
        runtime: Runtime = "auto",
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """Create a custom authorizer.

        With ``handler``, the local function behind it is registered in the same step, under
        ``authorizerFunctionArn`` or, when that is omitted, under a name derived from the authorizer's.
        """
        check_string(authorizerName, "authorizerName", max_len=128, pattern=AUTHORIZER_NAME)
        if authorizerFunctionArn is None:
            if handler is None:
                raise InvalidRequestException("authorizerFunctionArn is required")
            authorizerFunctionArn = self.arns.lambda_function(_derived_function_name(authorizerName))
        check_string(
            authorizerFunctionArn, "authorizerFunctionArn", min_len=0, max_len=MAX_FUNCTION_ARN_LENGTH
        )
        if tokenKeyName is not None:
            check_string(tokenKeyName, "tokenKeyName", max_len=128, pattern=TOKEN_KEY_NAME)
        check_enum(status, "status", AUTHORIZER_STATUSES)
        check_bool(signingDisabled, "signingDisabled")
        check_bool(enableCachingForHttp, "enableCachingForHttp")
        tag_pairs = check_tags(tags)
        texts, loaded = _load_keys(tokenSigningPublicKeys)
        _check_signing(signingDisabled, tokenKeyName, texts)
        with self._lock:
            arn = self.arns.authorizer(authorizerName)
            if authorizerName in self._authorizers:
                raise ResourceAlreadyExistsException(
                    f"Authorizer {authorizerName} already exists", resourceId=authorizerName, resourceArn=arn
                )
            if handler is not None:
                self.register_function(authorizerFunctionArn, handler, runtime=runtime, timeout=timeout)
            now = utcnow()
            self._authorizers[authorizerName] = Authorizer(
                name=authorizerName,
                arn=arn,
                function_arn=authorizerFunctionArn,
                token_key_name=tokenKeyName,
                token_signing_public_keys=texts,
                public_keys=loaded,
                status=status,
                signing_disabled=signingDisabled,
                enable_caching_for_http=enableCachingForHttp,
                creation_date=now,
                last_modified_date=now,
                tags=tag_pairs,
            )
        return {"authorizerName": authorizerName, "authorizerArn": arn}

    def describe_authorizer(self, authorizerName: str) -> dict[str, Any]:
        return {"authorizerDescription": self._description(self._require_authorizer(authorizerName))}

    def list_authorizers(
        self,
        pageSize: int | None = None,
        marker: str | None = None,
        ascendingOrder: bool = True,
        status: str | None = None,
    ) -> dict[str, Any]:
        """Authorizers by name, optionally only those with ``status``, paginated."""
        if status is not None:
            check_enum(status, "status", AUTHORIZER_STATUSES)
        with self._lock:
            names = sorted(
                (n for n, a in self._authorizers.items() if status is None or a.status == status),
                reverse=not ascendingOrder,
            )
            page, next_marker = paginate(names, page_size=pageSize, marker=marker)
            result: dict[str, Any] = {
                "authorizers": [
                    {"authorizerName": n, "authorizerArn": self._authorizers[n].arn} for n in page
                ]
            }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result

    def update_authorizer(
        self,
        authorizerName: str,
        authorizerFunctionArn: str | None = None,
        tokenKeyName: str | None = None,
        tokenSigningPublicKeys: Mapping[str, str] | None = None,
        status: str | None = None,
        enableCachingForHttp: bool | None = None,
        *,
        signingDisabled: bool | None = None,
    ) -> dict[str, Any]:
        """Change an authorizer; ``signingDisabled`` cannot change (UpdateAuthorizer has no such member)."""
        if authorizerFunctionArn is not None:
            check_string(
                authorizerFunctionArn, "authorizerFunctionArn", min_len=0, max_len=MAX_FUNCTION_ARN_LENGTH
            )
        if tokenKeyName is not None:
            check_string(tokenKeyName, "tokenKeyName", max_len=128, pattern=TOKEN_KEY_NAME)
        if status is not None:
            check_enum(status, "status", AUTHORIZER_STATUSES)
        if enableCachingForHttp is not None:
            check_bool(enableCachingForHttp, "enableCachingForHttp")
        keys = _load_keys(tokenSigningPublicKeys) if tokenSigningPublicKeys is not None else None
        with self._lock:
            current = self._require_authorizer(authorizerName)
            if signingDisabled is not None and signingDisabled != current.signing_disabled:
                raise InvalidRequestException(
                    "signingDisabled cannot be changed after the authorizer is created"
                )
            updated = replace(
                current,
                function_arn=authorizerFunctionArn
                if authorizerFunctionArn is not None
                else current.function_arn,
                token_key_name=tokenKeyName if tokenKeyName is not None else current.token_key_name,
                token_signing_public_keys=keys[0] if keys is not None else current.token_signing_public_keys,
                public_keys=keys[1] if keys is not None else current.public_keys,
                status=status if status is not None else current.status,
                enable_caching_for_http=(
                    enableCachingForHttp
                    if enableCachingForHttp is not None
                    else current.enable_caching_for_http
                ),
                last_modified_date=utcnow(),
            )
            _check_signing(
                updated.signing_disabled, updated.token_key_name, updated.token_signing_public_keys
            )
            self._authorizers[authorizerName] = updated
        return {"authorizerName": updated.name, "authorizerArn": updated.arn}

    def delete_authorizer(self, authorizerName: str) -> dict[str, Any]:
        """Delete an INACTIVE authorizer ("You can't delete a custom authorizer while it's active")."""
        with self._lock:
            current = self._require_authorizer(authorizerName)
            if current.status == "ACTIVE":
                raise DeleteConflictException(
                    f"Cannot delete authorizer {authorizerName} while it is ACTIVE; set it INACTIVE first"
                )
            del self._authorizers[authorizerName]
            if self._default_authorizer == authorizerName:
                self._default_authorizer = None
        return {}

    def set_default_authorizer(self, authorizerName: str) -> dict[str, Any]:
        """Make ``authorizerName`` the default; naming the current default again is a conflict."""
        with self._lock:
            current = self._require_authorizer(authorizerName)
            if self._default_authorizer == authorizerName:
                raise ResourceAlreadyExistsException(
                    f"Authorizer {authorizerName} is already the default authorizer",
                    resourceId=authorizerName,
                    resourceArn=current.arn,
                )
            self._default_authorizer = authorizerName
        return {"authorizerName": current.name, "authorizerArn": current.arn}

    def describe_default_authorizer(self) -> dict[str, Any]:
        found = self.default_authorizer()
        if found is None:
            raise ResourceNotFoundException("No default authorizer is set")
        return {"authorizerDescription": self._description(found)}

    def clear_default_authorizer(self) -> dict[str, Any]:
        with self._lock:
            self._default_authorizer = None
        return {}
