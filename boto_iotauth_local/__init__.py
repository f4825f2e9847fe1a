"""Answer AWS IoT TestAuthorization and TestInvokeAuthorizer offline, inside boto3."""
