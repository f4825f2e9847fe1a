"""The encoded responses, read back by a real boto3 client through botocore's own parser."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import boto3
import pytest

from boto_iotauth_local import errors
from boto_iotauth_local.wire.encode import encode_error, encode_result


def _client_answering(response_for: Any) -> Any:
    client = boto3.client("iot", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s")
    client.meta.events.register_first(
        "before-send.iot.TestAuthorization", lambda request, **_: response_for(request.url)
    )
    return client


def test_result_is_parsed_into_the_output_shape() -> None:
    body = {
        "authResults": [
            {
                "authInfo": {"actionType": "PUBLISH", "resources": ["r"]},
                "allowed": {"policies": [{"policyName": "p", "policyArn": "arn"}]},
                "denied": {"implicitDeny": {"policies": []}, "explicitDeny": {"policies": []}},
                "authDecision": "ALLOWED",
                "missingContextValues": [],
            }
        ]
    }
    client = _client_answering(lambda url: encode_result(url, body))
    response = client.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r"]}])
    assert response["authResults"] == body["authResults"]
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(response["ResponseMetadata"]["RequestId"]) == 36


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidRequestException("bad"), 400),
        (errors.ResourceNotFoundException("missing"), 404),
        (errors.UnauthorizedException("no"), 401),
        (errors.LimitExceededException("too many"), 410),
    ],
)
def test_errors_become_the_modeled_client_exceptions(error: errors.ServiceError, status: int) -> None:
    client = _client_answering(lambda url: encode_error(url, error))
    exception_class = getattr(client.exceptions, error.code)
    with pytest.raises(exception_class) as info:
        client.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r"]}])
    assert info.value.response["Error"] == {"Code": error.code, "Message": error.message}
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


def test_extra_modeled_members_reach_the_error_response() -> None:
    error = errors.ResourceAlreadyExistsException("exists", resourceId="p", resourceArn="arn:p")
    client = _client_answering(lambda url: encode_error(url, error))
    with pytest.raises(client.exceptions.ResourceAlreadyExistsException) as info:
        client.test_authorization(authInfos=[{"actionType": "PUBLISH", "resources": ["r"]}])
    assert info.value.response["resourceId"] == "p"
    assert info.value.response["resourceArn"] == "arn:p"


def test_request_ids_are_version_4_uuids_unique_per_response() -> None:
    ids = [encode_result("https://iot", {}).headers["x-amzn-RequestId"] for _ in range(5000)]
    ids.append(encode_error("https://iot", errors.InvalidRequestException("bad")).headers["x-amzn-RequestId"])
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
    assert len({text[-12:] for text in ids}) == len(ids)  # the varying part is not a visible sequence
    assert ids[0][-12:-4] != ids[1][-12:-4]


FORKING = """
import os
from boto_iotauth_local.wire.encode import request_id
before = request_id()
reading, writing = os.pipe()
if os.fork() == 0:
    os.write(writing, request_id().encode())
    os._exit(0)
os.wait()
print(before, request_id(), os.read(reading, 100).decode())
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_makes_request_ids_of_its_own() -> None:
    # In a process of its own: forking the test process, with its threads, is not safe.
    done = subprocess.run(
        [sys.executable, "-c", FORKING], capture_output=True, text=True, check=True, timeout=60
    )
    before, after, child = done.stdout.split()
    assert before[:24] == after[:24] != child[:24]
    assert len({before, after, child}) == 3
