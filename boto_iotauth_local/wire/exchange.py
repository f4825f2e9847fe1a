"""One intercepted request, answered: decode, validate, call the service, encode.

The service itself is passed in as a plain callable, so this module needs no policy engine and can be
tested with any backend.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from ..errors import InternalFailureException, ServiceError
from .decode import decode_request
from .encode import encode_error, encode_result
from .model import operation_model
from .validate import validate_request

logger = logging.getLogger(__name__)

#: ``backend(operation_name, params, region) -> output members``; raises ServiceError.
Backend = Callable[[str, dict[str, Any], str], Mapping[str, Any]]

_HOST_REGION = re.compile(r"^iot\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$")

#: Parameters of requests already decoded and found valid, by (operation, URL, body): both depend on
#: nothing else, and test suites repeat the same requests many times. Services only read parameters.
_VALID: dict[tuple[str, str, bytes | str], dict[str, Any]] = {}
_VALID_LIMIT = 512


@dataclass(frozen=True)
class Exchange:
    """What was asked and what was answered, for the activation's call log."""

    operation: str
    region: str
    params: dict[str, Any] | None
    result: Mapping[str, Any] | None
    error: ServiceError | None
    response: AWSResponse


def request_region(request: AWSPreparedRequest) -> str:
    """The calling client's region: from botocore's request context, else from the endpoint host.

    Older botocore copies (the AWS CLI v1 carries its own) build requests without a context.
    """
    context = getattr(request, "context", None)
    region = context.get("client_region") if context else None
    if region:
        return str(region)
    match = _HOST_REGION.match(urlsplit(request.url).hostname or "")
    return match.group(1) if match else "us-east-1"


def answer(operation: str, request: AWSPreparedRequest, backend: Backend) -> Exchange:
    """Answer ``request`` for ``operation``; every failure becomes the service's error response."""
    url = request.url
    region = request_region(request)
    params: dict[str, Any] | None = None
    try:
        body = request.body
        key = (operation, url, body) if isinstance(body, (bytes, str)) else None
        known = _VALID.get(key) if key is not None else None
        if known is not None:
            params = known
        else:
            model = operation_model(operation)
            params = decode_request(request, model)
            validate_request(params, model.input_shape)
            if key is not None:
                if len(_VALID) >= _VALID_LIMIT:
                    _VALID.clear()
                _VALID[key] = params
        result = backend(operation, params, region)
        return Exchange(operation, region, params, result, None, encode_result(url, result))
    except ServiceError as refused:
        return Exchange(operation, region, params, None, refused, encode_error(url, refused))
    except Exception as exc:  # a defect here must reach the caller as a service error, not a crash
        logger.exception("unexpected error while answering %s", operation)
        reason = f"{type(exc).__name__}: {exc}"
        failure = InternalFailureException(f"Internal error while answering {operation}: {reason}")
        return Exchange(operation, region, params, None, failure, encode_error(url, failure))
