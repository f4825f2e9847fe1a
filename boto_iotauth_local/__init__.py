"""Answer AWS IoT TestAuthorization and TestInvokeAuthorizer offline, inside boto3.

Names are imported on first use, so that ``boto_iotauth_local.engine`` (pure Python) and the isolated
authorizer worker never pay for botocore.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "activate": "boto_iotauth_local.activation.handle",
    "Activation": "boto_iotauth_local.activation.handle",
    "Call": "boto_iotauth_local.activation.calls",
    "World": "boto_iotauth_local.world",
    "AuthResult": "boto_iotauth_local.services.authorization",
    "explain_authorization": "boto_iotauth_local.services.explain",
    "generate_key_pair": "boto_iotauth_local.authorizers.signing",
    "sign_token": "boto_iotauth_local.authorizers.signing",
    "KeyPair": "boto_iotauth_local.authorizers.signing",
    "ServiceError": "boto_iotauth_local.errors",
    "Faults": "boto_iotauth_local.activation.faults",
    "who_can": "boto_iotauth_local.services.who_can",
    "WhoCan": "boto_iotauth_local.services.who_can",
    "simulate_token": "boto_iotauth_local.services.simulation",
    "TokenSimulation": "boto_iotauth_local.services.simulation",
    "AuthorizerRun": "boto_iotauth_local.services.invoke_authorizer",
    "serve": "boto_iotauth_local.faces.endpoint",
    "Endpoint": "boto_iotauth_local.faces.endpoint",
}

__all__ = [
    "Activation",
    "AuthResult",
    "AuthorizerRun",
    "Call",
    "Endpoint",
    "Faults",
    "KeyPair",
    "ServiceError",
    "TokenSimulation",
    "WhoCan",
    "World",
    "__version__",
    "activate",
    "explain_authorization",
    "generate_key_pair",
    "serve",
    "sign_token",
    "simulate_token",
    "who_can",
]

if TYPE_CHECKING:
    from .activation.calls import Call
    from .activation.faults import Faults
    from .activation.handle import Activation, activate
    from .authorizers.signing import KeyPair, generate_key_pair, sign_token
    from .errors import ServiceError
    from .faces.endpoint import Endpoint, serve
    from .services.authorization import AuthResult
    from .services.explain import explain_authorization
    from .services.invoke_authorizer import AuthorizerRun
    from .services.simulation import TokenSimulation, simulate_token
    from .services.who_can import WhoCan, who_can
    from .world import World


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'boto_iotauth_local' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
