"""CA certificates: RegisterCACertificate and friends, with boto3's names, arguments and AWS IoT's errors.

The CA certificate id is computed as for device certificates (lower-case hex SHA-256 of the DER), and its
ARN is ``arn:<partition>:iot:<region>:<account>:cacert/<id>``. ``DEFAULT`` mode needs a verification
certificate signed with the CA's key (proof of possession); the world has no registration codes, so the
verification certificate's common name is not compared with one. As with device certificates, validity is
not checked at registration: an expired CA in the world is what the audit's expiry check is for.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from boto_iotauth_local.errors import (
    CertificateStateException,
    CertificateValidationException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world.base import WorldBase, utcnow
from boto_iotauth_local.world.certificates import certificate_id_of, load_pem_certificate
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import CERTIFICATE_ID, check_bool, check_enum, check_string

CA_CERTIFICATE_STATUSES = ("ACTIVE", "INACTIVE")
AUTO_REGISTRATION_STATUSES = ("ENABLE", "DISABLE")
CERTIFICATE_MODES = ("DEFAULT", "SNI_ONLY")
_REGISTRATION_CONFIG_MEMBERS = ("templateBody", "roleArn", "templateName")


@dataclass(frozen=True)
class CACertificate:
    """A registered CA certificate."""

    certificate_id: str
    arn: str
    pem: str = field(repr=False)
    der: bytes = field(repr=False)
    status: str
    auto_registration_status: str
    certificate_mode: str
    registration_config: Mapping[str, str]
    not_before: datetime
    not_after: datetime
    creation_date: datetime
    last_modified_date: datetime
    owned_by: str
    generation_id: str
    customer_version: int = 1
    #: The proof-of-possession certificate given at registration (DEFAULT mode), kept for world files.
    verification_pem: str | None = field(default=None, repr=False)

    def parsed(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)


def _registration_config(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequestException(
            "registrationConfig must be a structure (templateBody, roleArn, templateName)"
        )
    unknown = sorted(set(value) - set(_REGISTRATION_CONFIG_MEMBERS))
    if unknown:
        raise InvalidRequestException(
            f"registrationConfig has unknown members: {', '.join(map(str, unknown))}"
        )
    config: dict[str, str] = {}
    for name in _REGISTRATION_CONFIG_MEMBERS:
        if value.get(name) is not None:
            config[name] = check_string(value[name], f"registrationConfig.{name}")
    return config


def _signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


class CACertificateOperations(WorldBase):
    """RegisterCACertificate, DescribeCACertificate, UpdateCACertificate, ListCACertificates, delete."""

    # ----------------------------------------------------------------------------------------- readers

    def ca_certificate(self, certificate_id: str) -> CACertificate | None:
        """The CA certificate with this id, or None."""
        return self._ca_certificates.get(certificate_id.lower())

    def all_ca_certificates(self) -> tuple[CACertificate, ...]:
        """Every CA certificate, in registration order."""
        return tuple(self._ca_certificates.values())

    def _require_ca_certificate(self, certificate_id: str) -> CACertificate:
        check_string(certificate_id, "certificateId", min_len=64, max_len=64, pattern=CERTIFICATE_ID)
        found = self._ca_certificates.get(certificate_id.lower())
        if found is None:
            raise ResourceNotFoundException(f"The CA certificate {certificate_id} does not exist")
        return found

    # ----------------------------------------------------------------------------------------- writers

    def register_ca_certificate(
        self,
        caCertificate: str,
        verificationCertificate: str | None = None,
        setAsActive: bool | None = None,
        allowAutoRegistration: bool | None = None,
        registrationConfig: Mapping[str, str] | None = None,
        tags: Any = None,
        certificateMode: str | None = None,
    ) -> dict[str, Any]:
        """Register a CA certificate; ``DEFAULT`` mode needs a verification certificate signed by it."""
        parsed = load_pem_certificate(caCertificate, "caCertificate")
        mode = (
            check_enum(certificateMode, "certificateMode", CERTIFICATE_MODES)
            if certificateMode
            else "DEFAULT"
        )
        active = check_bool(setAsActive, "setAsActive") if setAsActive is not None else False
        auto = (
            check_bool(allowAutoRegistration, "allowAutoRegistration")
            if allowAutoRegistration is not None
            else False
        )
        config = _registration_config(registrationConfig)
        try:
            constraints = parsed.extensions.get_extension_for_class(x509.BasicConstraints).value
            is_ca = constraints.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if not is_ca:
            raise CertificateValidationException(
                "The certificate is not a CA certificate "
                "(its basicConstraints extension does not say CA:TRUE)"
            )
        if mode == "SNI_ONLY":
            if verificationCertificate is not None:
                raise InvalidRequestException(
                    "verificationCertificate must be empty when certificateMode is SNI_ONLY"
                )
        else:
            if verificationCertificate is None:
                raise InvalidRequestException(
                    "verificationCertificate is required when certificateMode is DEFAULT or not provided"
                )
            verification = load_pem_certificate(verificationCertificate, "verificationCertificate")
            if not _signed_by(verification, parsed):
                raise CertificateValidationException(
                    "The verification certificate is not signed by the CA certificate's private key"
                )
        der = parsed.public_bytes(serialization.Encoding.DER)
        certificate_id = certificate_id_of(der)
        arn = self.arns.iot(f"cacert/{certificate_id}")
        with self._lock:
            if certificate_id in self._ca_certificates:
                raise ResourceAlreadyExistsException(
                    "The CA certificate is already registered", resourceId=certificate_id, resourceArn=arn
                )
            now = utcnow()
            self._ca_certificates[certificate_id] = CACertificate(
                certificate_id=certificate_id,
                arn=arn,
                pem=caCertificate,
                der=der,
                status="ACTIVE" if active else "INACTIVE",
                auto_registration_status="ENABLE" if auto else "DISABLE",
                certificate_mode=mode,
                registration_config=config,
                not_before=parsed.not_valid_before_utc,
                not_after=parsed.not_valid_after_utc,
                creation_date=now,
                last_modified_date=now,
                owned_by=self.account_id,
                generation_id=secrets.token_hex(16),
                verification_pem=verificationCertificate,
            )
        return {"certificateArn": arn, "certificateId": certificate_id}

    def describe_ca_certificate(self, certificateId: str) -> dict[str, Any]:
        c = self._require_ca_certificate(certificateId)
        result: dict[str, Any] = {
            "certificateDescription": {
                "certificateArn": c.arn,
                "certificateId": c.certificate_id,
                "status": c.status,
                "certificatePem": c.pem,
                "ownedBy": c.owned_by,
                "creationDate": c.creation_date,
                "autoRegistrationStatus": c.auto_registration_status,
                "lastModifiedDate": c.last_modified_date,
                "customerVersion": c.customer_version,
                "generationId": c.generation_id,
                "validity": {"notBefore": c.not_before, "notAfter": c.not_after},
                "certificateMode": c.certificate_mode,
            }
        }
        if c.registration_config:
            result["registrationConfig"] = dict(c.registration_config)
        return result

    def update_ca_certificate(
        self,
        certificateId: str,
        newStatus: str | None = None,
        newAutoRegistrationStatus: str | None = None,
        registrationConfig: Mapping[str, str] | None = None,
        removeAutoRegistration: bool | None = None,
    ) -> dict[str, Any]:
        """Change a CA certificate's status, auto-registration status or registration configuration."""
        if newStatus is not None:
            check_enum(newStatus, "newStatus", CA_CERTIFICATE_STATUSES)
        if newAutoRegistrationStatus is not None:
            check_enum(newAutoRegistrationStatus, "newAutoRegistrationStatus", AUTO_REGISTRATION_STATUSES)
        config = _registration_config(registrationConfig) if registrationConfig is not None else None
        remove = (
            check_bool(removeAutoRegistration, "removeAutoRegistration") if removeAutoRegistration else False
        )
        with self._lock:
            c = self._require_ca_certificate(certificateId)
            changed = replace(
                c,
                status=newStatus or c.status,
                auto_registration_status=newAutoRegistrationStatus or c.auto_registration_status,
                registration_config={}
                if remove
                else (config if config is not None else c.registration_config),
                last_modified_date=utcnow(),
                customer_version=c.customer_version + 1,
                generation_id=secrets.token_hex(16),
            )
            self._ca_certificates[c.certificate_id] = changed
        return {}

    def delete_ca_certificate(self, certificateId: str) -> dict[str, Any]:
        """Delete a CA certificate that is not ACTIVE."""
        with self._lock:
            c = self._require_ca_certificate(certificateId)
            if c.status == "ACTIVE":
                raise CertificateStateException(
                    "The CA certificate must be deactivated (not ACTIVE) before deletion. "
                    f"Id: {c.certificate_id}"
                )
            del self._ca_certificates[c.certificate_id]
        return {}

    def list_ca_certificates(
        self,
        pageSize: int | None = None,
        marker: str | None = None,
        ascendingOrder: bool = True,
        templateName: str | None = None,
    ) -> dict[str, Any]:
        """CA certificates by creation date, paginated; ``templateName`` keeps those using that template."""
        with self._lock:
            chosen = [
                c
                for c in self._ca_certificates.values()
                if templateName is None or c.registration_config.get("templateName") == templateName
            ]
            ordered = sorted(
                chosen, key=lambda c: (c.creation_date, c.certificate_id), reverse=not ascendingOrder
            )
            page, next_marker = paginate(ordered, page_size=pageSize, marker=marker)
        result: dict[str, Any] = {
            "certificates": [
                {
                    "certificateArn": c.arn,
                    "certificateId": c.certificate_id,
                    "status": c.status,
                    "creationDate": c.creation_date,
                }
                for c in page
            ]
        }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result
