"""A custom authorizer, run as AWS IoT runs it (A12-A14): signature, then the handler, then its answer.

A failed signature check never reaches the handler. Whatever the handler does wrong (raises, hangs, dies,
answers outside the contract) becomes InvalidResponseException with a message that says exactly what.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..authorizers.event import build_event
from ..authorizers.invocation import CapturedOutput, InvocationFailed
from ..authorizers.references import HandlerImportError, HandlerReferenceError
from ..authorizers.response import AuthorizerResponse, InvalidAuthorizerResponse, validate_authorizer_response
from ..authorizers.runtime import Runtimes, default_runtimes
from ..authorizers.signing import verify_token_signature
from ..errors import (
    InvalidRequestException,
    InvalidResponseException,
    ResourceNotFoundException,
    ServiceError,
)
from ..world import Authorizer, World
from .options import ServiceOptions

#: AWS IoT gives a custom authorizer's Lambda function at most 5 seconds, whatever the function's own
#: configured timeout: "The Lambda function timeout limit for a custom authorizer is 5 seconds" (AWS IoT
#: developer guide, https://docs.aws.amazon.com/iot/latest/developerguide/config-custom-auth.html). A
#: function's shorter timeout still applies. Applied here, where IoT invokes the function, so every
#: runtime and every source of functions (World, world files, moto) gets the same limit.
AUTHORIZER_TIME_LIMIT = 5.0


def authorizer_timeout(function_timeout: float) -> float:
    """The seconds an authorizer's function may run: its own timeout, at most AUTHORIZER_TIME_LIMIT."""
    return min(function_timeout, AUTHORIZER_TIME_LIMIT)


@dataclass(frozen=True)
class AuthorizerRun:
    """One authorizer invocation: what the handler got, what it printed, and what came of it."""

    authorizer: str
    function_arn: str
    event: Mapping[str, Any] | None
    signature_key: str | None
    output: CapturedOutput = field(default_factory=CapturedOutput)
    raw_response: Any = None
    response: AuthorizerResponse | None = None
    error: ServiceError | None = None
    duration: float = 0.0

    @property
    def logs(self) -> str:
        """Everything the handler printed or logged, in order."""
        return self.output.text

    def __str__(self) -> str:
        from ..render.text import authorizer_run_text

        return authorizer_run_text(self)

    def _repr_html_(self) -> str:
        from ..render.html import authorizer_run_html

        return authorizer_run_html(self)


def _check_signature(authorizer: Authorizer, token: str | None, signature: str | None) -> str | None:
    if authorizer.signing_disabled:
        return None
    missing = [name for name, value in (("token", token), ("tokenSignature", signature)) if value is None]
    if missing:
        raise InvalidRequestException(
            f"The authorizer {authorizer.name} has token signing enabled: {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} required"
        )
    assert token is not None and signature is not None
    key_name = verify_token_signature(token, signature, authorizer.public_keys)
    if key_name is None:
        raise InvalidRequestException(
            "The token signature could not be verified with any token signing public key of the "
            f"authorizer {authorizer.name} (RSASSA-PKCS1-v1_5 with SHA-256 over the token's UTF-8 bytes, "
            "Base64-encoded)"
        )
    return key_name


def run_authorizer(
    world: World,
    authorizer_name: str,
    *,
    token: str | None = None,
    token_signature: str | None = None,
    http_context: Mapping[str, Any] | None = None,
    mqtt_context: Mapping[str, Any] | None = None,
    tls_context: Mapping[str, Any] | None = None,
    reject_inactive: bool = False,
    runtimes: Runtimes | None = None,
) -> AuthorizerRun:
    """Invoke ``authorizer_name`` as TestInvokeAuthorizer would; the run carries the answer or the error.

    Raises ResourceNotFoundException or InvalidRequestException for what is wrong with the request itself
    (as the service answers before invoking anything); failures of the handler are kept in the run.
    """
    authorizer = world.authorizer(authorizer_name)
    if authorizer is None:
        raise ResourceNotFoundException(f"Authorizer {authorizer_name} does not exist")
    if reject_inactive and authorizer.status != "ACTIVE":
        raise InvalidRequestException(f"The authorizer {authorizer_name} is {authorizer.status}")
    key_name = _check_signature(authorizer, token, token_signature)
    event = build_event(
        token=token,
        signature_verified=key_name is not None,
        http_context=http_context,
        mqtt_context=mqtt_context,
        tls_context=tls_context,
    )
    arn = authorizer.function_arn
    start = time.perf_counter()
    try:
        spec = world.resolve_function(arn)
    except ResourceNotFoundException:
        error = InvalidResponseException(
            f"The authorizer function {arn} could not be invoked: no local handler is registered for it "
            "(World.register_function, or create_authorizer(..., handler=...))"
        )
        return AuthorizerRun(authorizer_name, arn, event, key_name, error=error)
    try:
        invocation = (runtimes or default_runtimes()).invoke(
            spec, event, timeout=authorizer_timeout(spec.timeout)
        )
    except InvocationFailed as failed:
        what = {
            "raised": "raised an error",
            "timeout": "timed out",
            "crashed": "crashed",
            "unserializable": "returned a value that is not JSON",
        }.get(failed.kind, failed.kind)
        error = InvalidResponseException(f"The authorizer function {arn} {what}: {failed.message}")
        return AuthorizerRun(
            authorizer_name,
            arn,
            event,
            key_name,
            failed.logs,
            error=error,
            duration=time.perf_counter() - start,
        )
    except (HandlerReferenceError, HandlerImportError) as bad:
        error = InvalidResponseException(f"The authorizer function {arn} could not be loaded: {bad}")
        return AuthorizerRun(authorizer_name, arn, event, key_name, error=error)
    duration = time.perf_counter() - start
    try:
        response = validate_authorizer_response(invocation.value)
    except InvalidAuthorizerResponse as invalid:
        return AuthorizerRun(
            authorizer_name,
            arn,
            event,
            key_name,
            invocation.output,
            invocation.value,
            error=InvalidResponseException(invalid.message),
            duration=duration,
        )
    return AuthorizerRun(
        authorizer_name,
        arn,
        event,
        key_name,
        invocation.output,
        invocation.value,
        response,
        duration=duration,
    )


def test_invoke_authorizer(
    world: World, params: Mapping[str, Any], options: ServiceOptions
) -> dict[str, Any]:
    """The TestInvokeAuthorizer operation over validated request parameters."""
    run = run_authorizer(
        world,
        params["authorizerName"],
        token=params.get("token"),
        token_signature=params.get("tokenSignature"),
        http_context=params.get("httpContext"),
        mqtt_context=params.get("mqttContext"),
        tls_context=params.get("tlsContext"),
        reject_inactive=options.reject_inactive_authorizers,
    )
    if options.on_authorizer_run is not None:
        options.on_authorizer_run(run)
    if run.error is not None:
        raise run.error
    assert run.response is not None
    return run.response.to_api()


test_invoke_authorizer.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
