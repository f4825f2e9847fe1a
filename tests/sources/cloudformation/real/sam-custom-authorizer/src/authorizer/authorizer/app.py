"""Stand-in for the template's authorizer code (not the original: see PROVENANCE.md).

The original reads user records from the DynamoDB table the template creates; this one keeps one record
in memory, so the template's own Handler, CodeUri, Runtime and Environment are what the tests exercise.
"""

import base64
import os

USERS = {"sensor-1": {"username": "sensor", "password": "s3cret", "topic": "sensors/sensor-1"}}


def lambda_handler(event, context):
    print(f"users table: {os.environ['DYNAMO_TABLE_NAME']}")
    mqtt = event["protocolData"]["mqtt"]
    record = USERS.get(mqtt["clientId"])
    password = base64.b64decode(mqtt.get("password", "")).decode()
    authenticated = record is not None and (record["username"], record["password"]) == (
        mqtt.get("username"),
        password,
    )
    base = f"arn:aws:iot:{os.environ['AWS_REGION']}:{os.environ['AWS_ACCOUNT_ID']}"
    statements = []
    if authenticated:
        statements = [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{base}:client/{mqtt['clientId']}"},
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{base}:topic/{record['topic']}"},
        ]
    return {
        "isAuthenticated": authenticated,
        "principalId": "".join(c for c in mqtt["clientId"] if c.isalnum()),
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 3600,
        "policyDocuments": [{"Version": "2012-10-17", "Statement": statements}] if statements else [],
    }
