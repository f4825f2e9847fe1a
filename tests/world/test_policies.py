"""CreatePolicy, versions, defaults and deletion, with AWS's errors."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from boto_iotauth_local.engine import Policy
from boto_iotauth_local.errors import (
    DeleteConflictException,
    InvalidRequestException,
    MalformedPolicyException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    VersionsLimitExceededException,
)
from boto_iotauth_local.world import World
from tests.world.conftest import allow

ARN = "arn:aws:iot:us-east-1:123456789012:policy/"


def test_create_policy_returns_what_boto3_returns(world: World) -> None:
    text = json.dumps(allow())
    result = world.create_policy("DevicePolicy", text)
    assert result == {
        "policyName": "DevicePolicy",
        "policyArn": ARN + "DevicePolicy",
        "policyDocument": text,
        "policyVersionId": "1",
    }


def test_policy_document_may_be_a_dict(world: World) -> None:
    result = world.create_policy("p", allow())
    assert json.loads(result["policyDocument"]) == allow()


def test_policy_is_compiled_once_and_read_back(world: World) -> None:
    world.create_policy("p", allow())
    compiled = world.policy("p")
    assert isinstance(compiled, Policy)
    assert world.policy("p") is compiled  # no re-parsing on read
    assert world.has_policy("p") and not world.has_policy("q")
    stored = world.stored_policy("p")
    assert stored is not None and stored.policy is compiled


def test_reader_policy_of_unknown_name_is_not_found(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.policy("missing")
    assert world.stored_policy("missing") is None


def test_get_policy(world: World) -> None:
    world.create_policy("p", allow())
    got = world.get_policy("p")
    assert got["policyName"] == "p"
    assert got["policyArn"] == ARN + "p"
    assert got["defaultVersionId"] == "1"
    assert json.loads(got["policyDocument"]) == allow()
    assert isinstance(got["creationDate"], datetime) and got["creationDate"].tzinfo is not None
    assert isinstance(got["generationId"], str) and got["generationId"]


@pytest.mark.parametrize("name", ["", "a" * 129, "has space", "slash/name", "star*"])
def test_bad_policy_names_are_invalid_requests(world: World, name: str) -> None:
    with pytest.raises(InvalidRequestException, match="policyName"):
        world.create_policy(name, allow())


def test_allowed_policy_name_characters(world: World) -> None:
    assert world.create_policy("a+b=c,d.e@f-g_1", allow())["policyName"] == "a+b=c,d.e@f-g_1"
    assert world.create_policy("x" * 128, allow())["policyName"] == "x" * 128


def test_duplicate_policy(world: World) -> None:
    world.create_policy("p", allow())
    with pytest.raises(ResourceAlreadyExistsException) as caught:
        world.create_policy("p", allow("iot:Publish"))
    assert caught.value.fields == {"resourceId": "p", "resourceArn": ARN + "p"}
    assert "name already exists" in caught.value.message


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "{}",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:Connect"}]}),
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "iot:*", "Resource": "*"}]}
        ),
        json.dumps(allow(resource="not-an-arn")),
    ],
)
def test_malformed_documents(world: World, document: str) -> None:
    with pytest.raises(MalformedPolicyException) as caught:
        world.create_policy("p", document)
    assert caught.value.message.startswith("Policy document is Malformed: ")
    assert len(caught.value.message) > len("Policy document is Malformed: ")
    assert world.stored_policy("p") is None


def _document_of_size(significant: int) -> str:
    """A valid document with exactly ``significant`` non-whitespace characters, padded with whitespace."""
    base = json.dumps(allow(resource="arn:aws:iot:us-east-1:123456789012:topic/"), separators=(",", ":"))
    filler = significant - len(base)
    assert filler > 0
    return base.replace("topic/", "topic/" + "a" * filler) + " \n\t" * 500


def test_2048_characters_excluding_whitespace_is_the_limit(world: World) -> None:
    ok = _document_of_size(2048)
    assert len(ok) > 2048
    world.create_policy("at-limit", ok)
    with pytest.raises(MalformedPolicyException, match="2048"):
        world.create_policy("over-limit", _document_of_size(2049))


def test_policy_versions(world: World) -> None:
    world.create_policy("p", allow())
    v2 = world.create_policy_version("p", allow("iot:Publish"))
    assert v2 == {
        "policyArn": ARN + "p",
        "policyDocument": json.dumps(allow("iot:Publish")),
        "policyVersionId": "2",
        "isDefaultVersion": False,
    }
    assert world.get_policy("p")["defaultVersionId"] == "1"
    v3 = world.create_policy_version("p", allow("iot:Subscribe"), setAsDefault=True)
    assert v3["policyVersionId"] == "3" and v3["isDefaultVersion"] is True
    assert world.get_policy("p")["defaultVersionId"] == "3"
    assert json.loads(world.get_policy("p")["policyDocument"]) == allow("iot:Subscribe")
    listed = world.list_policy_versions("p")["policyVersions"]
    assert [(v["versionId"], v["isDefaultVersion"]) for v in listed] == [
        ("3", True),
        ("2", False),
        ("1", False),
    ]
    assert all(isinstance(v["createDate"], datetime) for v in listed)


def test_default_version_change_switches_compiled_policy_and_generation(world: World) -> None:
    world.create_policy("p", allow())
    first = world.policy("p")
    generation = world.get_policy("p")["generationId"]
    world.create_policy_version("p", allow("iot:Publish"))
    assert world.policy("p") is first
    world.set_default_policy_version("p", "2")
    assert world.policy("p") is not first
    assert world.get_policy("p")["generationId"] != generation
    version = world.get_policy_version("p", "2")
    assert version["isDefaultVersion"] is True and version["policyName"] == "p"
    assert world.get_policy_version("p", "1")["isDefaultVersion"] is False


def test_five_versions_at_most(world: World) -> None:
    world.create_policy("p", allow())
    for _ in range(4):
        world.create_policy_version("p", allow("iot:Publish"))
    with pytest.raises(VersionsLimitExceededException) as caught:
        world.create_policy_version("p", allow("iot:Publish"))
    assert caught.value.message == "The policy p already has the maximum number of versions (5)"


def test_version_ids_are_not_reused(world: World) -> None:
    world.create_policy("p", allow())
    world.create_policy_version("p", allow("iot:Publish"))
    world.delete_policy_version("p", "2")
    assert world.create_policy_version("p", allow("iot:Publish"))["policyVersionId"] == "3"


def test_malformed_version_leaves_policy_unchanged(world: World) -> None:
    world.create_policy("p", allow())
    with pytest.raises(MalformedPolicyException):
        world.create_policy_version("p", "{", setAsDefault=True)
    assert len(world.list_policy_versions("p")["policyVersions"]) == 1


def test_version_errors(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.create_policy_version("missing", allow())
    world.create_policy("p", allow())
    with pytest.raises(ResourceNotFoundException):
        world.get_policy_version("p", "9")
    with pytest.raises(ResourceNotFoundException):
        world.set_default_policy_version("p", "9")
    with pytest.raises(InvalidRequestException):
        world.get_policy_version("p", "one")


def test_default_version_cannot_be_deleted(world: World) -> None:
    world.create_policy("p", allow())
    with pytest.raises(DeleteConflictException, match="default version"):
        world.delete_policy_version("p", "1")


def test_delete_policy_with_versions_is_a_conflict(world: World) -> None:
    world.create_policy("p", allow())
    world.create_policy_version("p", allow("iot:Publish"))
    with pytest.raises(DeleteConflictException, match="versions"):
        world.delete_policy("p")
    world.delete_policy_version("p", "2")
    assert world.delete_policy("p") == {}
    with pytest.raises(ResourceNotFoundException):
        world.get_policy("p")


def test_delete_attached_policy_is_a_conflict(world: World) -> None:
    world.create_policy("p", allow())
    cognito = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"
    world.attach_policy("p", cognito)
    with pytest.raises(DeleteConflictException, match="attached"):
        world.delete_policy("p")
    world.detach_policy("p", cognito)
    world.delete_policy("p")
    assert not world.has_policy("p")


def test_delete_unknown_policy(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.delete_policy("missing")


def test_list_policies_paginates_by_name(world: World) -> None:
    for name in ["c", "a", "b"]:
        world.create_policy(name, allow())
    first = world.list_policies(pageSize=2)
    assert [p["policyName"] for p in first["policies"]] == ["a", "b"]
    assert first["policies"][0]["policyArn"] == ARN + "a"
    second = world.list_policies(pageSize=2, marker=first["nextMarker"])
    assert [p["policyName"] for p in second["policies"]] == ["c"]
    assert "nextMarker" not in second
    assert [p["policyName"] for p in world.list_policies(ascendingOrder=False)["policies"]] == ["c", "b", "a"]
