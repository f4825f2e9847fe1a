"""RSA keys and CVE-2008-0166 lists in the openssl-blacklist format, for the key-quality check tests.

The fingerprint is computed here from its definition in ``openssl-vulnkey(1)`` ("BLACKLIST SHA1SUM
FORMAT"): the SHA-1 of what ``openssl x509 -noout -modulus`` prints (``Modulus=<UPPER-CASE HEX>`` and a
newline), hex, without its first 20 characters. It does not use the package's own function, so a test
built on it pins the format.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from boto_iotauth_local.world import weak_keys


@functools.cache
def rsa_key(bits: int, index: int = 0) -> rsa.RSAPrivateKey:
    """One RSA key per (size, index), made once per test run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def modulus(key: rsa.RSAPrivateKey) -> int:
    return key.public_key().public_numbers().n


def vulnkey_line(key: rsa.RSAPrivateKey) -> str:
    """The key's line in a list: the last 20 hex characters of sha1("Modulus=<HEX>\\n")."""
    printed = ("Modulus=" + format(modulus(key), "X") + "\n").encode("ascii")
    return hashlib.sha1(printed).hexdigest()[20:]


def write_list(
    folder: Path, bits: int, keys: Iterable[rsa.RSAPrivateKey], *, comments: Iterable[str] = ("# test list",)
) -> Path:
    """``folder/blacklist.RSA-<bits>`` naming ``keys``, after ``comments``, with filler lines around."""
    lines = [*comments, "0123456789abcdef0123", *(vulnkey_line(key) for key in keys), "fedcba9876543210fedc"]
    path = folder / f"blacklist.RSA-{bits}"
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


@pytest.fixture
def no_system_lists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Points the system directory at one that does not exist (a machine may have openssl-blacklist)."""
    missing = tmp_path / "no-openssl-blacklist"
    monkeypatch.setattr(weak_keys, "SYSTEM_DIRECTORY", missing)
    return missing
