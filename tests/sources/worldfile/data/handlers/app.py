"""The custom authorizer the example world file names: allows the password "letmein"."""

from __future__ import annotations

import base64
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    mqtt = event.get("protocolData", {}).get("mqtt", {})
    password = base64.b64decode(mqtt.get("password", "")).decode() if mqtt.get("password") else ""
    allowed = password == "letmein" or event.get("token") == "allow"
    return {
        "isAuthenticated": allowed,
        "principalId": "exampleDevice",
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 600,
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow" if allowed else "Deny", "Action": "iot:Connect", "Resource": "*"}
                ],
            }
        ],
    }
