"""Local stand-ins for the Lambda functions behind custom authorizers.

A custom authorizer names its function by ARN. The world keeps, per function, a :class:`FunctionSpec`:
pure data saying which Python callable (or importable reference) plays the function and under what
limits. The world never runs a handler; the authorizer runtime does, after resolving the authorizer's
``authorizerFunctionArn`` here. Versioned (``:3``, ``:$LATEST``) and aliased ARNs resolve to the same
function, as they would name code of the same function in Lambda.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from boto_iotauth_local.errors import ResourceNotFoundException
from boto_iotauth_local.world.base import WorldBase

Runtime = Literal["auto", "inprocess", "isolated"]
RUNTIMES: tuple[Runtime, ...] = ("auto", "inprocess", "isolated")

LAMBDA_ARN_RE = re.compile(
    r"arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[a-zA-Z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9_-]{1,128}))?"
)
FUNCTION_NAME_RE = re.compile(r"[a-zA-Z0-9_-]{1,64}")
#: ``package.module.function``
_MODULE_REFERENCE_RE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
#: ``path/to/app.py:handler``
_FILE_REFERENCE_RE = re.compile(r".+\.py:[A-Za-z_]\w*")
MIN_MEMORY_MB, MAX_MEMORY_MB = 128, 10240
MAX_TIMEOUT_SECONDS = 900.0


@dataclass(frozen=True)
class FunctionSpec:
    """What plays one Lambda function locally: a callable or an importable reference, and its limits."""

    arn: str
    name: str
    handler: Callable[..., Any] | str
    runtime: Runtime = "auto"
    code_dir: Path | None = None
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    memory_mb: int = 128
    timeout: float = 5.0


@dataclass(frozen=True)
class LambdaArn:
    """The parts of a Lambda function ARN."""

    partition: str
    region: str
    account_id: str
    name: str
    qualifier: str | None

    @property
    def unqualified(self) -> str:
        return f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:function:{self.name}"


def parse_lambda_arn(value: str) -> LambdaArn | None:
    """The parts of a (possibly versioned or aliased) Lambda function ARN, or None when it is not one."""
    match = LAMBDA_ARN_RE.fullmatch(value)
    if match is None:
        return None
    return LambdaArn(match["partition"], match["region"], match["account"], match["name"], match["qualifier"])


def _check_handler(handler: object) -> Callable[..., Any] | str:
    if callable(handler):
        return handler
    if isinstance(handler, str) and (
        _MODULE_REFERENCE_RE.fullmatch(handler) or _FILE_REFERENCE_RE.fullmatch(handler)
    ):
        return handler
    raise ValueError(
        "handler must be a callable, a 'package.module.function' reference or a 'path/to/app.py:handler' "
        f"reference, not {handler!r}"
    )


class FunctionOperations(WorldBase):
    """The registry of local Lambda functions."""

    def _function_arn(self, function: str) -> str:
        """The unqualified ARN for a function name or (qualified) ARN."""
        parsed = parse_lambda_arn(function)
        if parsed is not None:
            return parsed.unqualified
        if FUNCTION_NAME_RE.fullmatch(function):
            return self.arns.lambda_function(function)
        raise ValueError(f"function must be a Lambda function name or ARN, not {function!r}")

    def register_function(
        self,
        function: str,
        handler: Callable[..., Any] | str,
        *,
        runtime: Runtime = "auto",
        code_dir: str | os.PathLike[str] | None = None,
        environment: Mapping[str, str] | None = None,
        memory_mb: int = 128,
        timeout: float = 5.0,
    ) -> str:
        """Register (or replace) the local stand-in for a Lambda function; return its unqualified ARN."""
        if not isinstance(function, str):
            raise ValueError(f"function must be a Lambda function name or ARN, not {function!r}")
        arn = self._function_arn(function)
        checked_handler = _check_handler(handler)
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, not {runtime!r}")
        env = dict(environment or {})
        for key, value in env.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValueError(f"environment must map strings to strings, not {key!r}: {value!r}")
        if (
            isinstance(memory_mb, bool)
            or not isinstance(memory_mb, int)
            or not (MIN_MEMORY_MB <= memory_mb <= MAX_MEMORY_MB)
        ):
            raise ValueError(
                f"memory_mb must be an integer from {MIN_MEMORY_MB} to {MAX_MEMORY_MB}, not {memory_mb!r}"
            )
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not (0 < timeout <= MAX_TIMEOUT_SECONDS)
        ):
            raise ValueError(
                f"timeout must be a number of seconds in (0, {MAX_TIMEOUT_SECONDS:g}], not {timeout!r}"
            )
        name = arn.rsplit(":", 1)[1]
        spec = FunctionSpec(
            arn=arn,
            name=name,
            handler=checked_handler,
            runtime=runtime,
            code_dir=Path(code_dir) if code_dir is not None else None,
            environment=MappingProxyType(env),
            memory_mb=memory_mb,
            timeout=float(timeout),
        )
        with self._lock:
            self._functions[arn] = spec
        return arn

    def resolve_function(self, functionArn: str) -> FunctionSpec:
        """The spec behind a function name or a plain, versioned or aliased ARN.

        ResourceNotFoundException when nothing is registered under it.
        """
        if isinstance(functionArn, str):
            parsed = parse_lambda_arn(functionArn)
            if parsed is not None:
                spec = self._functions.get(parsed.unqualified)
            elif FUNCTION_NAME_RE.fullmatch(functionArn):
                spec = self._functions.get(self.arns.lambda_function(functionArn))
            else:
                spec = None
            if spec is not None:
                return spec
        raise ResourceNotFoundException(f"Function not found: {functionArn}")

    def unregister_function(self, function: str) -> None:
        """Forget a registered function (ResourceNotFoundException when there is none)."""
        spec = self.resolve_function(function)
        with self._lock:
            self._functions.pop(spec.arn, None)
