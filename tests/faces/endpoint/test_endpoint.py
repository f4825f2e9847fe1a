"""The local endpoint through real boto3 clients over loopback HTTP: the same answers as in-process."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from boto_iotauth_local import Endpoint, World, activate, generate_key_pair, serve, sign_token
from boto_iotauth_local.faces.endpoint.operations import operation_table
from boto_iotauth_local.wire.model import iot_model

ACCOUNT = "123456789012"
REGION = "us-east-1"
ARN = f"arn:aws:iot:{REGION}:{ACCOUNT}"
KEYS = generate_key_pair()
PUBLISH = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/sensors/*"}],
}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "isAuthenticated": event.get("token") == "allow",
        "principalId": "device1",
        "policyDocuments": [PUBLISH],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


def make_world() -> World:
    world = World(account_id=ACCOUNT, region=REGION)
    world.create_authorizer(
        authorizerName="IoTAuthorizer",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:auth",
        tokenKeyName="token",
        tokenSigningPublicKeys={"key1": KEYS.public_key_pem},
        handler=handler,
    )
    return world


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    with serve(make_world()) as running:
        yield running


def client(endpoint: Endpoint, *, signed: bool = True, region: str = REGION) -> Any:
    if signed:
        return boto3.client(
            "iot",
            region_name=region,
            endpoint_url=endpoint.url,
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="not-checked",
        )
    return boto3.client(
        "iot", region_name=region, endpoint_url=endpoint.url, config=Config(signature_version=UNSIGNED)
    )


def test_state_built_through_the_endpoint_decides_test_authorization(endpoint: Endpoint) -> None:
    iot = client(endpoint)
    iot.create_policy(policyName="sensors", policyDocument=json.dumps(PUBLISH))
    certificate = endpoint.world.create_test_certificate(subject={"CommonName": "sensor-1"})
    iot.attach_policy(policyName="sensors", target=certificate["certificateArn"])
    iot.create_thing(thingName="sensor-1", attributePayload={"attributes": {"floor": "2"}})
    iot.attach_thing_principal(thingName="sensor-1", principal=certificate["certificateArn"])

    assert iot.describe_thing(thingName="sensor-1")["attributes"] == {"floor": "2"}
    assert iot.list_thing_principals(thingName="sensor-1")["principals"] == [certificate["certificateArn"]]
    assert [
        p["policyName"] for p in iot.list_attached_policies(target=certificate["certificateArn"])["policies"]
    ] == ["sensors"]
    result = iot.test_authorization(
        principal=certificate["certificateArn"],
        clientId="sensor-1",
        authInfos=[{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/sensors/t"]}],
    )["authResults"][0]
    assert result["authDecision"] == "ALLOWED"
    assert result["allowed"]["policies"] == [{"policyName": "sensors", "policyArn": f"{ARN}:policy/sensors"}]


def test_answers_equal_the_in_process_answers(endpoint: Endpoint) -> None:
    """One wire layer reached two ways: the same request gets the same body either way."""
    params = {
        "authorizerName": "IoTAuthorizer",
        "token": "allow",
        "tokenSignature": sign_token("allow", KEYS),
    }
    over_http = client(endpoint).test_invoke_authorizer(**params)
    with activate(endpoint.world):
        in_process = boto3.client("iot", region_name=REGION).test_invoke_authorizer(**params)
    for answer in (over_http, in_process):
        answer.pop("ResponseMetadata")
    assert over_http == in_process
    assert over_http["isAuthenticated"] is True


def test_unsigned_and_signed_requests_are_both_accepted(endpoint: Endpoint) -> None:
    endpoint.world.create_policy(policyName="p", policyDocument=json.dumps(PUBLISH))
    for signed in (True, False):
        assert [p["policyName"] for p in client(endpoint, signed=signed).list_policies()["policies"]] == ["p"]


def test_a_signed_request_is_answered_for_its_region(endpoint: Endpoint) -> None:
    """A client in another region reaches that region's (empty) world, as activate() answers it."""
    other = client(endpoint, region="eu-west-1")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.describe_authorizer(authorizerName="IoTAuthorizer")
    assert endpoint.calls.last.region == "eu-west-1"
    assert client(endpoint).describe_authorizer(authorizerName="IoTAuthorizer")["authorizerDescription"]


def test_modeled_errors_arrive_as_the_clients_exceptions(endpoint: Endpoint) -> None:
    iot = client(endpoint)
    with pytest.raises(iot.exceptions.ResourceNotFoundException) as missing:
        iot.test_invoke_authorizer(authorizerName="Nope", token="allow")
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "Authorizer Nope does not exist" in missing.value.response["Error"]["Message"]
    with pytest.raises(iot.exceptions.InvalidRequestException):
        iot.test_invoke_authorizer(authorizerName="IoTAuthorizer", token="allow", tokenSignature="AAAA")
    iot.create_thing(thingName="twice")
    with pytest.raises(iot.exceptions.ResourceAlreadyExistsException) as exists:
        iot.create_thing(thingName="twice", attributePayload={"attributes": {"a": "b"}})
    assert exists.value.response["resourceId"]  # modeled extra members travel too


def test_an_operation_the_world_does_not_implement_is_named(endpoint: Endpoint) -> None:
    iot = client(endpoint)
    with pytest.raises(iot.exceptions.InvalidRequestException) as refused:
        iot.list_jobs()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert refused.value.response["Error"]["Message"].startswith(
        "ListJobs is an AWS IoT operation that boto_iotauth_local does not implement"
    )


def test_a_member_the_world_does_not_implement_is_named(endpoint: Endpoint) -> None:
    iot = client(endpoint)
    with pytest.raises(iot.exceptions.InvalidRequestException) as refused:
        iot.create_thing(thingName="t", billingGroupName="group")
    assert "CreateThing: billingGroupName is not supported by boto_iotauth_local" in str(refused.value)


def test_the_operation_table_comes_from_the_model_and_the_world() -> None:
    """Every World method named like a modeled operation is served, with that operation's members."""
    from botocore import xform_name

    from boto_iotauth_local.services import SERVICES

    table = operation_table()
    model = iot_model()
    expected = (
        {name for name in model.operation_names if callable(getattr(World, xform_name(name), None))}
        | set(SERVICES)
        | {"GetEffectivePolicies"}
    )
    assert set(table) == expected
    assert {
        "CreatePolicy",
        "AttachThingPrincipal",
        "RegisterCertificateWithoutCA",
        "AddThingToThingGroup",
    } <= set(table)


def test_the_call_log_records_every_operation(endpoint: Endpoint) -> None:
    iot = client(endpoint)
    iot.list_things()
    with pytest.raises(ClientError):
        iot.describe_thing(thingName="ghost")
    assert [(c.operation, c.error.code if c.error else None) for c in endpoint.calls] == [
        ("ListThings", None),
        ("DescribeThing", "ResourceNotFoundException"),
    ]
    assert endpoint.calls[0].response == {"things": []}


def test_concurrent_clients_are_served(endpoint: Endpoint) -> None:
    endpoint.world.create_policy(policyName="p", policyDocument=json.dumps(PUBLISH))
    errors: list[BaseException] = []
    decisions: list[str] = []

    def work(index: int) -> None:
        try:
            iot = client(endpoint)
            for _ in range(5):
                result = iot.test_authorization(
                    principal=f"{REGION}:00000000-0000-0000-0000-{index:012d}",
                    policyNamesToAdd=["p"],
                    authInfos=[{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/sensors/{index}"]}],
                )
                decisions.append(result["authResults"][0]["authDecision"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert decisions == ["ALLOWED"] * 40


def test_iot_endpoint_fixture(iot_endpoint: Endpoint, iot_world: World) -> None:
    assert iot_endpoint.world is iot_world
    client(iot_endpoint).create_thing(thingName="from-the-fixture")
    assert iot_world.thing("from-the-fixture") is not None


def test_stop_is_clean_with_idle_keep_alive_connections() -> None:
    running = serve(World())
    connection = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
    connection.request("GET", "/things")
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"things": []})
    running.stop()  # the connection above is still open and idle
    running.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = running.url
    connection.close()


def test_log_has_one_line_per_call() -> None:
    lines: list[str] = []
    with serve(World(), log=lines.append) as running:
        iot = client(running)
        iot.list_things()
        with pytest.raises(ClientError):
            iot.describe_thing(thingName="ghost")
    assert len(lines) == 2
    assert lines[0].split()[1:5] == ["GET", "/things", "ListThings", "200"]
    assert lines[1].split()[1:6] == [
        "GET",
        "/things/ghost",
        "DescribeThing",
        "404",
        "ResourceNotFoundException",
    ]


def test_the_audit_and_ca_certificate_operations_are_served(endpoint: Endpoint) -> None:
    from ...services.audit.certs import make_ca

    iot = client(endpoint)
    ca = make_ca("Endpoint CA", days=5)
    registered = iot.register_ca_certificate(
        caCertificate=ca.pem, verificationCertificate=ca.verification(), setAsActive=True
    )
    described = iot.describe_ca_certificate(certificateId=registered["certificateId"])[
        "certificateDescription"
    ]
    assert described["status"] == "ACTIVE"
    iot.update_account_audit_configuration(
        roleArn="arn:aws:iam::123456789012:role/audit",
        auditCheckConfigurations={"CA_CERTIFICATE_EXPIRING_CHECK": {"enabled": True}},
    )
    task_id = iot.start_on_demand_audit_task(targetCheckNames=["CA_CERTIFICATE_EXPIRING_CHECK"])["taskId"]
    (finding,) = iot.list_audit_findings(taskId=task_id)["findings"]
    assert finding["reasonForNonComplianceCode"] == "CERTIFICATE_APPROACHING_EXPIRATION"
