"""Whether moto is intercepting botocore right now, and which moto account a request is made for.

Nothing here imports moto unless it is already imported: moto stays an optional extra, and a process that
never uses it never pays for it. moto's in-process mock is on exactly when its ``botocore_stubber`` is
enabled (``mock_aws`` started); its server and proxy modes keep their state in another process, which this
library cannot read, so they do not count.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

#: moto's default account, when no access key names another.
DEFAULT_ACCOUNT_ID = "123456789012"


def moto_active() -> bool:
    """Whether ``moto.mock_aws`` (in-process) is active in this process."""
    models = sys.modules.get("moto.core.models")
    if models is None:
        return False
    stubber = getattr(models, "botocore_stubber", None)
    return bool(getattr(stubber, "enabled", False))


def _header(headers: Any, name: str) -> str | None:
    value = headers.get(name) if headers is not None else None
    if value is None:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def request_account(headers: Any) -> str:
    """The account moto serves a request with these headers from, decided as moto decides it.

    moto's ``BaseResponse.get_current_account``: the ``MOTO_ACCOUNT_ID`` environment variable, then the
    ``x-moto-account-id`` header, then the account that owns the access key in the SigV4 ``Authorization``
    header (keys made by STS AssumeRole or IAM CreateAccessKey belong to their account), else moto's default
    account. Only called while moto is active, so importing its modules here costs nothing new.
    """
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    explicit = _header(headers, "x-moto-account-id")
    if explicit:
        return explicit
    responses = importlib.import_module("moto.core.responses")
    iam = importlib.import_module("moto.iam.models")
    access_key = "AKIAEXAMPLE"  # moto's own stand-in for a request without a key
    authorization = _header(headers, "Authorization")
    if authorization:
        match = responses.BaseResponse.access_key_regex.search(authorization)
        if match:
            access_key = match.group(1)
    return str(iam.get_account_id_from(access_key))


def default_account() -> str:
    """The account served when no request names one: ``MOTO_ACCOUNT_ID``, else moto's default."""
    return os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
