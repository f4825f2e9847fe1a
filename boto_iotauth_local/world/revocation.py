"""Certificate revocation lists that the issuing authorities publish: what the revoked-certificate audit
checks compare the registry's ACTIVE certificates with.

AWS reads a CA's revocation list over the network; offline, the world holds the lists it is given
(``register_revocation_list``, a local-only writer: AWS IoT has no such call). A certificate counts as
revoked by its issuer when a list from that issuer (same issuer name) names its serial number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.world.base import WorldBase
from boto_iotauth_local.world.validation import check_string

MAX_CRL_LENGTH = 1_048_576


@dataclass(frozen=True)
class RevocationList:
    """One issuer's list: its name (DER) and the serial numbers it revokes."""

    issuer: bytes
    issuer_text: str
    serial_numbers: frozenset[int]
    pem: str = field(repr=False)


class RevocationOperations(WorldBase):
    """Revocation lists by issuer."""

    def register_revocation_list(self, crlPem: str) -> dict[str, Any]:
        """Add an issuer's certificate revocation list (PEM); returns its issuer and revoked serials."""
        check_string(crlPem, "crlPem", max_len=MAX_CRL_LENGTH)
        try:
            crl = x509.load_pem_x509_crl(crlPem.encode("utf-8"))
        except ValueError as exc:
            raise InvalidRequestException(
                f"The crlPem is not a valid PEM-encoded X.509 CRL ({exc})"
            ) from None
        listed = RevocationList(
            issuer=crl.issuer.public_bytes(),
            issuer_text=crl.issuer.rfc4514_string(),
            serial_numbers=frozenset(entry.serial_number for entry in crl),
            pem=crlPem,
        )
        with self._lock:
            self._revocation_lists = (*self._revocation_lists, listed)
        return {"issuer": listed.issuer_text, "revokedSerialNumbers": sorted(listed.serial_numbers)}

    def revocation_lists(self) -> tuple[RevocationList, ...]:
        """Every list registered, in order."""
        return self._revocation_lists

    def revoked_by_issuer(self, der: bytes) -> RevocationList | None:
        """The registered list of this certificate's issuer that revokes it, or None."""
        if not self._revocation_lists:
            return None
        certificate = x509.load_der_x509_certificate(der)
        issuer = certificate.issuer.public_bytes()
        for listed in self._revocation_lists:
            if listed.issuer == issuer and certificate.serial_number in listed.serial_numbers:
                return listed
        return None


def crl_pem(crl: x509.CertificateRevocationList) -> str:
    """The PEM text of a CRL built with ``cryptography``."""
    return crl.public_bytes(serialization.Encoding.PEM).decode("ascii")
