"""Key quality tests the key-quality checks apply to a certificate's public key.

CVE-2017-15361 (ROCA): RSA moduli made by the affected Infineon library have the form
``k * M + (65537^a mod M)`` for a primorial ``M``, so for every small prime ``p`` of ``M`` the modulus
mod ``p`` lies in the subgroup that 65537 generates mod ``p``. Testing the primes 3 to 167 is the published
fingerprint (Nemec et al., "The Return of Coppersmith's Attack", ACM CCS 2017); a random modulus passes it
with a probability below 2^-50 or so.

CVE-2008-0166 (Debian's predictable OpenSSL keys) is detected by comparing against lists of the affected
keys, which this package does not ship: that test is not run (``docs/audit-checks.md``).
"""

from __future__ import annotations

import functools

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
ROCA_PRIMES = (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
               101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167)  # fmt: skip


@functools.cache
def _generated(prime: int) -> frozenset[int]:
    """The subgroup 65537 generates modulo ``prime``."""
    seen = {1}
    value = 65537 % prime
    while value not in seen:
        seen.add(value)
        value = value * 65537 % prime
    return frozenset(seen)


def roca_fingerprint(modulus: int) -> bool:
    """Whether an RSA modulus has the structure of CVE-2017-15361 keys."""
    return all(modulus % prime in _generated(prime) for prime in ROCA_PRIMES)


def key_vulnerabilities(certificate: x509.Certificate) -> tuple[str, ...]:
    """The reason codes of the known key weaknesses this certificate's public key has."""
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey) and roca_fingerprint(key.public_numbers().n):
        return (ROCA,)
    return ()
