"""What the endpoint answers: the operation table, derived from the IoT model and the World's methods.

The World's writers and readers carry boto3's names and camelCase keyword arguments, so an operation of
the botocore IoT model is served when the World has a method of its boto3 name (``CreateThing`` ->
``create_thing``) taking the operation's input members; the services (TestAuthorization,
TestInvokeAuthorizer, GetEffectivePolicies) answer their own operations. Nothing here is a hand-written
list of operations: a World method added tomorrow is served tomorrow.

A modeled operation outside the table is refused with ``InvalidRequestException`` (HTTP 400), the error
the IoT model declares for 245 of its 272 operations and one no SDK retries, naming the operation; a
path that is no operation at all gets ``UnknownOperationException`` (404), as AWS front ends answer.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from botocore import xform_name

from ...errors import InvalidRequestException
from ...services import MOTO_SERVICES, SERVICES, Service, ServiceOptions
from ...wire.model import iot_model
from ...world import World

#: ``operation(world, params, options) -> output members``.
Operation = Callable[[World, Mapping[str, Any], ServiceOptions], Mapping[str, Any]]


def _world_operation(name: str, method_name: str, members: frozenset[str]) -> Operation:
    accepted = _positional(method_name) & members

    def call(world: World, params: Mapping[str, Any], options: ServiceOptions) -> Mapping[str, Any]:
        unsupported = sorted(set(params) - accepted)
        if unsupported:
            raise InvalidRequestException(
                f"{name}: {', '.join(unsupported)} {'is' if len(unsupported) == 1 else 'are'} not "
                f"supported by boto_iotauth_local (it answers {name} with: {', '.join(sorted(accepted))})"
            )
        result: Mapping[str, Any] = getattr(world, method_name)(**params)
        return result

    call.__name__ = method_name
    return call


def _positional(method_name: str) -> frozenset[str]:
    """The method's parameters a caller may name (its keyword-only ones are local extras)."""
    parameters = inspect.signature(getattr(World, method_name)).parameters
    return frozenset(
        name
        for name, parameter in parameters.items()
        if name != "self" and parameter.kind is not inspect.Parameter.KEYWORD_ONLY
    )


def _accepts_members(method_name: str, members: frozenset[str], required: frozenset[str]) -> bool:
    """Whether the World method reads the operation's input: all required members, and only members."""
    positional = _positional(method_name)
    return required <= positional <= members


@functools.lru_cache(maxsize=1)
def operation_table() -> Mapping[str, Operation]:
    """Every operation the endpoint answers, by its model name."""
    model = iot_model()
    services: dict[str, Service] = {**SERVICES, "GetEffectivePolicies": MOTO_SERVICES["GetEffectivePolicies"]}
    table: dict[str, Operation] = {}
    for name in model.operation_names:
        if name in services:
            table[name] = services[name]
            continue
        method_name = xform_name(name)
        if not callable(getattr(World, method_name, None)):
            continue
        shape = model.operation_model(name).input_shape
        members = frozenset(shape.members) if shape is not None else frozenset()
        required = frozenset(shape.required_members) if shape is not None else frozenset()
        if _accepts_members(method_name, members, required):
            table[name] = _world_operation(name, method_name, members)
    return table


def not_implemented(operation: str) -> InvalidRequestException:
    """The refusal of a modeled operation the World does not implement."""
    return InvalidRequestException(
        f"{operation} is an AWS IoT operation that boto_iotauth_local does not implement; "
        f"it answers {len(operation_table())} operations (see `iotauth-local serve --help`)"
    )
