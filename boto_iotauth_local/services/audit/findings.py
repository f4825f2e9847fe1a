"""What a check finds: a noncompliant resource, AWS's reason code, and the evidence behind it.

A :class:`Finding` carries what AWS's ``AuditFinding`` carries (check name, severity, resource, reason and
reason code), plus :class:`Evidence`: a concrete request the engine decided, with the explanation
TestAuthorization's own evaluation gives, or a plain fact (a date, a serial number on a revocation list).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """Why a resource is noncompliant, as something the caller can check."""

    #: One line: the request (or the fact) that shows the problem.
    summary: str
    #: The engine's decision for that request, per resource, per policy and statement ("" for facts).
    explanation: str = ""
    #: The request, when there is one: actionType/action, resource, clientId, thing.
    request: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "explanation": self.explanation, "request": dict(self.request)}


@dataclass(frozen=True)
class Resource:
    """A resource as AWS identifies it in findings (``resourceType`` + ``resourceIdentifier``)."""

    resource_type: str
    identifier: Mapping[str, Any]
    additional_info: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """A short readable name: policy name and version, certificate id, pool id..."""
        ident = self.identifier
        if "policyVersionIdentifier" in ident:
            version = ident["policyVersionIdentifier"]
            return f"{version['policyName']} (version {version['policyVersionId']})"
        for value in ident.values():
            return str(value)
        return self.resource_type

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "resourceType": self.resource_type,
            "resourceIdentifier": dict(self.identifier),
        }
        if self.additional_info:
            wire["additionalInfo"] = dict(self.additional_info)
        return wire


@dataclass(frozen=True)
class Finding:
    """One noncompliant resource for one check and one reason code."""

    check_name: str
    severity: str
    resource: Resource
    reason_code: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    related: tuple[Resource, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        """The members of AWS's ``AuditFinding`` this finding decides (ids and times are the task's).

        The first piece of evidence also goes into ``nonCompliantResource.additionalInfo``, a modeled
        string map, so that a boto3 caller sees it too.
        """
        resource = self.resource
        if self.evidence:
            info = dict(resource.additional_info)
            info["evidence"] = self.evidence[0].summary
            resource = Resource(resource.resource_type, resource.identifier, info)
        wire: dict[str, Any] = {
            "checkName": self.check_name,
            "severity": self.severity,
            "nonCompliantResource": resource.to_wire(),
            "reasonForNonCompliance": self.reason,
            "reasonForNonComplianceCode": self.reason_code,
            "isSuppressed": False,
        }
        if self.related:
            wire["relatedResources"] = [r.to_wire() for r in self.related]
        return wire

    def to_dict(self) -> dict[str, Any]:
        """The wire members plus every piece of evidence with its explanation."""
        return {**self.to_wire(), "evidence": [e.to_dict() for e in self.evidence]}
