"""Lambda functions created in moto, run from their deployment package.

An authorizer naming a function that ``lambda:CreateFunction`` made in moto runs that function's own code:
the zip moto keeps is extracted once per code hash into a cache directory (Lambda's task root), and the
function runs in the isolated runtime with its handler setting, environment variables, timeout and memory
size from its configuration, exactly as a function registered with ``World.register_function`` would.
Updating the code in moto gives a new hash, hence a new directory and fresh workers.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import io
import os
import shutil
import tempfile
import threading
import uuid
import zipfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

from boto_iotauth_local.errors import ResourceNotFoundException
from boto_iotauth_local.world.functions import MAX_MEMORY_MB, MIN_MEMORY_MB, FunctionSpec, parse_lambda_arn

#: Where deployment packages are extracted; override with ``IOTAUTH_LOCAL_LAMBDA_CACHE``.
CACHE_ENV = "IOTAUTH_LOCAL_LAMBDA_CACHE"

_extract_lock = threading.Lock()


def cache_root() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"boto-iotauth-local-{os.getuid() if hasattr(os, 'getuid') else 0}"


def _code_key(function: Any) -> tuple[str, bytes]:
    code: bytes = getattr(function, "code_bytes", b"") or b""
    sha = getattr(function, "code_sha_256", "") or ""
    try:
        key = base64.b64decode(sha).hex() if sha else ""
    except ValueError:
        key = ""
    return key or hashlib.sha256(code).hexdigest(), code


def extract_code(function: Any) -> Path:
    """The directory holding the function's extracted zip, made on first use of that code hash."""
    key, code = _code_key(function)
    target = cache_root() / "lambda" / key
    if target.is_dir():
        return target
    if not code:
        raise ResourceNotFoundException(
            f"The function {function.function_name} has no zip deployment package"
        )
    with _extract_lock:
        if target.is_dir():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{key}.{uuid.uuid4().hex}"
        try:
            with zipfile.ZipFile(io.BytesIO(code)) as archive:
                archive.extractall(staging)  # zipfile drops absolute and ".." members
            os.replace(staging, target)
        except zipfile.BadZipFile:
            raise ResourceNotFoundException(
                f"The deployment package of {function.function_name} is not a zip file"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def moto_function(arn_or_name: str, account_id: str, region: str) -> FunctionSpec:
    """The FunctionSpec of a Python zip function created in moto; ResourceNotFoundException otherwise."""
    parsed = parse_lambda_arn(arn_or_name)
    account, where = (parsed.account_id, parsed.region) if parsed is not None else (account_id, region)
    backends = importlib.import_module("moto.awslambda.models").lambda_backends
    try:
        function = backends[account][where].get_function(arn_or_name)
    except Exception:  # moto's UnknownFunctionException, or a region moto does not know
        raise ResourceNotFoundException(f"Function not found: {arn_or_name}") from None
    runtime = str(getattr(function, "run_time", None) or "")
    if getattr(function, "package_type", "Zip") != "Zip" or not runtime.startswith("python"):
        raise ResourceNotFoundException(
            f"The function {arn_or_name} is not a Python zip function ({runtime or 'no runtime'}); "
            "only those run locally"
        )
    if not function.handler:
        raise ResourceNotFoundException(f"The function {arn_or_name} has no handler setting")
    own = parse_lambda_arn(str(function.function_arn))
    unqualified = own.unqualified if own is not None else str(function.function_arn)
    memory = min(max(int(function.memory_size or MIN_MEMORY_MB), MIN_MEMORY_MB), MAX_MEMORY_MB)
    return FunctionSpec(
        arn=unqualified,
        name=str(function.function_name),
        handler=str(function.handler),
        runtime="isolated",
        code_dir=extract_code(function),
        environment=MappingProxyType({str(k): str(v) for k, v in (function.environment_vars or {}).items()}),
        memory_mb=memory,
        timeout=float(function.timeout or 3),
    )
