"""Expectations: a team's "who may do what" in a YAML file, checked against a world, in CI.

``load_expectations(path).check()`` binds every expectation to the file's world (every name resolved,
or the file is refused at the door) and decides each through the same service TestAuthorization uses.
``iotauth-local check`` and the pytest plugin are two faces of it; the format is in
``docs/expectations.md``.
"""

from __future__ import annotations

from .audit import AuditExpectation  # importing it registers ``kind: audit``
from .authorization import AuthorizationExpectation
from .file import ExpectationsFile, Report, load_expectations
from .model import KINDS, Check, Expectation, ExpectationsError, Outcome, Row, register_kind

__all__ = [
    "KINDS",
    "AuditExpectation",
    "AuthorizationExpectation",
    "Check",
    "Expectation",
    "ExpectationsError",
    "ExpectationsFile",
    "Outcome",
    "Report",
    "Row",
    "load_expectations",
    "register_kind",
]
