"""The token authorizer of the CDK fixture app: one shared token, read from the environment."""

import os


def handler(event, context):
    allowed = event.get("token") == os.environ["ALLOWED_TOKEN"]
    region, account = os.environ["AWS_REGION"], context.invoked_function_arn.split(":")[4]
    return {
        "isAuthenticated": allowed,
        "principalId": "fleet",
        "disconnectAfterInSeconds": 3600,
        "refreshAfterInSeconds": 600,
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iot:Publish",
                        "Resource": f"arn:aws:iot:{region}:{account}:topic/fleet/*",
                    }
                ],
            }
        ]
        if allowed
        else [],
    }
