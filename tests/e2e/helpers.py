from __future__ import annotations

from typing import Any

from botocore.validate import validate_parameters

from boto_iotauth_local.wire.model import operation_model


def check_output_shape(operation: str, response: dict[str, Any]) -> None:
    """Fail unless ``response`` (less ResponseMetadata) validates against the operation's output shape."""
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    validate_parameters(body, operation_model(operation).output_shape)


def names(result: dict[str, Any], *path: str) -> list[str]:
    node: Any = result
    for key in path:
        node = node[key]
    return [p["policyName"] for p in node["policies"]]


def ask(iot: Any, action: str, resources: list[str], **kwargs: Any) -> dict[str, Any]:
    response = iot.test_authorization(authInfos=[{"actionType": action, "resources": resources}], **kwargs)
    check_output_shape("TestAuthorization", response)
    assert len(response["authResults"]) == 1
    result: dict[str, Any] = response["authResults"][0]
    return result
