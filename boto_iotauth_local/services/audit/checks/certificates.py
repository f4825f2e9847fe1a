"""Device and CA certificate checks: shared, expiring, age, key quality, revoked by issuer but still active.

Device certificate checks apply to certificates that are ACTIVE or PENDING_TRANSFER, CA checks to ACTIVE CA
certificates (their only other status is INACTIVE), as the check pages say.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from cryptography import x509

from ....errors import InternalFailureException
from ....world import World, weak_keys
from ..findings import Evidence, Finding, Resource
from ..registry import CheckContext, CheckOutcome, CheckSpec, Runner, register
from .keys import DEBIAN, ROCA, DebianLists, key_vulnerabilities, rsa_modulus

APPROACHING = "CERTIFICATE_APPROACHING_EXPIRATION"
PAST = "CERTIFICATE_PAST_EXPIRATION"
REVOKED = "CERTIFICATE_REVOKED_BY_ISSUER"
SHARED = "CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES"
AGED = "CERTIFICATE_PAST_AGE_THRESHOLD"
EXPIRATION_THRESHOLD = "CERT_EXPIRATION_THRESHOLD_IN_DAYS"
AGE_THRESHOLD = "CERT_AGE_THRESHOLD_IN_DAYS"
DEFAULT_EXPIRATION_DAYS = 30
DEFAULT_AGE_DAYS = 365
_IN_USE = ("ACTIVE", "PENDING_TRANSFER")


class Subject:
    """A certificate under check: what identifies it in a finding, its dates and its parsed form."""

    def __init__(
        self,
        resource: Resource,
        der: bytes,
        not_before: datetime.datetime,
        not_after: datetime.datetime,
        registered: datetime.datetime,
    ) -> None:
        self.resource = resource
        self.der = der
        self.not_before = not_before
        self.not_after = not_after
        self.registered = registered

    def parsed(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)


def device_subjects(world: World) -> list[Subject]:
    return [
        Subject(
            Resource("DEVICE_CERTIFICATE", {"deviceCertificateId": c.certificate_id}),
            c.der,
            c.not_before,
            c.not_after,
            c.creation_date,
        )
        for c in world.all_certificates()
        if c.status in _IN_USE and c.der
    ]


def ca_subjects(world: World) -> list[Subject]:
    return [
        Subject(
            Resource("CA_CERTIFICATE", {"caCertificateId": c.certificate_id}),
            c.der,
            c.not_before,
            c.not_after,
            c.creation_date,
        )
        for c in world.all_ca_certificates()
        if c.status == "ACTIVE"
    ]


def _days(context: CheckContext, name: str, default: int) -> int:
    value = context.configuration.get(name)
    return int(value) if value is not None else default


def _each(
    check: str, severity: str, subjects: Callable[[World], list[Subject]],
    judge: Callable[[Subject, CheckContext, World], Iterable[tuple[str, str]]],
) -> Runner:  # fmt: skip
    def run(world: World, context: CheckContext) -> CheckOutcome:
        chosen = subjects(world)
        findings = [
            Finding(check, severity, subject.resource, code, reason, (Evidence(reason),))
            for subject in chosen
            for code, reason in judge(subject, context, world)
        ]
        return CheckOutcome(len(chosen), tuple(findings))

    return run


def _expiring(subject: Subject, context: CheckContext, world: World) -> list[tuple[str, str]]:
    days = _days(context, EXPIRATION_THRESHOLD, DEFAULT_EXPIRATION_DAYS)
    ends = subject.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    if subject.not_after <= context.now:
        return [(PAST, f"The certificate expired at {ends}")]
    if subject.not_after - context.now <= datetime.timedelta(days=days):
        return [(APPROACHING, f"The certificate expires at {ends}, within {days} days")]
    return []


def _aged(subject: Subject, context: CheckContext, world: World) -> list[tuple[str, str]]:
    days = _days(context, AGE_THRESHOLD, DEFAULT_AGE_DAYS)
    since = min(subject.not_before, subject.registered)
    age = context.now - since
    if age >= datetime.timedelta(days=days):
        return [
            (
                AGED,
                f"The certificate has been valid since {since.strftime('%Y-%m-%dT%H:%M:%SZ')}, "
                f"{age.days} days, at or past the threshold of {days} days",
            )
        ]
    return []


def _debian_lists(world: World, context: CheckContext) -> DebianLists:
    """The world's lists, the audit's, and those installed under ``weak_keys.SYSTEM_DIRECTORY``."""
    try:
        system = weak_keys.system_weak_key_lists(weak_keys.SYSTEM_DIRECTORY)
    except weak_keys.WeakKeyListError as exc:  # an installed list out of format: the check fails, says why
        raise InternalFailureException(str(exc)) from None
    return DebianLists.of(world.weak_key_lists(), context.weak_key_lists, system)


def _not_checked(unchecked: list[int], total: int, debian: DebianLists) -> str:
    """The note for RSA keys no CVE-2008-0166 list covers."""
    sizes = ", ".join(str(bits) for bits in sorted(set(unchecked)))
    keys = f"{len(unchecked)} of {total} RSA key{'s' if total != 1 else ''} ({sizes} bits)"
    if not debian.lists:
        why = (
            "no list of its keys was given (world.register_weak_key_list, audit(weak_key_lists=...), "
            f"--weak-key-list) and {weak_keys.SYSTEM_DIRECTORY} does not exist"
        )
    else:
        have = ", ".join(f"blacklist.RSA-{bits}" for bits in sorted(debian.sizes))
        why = f"the lists given cover other key sizes ({have})"
    return f"CVE-2008-0166 (Debian's predictable OpenSSL keys) was not checked for {keys}: {why}."


def _key_quality(check: str, severity: str, subjects: Callable[[World], list[Subject]]) -> Runner:
    """ROCA on every RSA key; CVE-2008-0166 on those a list of their size covers, a note for the rest."""

    def run(world: World, context: CheckContext) -> CheckOutcome:
        chosen = subjects(world)
        debian = _debian_lists(world, context)
        findings: list[Finding] = []
        moduli: list[int] = []
        for subject in chosen:
            certificate = subject.parsed()
            modulus = rsa_modulus(certificate)
            if modulus is not None:
                moduli.append(modulus)
            for code, reason in key_vulnerabilities(certificate, debian):
                findings.append(Finding(check, severity, subject.resource, code, reason, (Evidence(reason),)))
        unchecked = [modulus.bit_length() for modulus in moduli if not debian.covers(modulus)]
        notes = (_not_checked(unchecked, len(moduli), debian),) if unchecked else ()
        return CheckOutcome(len(chosen), tuple(findings), notes)

    return run


def _revoked(subject: Subject, context: CheckContext, world: World) -> list[tuple[str, str]]:
    listed = world.revoked_by_issuer(subject.der)
    if listed is None:
        return []
    serial = subject.parsed().serial_number
    return [
        (REVOKED, f"Serial number {serial:x} is on the revocation list of its issuer {listed.issuer_text}")
    ]


def run_shared(world: World, context: CheckContext) -> CheckOutcome:
    """A certificate attached to more than one thing stands for a certificate several devices connect with."""
    chosen = device_subjects(world)
    findings: list[Finding] = []
    for subject in chosen:
        certificate_id = subject.resource.identifier["deviceCertificateId"]
        things = [name for name, _ in world.things_for_principal(world.arns.certificate(certificate_id))]
        if len(things) > 1:
            reason = f"The certificate is attached to {len(things)} things: {', '.join(things[:10])}"
            related = tuple(Resource("CLIENT_ID", {"clientId": name}) for name in things[:10])
            findings.append(
                Finding(
                    "DEVICE_CERTIFICATE_SHARED_CHECK", "CRITICAL", subject.resource, SHARED, reason,
                    (Evidence(reason),), related,
                )
            )  # fmt: skip
    return CheckOutcome(len(chosen), tuple(findings))


for _name, _severity, _codes, _type, _page, _run, _default in (
    ("DEVICE_CERTIFICATE_SHARED_CHECK", "CRITICAL", (SHARED,), "DEVICE_CERTIFICATE",
     "audit-chk-device-cert-shared.html", run_shared, True),
    ("DEVICE_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", (APPROACHING, PAST), "DEVICE_CERTIFICATE",
     "audit-chk-device-cert-approaching-expiration.html",
     _each("DEVICE_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", device_subjects, _expiring), True),
    ("CA_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", (APPROACHING, PAST), "CA_CERTIFICATE",
     "audit-chk-ca-cert-approaching-expiration.html",
     _each("CA_CERTIFICATE_EXPIRING_CHECK", "MEDIUM", ca_subjects, _expiring), True),
    ("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", (ROCA, DEBIAN), "DEVICE_CERTIFICATE",
     "audit-chk-device-cert-key-quality.html",
     _key_quality("DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", device_subjects), True),
    ("CA_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", (ROCA, DEBIAN), "CA_CERTIFICATE",
     "audit-chk-ca-cert-key-quality.html",
     _key_quality("CA_CERTIFICATE_KEY_QUALITY_CHECK", "CRITICAL", ca_subjects), True),
    ("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", "MEDIUM", (REVOKED,), "DEVICE_CERTIFICATE",
     "audit-chk-revoked-device-cert.html",
     _each("REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", "MEDIUM", device_subjects, _revoked), True),
    ("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", "CRITICAL", (REVOKED,), "CA_CERTIFICATE",
     "audit-chk-revoked-ca-cert.html",
     _each("REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", "CRITICAL", ca_subjects, _revoked), True),
    ("DEVICE_CERTIFICATE_AGE_CHECK", "LOW", (AGED,), "DEVICE_CERTIFICATE",
     "device-certificate-age-check.html",
     _each("DEVICE_CERTIFICATE_AGE_CHECK", "LOW", device_subjects, _aged), False),
):  # fmt: skip
    register(CheckSpec(_name, _severity, _codes, _type, _page, enabled_by_default=_default, run=_run))
