"""One request, answered: decode, validate, call the service, encode.

The request is intercepted in-process (botocore's ``AWSPreparedRequest``) or received by the local HTTP
endpoint (:class:`~.request.HttpRequest`); both are read the same way. The service itself is passed in as
a plain callable, so this module needs no policy engine and can be tested with any backend.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse

from ..caches import ByteBoundedCache, text_bytes
from ..errors import InternalFailureException, ServiceError
from ..world.arns import dns_suffixes
from .decode import decode_request
from .encode import encode_error, encode_result
from .model import operation_model
from .request import HttpRequest, WireRequest
from .validate import validate_request

logger = logging.getLogger(__name__)

#: ``backend(operation_name, params, region) -> output members``; raises ServiceError.
Backend = Callable[[str, dict[str, Any], str], Mapping[str, Any]]

#: ``iot.<region>.<a partition's DNS suffix>``: amazonaws.com, amazonaws.com.cn, c2s.ic.gov, amazonaws.eu...
_HOST_REGION = re.compile(r"^iot\.([a-z0-9-]+)\.([a-z0-9.-]+)$")
#: The region of a SigV4 credential scope: ``Credential=AKID/20240101/us-east-1/iot/aws4_request``.
_SCOPE_REGION = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")

#: Parameters of requests already decoded and found valid, by (operation, URL, body): both depend on
#: nothing else, and test suites repeat the same requests many times. Services only read parameters.
#: An entry is counted as its body and URL, and the decoded parameters (about three times the body). Kept
#: from a request's second time: the parameters are many small objects for the garbage collector.
_VALID: ByteBoundedCache[tuple[str, str, bytes | str], dict[str, Any]] = ByteBoundedCache(
    "wire.valid", second_sight=True
)


@dataclass(frozen=True)
class Exchange:
    """What was asked and what was answered, for the activation's call log."""

    operation: str
    region: str
    params: dict[str, Any] | None
    result: Mapping[str, Any] | None
    error: ServiceError | None
    response: AWSResponse
    #: The request's URL and body, from which :func:`read_params` reads ``params`` again: what records kept
    #: long hold instead of the parameters (nothing for the garbage collector to walk, nothing to encode).
    #: None when the parameters cannot be read from these alone (an operation reading headers), or could
    #: not be read at all.
    recorded: tuple[str, bytes] | None = None


def signed_region(request: WireRequest) -> str | None:
    """The region a SigV4-signed request was signed for (header or presigned query), or None."""
    authorization = request.headers.get("Authorization") or urlsplit(request.url).query
    text = authorization.decode("latin-1") if isinstance(authorization, bytes) else str(authorization)
    match = _SCOPE_REGION.search(text.replace("X-Amz-Credential=", "Credential=").replace("%2F", "/"))
    return match.group(1) if match else None


def request_region(request: WireRequest, default: str = "us-east-1") -> str:
    """The calling client's region: from botocore's request context, the endpoint host or the signature.

    Older botocore copies (the AWS CLI v1 carries its own) build requests without a context; requests that
    reach the local endpoint have neither context nor an AWS host, and name their region only if signed.
    """
    context = getattr(request, "context", None)
    region = context.get("client_region") if context else None
    if region:
        return str(region)
    match = _HOST_REGION.match(urlsplit(request.url).hostname or "")
    if match and match.group(2) in dns_suffixes():
        return match.group(1)
    return signed_region(request) or default


def read_params(operation: str, recorded: tuple[str, bytes]) -> dict[str, Any]:
    """The parameters of a request recorded as (URL, body) by :class:`Exchange`, read as when it came."""
    url, body = recorded
    return decode_request(HttpRequest("POST", url, {}, body), operation_model(operation))


def forget_requests() -> None:
    """Drop the remembered valid requests: nothing is intercepted any more (see ``hooks.went_idle``)."""
    _VALID.clear()


@functools.lru_cache(maxsize=512)
def _reads_headers(operation: str) -> bool:
    shape = operation_model(operation).input_shape
    members = shape.members.values() if shape is not None else ()
    return any(member.serialization.get("location") in ("header", "headers") for member in members)


def answer(
    operation: str,
    request: WireRequest,
    backend: Backend,
    *,
    region: str | None = None,
    reuse_params: bool = True,
) -> Exchange:
    """Answer ``request`` for ``operation``; every failure becomes the service's error response.

    ``region``: the region to answer for (default: the request's own, see :func:`request_region`).
    ``reuse_params``: whether a repeated request may share the parameters decoded the first time; only
    for backends that never keep or change what they are given.
    """
    url = request.url
    region = region or request_region(request)
    params: dict[str, Any] | None = None
    recorded: tuple[str, bytes] | None = None
    try:
        body = request.body
        readable = isinstance(body, (bytes, str)) and not _reads_headers(operation)
        key = (operation, url, body) if readable and reuse_params else None
        known = _VALID.get(key) if key is not None else None
        if known is not None:
            params = known
        else:
            model = operation_model(operation)
            params = decode_request(request, model)
        if readable:  # the parameters were read from these: they can be read again
            recorded = (url, body.encode("utf-8") if isinstance(body, str) else body)
        if known is None:
            validate_request(params, model.input_shape)
            if key is not None:
                _VALID.put(key, params, 4 * text_bytes(body) + text_bytes(url))
        result = backend(operation, params, region)
        return Exchange(operation, region, params, result, None, encode_result(url, result), recorded)
    except ServiceError as refused:
        return Exchange(operation, region, params, None, refused, encode_error(url, refused), recorded)
    except Exception as exc:  # a defect here must reach the caller as a service error, not a crash
        logger.exception("unexpected error while answering %s", operation)
        reason = f"{type(exc).__name__}: {exc}"
        failure = InternalFailureException(f"Internal error while answering {operation}: {reason}")
        return Exchange(operation, region, params, None, failure, encode_error(url, failure))
