"""Things, thing types and thing principals (including exclusive attachment)."""

from __future__ import annotations

import pytest

from boto_iotauth_local.errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    VersionConflictException,
)
from boto_iotauth_local.world import World

THING_ARN = "arn:aws:iot:us-east-1:123456789012:thing/"
COGNITO = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"


@pytest.fixture
def cert_arn(world: World) -> str:
    return str(world.create_test_certificate()["certificateArn"])


def test_create_and_describe_thing(world: World) -> None:
    world.create_thing_type("Sensor")
    created = world.create_thing(
        "dev1", thingTypeName="Sensor", attributePayload={"attributes": {"floor": "3"}}
    )
    assert created["thingName"] == "dev1" and created["thingArn"] == THING_ARN + "dev1"
    assert created["thingId"]
    assert world.describe_thing("dev1") == {
        "defaultClientId": "dev1",
        "thingName": "dev1",
        "thingId": created["thingId"],
        "thingArn": THING_ARN + "dev1",
        "thingTypeName": "Sensor",
        "attributes": {"floor": "3"},
        "version": 1,
    }
    thing = world.thing("dev1")
    assert thing is not None and thing.thing_type_name == "Sensor" and thing.attributes == {"floor": "3"}
    assert world.thing("nope") is None


def test_create_thing_is_idempotent_for_the_same_configuration(world: World) -> None:
    first = world.create_thing("t", attributePayload={"attributes": {"a": "1"}})
    assert world.create_thing("t", attributePayload={"attributes": {"a": "1"}}) == first
    with pytest.raises(ResourceAlreadyExistsException) as caught:
        world.create_thing("t", attributePayload={"attributes": {"a": "2"}})
    assert caught.value.fields == {"resourceId": first["thingId"], "resourceArn": first["thingArn"]}


def test_thing_type_must_exist_and_not_be_deprecated(world: World) -> None:
    with pytest.raises(ResourceNotFoundException):
        world.create_thing("t", thingTypeName="Missing")
    world.create_thing_type("Old")
    world.deprecate_thing_type("Old")
    with pytest.raises(InvalidRequestException, match="deprecated"):
        world.create_thing("t", thingTypeName="Old")
    world.deprecate_thing_type("Old", undoDeprecate=True)
    assert world.create_thing("t", thingTypeName="Old")["thingName"] == "t"


def test_attribute_limits_and_patterns(world: World) -> None:
    fifty = {f"a{i}": "v" for i in range(50)}
    world.create_thing("ok", attributePayload={"attributes": fifty})
    with pytest.raises(InvalidRequestException, match="50"):
        world.create_thing("too-many", attributePayload={"attributes": {**fifty, "extra": "v"}})
    with pytest.raises(InvalidRequestException):
        world.create_thing("bad-name", attributePayload={"attributes": {"has space": "v"}})
    with pytest.raises(InvalidRequestException):
        world.create_thing("bad-value", attributePayload={"attributes": {"k": "v" * 801}})


@pytest.mark.parametrize("name", ["", "a" * 129, "has space", "dot.name", "slash/x"])
def test_bad_thing_names(world: World, name: str) -> None:
    with pytest.raises(InvalidRequestException, match="thingName"):
        world.create_thing(name)


def test_update_thing(world: World) -> None:
    world.create_thing_type("T1")
    world.create_thing("t", attributePayload={"attributes": {"a": "1", "b": "2"}})
    world.update_thing("t", attributePayload={"attributes": {"b": "", "c": "3"}, "merge": True})
    assert world.describe_thing("t")["attributes"] == {"a": "1", "c": "3"}
    world.update_thing("t", thingTypeName="T1", attributePayload={"attributes": {"z": "9"}})
    described = world.describe_thing("t")
    assert described["attributes"] == {"z": "9"} and described["thingTypeName"] == "T1"
    assert described["version"] == 3
    with pytest.raises(VersionConflictException):
        world.update_thing("t", expectedVersion=1, removeThingType=True)
    world.update_thing("t", expectedVersion=3, removeThingType=True)
    assert "thingTypeName" not in world.describe_thing("t")
    with pytest.raises(InvalidRequestException):
        world.update_thing("t", thingTypeName="T1", removeThingType=True)
    with pytest.raises(ResourceNotFoundException):
        world.update_thing("missing")


def test_delete_thing(world: World, cert_arn: str) -> None:
    world.create_thing("t")
    world.attach_thing_principal("t", cert_arn)
    with pytest.raises(InvalidRequestException, match="still attached"):
        world.delete_thing("t")
    world.detach_thing_principal("t", cert_arn)
    with pytest.raises(VersionConflictException):
        world.delete_thing("t", expectedVersion=7)
    assert world.delete_thing("t") == {}
    assert world.thing("t") is None
    assert world.delete_thing("t") == {}  # deleting a missing thing succeeds


def test_list_things_with_filters(world: World) -> None:
    world.create_thing_type("Lamp")
    world.create_thing("a", thingTypeName="Lamp", attributePayload={"attributes": {"room": "kitchen"}})
    world.create_thing("b", attributePayload={"attributes": {"room": "hall"}})
    world.create_thing("c", thingTypeName="Lamp")
    assert [t["thingName"] for t in world.list_things()["things"]] == ["a", "b", "c"]
    assert [t["thingName"] for t in world.list_things(thingTypeName="Lamp")["things"]] == ["a", "c"]
    found = world.list_things(attributeName="room", attributeValue="kit", usePrefixAttributeValue=True)
    assert [t["thingName"] for t in found["things"]] == ["a"]
    assert world.list_things(attributeName="room", attributeValue="hall")["things"][0] == {
        "thingName": "b",
        "thingArn": THING_ARN + "b",
        "attributes": {"room": "hall"},
        "version": 1,
    }
    page = world.list_things(maxResults=2)
    assert len(page["things"]) == 2
    assert [t["thingName"] for t in world.list_things(nextToken=page["nextToken"])["things"]] == ["c"]


def test_thing_types(world: World) -> None:
    created = world.create_thing_type("Sensor", thingTypeProperties={"thingTypeDescription": "temp"})
    assert created["thingTypeArn"] == "arn:aws:iot:us-east-1:123456789012:thingtype/Sensor"
    assert world.create_thing_type("Sensor", thingTypeProperties={"thingTypeDescription": "temp"}) == created
    with pytest.raises(ResourceAlreadyExistsException):
        world.create_thing_type("Sensor", thingTypeProperties={"thingTypeDescription": "other"})
    described = world.describe_thing_type("Sensor")
    assert described["thingTypeProperties"] == {"thingTypeDescription": "temp"}
    assert described["thingTypeMetadata"]["deprecated"] is False
    assert [t["thingTypeName"] for t in world.list_thing_types()["thingTypes"]] == ["Sensor"]
    with pytest.raises(ResourceNotFoundException):
        world.describe_thing_type("Missing")


def test_delete_thing_type_needs_deprecation_and_no_things(world: World) -> None:
    world.create_thing_type("T")
    world.create_thing("t", thingTypeName="T")
    with pytest.raises(InvalidRequestException, match="deprecated"):
        world.delete_thing_type("T")
    world.deprecate_thing_type("T")
    assert "deprecationDate" in world.describe_thing_type("T")["thingTypeMetadata"]
    with pytest.raises(InvalidRequestException, match="things"):
        world.delete_thing_type("T")
    world.update_thing("t", removeThingType=True)
    assert world.delete_thing_type("T") == {}
    assert world.thing_type("T") is None


def test_attach_thing_principal(world: World, cert_arn: str) -> None:
    world.create_thing("t1")
    world.create_thing("t2")
    assert world.attach_thing_principal("t1", cert_arn) == {}
    world.attach_thing_principal("t2", cert_arn)
    world.attach_thing_principal("t1", COGNITO)
    assert world.things_for_principal(cert_arn) == (
        ("t1", "NON_EXCLUSIVE_THING"),
        ("t2", "NON_EXCLUSIVE_THING"),
    )
    assert world.principals_of_thing("t1") == (
        (cert_arn, "NON_EXCLUSIVE_THING"),
        (COGNITO, "NON_EXCLUSIVE_THING"),
    )
    assert world.list_thing_principals("t1") == {"principals": [cert_arn, COGNITO]}
    assert world.list_principal_things(cert_arn) == {"things": ["t1", "t2"]}
    assert world.list_thing_principals_v2("t2") == {
        "thingPrincipalObjects": [{"principal": cert_arn, "thingPrincipalType": "NON_EXCLUSIVE_THING"}]
    }
    assert world.list_principal_things_v2(COGNITO) == {
        "principalThingObjects": [{"thingName": "t1", "thingPrincipalType": "NON_EXCLUSIVE_THING"}]
    }


def test_attach_thing_principal_errors(world: World) -> None:
    world.create_thing("t")
    with pytest.raises(ResourceNotFoundException):
        world.attach_thing_principal("missing", COGNITO)
    with pytest.raises(ResourceNotFoundException):
        world.attach_thing_principal("t", "arn:aws:iot:us-east-1:123456789012:cert/" + "1" * 64)
    group_arn = world.create_thing_group("g")["thingGroupArn"]
    with pytest.raises(InvalidRequestException):
        world.attach_thing_principal("t", group_arn)
    with pytest.raises(InvalidRequestException, match="enum"):
        world.attach_thing_principal("t", COGNITO, thingPrincipalType="SHARED")
    with pytest.raises(ResourceNotFoundException, match="does not exist in your account"):
        world.list_thing_principals("missing")


def test_exclusive_thing_is_the_only_thing_of_its_principal(world: World, cert_arn: str) -> None:
    world.create_thing("mine")
    world.create_thing("other")
    world.attach_thing_principal("mine", cert_arn, thingPrincipalType="EXCLUSIVE_THING")
    assert world.things_for_principal(cert_arn) == (("mine", "EXCLUSIVE_THING"),)
    for kind in ("EXCLUSIVE_THING", "NON_EXCLUSIVE_THING"):
        with pytest.raises(InvalidRequestException, match="exclusively"):
            world.attach_thing_principal("other", cert_arn, thingPrincipalType=kind)
    # re-attaching the same thing is allowed and may change the type
    world.attach_thing_principal("mine", cert_arn)
    assert world.things_for_principal(cert_arn) == (("mine", "NON_EXCLUSIVE_THING"),)
    world.attach_thing_principal("other", cert_arn)


def test_exclusive_attachment_refused_while_principal_has_other_things(world: World, cert_arn: str) -> None:
    world.create_thing("a")
    world.create_thing("b")
    world.attach_thing_principal("a", cert_arn)
    with pytest.raises(InvalidRequestException, match="already attached"):
        world.attach_thing_principal("b", cert_arn, thingPrincipalType="EXCLUSIVE_THING")
    world.detach_thing_principal("a", cert_arn)
    world.attach_thing_principal("b", cert_arn, thingPrincipalType="EXCLUSIVE_THING")
    assert world.things_for_principal(cert_arn) == (("b", "EXCLUSIVE_THING"),)


def test_detach_thing_principal(world: World, cert_arn: str) -> None:
    world.create_thing("t")
    world.attach_thing_principal("t", cert_arn)
    assert world.detach_thing_principal("t", cert_arn) == {}
    assert world.things_for_principal(cert_arn) == ()
    assert world.principals_of_thing("t") == ()
    with pytest.raises(ResourceNotFoundException):
        world.detach_thing_principal("t", cert_arn)
    with pytest.raises(ResourceNotFoundException):
        world.detach_thing_principal("missing", cert_arn)
