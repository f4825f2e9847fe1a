"""Named IoT policies and their versions.

A document is parsed and compiled exactly once, when it enters the world (``CreatePolicy``,
``CreatePolicyVersion``); the services then read the compiled default version on every call. A document
the engine refuses is refused here with ``MalformedPolicyException``, as AWS refuses it at the door, so
evaluation never meets a document it does not understand.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from boto_iotauth_local.engine import Policy, parse_policy
from boto_iotauth_local.engine.jsondata import JSONDataError, check
from boto_iotauth_local.errors import (
    DeleteConflictException,
    InvalidRequestException,
    MalformedPolicyException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    VersionsLimitExceededException,
)
from boto_iotauth_local.world.base import WorldBase, utcnow
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import check_bool, check_policy_name, check_string, check_tags

#: "maximum length of 2048, excluding whitespace" (CreatePolicy documentation).
IOT_POLICY_MAX_CHARS = 2048
#: IAM managed policy size limit, excluding whitespace.
IAM_POLICY_MAX_CHARS = 6144
MAX_POLICY_VERSIONS = 5
_WHITESPACE = re.compile(r"\s")


def document_text(document: str | Mapping[str, Any]) -> str:
    """The text a policy document is stored and echoed as: the given string, or a dict as JSON."""
    if isinstance(document, str):
        return document
    if isinstance(document, Mapping):
        try:
            check(dict(document))
        except JSONDataError as exc:
            raise MalformedPolicyException(
                f"Policy document is Malformed: The policy document is not JSON data: {exc}"
            ) from None
        return json.dumps(document)
    raise InvalidRequestException(
        f"The policy document must be a JSON string or a mapping, not {type(document).__name__}"
    )


def compile_document(
    document: str | Mapping[str, Any],
    *,
    dialect: Literal["iot", "iam"] = "iot",
    max_chars: int = IOT_POLICY_MAX_CHARS,
) -> tuple[str, Policy]:
    """Parse ``document`` once; return its stored text and compiled form or raise MalformedPolicyException."""
    text = document_text(document)
    significant = len(_WHITESPACE.sub("", text))
    if significant > max_chars:
        raise MalformedPolicyException(
            f"Policy document is Malformed: The policy document has {significant} characters excluding "
            f"whitespace; the maximum is {max_chars}"
        )
    try:
        compiled = parse_policy(text, dialect=dialect)
    except ValueError as exc:  # PolicyError, and JSON errors should the engine let one through
        raise MalformedPolicyException(f"Policy document is Malformed: {exc}") from None
    return text, compiled


@dataclass(frozen=True)
class PolicyVersion:
    """One version of a named policy: its text as given and its compiled form."""

    version_id: str
    document: str
    policy: Policy = field(compare=False, repr=False)
    creation_date: datetime


@dataclass(frozen=True)
class StoredPolicy:
    """A named IoT policy with up to five versions; ``policy`` is the compiled default version."""

    name: str
    arn: str
    versions: tuple[PolicyVersion, ...]
    default_version_id: str
    creation_date: datetime
    last_modified_date: datetime
    generation_id: str
    next_version: int
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def default_version(self) -> PolicyVersion:
        version = self.version(self.default_version_id)
        if version is None:  # the writers never let this happen
            raise LookupError(f"policy {self.name} lost its default version {self.default_version_id}")
        return version

    @property
    def policy(self) -> Policy:
        """The compiled default version: the one AWS IoT evaluates."""
        return self.default_version.policy

    def version(self, version_id: str) -> PolicyVersion | None:
        for version in self.versions:
            if version.version_id == version_id:
                return version
        return None


def _new_generation() -> str:
    return secrets.token_hex(32)


class PolicyOperations(WorldBase):
    """CreatePolicy and friends, plus the readers the services use."""

    # ----------------------------------------------------------------------------------------- readers

    def policy_arn(self, name: str) -> str:
        """The ARN AWS gives the policy ``name`` in this account and region (whether or not it exists)."""
        return self.arns.policy(name)

    def has_policy(self, name: str) -> bool:
        """Whether a policy called ``name`` exists."""
        return name in self._policies

    def policy_names(self) -> tuple[str, ...]:
        """Every policy's name, in creation order."""
        return tuple(self._policies)

    def stored_policy(self, name: str) -> StoredPolicy | None:
        """The policy ``name`` with all its versions, or None."""
        return self._policies.get(name)

    def policy(self, name: str) -> Policy:
        """The compiled default version of ``name``; ResourceNotFoundException when there is none."""
        stored = self._policies.get(name)
        if stored is None:
            raise ResourceNotFoundException(f"Policy {name} does not exist")
        return stored.policy

    # ----------------------------------------------------------------------------------------- writers

    def _require_policy(self, name: str) -> StoredPolicy:
        check_policy_name(name)
        stored = self._policies.get(name)
        if stored is None:
            raise ResourceNotFoundException(f"Policy {name} does not exist")
        return stored

    def create_policy(
        self,
        policyName: str,
        policyDocument: str | Mapping[str, Any],
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Create a policy whose version ``"1"`` is the default.

        ``policyDocument`` may also be a dict, stored as ``json.dumps(document)``: a convenience of the
        world (world files write documents as YAML), where boto3's ``create_policy`` raises
        ``ParamValidationError`` and wants the JSON string.
        """
        check_policy_name(policyName)
        tag_pairs = check_tags(tags)
        text, compiled = compile_document(policyDocument)
        with self._lock:
            if policyName in self._policies:
                existing = self._policies[policyName]
                raise ResourceAlreadyExistsException(
                    f"Policy cannot be created - name already exists (name={policyName})",
                    resourceId=policyName,
                    resourceArn=existing.arn,
                )
            now = utcnow()
            stored = StoredPolicy(
                name=policyName,
                arn=self.arns.policy(policyName),
                versions=(PolicyVersion("1", text, compiled, now),),
                default_version_id="1",
                creation_date=now,
                last_modified_date=now,
                generation_id=_new_generation(),
                next_version=2,
                tags=tag_pairs,
            )
            self._policies[policyName] = stored
        return {
            "policyName": policyName,
            "policyArn": stored.arn,
            "policyDocument": text,
            "policyVersionId": "1",
        }

    def get_policy(self, policyName: str) -> dict[str, Any]:
        stored = self._require_policy(policyName)
        return {
            "policyName": stored.name,
            "policyArn": stored.arn,
            "policyDocument": stored.default_version.document,
            "defaultVersionId": stored.default_version_id,
            "creationDate": stored.creation_date,
            "lastModifiedDate": stored.last_modified_date,
            "generationId": stored.generation_id,
        }

    def list_policies(
        self, marker: str | None = None, pageSize: int | None = None, ascendingOrder: bool = True
    ) -> dict[str, Any]:
        """Policies by name, paginated."""
        with self._lock:
            names = sorted(self._policies, reverse=not ascendingOrder)
            page, next_marker = paginate(names, page_size=pageSize, marker=marker)
            result: dict[str, Any] = {
                "policies": [{"policyName": n, "policyArn": self._policies[n].arn} for n in page]
            }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result

    def delete_policy(self, policyName: str) -> dict[str, Any]:
        """Delete a policy that is attached nowhere and has only its default version."""
        with self._lock:
            stored = self._require_policy(policyName)
            if self._policy_targets.get(policyName):
                raise DeleteConflictException(
                    "The policy cannot be deleted as the policy is attached to one or more principals "
                    f"(name={policyName})"
                )
            if len(stored.versions) > 1:
                raise DeleteConflictException(
                    "Cannot delete the policy because it has one or more policy versions attached to it "
                    f"(name={policyName})"
                )
            del self._policies[policyName]
            self._policy_targets.pop(policyName, None)
        return {}

    def create_policy_version(
        self,
        policyName: str,
        policyDocument: str | Mapping[str, Any],
        setAsDefault: bool = False,
    ) -> dict[str, Any]:
        """Add a version (ids count up from the highest ever used); at most five versions exist."""
        check_bool(setAsDefault, "setAsDefault")
        check_policy_name(policyName)
        text, compiled = compile_document(policyDocument)
        with self._lock:
            stored = self._require_policy(policyName)
            if len(stored.versions) >= MAX_POLICY_VERSIONS:
                raise VersionsLimitExceededException(
                    f"The policy {policyName} already has the maximum number of versions "
                    f"({MAX_POLICY_VERSIONS})"
                )
            now = utcnow()
            version = PolicyVersion(str(stored.next_version), text, compiled, now)
            stored = replace(
                stored,
                versions=(*stored.versions, version),
                next_version=stored.next_version + 1,
                last_modified_date=now,
            )
            if setAsDefault:
                stored = replace(
                    stored, default_version_id=version.version_id, generation_id=_new_generation()
                )
            self._policies[policyName] = stored
        return {
            "policyArn": stored.arn,
            "policyDocument": text,
            "policyVersionId": version.version_id,
            "isDefaultVersion": setAsDefault,
        }

    def _require_version(self, stored: StoredPolicy, version_id: str) -> PolicyVersion:
        check_string(version_id, "policyVersionId", pattern=r"[0-9]+")
        version = stored.version(version_id)
        if version is None:
            raise ResourceNotFoundException(f"Policy {stored.name} has no version {version_id}")
        return version

    def get_policy_version(self, policyName: str, policyVersionId: str) -> dict[str, Any]:
        stored = self._require_policy(policyName)
        version = self._require_version(stored, policyVersionId)
        return {
            "policyArn": stored.arn,
            "policyName": stored.name,
            "policyDocument": version.document,
            "policyVersionId": version.version_id,
            "isDefaultVersion": version.version_id == stored.default_version_id,
            "creationDate": version.creation_date,
            "lastModifiedDate": version.creation_date,
            "generationId": stored.generation_id,
        }

    def list_policy_versions(self, policyName: str) -> dict[str, Any]:
        """Versions, newest first, as AWS lists them."""
        stored = self._require_policy(policyName)
        return {
            "policyVersions": [
                {
                    "versionId": v.version_id,
                    "isDefaultVersion": v.version_id == stored.default_version_id,
                    "createDate": v.creation_date,
                }
                for v in sorted(stored.versions, key=lambda v: int(v.version_id), reverse=True)
            ]
        }

    def set_default_policy_version(self, policyName: str, policyVersionId: str) -> dict[str, Any]:
        with self._lock:
            stored = self._require_policy(policyName)
            self._require_version(stored, policyVersionId)
            if stored.default_version_id != policyVersionId:
                self._policies[policyName] = replace(
                    stored,
                    default_version_id=policyVersionId,
                    last_modified_date=utcnow(),
                    generation_id=_new_generation(),
                )
        return {}

    def delete_policy_version(self, policyName: str, policyVersionId: str) -> dict[str, Any]:
        """Delete a non-default version; the default one goes only with DeletePolicy."""
        with self._lock:
            stored = self._require_policy(policyName)
            self._require_version(stored, policyVersionId)
            if policyVersionId == stored.default_version_id:
                raise DeleteConflictException("Cannot delete the default version of a policy")
            self._policies[policyName] = replace(
                stored,
                versions=tuple(v for v in stored.versions if v.version_id != policyVersionId),
                last_modified_date=utcnow(),
            )
        return {}
