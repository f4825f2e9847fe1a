"""Device certificates made to order for tests.

A test that exercises certificate policy variables needs a certificate with exactly the subject, issuer
and alternative names it is about; writing one with ``cryptography`` takes twenty lines. Here it takes a
mapping of IoT field names. Keys are EC P-256 and one key is shared by default, so making a thousand
certificates costs milliseconds each; signatures are never checked against the issuer, so a certificate
with an ``issuer`` is still signed by its own key.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from boto_iotauth_local.world.certvars import NAME_FIELDS, SAN_KINDS

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
#: IoT field names to values (``{"CommonName": "sensor-1"}``), or an RFC 4514 string (``"CN=s,O=Acme"``).
NameSpec = Mapping[str, str | Sequence[str]] | str
AlternativeNameSpec = Mapping[str, Sequence[str]]

DEFAULT_SUBJECT: NameSpec = {"CommonName": "AWS IoT Certificate"}

_shared_key: ec.EllipticCurvePrivateKey | None = None
_shared_key_lock = threading.Lock()


def shared_key() -> ec.EllipticCurvePrivateKey:
    """The process-wide EC P-256 key test certificates use unless given another."""
    global _shared_key
    with _shared_key_lock:
        if _shared_key is None:
            _shared_key = ec.generate_private_key(ec.SECP256R1())
        return _shared_key


@dataclass(frozen=True)
class GeneratedCertificate:
    """A certificate and its key pair, all PEM."""

    certificate_pem: str
    public_key_pem: str
    private_key_pem: str


def build_name(spec: NameSpec, parameter: str = "subject") -> x509.Name:
    """An X.509 name from IoT field names (a sequence gives a multi-valued field, in order), or from an
    RFC 4514 string such as ``"CN=sensor-1,O=Acme"``; anything else is refused saying what is expected."""
    if isinstance(spec, str):
        try:
            return x509.Name.from_rfc4514_string(spec)
        except ValueError as exc:
            raise ValueError(
                f"{parameter}: cannot read {spec!r} as an RFC 4514 name ({exc}); expected e.g. "
                f'"CN=sensor-1,O=Acme" or a mapping of IoT field names such as {{"CommonName": "sensor-1"}}'
            ) from None
    if not isinstance(spec, Mapping):
        raise TypeError(
            f'{parameter} takes a mapping of IoT field names such as {{"CommonName": "sensor-1"}} '
            f'or an RFC 4514 string such as "CN=sensor-1", not {type(spec).__name__}'
        )
    attributes: list[x509.NameAttribute[str]] = []
    for field_name, value in spec.items():
        oid = NAME_FIELDS.get(field_name)
        if oid is None:
            raise ValueError(
                f"{parameter}: unknown certificate name field {field_name!r}; "
                f"expected one of {', '.join(NAME_FIELDS)}"
            )
        values = [value] if isinstance(value, str) else list(value)
        attributes.extend(x509.NameAttribute(oid, v) for v in values)
    return x509.Name(attributes)


def build_general_names(spec: AlternativeNameSpec) -> list[x509.GeneralName]:
    """Alternative names from IoT kind names (``DNSName``, ``RFC822Name``, ``UniformResourceIdentifier``,
    ``IPAddress``, ``DirectoryName`` as an RFC 4514 string)."""
    names: list[x509.GeneralName] = []
    for kind, values in spec.items():
        if isinstance(values, str):
            values = [values]
        for value in values:
            if kind == "DNSName":
                names.append(x509.DNSName(value))
            elif kind == "RFC822Name":
                names.append(x509.RFC822Name(value))
            elif kind == "UniformResourceIdentifier":
                names.append(x509.UniformResourceIdentifier(value))
            elif kind == "IPAddress":
                names.append(x509.IPAddress(ipaddress.ip_address(value)))
            elif kind == "DirectoryName":
                names.append(x509.DirectoryName(x509.Name.from_rfc4514_string(value)))
            else:
                raise ValueError(
                    f"unknown alternative name kind {kind!r}; expected one of {', '.join(SAN_KINDS)}"
                )
    return names


def generate_certificate(
    subject: NameSpec | None = None,
    issuer: NameSpec | None = None,
    subject_alternative_names: AlternativeNameSpec | None = None,
    *,
    issuer_alternative_names: AlternativeNameSpec | None = None,
    serial_number: int | None = None,
    key: PrivateKey | None = None,
) -> GeneratedCertificate:
    """A certificate with the given names; self-signed (issuer = subject) unless ``issuer`` is given."""
    private_key = key if key is not None else shared_key()
    subject_name = build_name(subject if subject is not None else DEFAULT_SUBJECT)
    issuer_name = build_name(issuer, "issuer") if issuer is not None else subject_name
    now = datetime.now(timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name)
        .issuer_name(issuer_name)
        .public_key(private_key.public_key())
        .serial_number(serial_number if serial_number is not None else x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
    )
    if subject_alternative_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(build_general_names(subject_alternative_names)), critical=False
        )
    if issuer_alternative_names:
        builder = builder.add_extension(
            x509.IssuerAlternativeName(build_general_names(issuer_alternative_names)), critical=False
        )
    certificate = builder.sign(private_key, hashes.SHA256())
    return GeneratedCertificate(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        public_key_pem=private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii"),
        private_key_pem=private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode("ascii"),
    )
