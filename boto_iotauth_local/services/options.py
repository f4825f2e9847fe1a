"""Behaviour switches that part A leaves to the user."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceOptions:
    #: TestInvokeAuthorizer on an INACTIVE authorizer is refused with InvalidRequestException (A12).
    reject_inactive_authorizers: bool = False
