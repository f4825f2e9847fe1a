"""The ``iot:Certificate.*`` policy variables of an X.509 certificate.

AWS IoT exposes a device certificate's subject, issuer, alternative names and serial number to policies
(developer guide, "X.509 certificate policy variables"). The rules applied here, all from that page:

* the plain key (``iot:Certificate.Subject.Organization``) is the first value of a multi-valued field;
  ``.1`` to ``.4`` are the later ones (one-based offset from the first, so ``.1`` is the second value);
  ``.List`` holds all of them;
* arrays are capped at five items, the rest are ignored;
* a value longer than 1024 characters, or one containing a wildcard character (``*``, ``$``, ``+``, ``?``,
  ``#``), is not substituted: its key is left out, so the variable stays unresolved; a ``.List`` is left
  out when any of its values is;
* the special characters ``,`` ``"`` ``\\`` ``+`` ``=`` ``<`` ``>`` ``;`` are prefixed with a backslash in
  the substituted value (the guide's example: ``L=Seattle`` becomes ``L\\=Seattle``);
* ``iot:Certificate.SerialNumber`` is the certificate serial number in decimal;
* ``iot:Certificate.AvailableKeys`` lists the names of the variables that have a value (plain names,
  without the ``.N``/``.List`` forms).

The mapping is computed once, when the certificate is registered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

PREFIX = "iot:Certificate."

#: IoT's field names for the distinguished-name attributes it exposes, with their OIDs.
NAME_FIELDS: Mapping[str, x509.ObjectIdentifier] = MappingProxyType(
    {
        "CommonName": NameOID.COMMON_NAME,
        "Organization": NameOID.ORGANIZATION_NAME,
        "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "Country": NameOID.COUNTRY_NAME,
        "State": NameOID.STATE_OR_PROVINCE_NAME,
        "SerialNumber": NameOID.SERIAL_NUMBER,
        "Title": NameOID.TITLE,
        "Surname": NameOID.SURNAME,
        "GivenName": NameOID.GIVEN_NAME,
        "Initials": NameOID.INITIALS,
        "Pseudonym": NameOID.PSEUDONYM,
        "GenerationQualifier": NameOID.GENERATION_QUALIFIER,
        "DistinguishedNameQualifier": NameOID.DN_QUALIFIER,
    }
)

#: IoT's names for the alternative-name kinds it exposes.
SAN_KINDS: tuple[str, ...] = (
    "DNSName",
    "RFC822Name",
    "UniformResourceIdentifier",
    "IPAddress",
    "DirectoryName",
)

MAX_VALUES = 5
MAX_VALUE_LENGTH = 1024
WILDCARD_CHARACTERS = frozenset("*$+?#")
SPECIAL_CHARACTERS = frozenset(',"\\+=<>;')

CertificateVariables = Mapping[str, str | tuple[str, ...]]

_FIELD_BY_OID = {oid: field_name for field_name, oid in NAME_FIELDS.items()}


def escape(value: str) -> str:
    """Prefix each of ``, " \\ + = < > ;`` with a backslash."""
    return "".join("\\" + ch if ch in SPECIAL_CHARACTERS else ch for ch in value)


def substitutable(value: str) -> bool:
    """Whether AWS IoT substitutes ``value`` at all (short enough, no wildcard characters)."""
    return len(value) <= MAX_VALUE_LENGTH and not (WILDCARD_CHARACTERS & set(value))


def name_values(name: x509.Name) -> dict[str, tuple[str, ...]]:
    """The values of each IoT field in ``name``, in the order they are encoded (one pass over the name)."""
    found: dict[str, list[str]] = {}
    for attribute in name:
        field_name = _FIELD_BY_OID.get(attribute.oid)
        if field_name is not None and isinstance(attribute.value, str):
            found.setdefault(field_name, []).append(attribute.value)
    return {field_name: tuple(found[field_name]) for field_name in NAME_FIELDS if field_name in found}


def general_name_values(names: Sequence[x509.GeneralName]) -> dict[str, tuple[str, ...]]:
    """The values of each alternative-name kind IoT exposes, in the order they are encoded."""
    values: dict[str, list[str]] = {}
    for general in names:
        if isinstance(general, x509.DNSName):
            values.setdefault("DNSName", []).append(general.value)
        elif isinstance(general, x509.RFC822Name):
            values.setdefault("RFC822Name", []).append(general.value)
        elif isinstance(general, x509.UniformResourceIdentifier):
            values.setdefault("UniformResourceIdentifier", []).append(general.value)
        elif isinstance(general, x509.IPAddress):
            values.setdefault("IPAddress", []).append(str(general.value))
        elif isinstance(general, x509.DirectoryName):
            values.setdefault("DirectoryName", []).append(general.value.rfc4514_string())
    return {kind: tuple(v) for kind, v in values.items()}


def _alternative_names(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> list[x509.GeneralName]:
    try:
        extension = certificate.extensions.get_extension_for_oid(oid)
    except x509.ExtensionNotFound:
        return []
    value = extension.value
    if isinstance(value, (x509.SubjectAlternativeName, x509.IssuerAlternativeName)):
        return list(value)
    return []


def _add_field(out: dict[str, str | tuple[str, ...]], key: str, values: tuple[str, ...]) -> bool:
    """Add ``key``, ``key.1``..``key.4`` and ``key.List`` for ``values``; True when any was added."""
    values = values[:MAX_VALUES]
    usable = [substitutable(v) for v in values]
    added = False
    for index, (value, ok) in enumerate(zip(values, usable, strict=True)):
        if ok:
            out[key if index == 0 else f"{key}.{index}"] = escape(value)
            added = True
    if values and all(usable):
        out[f"{key}.List"] = tuple(escape(v) for v in values)
    return added


def certificate_variables(certificate: x509.Certificate) -> CertificateVariables:
    """Every ``iot:Certificate.*`` key of ``certificate`` that has a value, with that value."""
    out: dict[str, str | tuple[str, ...]] = {}
    available: list[str] = []
    sections: list[tuple[str, dict[str, tuple[str, ...]]]] = [
        ("Issuer.", name_values(certificate.issuer)),
        ("Subject.", name_values(certificate.subject)),
        (
            "Issuer.AlternativeName.",
            general_name_values(_alternative_names(certificate, ExtensionOID.ISSUER_ALTERNATIVE_NAME)),
        ),
        (
            "Subject.AlternativeName.",
            general_name_values(_alternative_names(certificate, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)),
        ),
    ]
    for section, fields in sections:
        for field_name, values in fields.items():
            key = f"{PREFIX}{section}{field_name}"
            if _add_field(out, key, values):
                available.append(key)
    serial = str(certificate.serial_number)
    out[f"{PREFIX}SerialNumber"] = serial
    available.append(f"{PREFIX}SerialNumber")
    out[f"{PREFIX}AvailableKeys"] = tuple(available)
    return MappingProxyType(out)
