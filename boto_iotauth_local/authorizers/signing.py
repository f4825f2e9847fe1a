"""Custom-authorizer token signatures, as AWS IoT checks them.

AWS IoT verifies RSASSA-PKCS1-v1_5 with SHA-256 over the token's UTF-8 bytes, Base64-encoded, against the
authorizer's ``tokenSigningPublicKeys`` (RSA, at least 2048 bits). Keys arrive as PEM or as bare Base64 DER
(what KMS ``GetPublicKey`` returns), so both are accepted. The helpers that make keys and sign tokens exist so
that a test needs three lines to produce what a device would send.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MIN_KEY_BITS = 2048


class InvalidPublicKeyError(ValueError):
    """A token signing public key that AWS IoT would refuse."""


@dataclass(frozen=True)
class KeyPair:
    """An RSA key pair in PEM, ready for ``tokenSigningPublicKeys`` and for :func:`sign_token`."""

    private_key_pem: str
    public_key_pem: str


def load_public_key(value: str) -> rsa.RSAPublicKey:
    """Parse a token signing key (PEM or bare Base64 DER); reject what AWS IoT would reject."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidPublicKeyError("the public key is empty")
    text = value.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            der = base64.b64decode("".join(text.split()), validate=True)
            key = serialization.load_der_public_key(der)
    except (ValueError, binascii.Error, UnsupportedAlgorithm, UnicodeEncodeError) as exc:
        raise InvalidPublicKeyError(
            f"the public key is not a valid PEM or Base64 DER public key ({exc})"
        ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidPublicKeyError("the public key must be an RSA key")
    if key.key_size < MIN_KEY_BITS:
        raise InvalidPublicKeyError(
            f"the RSA public key must be at least {MIN_KEY_BITS} bits, not {key.key_size}"
        )
    return key


def verify_token_signature(
    token: str, signature: str, public_keys: Mapping[str, rsa.RSAPublicKey]
) -> str | None:
    """Return the name of the key that verifies ``signature`` over ``token``, or None when none does."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None
    data = token.encode("utf-8")
    for name, key in public_keys.items():
        try:
            key.verify(raw, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            continue
        return name
    return None


def generate_key_pair(bits: int = MIN_KEY_BITS) -> KeyPair:
    """Make an RSA key pair for a test authorizer."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return KeyPair(private_key_pem=private_pem, public_key_pem=public_pem)


def sign_token(token: str, private_key: str | KeyPair) -> str:
    """Sign ``token`` as a device would (``openssl dgst -sha256 -sign key.pem | openssl base64 -A``)."""
    pem = private_key.private_key_pem if isinstance(private_key, KeyPair) else private_key
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("token signing needs an RSA private key")
    signature = key.sign(token.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")
