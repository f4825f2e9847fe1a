"""Key quality tests the key-quality checks apply to a certificate's public key.

CVE-2017-15361 (ROCA): RSA moduli made by the affected Infineon library have the form
``k * M + (65537^a mod M)`` for a primorial ``M``, so for every small prime ``p`` of ``M`` the modulus
mod ``p`` lies in the subgroup that 65537 generates mod ``p``. Testing the primes 3 to 167 is the published
fingerprint (Nemec et al., "The Return of Coppersmith's Attack", ACM CCS 2017); a random modulus passes it
with a probability below 2^-50 or so.

CVE-2008-0166 (Debian's predictable OpenSSL keys) is detected by comparing against lists of the affected
keys, in the format Debian's ``openssl-blacklist`` shipped them (:mod:`boto_iotauth_local.world.weak_keys`).
This package ships none: a key is checked only when a list for its size is given, and a key no list covers
is reported as not checked, never as clean (``docs/audit-checks.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from ....world.weak_keys import WeakKeyList

ROCA = "CERTIFICATE_KEY_VULNERABILITY_CVE-2017-15361"
DEBIAN = "CERTIFICATE_KEY_VULNERABILITY_CVE-2008-0166"
ROCA_REASON = "The public key has the structure of keys made by the Infineon RSA library (ROCA)"
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


def rsa_modulus(certificate: x509.Certificate) -> int | None:
    """The certificate's RSA modulus, or None for another kind of key."""
    key = certificate.public_key()
    return key.public_numbers().n if isinstance(key, rsa.RSAPublicKey) else None


@dataclass(frozen=True)
class DebianLists:
    """The CVE-2008-0166 lists an audit compares keys with, by key size."""

    lists: tuple[WeakKeyList, ...]

    @classmethod
    def of(cls, *groups: Iterable[WeakKeyList]) -> DebianLists:
        """The lists of every group, each file once (first occurrence kept)."""
        seen: dict[str, WeakKeyList] = {}
        for group in groups:
            for listed in group:
                seen.setdefault(listed.path, listed)
        return cls(tuple(seen.values()))

    @property
    def sizes(self) -> frozenset[int]:
        return frozenset(listed.bits for listed in self.lists)

    def covers(self, modulus: int) -> bool:
        """Whether a list for this key's size is at hand (otherwise the key is not checked)."""
        return modulus.bit_length() in self.sizes

    def listing(self, modulus: int) -> WeakKeyList | None:
        """The list that names this key, or None."""
        return next((listed for listed in self.lists if listed.lists(modulus)), None)


def key_vulnerabilities(
    certificate: x509.Certificate, debian: DebianLists = DebianLists(())
) -> tuple[tuple[str, str], ...]:
    """The known weaknesses of this certificate's public key: (reason code, reason) pairs."""
    modulus = rsa_modulus(certificate)
    if modulus is None:
        return ()
    found: list[tuple[str, str]] = []
    if roca_fingerprint(modulus):
        found.append((ROCA, ROCA_REASON))
    listed = debian.listing(modulus)
    if listed is not None:
        found.append(
            (
                DEBIAN,
                f"The {listed.bits}-bit RSA key is on the list of keys made by Debian's predictable OpenSSL "
                f"(CVE-2008-0166) in {listed.path}",
            )
        )
    return tuple(found)
