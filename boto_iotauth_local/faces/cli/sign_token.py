"""``iotauth-local sign-token``: a token's signature as a device makes it and TestInvokeAuthorizer takes it.

RSASSA-PKCS1-v1_5 with SHA-256 over the token's UTF-8 bytes, Base64: what
``openssl dgst -sha256 -sign key.pem | openssl base64 -A`` prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ...authorizers.signing import sign_token
from .inputs import InputError


def register(commands: Any, epilog: str) -> None:
    """Add ``sign-token`` to the command line."""
    sign = commands.add_parser(
        "sign-token",
        help="sign a token with a private key (Base64, for --token-signature)",
        description="Sign TOKEN with an RSA private key (PEM) and print the Base64 signature that "
        "test-invoke-authorizer --token-signature and TestInvokeAuthorizer's tokenSignature take.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sign.add_argument(
        "--private-key", required=True, metavar="FILE", help="RSA private key, PEM (unencrypted)"
    )
    sign.add_argument("--token", required=True, help="the token, signed as its UTF-8 bytes")
    sign.set_defaults(run=sign_token_command)


def sign_token_command(ctx: Any, args: argparse.Namespace) -> int:
    path = Path(args.private_key).expanduser()
    try:
        pem = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise InputError(f"{path}: --private-key: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: --private-key: cannot read the file: {exc}") from None
    try:
        signature = sign_token(args.token, pem)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path}: --private-key: not an unencrypted RSA private key in PEM: {exc}") from None
    ctx.print(signature)
    return 0
