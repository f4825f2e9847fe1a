"""Snapshotting a real account's IoT authorization state into a world file (``scripts/snapshot-world``).

Only paginated, read-only List/Describe/Get calls are made. A section whose calls the endpoint does not
offer (moto lacks the authorizer calls; a role may lack a permission) is skipped with a note instead of
failing the snapshot; the notes head the YAML file and go to stderr.

What a snapshot cannot hold: the code of authorizer functions (each authorizer keeps its Lambda ARN; add
a ``functions`` entry with that ARN as ``name`` and a local ``handler`` to run it), Cognito identity pools
(their role policies live in IAM), dynamic thing groups and CA registrations.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boto_iotauth_local.sources.worldfile.dumper import document_value, write_data
from boto_iotauth_local.sources.worldfile.errors import WorldFileError
from boto_iotauth_local.sources.worldfile.loader import file_format
from boto_iotauth_local.world.arns import principal_kind

_ACCOUNT_IN_ARN = re.compile(r"arn:[^:]+:iot:[^:]*:(\d{12}):")
_CERT_ID_IN_ARN = re.compile(r"arn:[^:]+:iot:[^:]*:\d{12}:cert/([0-9a-f]{64})")


@dataclass(frozen=True)
class Snapshot:
    """World-file data and the notes on what could not be read."""

    data: dict[str, Any]
    notes: tuple[str, ...] = ()


class _Unavailable(Exception):
    """An operation the endpoint does not offer or the caller may not use."""


def _client_error_types() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import ClientError

    return (ClientError, NotImplementedError)


def _offered(client: Any, operation: str) -> None:
    """An operation this botocore's model lacks (ListThingPrincipalsV2 in older ones) is unavailable too."""
    if not hasattr(client, operation):
        raise _Unavailable(f"{operation} is not in this botocore's IoT model; a newer botocore has it")


def _call(client: Any, operation: str, **kwargs: Any) -> dict[str, Any]:
    _offered(client, operation)
    try:
        result: dict[str, Any] = getattr(client, operation)(**kwargs)
    except _client_error_types() as exc:
        raise _Unavailable(f"{operation} failed: {exc}") from exc
    return result


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """The items under ``key`` of every page (one call when the operation has no paginator)."""
    _offered(client, operation)
    if not client.can_paginate(operation):
        yield from _call(client, operation, **kwargs).get(key, [])
        return
    try:
        for page in client.get_paginator(operation).paginate(**kwargs):
            yield from page.get(key, [])
    except _client_error_types() as exc:
        raise _Unavailable(f"{operation} failed: {exc}") from exc


@dataclass
class _Snapshotter:
    iot: Any
    notes: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    certificate_ids: set[str] = field(default_factory=set)
    #: attachment target -> policy names
    targets: dict[str, list[str]] = field(default_factory=dict)
    #: thing name -> group names
    memberships: dict[str, list[str]] = field(default_factory=dict)

    def section(self, name: str, read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        try:
            return read()
        except _Unavailable as exc:
            self.notes.append(f"{name} skipped: {exc}")
            return []

    def seen_arn(self, arn: str) -> None:
        match = _ACCOUNT_IN_ARN.match(arn)
        if match:
            self.accounts.append(match[1])

    # ------------------------------------------------------------------------------------------ reads

    def policies(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for listed in _pages(self.iot, "list_policies", "policies"):
            name = listed["policyName"]
            self.seen_arn(listed.get("policyArn", ""))
            listed_versions = _call(self.iot, "list_policy_versions", policyName=name)["policyVersions"]
            versions = sorted(listed_versions, key=lambda v: int(v["versionId"]))
            documents = [
                _call(self.iot, "get_policy_version", policyName=name, policyVersionId=v["versionId"])[
                    "policyDocument"
                ]
                for v in versions
            ]
            ids = [int(v["versionId"]) for v in versions]
            entry: dict[str, Any] = {"name": name, "document": document_value(documents[0])}
            if ids[0] != 1:
                entry["version_id"] = ids[0]
            extra = []
            for previous, version_id, document in zip(ids, ids[1:], documents[1:], strict=False):
                item: dict[str, Any] = {} if version_id == previous + 1 else {"id": version_id}
                item["document"] = document_value(document)
                extra.append(item)
            if extra:
                entry["versions"] = extra
            default = next((int(v["versionId"]) for v in versions if v.get("isDefaultVersion")), ids[0])
            if default != ids[0]:
                entry["default_version"] = default
            entries.append(entry)
            for target in _pages(self.iot, "list_targets_for_policy", "targets", policyName=name):
                self.targets.setdefault(target, []).append(name)
        return entries

    def certificates(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for listed in _pages(self.iot, "list_certificates", "certificates"):
            described = _call(self.iot, "describe_certificate", certificateId=listed["certificateId"])
            description = described["certificateDescription"]
            self.seen_arn(description.get("certificateArn", ""))
            self.certificate_ids.add(description["certificateId"])
            # Named by the id AWS gave it, so things can refer to it whatever id the world computes.
            entry: dict[str, Any] = {
                "name": description["certificateId"],
                "pem": description["certificatePem"],
            }
            if description.get("status", "ACTIVE") != "ACTIVE":
                entry["status"] = description["status"]
            policies = self.targets.get(description["certificateArn"])
            if policies:
                entry["policies"] = policies
            entries.append(entry)
        return entries

    def thing_types(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for listed in _pages(self.iot, "list_thing_types", "thingTypes"):
            entry: dict[str, Any] = {"name": listed["thingTypeName"]}
            properties = listed.get("thingTypeProperties") or {}
            if properties.get("thingTypeDescription") is not None:
                entry["description"] = properties["thingTypeDescription"]
            if properties.get("searchableAttributes"):
                entry["searchable_attributes"] = list(properties["searchableAttributes"])
            if (listed.get("thingTypeMetadata") or {}).get("deprecated"):
                entry["deprecated"] = True
            entries.append(entry)
        return entries

    def thing_groups(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for listed in _pages(self.iot, "list_thing_groups", "thingGroups"):
            name = listed["groupName"]
            described = _call(self.iot, "describe_thing_group", thingGroupName=name)
            if described.get("queryString"):
                self.notes.append(f"dynamic thing group {name!r} skipped: world files hold static groups")
                continue
            self.seen_arn(described.get("thingGroupArn", ""))
            entry: dict[str, Any] = {"name": name}
            parent = (described.get("thingGroupMetadata") or {}).get("parentGroupName")
            if parent:
                entry["parent"] = parent
            properties = described.get("thingGroupProperties") or {}
            if properties.get("thingGroupDescription") is not None:
                entry["description"] = properties["thingGroupDescription"]
            attributes = (properties.get("attributePayload") or {}).get("attributes")
            if attributes:
                entry["attributes"] = dict(attributes)
            policies = self.targets.get(described.get("thingGroupArn", ""))
            if policies:
                entry["policies"] = policies
            entries.append(entry)
            for thing in _pages(self.iot, "list_things_in_thing_group", "things", thingGroupName=name):
                self.memberships.setdefault(thing, []).append(name)
        return entries

    def things(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        typed_principals = True
        for listed in _pages(self.iot, "list_things", "things"):
            name = listed["thingName"]
            self.seen_arn(listed.get("thingArn", ""))
            entry: dict[str, Any] = {"name": name}
            if listed.get("thingTypeName"):
                entry["type"] = listed["thingTypeName"]
            if listed.get("attributes"):
                entry["attributes"] = dict(listed["attributes"])
            if name in self.memberships:
                entry["groups"] = self.memberships[name]
            pairs: list[tuple[str, str]] = []
            if typed_principals:
                try:
                    pairs = [
                        (o["principal"], o.get("thingPrincipalType", "NON_EXCLUSIVE_THING"))
                        for o in _pages(
                            self.iot, "list_thing_principals_v2", "thingPrincipalObjects", thingName=name
                        )
                    ]
                except _Unavailable as exc:
                    typed_principals = False
                    self.notes.append(f"thing principals read without their types (all non-exclusive): {exc}")
            if not typed_principals:
                pairs = [
                    (p, "NON_EXCLUSIVE_THING")
                    for p in _pages(self.iot, "list_thing_principals", "principals", thingName=name)
                ]
            principals = [p for p in (self.principal(name, *pair) for pair in pairs) if p is not None]
            if principals:
                entry["principals"] = principals
            entries.append(entry)
        return entries

    def principal(self, thing: str, principal: str, kind: str) -> Any:
        exclusive = kind == "EXCLUSIVE_THING"
        match = _CERT_ID_IN_ARN.fullmatch(principal)
        if match and match[1] in self.certificate_ids:
            return {"certificate": match[1], "exclusive": True} if exclusive else match[1]
        if principal_kind(principal) == "cognito":
            item: dict[str, Any] = {"cognito_identity": principal}
            return {**item, "exclusive": True} if exclusive else item
        self.notes.append(f"principal {principal} of thing {thing!r} skipped: not a listed certificate")
        return None

    def authorizers(self) -> list[dict[str, Any]]:
        default: str | None = None
        try:
            described = _call(self.iot, "describe_default_authorizer")
            default = described["authorizerDescription"].get("authorizerName")
        except _Unavailable as exc:
            if "ResourceNotFoundException" not in str(exc):
                self.notes.append(f"default authorizer not read: {exc}")
        entries: list[dict[str, Any]] = []
        for listed in _pages(self.iot, "list_authorizers", "authorizers"):
            name = listed["authorizerName"]
            a = _call(self.iot, "describe_authorizer", authorizerName=name)["authorizerDescription"]
            entry: dict[str, Any] = {"name": name, "function": a["authorizerFunctionArn"]}
            if a.get("tokenKeyName"):
                entry["token_key_name"] = a["tokenKeyName"]
            if a.get("tokenSigningPublicKeys"):
                entry["signing_public_keys"] = dict(a["tokenSigningPublicKeys"])
            if a.get("status", "ACTIVE") != "ACTIVE":
                entry["status"] = a["status"]
            if a.get("signingDisabled"):
                entry["signing_disabled"] = True
            if a.get("enableCachingForHttp"):
                entry["enable_caching_for_http"] = True
            if name == default:
                entry["default"] = True
            entries.append(entry)
        if entries:
            self.notes.append(
                "authorizer functions are Lambda ARNs with no local code: to run one with "
                "TestInvokeAuthorizer, add a 'functions' entry with that ARN as 'name' and a 'handler'"
            )
        return entries


def take_snapshot(iot: Any, *, account_id: str | None = None, sts: Any = None) -> Snapshot:
    """Read the IoT auth state behind the boto3 IoT client ``iot`` as world-file data.

    The account id is taken from the ARNs read, else from ``sts`` (a boto3 STS client), else
    ``account_id``; the region is the client's.
    """
    reader = _Snapshotter(iot)
    policies = reader.section("policies", reader.policies)
    certificates = reader.section("certificates", reader.certificates)
    thing_types = reader.section("thing types", reader.thing_types)
    thing_groups = reader.section("thing groups", reader.thing_groups)
    things = reader.section("things", reader.things)
    authorizers = reader.section("authorizers", reader.authorizers)
    cognito = [
        {"id": target, "policies": names}
        for target, names in reader.targets.items()
        if principal_kind(target) == "cognito"
    ]
    account = account_id or (reader.accounts[0] if reader.accounts else None)
    if account is None and sts is not None:
        try:
            account = sts.get_caller_identity()["Account"]
        except Exception as exc:  # any failure leaves the default, with a note
            reader.notes.append(f"account id not found ({exc}); using 123456789012")
    data: dict[str, Any] = {
        "account_id": account or "123456789012",
        "region": iot.meta.region_name,
        "policies": policies,
        "thing_types": thing_types,
        "thing_groups": thing_groups,
        "certificates": certificates,
        "cognito_identities": cognito,
        "things": things,
        "authorizers": authorizers,
    }
    return Snapshot({k: v for k, v in data.items() if v != []}, tuple(reader.notes))


def write_snapshot(snapshot: Snapshot, path: str | os.PathLike[str]) -> None:
    """Write the snapshot as a world file; its notes head a YAML file as comments."""
    comments = [
        f"AWS IoT world snapshot of account {snapshot.data['account_id']} in {snapshot.data['region']}",
        "written by scripts/snapshot-world; see docs/world-files.md",
    ]
    if snapshot.notes:
        comments += ["", "Notes:", *(f"- {note}" for note in snapshot.notes)]
    write_data(snapshot.data, Path(path), comments)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``snapshot-world --output world.yaml [--region R] [--profile P] [--endpoint-url U]``."""
    parser = argparse.ArgumentParser(
        prog="snapshot-world",
        description="Write a world file from a real account's AWS IoT policies, certificates, things, "
        "thing groups and custom authorizers (read-only calls only).",
    )
    parser.add_argument(
        "--output", "-o", required=True, type=Path, help="world file to write (.yaml, .yml, .json)"
    )
    parser.add_argument("--region", help="AWS region (default: the profile's)")
    parser.add_argument("--profile", help="AWS named profile")
    parser.add_argument("--endpoint-url", help="IoT control-plane endpoint (for example a moto server)")
    parser.add_argument("--account-id", help="account id when no ARN or STS call reveals it")
    args = parser.parse_args(argv)
    try:
        file_format(args.output)
    except WorldFileError as exc:
        parser.error(str(exc))

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

    try:
        session = boto3.Session(profile_name=args.profile, region_name=args.region)
        if session.region_name is None:
            parser.error("no region: pass --region or configure one for the profile")
        iot = session.client("iot", endpoint_url=args.endpoint_url)
        sts = session.client("sts", endpoint_url=args.endpoint_url)
        snapshot = take_snapshot(iot, account_id=args.account_id, sts=sts)
    except (NoCredentialsError, PartialCredentialsError) as exc:
        print(
            f"snapshot-world: error: {exc}. The snapshot reads a real account: give --profile NAME, or set "
            "AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (read-only IoT permissions suffice).",
            file=sys.stderr,
        )
        return 2
    except (BotoCoreError, ClientError) as exc:  # unknown profile, no endpoint, access denied...
        print(f"snapshot-world: error: {exc}", file=sys.stderr)
        return 2
    write_snapshot(snapshot, args.output)
    for note in snapshot.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
