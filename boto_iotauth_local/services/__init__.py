"""One module per intercepted operation: plain dicts in, plain dicts or a ServiceError out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..world import World
from . import authorizer_admin
from .audit import OPERATIONS as AUDIT_OPERATIONS
from .effective_policies import get_effective_policies
from .invoke_authorizer import test_invoke_authorizer
from .options import ServiceOptions
from .test_authorization import test_authorization

Service = Callable[[World, Mapping[str, Any], ServiceOptions], Mapping[str, Any]]

#: The operations answered locally, by their botocore operation name.
SERVICES: dict[str, Service] = {
    "TestAuthorization": test_authorization,
    "TestInvokeAuthorizer": test_invoke_authorizer,
    **AUDIT_OPERATIONS,
}

#: Operations moto raises NotImplementedError for, answered from moto's state only while it is the world.
MOTO_SERVICES: dict[str, Service] = {
    "CreateAuthorizer": authorizer_admin.create_authorizer,
    "DescribeAuthorizer": authorizer_admin.describe_authorizer,
    "ListAuthorizers": authorizer_admin.list_authorizers,
    "UpdateAuthorizer": authorizer_admin.update_authorizer,
    "DeleteAuthorizer": authorizer_admin.delete_authorizer,
    "SetDefaultAuthorizer": authorizer_admin.set_default_authorizer,
    "DescribeDefaultAuthorizer": authorizer_admin.describe_default_authorizer,
    "ClearDefaultAuthorizer": authorizer_admin.clear_default_authorizer,
    "GetEffectivePolicies": get_effective_policies,
}

__all__ = ["MOTO_SERVICES", "SERVICES", "Service", "ServiceOptions"]
