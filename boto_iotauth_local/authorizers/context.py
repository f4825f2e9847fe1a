"""The context object a Lambda handler receives, as AWS Lambda's Python runtime builds it.

Attribute names, types and values follow ``awslambdaric`` (the runtime interface client AWS ships):
``memory_limit_in_mb`` is a *string* there, because the runtime copies it from the
``AWS_LAMBDA_FUNCTION_MEMORY_SIZE`` environment variable, so it is a string here too; handlers that work on
Lambda (``int(context.memory_limit_in_mb)``) work unchanged. The remaining time counts down from an epoch
deadline, as Lambda's does, so a context made in one process stays right in another.

This module imports only the standard library: the isolated worker loads it by file path without
importing the package.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any

#: The version Lambda reports for an unqualified function ARN.
LATEST = "$LATEST"


def default_log_group_name(function_name: str) -> str:
    """Lambda's default CloudWatch log group for a function."""
    return f"/aws/lambda/{function_name}"


def new_log_stream_name(now: float | None = None) -> str:
    """A log stream name in Lambda's form ``YYYY/MM/DD/[$LATEST]<32 hex>``, one per execution environment."""
    day = datetime.fromtimestamp(time.time() if now is None else now, tz=timezone.utc)
    return f"{day:%Y/%m/%d}/[{LATEST}]{uuid.uuid4().hex}"


class CognitoIdentity:
    """``context.identity``: always present in Lambda's Python runtime, empty unless Cognito invoked."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, cognito_identity_id: str | None = None, cognito_identity_pool_id: str | None = None):
        self.cognito_identity_id = cognito_identity_id
        self.cognito_identity_pool_id = cognito_identity_pool_id

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class LambdaContext:
    """What ``handler(event, context)`` gets as ``context``.

    Plain attributes (no properties) so that ``vars()``, ``pickle`` and :meth:`to_dict` all see the same
    state a Lambda context has.
    """

    def __init__(
        self,
        *,
        aws_request_id: str,
        function_name: str,
        invoked_function_arn: str,
        memory_limit_in_mb: str,
        deadline_ms: int,
        log_stream_name: str,
        function_version: str = LATEST,
        log_group_name: str | None = None,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.log_group_name = log_group_name or default_log_group_name(function_name)
        self.log_stream_name = log_stream_name
        self.function_name = function_name
        self.memory_limit_in_mb = memory_limit_in_mb
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.client_context: Any = None
        self.identity = CognitoIdentity()
        self.tenant_id: str | None = None
        self._deadline_ms = deadline_ms

    @classmethod
    def create(
        cls,
        *,
        function_name: str,
        invoked_function_arn: str,
        memory_mb: int,
        timeout: float,
        aws_request_id: str | None = None,
        log_stream_name: str | None = None,
    ) -> LambdaContext:
        """A context for one invocation starting now with ``timeout`` seconds to run."""
        return cls(
            aws_request_id=aws_request_id or str(uuid.uuid4()),
            function_name=function_name,
            invoked_function_arn=invoked_function_arn,
            memory_limit_in_mb=str(memory_mb),
            deadline_ms=int(time.time() * 1000 + timeout * 1000),
            log_stream_name=log_stream_name or new_log_stream_name(),
        )

    @property
    def deadline_ms(self) -> int:
        """The invocation deadline in milliseconds since the epoch."""
        return self._deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation times out, never negative (as in Lambda)."""
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg: object) -> None:
        """Write to the function's log without a newline, as Lambda's ``context.log`` does."""
        sys.stdout.write(str(msg))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form, to send the context to another process."""
        return {
            "aws_request_id": self.aws_request_id,
            "function_name": self.function_name,
            "invoked_function_arn": self.invoked_function_arn,
            "memory_limit_in_mb": self.memory_limit_in_mb,
            "deadline_ms": self._deadline_ms,
            "log_stream_name": self.log_stream_name,
            "function_version": self.function_version,
            "log_group_name": self.log_group_name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LambdaContext:
        """Rebuild a context made by :meth:`to_dict`."""
        return cls(**data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LambdaContext) and other.to_dict() == self.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},client_context={self.client_context},"
            f"identity={self.identity}])"
        )
