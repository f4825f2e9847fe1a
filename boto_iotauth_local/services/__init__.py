"""One module per intercepted operation: plain dicts in, plain dicts or a ServiceError out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..world import World
from .invoke_authorizer import test_invoke_authorizer
from .options import ServiceOptions
from .test_authorization import test_authorization

Service = Callable[[World, Mapping[str, Any], ServiceOptions], Mapping[str, Any]]

#: The operations answered locally, by their botocore operation name.
SERVICES: dict[str, Service] = {
    "TestAuthorization": test_authorization,
    "TestInvokeAuthorizer": test_invoke_authorizer,
}

__all__ = ["SERVICES", "Service", "ServiceOptions"]
