"""The AWS IoT service model, loaded once from whichever botocore is in use.

Every constraint, status code and member location the wire layer applies comes from this model, so a
botocore upgrade that changes the API changes the emulator with it.
"""

from __future__ import annotations

import functools

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

SERVICE_NAME = "iot"


@functools.lru_cache(maxsize=1)
def iot_model() -> ServiceModel:
    data = Loader().load_service_model(SERVICE_NAME, "service-2")
    return ServiceModel(data, service_name=SERVICE_NAME)


@functools.lru_cache(maxsize=64)
def operation_model(name: str) -> OperationModel:
    return iot_model().operation_model(name)


@functools.lru_cache(maxsize=64)
def error_status(code: str) -> int | None:
    """The HTTP status the model gives an error code, or None when the model has no such error."""
    try:
        shape = iot_model().shape_for(code)
    except Exception:
        return None
    error = shape.metadata.get("error") or {}
    status = error.get("httpStatusCode")
    return int(status) if status is not None else None
