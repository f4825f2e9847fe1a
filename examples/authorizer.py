"""The custom authorizer of examples/world.yaml: the token ``allow`` may publish to its own topic."""


def handler(event, context):
    print("token", event.get("token"))
    return {
        "isAuthenticated": event.get("token") == "allow",
        "principalId": "user1",
        "policyDocuments": [
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "iot:Publish",
                        "Resource": "arn:aws:iot:us-east-1:123456789012:topic/customauthtesting",
                    }
                ],
            }
        ],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }
