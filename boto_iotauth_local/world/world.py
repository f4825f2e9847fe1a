"""The world: one emulated AWS IoT account in one region, as the services read it.

Writers carry boto3's IoT client names and camelCase keyword arguments, return what boto3 returns (without
``ResponseMetadata``) and raise the errors of :mod:`boto_iotauth_local.errors` that AWS would return, so a
world can be built in code exactly as it would be built against AWS.

Readers (snake_case) are what the services call on every request; they take no lock and do no parsing:

========================================  ==============================================================
``serves(account_id, region)``            whether this world answers for that account and region
``policy_arn(name)``                      the policy's ARN in this account and region
``policy(name)``                          compiled default version (ResourceNotFoundException if none)
``has_policy(name)``                      whether the policy exists
``stored_policy(name)``                   the policy with all versions, or None
``policies_for_target(target)``           policy names attached to a certificate ARN, thing group ARN or
                                          Cognito id, in attach order
``certificate(id)`` /                     the :class:`Certificate` (with ``policy_variables()``), or None
``certificate_by_arn(arn)``
``thing(name)``                           the :class:`Thing` (name, type, attributes), or None
``things_for_principal(principal)``       ``(thing name, thingPrincipalType)`` pairs, in attach order
``principals_of_thing(name)``             ``(principal, thingPrincipalType)`` pairs, in attach order
``thing_group(name)`` /                   the :class:`ThingGroup`, or None
``thing_group_by_arn(arn)``
``thing_group_arn(name)``                 the thing group's ARN in this account and region
``group_ancestry(name)``                  the group, then its parents up to the root
``groups_of_thing(name)``                 static groups the thing was added to directly
``cognito_pool(pool_id)``                 the :class:`CognitoIdentityPool` (role policies), or None
``authorizer(name)``                      the :class:`Authorizer` (with loaded keys), or None
``default_authorizer()``                  the default :class:`Authorizer`, or None
``resolve_function(arn_or_name)``         the :class:`FunctionSpec` (ResourceNotFoundException if none)
``certificate_arn(label)``                the ARN of a certificate a world file labelled with ``name``
``lookup(name)``                          what a person may mean by ``name``: certificate label or id,
                                          thing, thing group (:class:`~.names.Named` entries)
``ca_certificate(id)`` /                  the :class:`CACertificate`, or None; every CA certificate
``all_ca_certificates()``
``revoked_by_issuer(der)``                the registered revocation list that revokes a certificate
``weak_key_lists()``                      the CVE-2008-0166 key lists registered (``docs/audit-checks.md``)
``audit_state``                           Device Defender audit configuration, tasks and findings
========================================  ==============================================================

``World.from_file(path)`` reads world files, CloudFormation templates and Terraform JSON
(:mod:`boto_iotauth_local.sources`, ``docs/world-files.md``, ``docs/iac.md``); ``world.to_file(path)``
writes world files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from boto_iotauth_local.world.attachments import AttachmentOperations
from boto_iotauth_local.world.authorizers import AuthorizerOperations
from boto_iotauth_local.world.ca_certificates import CACertificateOperations
from boto_iotauth_local.world.certificates import CertificateOperations
from boto_iotauth_local.world.cognito import CognitoOperations
from boto_iotauth_local.world.functions import FunctionOperations
from boto_iotauth_local.world.groups import GroupOperations
from boto_iotauth_local.world.labels import unknown_name
from boto_iotauth_local.world.names import Named, lookup
from boto_iotauth_local.world.policies import PolicyOperations
from boto_iotauth_local.world.revocation import RevocationOperations
from boto_iotauth_local.world.things import ThingOperations
from boto_iotauth_local.world.weak_keys import WeakKeyListOperations

if TYPE_CHECKING:
    from boto_iotauth_local.services.audit import AuditReport


class World(
    PolicyOperations,
    AttachmentOperations,
    CertificateOperations,
    CACertificateOperations,
    RevocationOperations,
    WeakKeyListOperations,
    ThingOperations,
    GroupOperations,
    CognitoOperations,
    AuthorizerOperations,
    FunctionOperations,
):
    """The embedded IoT account state: ``World(account_id="123456789012", region="us-east-1")``.

    The partition follows the region, from botocore's partition data (``cn-*`` is ``aws-cn``,
    ``us-gov-*`` is ``aws-us-gov``, ``us-iso-*`` is ``aws-iso``, ``eusc-*`` is ``aws-eusc``, ...). All
    writers are safe to call from several threads at once.
    """

    #: Certificate labels (a world file's ``name`` -> certificate id); empty for a world built in code.
    certificate_labels: Mapping[str, str] = MappingProxyType({})

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
        *,
        parameters: Mapping[str, Any] | None = None,
        region: str | None = None,
        account_id: str | None = None,
        allow_external_handlers: bool = False,
    ) -> World:
        """A world read from a world file, a CloudFormation template (SAM, ``cdk.out``) or Terraform JSON.

        The format is found from the content (``docs/iac.md``). Several paths combine into one world, in
        order (a template, then a world file for devices that exist only at run time). ``parameters``
        gives template parameters and stand-ins for values unknown offline (``Fn::ImportValue`` exports,
        Terraform's values known after apply). A bad file raises WorldFileError (TemplateError for
        templates and plans) naming the file, the line and the field.

        A world file is trusted like code (its authorizers' handlers run when invoked); handler code
        outside the file's directory is refused unless ``allow_external_handlers=True``
        (``docs/threat-model.md``).
        """
        from boto_iotauth_local.sources.formats import load_sources

        return load_sources(
            path,
            world_class=cls,
            parameters=parameters,
            region=region,
            account_id=account_id,
            allow_external_handlers=allow_external_handlers,
        )

    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Write this world as a world file that loads back into an equivalent world."""
        from boto_iotauth_local.sources.worldfile import dump_world

        dump_world(self, path)

    def audit(
        self,
        checks: Iterable[str] | None = None,
        *,
        now: datetime | None = None,
        configurations: Mapping[str, Mapping[str, str]] | None = None,
        weak_key_lists: Iterable[str | os.PathLike[str]] | None = None,
    ) -> AuditReport:
        """Run Device Defender audit checks over this world (:func:`boto_iotauth_local.services.audit.audit`).

        Default: every check AWS enables by default that can run offline. ``print(report)`` reads as text,
        a notebook shows HTML, ``report.findings`` lists what was found with its evidence.
        ``weak_key_lists``: paths of CVE-2008-0166 key lists for this audit only (``docs/audit-checks.md``).
        """
        from boto_iotauth_local.services.audit import audit  # the service layer sits above the world

        return audit(self, checks, now=now, configurations=configurations, weak_key_lists=weak_key_lists)

    def certificate_arn(self, label: str) -> str:
        """The ARN of the certificate a world file named ``label`` (generated ones get hash ids)."""
        certificate_id = self.certificate_labels.get(label)
        if certificate_id is None:
            raise KeyError(
                unknown_name(
                    "certificate name",
                    label,
                    self.certificate_labels,
                    none_known="this world names no certificates (names come from a world file's "
                    "`certificates: - name:`; a world built in code has none)",
                )
            )
        return self.arns.certificate(certificate_id)

    def lookup(self, name: str) -> tuple[Named, ...]:
        """Everything ``name`` names here, certificates first: a certificate's label (a world file's
        ``name``, or whatever a source put in ``certificate_labels``) or id, a thing, a thing group.
        Empty when nothing is called that; several entries when, say, a thing and a group share it."""
        return lookup(self, name)
