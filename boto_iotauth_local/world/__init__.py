"""The IoT account state the services read: policies, certificates, things, groups, Cognito pools,
authorizers and the local functions behind them."""

from __future__ import annotations

from boto_iotauth_local.world.arns import partition_for_region, principal_kind
from boto_iotauth_local.world.authorizers import Authorizer
from boto_iotauth_local.world.ca_certificates import CACertificate
from boto_iotauth_local.world.certificates import Certificate, certificate_id_of
from boto_iotauth_local.world.cognito import CognitoIdentityPool, RolePolicy
from boto_iotauth_local.world.functions import FunctionSpec, parse_lambda_arn
from boto_iotauth_local.world.groups import ThingGroup
from boto_iotauth_local.world.policies import PolicyVersion, StoredPolicy
from boto_iotauth_local.world.testcerts import generate_certificate
from boto_iotauth_local.world.things import Thing, ThingType
from boto_iotauth_local.world.weak_keys import WeakKeyList, WeakKeyListError
from boto_iotauth_local.world.world import World

__all__ = [
    "Authorizer",
    "CACertificate",
    "Certificate",
    "CognitoIdentityPool",
    "FunctionSpec",
    "PolicyVersion",
    "RolePolicy",
    "StoredPolicy",
    "Thing",
    "ThingGroup",
    "ThingType",
    "WeakKeyList",
    "WeakKeyListError",
    "World",
    "certificate_id_of",
    "generate_certificate",
    "parse_lambda_arn",
    "partition_for_region",
    "principal_kind",
]
