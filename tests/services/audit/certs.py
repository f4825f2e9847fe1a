"""Certificates the certificate checks need: a CA, its verification certificate, device certificates it
issues, revocation lists, and an RSA key with the structure of CVE-2017-15361 (ROCA) keys."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from boto_iotauth_local.services.audit.checks.keys import ROCA_PRIMES

NOW = datetime.datetime.now(datetime.timezone.utc)


def pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


@dataclass
class CA:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @property
    def pem(self) -> str:
        return pem(self.certificate)

    def issue(
        self,
        common_name: str,
        *,
        key: object | None = None,
        serial: int | None = None,
        days: int = 365,
        ca: bool = False,
    ) -> x509.Certificate:
        public = (key or ec.generate_private_key(ec.SECP256R1())).public_key()  # type: ignore[attr-defined]
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(self.certificate.subject)
            .public_key(public)
            .serial_number(serial or x509.random_serial_number())
            .not_valid_before(NOW - datetime.timedelta(days=1))
            .not_valid_after(NOW + datetime.timedelta(days=days))
        )
        if ca:
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        return builder.sign(self.key, hashes.SHA256())

    def verification(self) -> str:
        return pem(self.issue("registration-code"))

    def revocation_list(self, *serials: int) -> str:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.certificate.subject)
            .last_update(NOW - datetime.timedelta(days=1))
            .next_update(NOW + datetime.timedelta(days=30))
        )
        for serial in serials:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(NOW).build()
            )
        crl = builder.sign(self.key, hashes.SHA256())
        return crl.public_bytes(serialization.Encoding.PEM).decode("ascii")


def make_ca(common_name: str = "Test Root CA", *, days: int = 3650, key: object | None = None) -> CA:
    private = key or ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(private.public_key())  # type: ignore[attr-defined]
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(private, hashes.SHA256())  # type: ignore[arg-type]
    )
    return CA(private, certificate)  # type: ignore[arg-type]


def _probably_prime(n: int, rounds: int = 24) -> bool:
    if n < 2:
        return False
    for small in ROCA_PRIMES:
        if n % small == 0:
            return n == small
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    rng = random.Random(n)
    for _ in range(rounds):
        witness = pow(rng.randrange(2, n - 1), d, n)
        if witness in (1, n - 1):
            continue
        for _ in range(s - 1):
            witness = pow(witness, 2, n)
            if witness == n - 1:
                break
        else:
            return False
    return True


def _roca_prime(rng: random.Random, bits: int) -> int:
    """A prime of the form k * M + (65537^a mod M), M the product of the fingerprint's primes."""
    modulus = 1
    for prime in ROCA_PRIMES:
        modulus *= prime
    while True:
        a = rng.randrange(1, 10_000)
        k = rng.getrandbits(bits - modulus.bit_length()) | (1 << (bits - modulus.bit_length() - 1))
        candidate = k * modulus + pow(65537, a, modulus)
        if candidate % 2 == 1 and _probably_prime(candidate):
            return candidate


def roca_key(seed: int = 15361) -> rsa.RSAPrivateKey:
    """A 1024-bit RSA key whose primes have the ROCA structure (and so its modulus has the fingerprint)."""
    rng = random.Random(seed)
    p = _roca_prime(rng, 512)
    q = _roca_prime(rng, 512)
    while q == p:
        q = _roca_prime(rng, 512)
    e = 65537
    d = pow(e, -1, (p - 1) * (q - 1))
    numbers = rsa.RSAPrivateNumbers(
        p,
        q,
        d,
        rsa.rsa_crt_dmp1(d, p),
        rsa.rsa_crt_dmq1(d, q),
        rsa.rsa_crt_iqmp(p, q),
        rsa.RSAPublicNumbers(e, p * q),
    )
    return numbers.private_key()
