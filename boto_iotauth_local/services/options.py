"""Behaviour switches that part A leaves to the user, and the hooks the activation listens on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .invoke_authorizer import AuthorizerRun


@dataclass(frozen=True)
class ServiceOptions:
    #: TestInvokeAuthorizer on an INACTIVE authorizer is refused with InvalidRequestException (A12).
    reject_inactive_authorizers: bool = False
    #: Called with every authorizer run (event, captured output, answer or error).
    on_authorizer_run: Callable[[AuthorizerRun], None] | None = None
