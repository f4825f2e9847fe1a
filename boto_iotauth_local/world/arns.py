"""ARNs, account and region checks, and principal forms, as AWS IoT spells them.

Every ARN the world hands out is built here from the world's own partition, region and account, so that a
policy naming ``us-west-2`` never matches a ``us-east-1`` resource by accident. Principals and attachment
targets come in three textual forms (certificate ARN, thing group ARN, Cognito identity id); recognising
them is one function so that the world and the services agree on it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

ACCOUNT_ID_RE = re.compile(r"\d{12}")
#: Cognito identity ids look like ``us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed``.
COGNITO_ID_RE = re.compile(
    r"[a-z]{2}(-[a-z]+)+-\d{1,2}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
#: A region name botocore accepts for a client (``botocore.utils.validate_region_name``): a host label.
_HOST_LABEL_RE = re.compile(r"(?![0-9]+$)(?!-)[a-zA-Z0-9-]{1,63}(?<!-)")
_CERT_ARN_RE = re.compile(r"arn:(aws[a-zA-Z-]*):iot:([a-z0-9-]+):(\d{12}):cert/(.+)")
_GROUP_ARN_RE = re.compile(r"arn:(aws[a-zA-Z-]*):iot:([a-z0-9-]+):(\d{12}):thinggroup/(.+)")
_THING_ARN_RE = re.compile(r"arn:(aws[a-zA-Z-]*):iot:([a-z0-9-]+):(\d{12}):thing/(.+)")

PrincipalKind = Literal["certificate", "thinggroup", "cognito"]


@functools.lru_cache(maxsize=1)
def _partition_data() -> Any:
    from botocore.loaders import create_loader

    return create_loader().load_data("partitions")


@functools.lru_cache(maxsize=1)
def _partitions() -> tuple[tuple[str, frozenset[str], re.Pattern[str]], ...]:
    """botocore's partition data (``data/partitions.json``): (id, listed regions, region pattern)."""
    return tuple(
        (p["id"], frozenset(p.get("regions", ())), re.compile(p["regionRegex"]))
        for p in _partition_data()["partitions"]
    )


@functools.lru_cache(maxsize=1)
def dns_suffixes() -> frozenset[str]:
    """The DNS suffixes of every partition's endpoints (``amazonaws.com``, ``c2s.ic.gov``, ...)."""
    suffixes = {"amazonaws.com", "amazonaws.com.cn"}
    for partition in _partition_data()["partitions"]:
        outputs = partition.get("outputs", {})
        suffixes.update(s for s in (outputs.get("dnsSuffix"), outputs.get("dualStackDnsSuffix")) if s)
    return frozenset(suffixes)


def _partition_of(region: str) -> str | None:
    # As botocore's endpoint rules match a region (endpoint_provider.RuleSetStandardLibrary.aws_partition):
    # the first partition listing the region or whose pattern it matches.
    for partition, regions, pattern in _partitions():
        if region in regions or pattern.match(region):
            return partition
    return None


@functools.lru_cache(maxsize=256)
def partition_for_region(region: str) -> str:
    """The ARN partition of a region, from botocore's partition data (``us-iso-east-1`` is ``aws-iso``,
    ``eusc-de-east-1`` is ``aws-eusc``); ``aws``, botocore's default, for a region no partition knows."""
    return _partition_of(region) or "aws"


def known_region(region: str) -> bool:
    """Whether a partition of botocore's lists ``region`` or matches it (``us-east-1``, not ``useast1``)."""
    return isinstance(region, str) and _partition_of(region) is not None


def validate_account_and_region(account_id: str, region: str, *, any_region: bool = False) -> None:
    """Refuse an account id that is not 12 digits, or a region no AWS partition has (a typo, most likely).

    ``any_region``: accept any region name a botocore client accepts (``mars-1``, ``local``), for the
    empty world made for such a client.
    """
    if not isinstance(account_id, str) or not ACCOUNT_ID_RE.fullmatch(account_id):
        raise ValueError(f"account_id must be exactly 12 digits, not {account_id!r}")
    if not isinstance(region, str) or not _HOST_LABEL_RE.fullmatch(region):
        raise ValueError(f"region must be a region name like 'us-east-1', not {region!r}")
    if not any_region and not known_region(region):
        raise ValueError(
            f"region must be one an AWS partition has, like 'us-east-1' or 'eu-central-1', not {region!r}"
        )


@dataclass(frozen=True)
class ArnBuilder:
    """Builds the ARNs of one account in one region."""

    partition: str
    region: str
    account_id: str

    def iot(self, resource: str) -> str:
        return f"arn:{self.partition}:iot:{self.region}:{self.account_id}:{resource}"

    def policy(self, name: str) -> str:
        return self.iot(f"policy/{name}")

    def certificate(self, certificate_id: str) -> str:
        return self.iot(f"cert/{certificate_id}")

    def thing(self, name: str) -> str:
        return self.iot(f"thing/{name}")

    def thing_type(self, name: str) -> str:
        return self.iot(f"thingtype/{name}")

    def thing_group(self, name: str) -> str:
        return self.iot(f"thinggroup/{name}")

    def authorizer(self, name: str) -> str:
        return self.iot(f"authorizer/{name}")

    def iam_policy(self, name: str) -> str:
        """IAM policies are global: no region in the ARN."""
        return f"arn:{self.partition}:iam::{self.account_id}:policy/{name}"

    def lambda_function(self, name: str) -> str:
        return f"arn:{self.partition}:lambda:{self.region}:{self.account_id}:function:{name}"


def principal_kind(principal: str) -> PrincipalKind | None:
    """Which of the three principal forms ``principal`` has, or None when it has none of them.

    Certificate and thing group ARNs are recognised by their resource type, whatever their id, so that a
    well-formed ARN of a missing resource is reported as missing rather than as malformed.
    """
    if _CERT_ARN_RE.fullmatch(principal):
        return "certificate"
    if _GROUP_ARN_RE.fullmatch(principal):
        return "thinggroup"
    if COGNITO_ID_RE.fullmatch(principal):
        return "cognito"
    return None


def thing_group_name_from_arn(arn: str) -> str | None:
    """The group name of a thing group ARN, or None when ``arn`` is not one."""
    match = _GROUP_ARN_RE.fullmatch(arn)
    return match.group(4) if match else None


def thing_name_from_arn(arn: str) -> str | None:
    """The thing name of a thing ARN, or None when ``arn`` is not one."""
    match = _THING_ARN_RE.fullmatch(arn)
    return match.group(4) if match else None
