"""Device certificates: registration, status, deletion, and their policy variables.

The certificate id is what AWS IoT computes: the lower-case hex SHA-256 of the certificate's DER
encoding, so an id or ARN taken from real AWS for the same certificate matches. The certificate's
``iot:Certificate.*`` variables are worked out once, at registration (see :mod:`.certvars`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from boto_iotauth_local.errors import (
    CertificateStateException,
    DeleteConflictException,
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from boto_iotauth_local.world.base import WorldBase, utcnow
from boto_iotauth_local.world.certvars import CertificateVariables, certificate_variables
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.testcerts import AlternativeNameSpec, NameSpec, PrivateKey, generate_certificate
from boto_iotauth_local.world.validation import CERTIFICATE_ID, check_bool, check_enum, check_string

CERTIFICATE_STATUSES = (
    "ACTIVE",
    "INACTIVE",
    "REVOKED",
    "PENDING_TRANSFER",
    "REGISTER_INACTIVE",
    "PENDING_ACTIVATION",
)
#: "PENDING_TRANSFER and PENDING_ACTIVATION are statuses used internally by IoT" (UpdateCertificate).
_INTERNAL_STATUSES = ("PENDING_TRANSFER", "PENDING_ACTIVATION")
MAX_PEM_LENGTH = 65536


def certificate_id_of(der: bytes) -> str:
    """AWS IoT's certificate id: lower-case hex SHA-256 of the DER encoding."""
    return hashlib.sha256(der).hexdigest()


def load_pem_certificate(pem: object, member: str = "certificatePem") -> x509.Certificate:
    """Parse one PEM X.509 certificate or raise InvalidRequestException saying why not."""
    check_string(pem, member, max_len=MAX_PEM_LENGTH)
    assert isinstance(pem, str)
    try:
        return x509.load_pem_x509_certificate(pem.encode("utf-8"))
    except ValueError as exc:
        raise InvalidRequestException(
            f"The {member} is not a valid PEM-encoded X.509 certificate ({exc})"
        ) from None


@dataclass(frozen=True)
class Certificate:
    """A registered device certificate."""

    certificate_id: str
    arn: str
    pem: str = field(repr=False)
    der: bytes = field(repr=False)
    status: str
    serial_number: int
    not_before: datetime
    not_after: datetime
    creation_date: datetime
    last_modified_date: datetime
    owned_by: str
    generation_id: str
    customer_version: int = 1
    ca_certificate_id: str | None = None
    #: None until first asked for: a fleet of 100,000 certificates loads without paying for them all.
    variables: CertificateVariables | None = field(default=None, compare=False, repr=False)

    def policy_variables(self) -> CertificateVariables:
        """Every ``iot:Certificate.*`` key with a substitutable value (computed once, on first use)."""
        variables = self.variables
        if variables is None:
            variables = certificate_variables(x509.load_der_x509_certificate(self.der))
            object.__setattr__(self, "variables", variables)  # a cache: the certificate itself is unchanged
        return variables


class CertificateOperations(WorldBase):
    """RegisterCertificate and friends, plus a generator of test certificates."""

    # ----------------------------------------------------------------------------------------- readers

    def certificate(self, certificate_id: str) -> Certificate | None:
        """The certificate with this id, or None."""
        return self._certificates.get(certificate_id.lower())

    def certificate_by_arn(self, arn: str) -> Certificate | None:
        """The certificate with this ARN (this account and region only), or None."""
        return self._certificates_by_arn.get(arn)

    def all_certificates(self) -> tuple[Certificate, ...]:
        """Every certificate, in registration order (a snapshot: writers may run meanwhile)."""
        return tuple(self._certificates.values())

    # ----------------------------------------------------------------------------------------- helpers

    def _require_certificate(self, certificate_id: str) -> Certificate:
        check_string(certificate_id, "certificateId", min_len=64, max_len=64, pattern=CERTIFICATE_ID)
        certificate = self._certificates.get(certificate_id.lower())
        if certificate is None:
            raise ResourceNotFoundException(f"The certificate {certificate_id} does not exist")
        return certificate

    def _store_certificate(
        self, parsed: x509.Certificate, pem: str, status: str, ca_id: str | None
    ) -> Certificate:
        der = parsed.public_bytes(serialization.Encoding.DER)
        certificate_id = certificate_id_of(der)
        arn = self.arns.certificate(certificate_id)
        with self._lock:
            if certificate_id in self._certificates:
                raise ResourceAlreadyExistsException(
                    "The certificate is already provisioned or registered",
                    resourceId=certificate_id,
                    resourceArn=arn,
                )
            now = utcnow()
            certificate = Certificate(
                certificate_id=certificate_id,
                arn=arn,
                pem=pem,
                der=der,
                status=status,
                serial_number=parsed.serial_number,
                not_before=parsed.not_valid_before_utc,
                not_after=parsed.not_valid_after_utc,
                creation_date=now,
                last_modified_date=now,
                owned_by=self.account_id,
                generation_id=secrets.token_hex(16),
                ca_certificate_id=ca_id,
            )
            self._certificates[certificate_id] = certificate
            self._certificates_by_arn[arn] = certificate
        return certificate

    def _replace_certificate(self, certificate: Certificate) -> None:
        self._certificates[certificate.certificate_id] = certificate
        self._certificates_by_arn[certificate.arn] = certificate

    # ----------------------------------------------------------------------------------------- writers

    def register_certificate(
        self,
        certificatePem: str,
        caCertificatePem: str | None = None,
        setAsActive: bool | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        """Register a device certificate; with ``caCertificatePem`` it must be issued by that CA."""
        parsed = load_pem_certificate(certificatePem)
        if setAsActive is not None:
            check_bool(setAsActive, "setAsActive")
        if status is not None:
            check_enum(status, "status", CERTIFICATE_STATUSES)
        effective = "ACTIVE" if setAsActive else (status or "INACTIVE")
        ca_id: str | None = None
        if caCertificatePem is not None:
            ca = load_pem_certificate(caCertificatePem, "caCertificatePem")
            try:
                parsed.verify_directly_issued_by(ca)
            except (ValueError, TypeError, InvalidSignature):
                raise InvalidRequestException(
                    "The certificate is not issued by the given CA certificate"
                ) from None
            ca_id = certificate_id_of(ca.public_bytes(serialization.Encoding.DER))
        certificate = self._store_certificate(parsed, certificatePem, effective, ca_id)
        return {"certificateArn": certificate.arn, "certificateId": certificate.certificate_id}

    def register_certificate_without_ca(self, certificatePem: str, status: str = "ACTIVE") -> dict[str, Any]:
        """Register a certificate whose CA is not registered with AWS IoT."""
        parsed = load_pem_certificate(certificatePem)
        check_enum(status, "status", CERTIFICATE_STATUSES)
        certificate = self._store_certificate(parsed, certificatePem, status, None)
        return {"certificateArn": certificate.arn, "certificateId": certificate.certificate_id}

    def create_test_certificate(
        self,
        subject: NameSpec | None = None,
        issuer: NameSpec | None = None,
        subject_alternative_names: AlternativeNameSpec | None = None,
        *,
        issuer_alternative_names: AlternativeNameSpec | None = None,
        status: str = "ACTIVE",
        serial_number: int | None = None,
        key: PrivateKey | None = None,
    ) -> dict[str, Any]:
        """Make a certificate with these names (IoT field names) and register it.

        Returns what ``CreateKeysAndCertificate`` returns: ``certificateArn``, ``certificateId``,
        ``certificatePem`` and ``keyPair`` (``PublicKey``, ``PrivateKey``).
        """
        generated = generate_certificate(
            subject,
            issuer,
            subject_alternative_names,
            issuer_alternative_names=issuer_alternative_names,
            serial_number=serial_number,
            key=key,
        )
        registered = self.register_certificate_without_ca(generated.certificate_pem, status=status)
        return {
            **registered,
            "certificatePem": generated.certificate_pem,
            "keyPair": {"PublicKey": generated.public_key_pem, "PrivateKey": generated.private_key_pem},
        }

    def describe_certificate(self, certificateId: str) -> dict[str, Any]:
        c = self._require_certificate(certificateId)
        description: dict[str, Any] = {
            "certificateArn": c.arn,
            "certificateId": c.certificate_id,
            "status": c.status,
            "certificatePem": c.pem,
            "ownedBy": c.owned_by,
            "creationDate": c.creation_date,
            "lastModifiedDate": c.last_modified_date,
            "customerVersion": c.customer_version,
            "transferData": {},
            "generationId": c.generation_id,
            "validity": {"notBefore": c.not_before, "notAfter": c.not_after},
            "certificateMode": "DEFAULT",
        }
        if c.ca_certificate_id is not None:
            description["caCertificateId"] = c.ca_certificate_id
        return {"certificateDescription": description}

    def update_certificate(self, certificateId: str, newStatus: str) -> dict[str, Any]:
        check_enum(newStatus, "newStatus", CERTIFICATE_STATUSES)
        if newStatus in _INTERNAL_STATUSES:
            raise InvalidRequestException(
                f"The status {newStatus} is used internally by AWS IoT and cannot be set with "
                "UpdateCertificate"
            )
        with self._lock:
            c = self._require_certificate(certificateId)
            self._replace_certificate(
                replace(
                    c,
                    status=newStatus,
                    last_modified_date=utcnow(),
                    customer_version=c.customer_version + 1,
                    generation_id=secrets.token_hex(16),
                )
            )
        return {}

    def delete_certificate(self, certificateId: str, forceDelete: bool = False) -> dict[str, Any]:
        """Delete a certificate that is not ACTIVE and has no things (and, unless forced, no policies)."""
        check_bool(forceDelete, "forceDelete")
        with self._lock:
            c = self._require_certificate(certificateId)
            if c.status == "ACTIVE":
                raise CertificateStateException(
                    f"Certificate must be deactivated (not ACTIVE) before deletion. Id: {c.certificate_id}"
                )
            if self._principal_things.get(c.arn):
                raise DeleteConflictException(f"Things must be detached before deletion (arn: {c.arn})")
            if self._target_policies.get(c.arn):
                if not forceDelete:
                    raise DeleteConflictException(
                        f"Certificate policies must be detached before deletion (arn: {c.arn})"
                    )
                self._forget_target(c.arn)
            del self._certificates[c.certificate_id]
            del self._certificates_by_arn[c.arn]
        return {}

    def list_certificates(
        self, pageSize: int | None = None, marker: str | None = None, ascendingOrder: bool = True
    ) -> dict[str, Any]:
        """Certificates by creation date, paginated."""
        with self._lock:
            ordered = sorted(
                self._certificates.values(),
                key=lambda c: (c.creation_date, c.certificate_id),
                reverse=not ascendingOrder,
            )
            page, next_marker = paginate(ordered, page_size=pageSize, marker=marker)
        result: dict[str, Any] = {
            "certificates": [
                {
                    "certificateArn": c.arn,
                    "certificateId": c.certificate_id,
                    "status": c.status,
                    "certificateMode": "DEFAULT",
                    "creationDate": c.creation_date,
                }
                for c in page
            ]
        }
        if next_marker is not None:
            result["nextMarker"] = next_marker
        return result
