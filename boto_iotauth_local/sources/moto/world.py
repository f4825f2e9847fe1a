"""A World whose IoT state is moto's, read live; only the custom authorizers are its own.

Under ``moto.mock_aws``, code builds its IoT state with boto3 (``create_policy``, ``create_thing``,
``attach_policy``...), and moto keeps it in ``moto.iot.models.iot_backends[account][region]``. A
:class:`MotoWorld` answers the readers the services call straight from those backend objects, so a
``create_*`` made a moment ago is seen by the next ``test_authorization``. What moto does not model is held
by the World part of the object itself: authorizers (moto raises NotImplementedError for their operations)
and locally registered functions, with the World's own validation and errors.

Policy documents are compiled once per (account, region, name, version, document); certificates are parsed
once per PEM. A MotoWorld is stored on the moto backend object it reads, so its authorizers live exactly as
long as moto's state for that account and region (a moto reset drops both).
"""

from __future__ import annotations

import functools
import importlib
import json
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from boto_iotauth_local.engine import Policy
from boto_iotauth_local.errors import MalformedPolicyException, ResourceNotFoundException
from boto_iotauth_local.world import (
    CACertificate,
    Certificate,
    CognitoIdentityPool,
    FunctionSpec,
    PolicyVersion,
    StoredPolicy,
    Thing,
    ThingGroup,
    World,
)
from boto_iotauth_local.world.attachments import AttachmentOperations
from boto_iotauth_local.world.ca_certificates import CACertificateOperations
from boto_iotauth_local.world.certificates import CertificateOperations
from boto_iotauth_local.world.certvars import CertificateVariables, certificate_variables
from boto_iotauth_local.world.cognito import CognitoOperations
from boto_iotauth_local.world.groups import GroupOperations
from boto_iotauth_local.world.policies import PolicyOperations, compile_document
from boto_iotauth_local.world.things import ThingOperations

from .lambdas import moto_function

#: Attribute of moto's IoT backend object that holds its MotoWorld.
_ATTRIBUTE = "_boto_iotauth_local_world"
_lock = threading.Lock()
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: moto does not record AttachThingPrincipal's thingPrincipalType; every attachment reads as this.
MOTO_THING_PRINCIPAL_TYPE = "NON_EXCLUSIVE_THING"


def _text(document: object) -> str:
    return document if isinstance(document, str) else json.dumps(document)


@functools.lru_cache(maxsize=2048)
def _compiled(account_id: str, region: str, name: str, version_id: str, document: str) -> Policy:
    """One policy version compiled once; a document moto accepted but AWS would refuse says so."""
    try:
        return compile_document(document)[1]
    except MalformedPolicyException as exc:
        raise MalformedPolicyException(
            f"The policy {name} (version {version_id}) stored in moto is not a valid IoT policy: "
            f"{exc.message}"
        ) from None


@functools.lru_cache(maxsize=1024)
def _parsed_certificate(pem: str) -> tuple[bytes, int, datetime, datetime, CertificateVariables]:
    """DER, serial, validity and ``iot:Certificate.*`` variables of a PEM (empty when it does not parse)."""
    try:
        parsed = x509.load_pem_x509_certificate(pem.encode("utf-8"))
    except ValueError:
        return b"", 0, _EPOCH, _EPOCH, MappingProxyType({})
    return (
        parsed.public_bytes(serialization.Encoding.DER),
        parsed.serial_number,
        parsed.not_valid_before_utc,
        parsed.not_valid_after_utc,
        certificate_variables(parsed),
    )


def _aware(value: object) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return _EPOCH


class MotoWorld(World):
    """The reader API of :class:`World` over moto's IoT backend for one account and region."""

    #: moto's state changes behind this world's writers: no cache may key on ``version``.
    version_tracks_state = False
    #: moto's Cognito Identity does not keep pool roles.
    cognito_roles_known = False

    def __init__(self, account_id: str, region: str, backend: Any) -> None:
        super().__init__(account_id=account_id, region=region, any_region=True)  # moto serves any region
        self._backend = backend

    # ------------------------------------------------------------------------------------- policies

    def _moto_policy(self, name: str) -> Any:
        return self._backend.policies.get(name)

    def has_policy(self, name: str) -> bool:
        return name in self._backend.policies

    def policy(self, name: str) -> Policy:
        found = self._moto_policy(name)
        if found is None:
            raise ResourceNotFoundException(f"Policy {name} does not exist")
        for version in list(found.versions):
            if version.version_id == str(found.default_version_id):
                return _compiled(
                    self.account_id, self.region, name, version.version_id, _text(version.document)
                )
        return _compiled(
            self.account_id, self.region, name, str(found.default_version_id), _text(found.document)
        )

    def stored_policy(self, name: str) -> StoredPolicy | None:
        found = self._moto_policy(name)
        if found is None:
            return None
        versions = tuple(
            PolicyVersion(
                v.version_id,
                _text(v.document),
                _compiled(self.account_id, self.region, name, v.version_id, _text(v.document)),
                _aware(v.create_datetime),
            )
            for v in list(found.versions)
        )
        created = versions[0].creation_date if versions else _EPOCH
        return StoredPolicy(
            name=name,
            arn=str(found.arn),
            versions=versions,
            default_version_id=str(found.default_version_id),
            creation_date=created,
            last_modified_date=max((v.creation_date for v in versions), default=created),
            generation_id="",
            next_version=int(getattr(found, "_max_version_id", len(versions))) + 1,
        )

    def policy_names(self) -> tuple[str, ...]:
        return tuple(self._backend.policies)

    def policies_for_target(self, target: str) -> tuple[str, ...]:
        return tuple(name for attached, name in list(self._backend.principal_policies) if attached == target)

    def policy_targets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(target for target, _ in list(self._backend.principal_policies)))

    # ------------------------------------------------------------------------------------- certificates

    def _as_certificate(self, found: Any) -> Certificate:
        der, serial, not_before, not_after, variables = _parsed_certificate(str(found.certificate_pem))
        return Certificate(
            certificate_id=str(found.certificate_id),
            arn=str(found.arn),
            pem=str(found.certificate_pem),
            der=der,
            status=str(found.status),
            serial_number=serial,
            not_before=not_before,
            not_after=not_after,
            creation_date=_aware(found.creation_date),
            last_modified_date=_aware(found.last_modified_date),
            owned_by=str(found.owner),
            generation_id="",
            ca_certificate_id=found.ca_certificate_id,
            variables=variables,
        )

    def certificate(self, certificate_id: str) -> Certificate | None:
        found = self._backend.certificates.get(certificate_id.lower())
        return self._as_certificate(found) if found is not None else None

    def certificate_by_arn(self, arn: str) -> Certificate | None:
        for found in list(self._backend.certificates.values()):
            if found.arn == arn:
                return self._as_certificate(found)
        return None

    def all_certificates(self) -> tuple[Certificate, ...]:
        return tuple(self._as_certificate(c) for c in list(self._backend.certificates.values()))

    def _as_ca_certificate(self, found: Any) -> CACertificate:
        der, _, not_before, not_after, _ = _parsed_certificate(str(found.certificate_pem))
        config = getattr(found, "registration_config", None) or {}
        return CACertificate(
            certificate_id=str(found.certificate_id),
            arn=str(found.arn).replace(":cert/", ":cacert/"),
            pem=str(found.certificate_pem),
            der=der,
            status=str(found.status),
            auto_registration_status="DISABLE",
            certificate_mode="DEFAULT",
            registration_config=MappingProxyType({str(k): str(v) for k, v in dict(config).items()}),
            not_before=not_before,
            not_after=not_after,
            creation_date=_aware(found.creation_date),
            last_modified_date=_aware(found.last_modified_date),
            owned_by=str(found.owner),
            generation_id="",
        )

    def ca_certificate(self, certificate_id: str) -> CACertificate | None:
        found = self._backend.ca_certificates.get(certificate_id.lower())
        return self._as_ca_certificate(found) if found is not None else None

    def all_ca_certificates(self) -> tuple[CACertificate, ...]:
        found = list(self._backend.ca_certificates.values())
        return tuple(self._as_ca_certificate(c) for c in found if c.certificate_pem)

    # ------------------------------------------------------------------------------------- things

    def _moto_thing(self, name: str) -> Any:
        for found in list(self._backend.things.values()):
            if found.thing_name == name:
                return found
        return None

    def thing(self, name: str) -> Thing | None:
        found = self._moto_thing(name)
        if found is None:
            return None
        thing_type = getattr(found, "thing_type", None)
        return Thing(
            name=str(found.thing_name),
            arn=str(found.arn),
            thing_id=str(found.thing_id),
            thing_type_name=str(thing_type.thing_type_name) if thing_type is not None else None,
            attributes=MappingProxyType({str(k): str(v) for k, v in (found.attributes or {}).items()}),
            version=int(getattr(found, "version", 1)),
        )

    def things_for_principal(self, principal: str) -> tuple[tuple[str, str], ...]:
        return tuple(
            (thing, MOTO_THING_PRINCIPAL_TYPE)
            for attached, thing in list(self._backend.principal_things)
            if attached == principal
        )

    def principals_of_thing(self, thing_name: str) -> tuple[tuple[str, str], ...]:
        return tuple(
            (principal, MOTO_THING_PRINCIPAL_TYPE)
            for principal, thing in list(self._backend.principal_things)
            if thing == thing_name
        )

    # ------------------------------------------------------------------------------------- thing groups

    def _moto_group(self, name: str) -> Any:
        for found in list(self._backend.thing_groups.values()):
            if found.thing_group_name == name:
                return found
        return None

    def group_ancestry(self, group_name: str) -> tuple[str, ...]:
        chain: list[str] = []
        found = self._moto_group(group_name)
        while found is not None and found.thing_group_name not in chain:
            chain.append(str(found.thing_group_name))
            parent = found.parent_group_name
            found = self._moto_group(parent) if parent else None
        return tuple(chain)

    def thing_group(self, name: str) -> ThingGroup | None:
        found = self._moto_group(name)
        if found is None:
            return None
        return ThingGroup(
            name=str(found.thing_group_name),
            arn=str(found.arn),
            thing_group_id=str(found.thing_group_id),
            parent_name=found.parent_group_name or None,
            ancestry=self.group_ancestry(name),
            properties=MappingProxyType(dict(found.thing_group_properties or {})),
            creation_date=_aware(found.metadata.get("creationDate")),
            version=int(getattr(found, "version", 1)),
        )

    def thing_group_by_arn(self, arn: str) -> ThingGroup | None:
        found = self._backend.thing_groups.get(arn)
        return self.thing_group(str(found.thing_group_name)) if found is not None else None

    def groups_of_thing(self, thing_name: str) -> tuple[str, ...]:
        thing = self._moto_thing(thing_name)
        if thing is None:
            return ()
        return tuple(
            str(group.thing_group_name)
            for group in list(self._backend.thing_groups.values())
            if thing.arn in group.things
        )

    def all_thing_groups(self) -> tuple[ThingGroup, ...]:
        groups = (
            self.thing_group(str(g.thing_group_name)) for g in list(self._backend.thing_groups.values())
        )
        return tuple(g for g in groups if g is not None)

    # ------------------------------------------------------------------------------------- Cognito

    def cognito_pool(self, pool_id: str) -> CognitoIdentityPool | None:
        """A pool moto knows, without role policies: moto's Cognito Identity does not keep pool roles."""
        backends = importlib.import_module("moto.cognitoidentity.models").cognitoidentity_backends
        try:
            pools = backends[self.account_id][self.region].identity_pools
        except KeyError:
            return None
        return CognitoIdentityPool(pool_id, (), ()) if pool_id in pools else None

    def all_cognito_pools(self) -> tuple[CognitoIdentityPool, ...]:
        backends = importlib.import_module("moto.cognitoidentity.models").cognitoidentity_backends
        try:
            pools = backends[self.account_id][self.region].identity_pools
        except KeyError:
            return ()
        return tuple(CognitoIdentityPool(str(pool_id), (), ()) for pool_id in list(pools))

    # ------------------------------------------------------------------------------------- functions

    def resolve_function(self, functionArn: str) -> FunctionSpec:
        """A locally registered function first, else the Python zip function of that name in moto."""
        try:
            return super().resolve_function(functionArn)
        except ResourceNotFoundException:
            return moto_function(functionArn, self.account_id, self.region)

    def __repr__(self) -> str:
        return f"MotoWorld(account_id={self.account_id!r}, region={self.region!r})"


def _moto_owned(name: str) -> Callable[..., Any]:
    def refuse(self: MotoWorld, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{type(self).__name__}.{name}: this state lives in moto; change or read it with a boto3 IoT "
            "client under moto.mock_aws"
        )

    refuse.__name__ = name
    return refuse


#: Readers inherited unchanged: they build ARNs from the account and region and read no table.
_INHERITED = frozenset({"policy_arn", "thing_group_arn"})

# The World's writers and listers of moto-owned state would act on empty tables nobody reads: refuse them.
for _mixin in (
    PolicyOperations,
    AttachmentOperations,
    CertificateOperations,
    CACertificateOperations,
    ThingOperations,
    GroupOperations,
    CognitoOperations,
):
    for _name, _value in vars(_mixin).items():
        if (
            not _name.startswith("_")
            and callable(_value)
            and _name not in vars(MotoWorld)
            and _name not in _INHERITED
        ):
            setattr(MotoWorld, _name, _moto_owned(_name))
MotoWorld.to_file = _moto_owned("to_file")  # type: ignore[method-assign]
MotoWorld.certificate_arn = _moto_owned("certificate_arn")  # type: ignore[method-assign]


def moto_world(account_id: str, region: str) -> MotoWorld:
    """The MotoWorld of moto's IoT state for ``account_id`` and ``region`` (moto must be active)."""
    backend = importlib.import_module("moto.iot.models").iot_backends[account_id][region]
    found = backend.__dict__.get(_ATTRIBUTE)
    if isinstance(found, MotoWorld):
        return found
    with _lock:
        found = backend.__dict__.get(_ATTRIBUTE)
        if not isinstance(found, MotoWorld):
            found = MotoWorld(account_id, region, backend)
            setattr(backend, _ATTRIBUTE, found)
        return found
