from __future__ import annotations

import io

import pytest
from botocore.awsrequest import AWSPreparedRequest

from boto_iotauth_local.errors import InvalidRequestException
from boto_iotauth_local.wire.decode import decode_request
from boto_iotauth_local.wire.model import operation_model


def _request(url: str, body: object) -> AWSPreparedRequest:
    return AWSPreparedRequest("POST", url, {"Content-Type": "application/json"}, body, stream_output=False)


def test_client_id_comes_from_the_query_string() -> None:
    request = _request(
        "https://iot.us-east-1.amazonaws.com/test-authorization?clientId=my%20client",
        b'{"principal": "p", "authInfos": [{"actionType": "PUBLISH", "resources": ["t"]}]}',
    )
    params = decode_request(request, operation_model("TestAuthorization"))
    assert params == {
        "clientId": "my client",
        "principal": "p",
        "authInfos": [{"actionType": "PUBLISH", "resources": ["t"]}],
    }


def test_authorizer_name_comes_from_the_path() -> None:
    request = _request("https://iot.us-east-1.amazonaws.com/authorizer/my%3Dauth/test", b'{"token": "allow"}')
    params = decode_request(request, operation_model("TestInvokeAuthorizer"))
    assert params == {"authorizerName": "my=auth", "token": "allow"}


def test_file_like_bodies_are_read_and_rewound() -> None:
    body = io.BytesIO(b'{"token": "t"}')
    request = _request("https://iot.us-east-1.amazonaws.com/authorizer/a/test", body)
    assert decode_request(request, operation_model("TestInvokeAuthorizer"))["token"] == "t"
    assert body.tell() == 0


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_bodies_that_are_not_a_json_object_are_refused(body: bytes) -> None:
    request = _request("https://iot.us-east-1.amazonaws.com/test-authorization", body)
    with pytest.raises(InvalidRequestException) as info:
        decode_request(request, operation_model("TestAuthorization"))
    assert "JSON" in info.value.message


def test_empty_body_is_no_members() -> None:
    request = _request("https://iot.us-east-1.amazonaws.com/test-authorization", b"")
    assert decode_request(request, operation_model("TestAuthorization")) == {}


def test_a_body_nested_too_deeply_is_refused_not_crashed_on() -> None:
    body = b'{"authInfos": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    request = _request("https://iot.us-east-1.amazonaws.com/test-authorization", body)
    with pytest.raises(InvalidRequestException) as info:
        decode_request(request, operation_model("TestAuthorization"))
    assert "nested too deeply" in info.value.message
