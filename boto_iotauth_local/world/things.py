"""Things, thing types, and which principals are attached to which things.

Thing variables in policies (``iot:Connection.Thing.*``) come from here: the services look up the thing
named by the client id and check it is attached to the principal. ``EXCLUSIVE_THING`` attachments are
kept with their type because a principal's single exclusive thing is the thing a connection resolves to
when the client id names none.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from boto_iotauth_local.errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    VersionConflictException,
)
from boto_iotauth_local.world.base import WorldBase, utcnow
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import (
    ATTRIBUTE_NAME,
    ATTRIBUTE_VALUE,
    THING_NAME,
    check_bool,
    check_enum,
    check_string,
    check_tags,
    check_thing_name,
)

#: "Maximum number of thing attributes for a thing with a thing type: 50" (AWS IoT limits).
MAX_THING_ATTRIBUTES = 50
THING_PRINCIPAL_TYPES = ("EXCLUSIVE_THING", "NON_EXCLUSIVE_THING")


@dataclass(frozen=True)
class Thing:
    """A registry thing: what the ``iot:Connection.Thing.*`` variables read."""

    name: str
    arn: str
    thing_id: str
    thing_type_name: str | None
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    version: int = 1


@dataclass(frozen=True)
class ThingType:
    """A thing type; deprecated types take no new things and must be deprecated before deletion."""

    name: str
    arn: str
    thing_type_id: str
    properties: Mapping[str, Any] = field(hash=False, compare=False)
    creation_date: datetime
    deprecated: bool = False
    deprecation_date: datetime | None = None


def _attributes_from_payload(payload: Mapping[str, Any] | None) -> tuple[dict[str, str], bool]:
    """The attributes of an ``attributePayload`` (values as given, "" included) and its ``merge`` flag."""
    if payload is None:
        return {}, False
    if not isinstance(payload, Mapping):
        raise InvalidRequestException("attributePayload must be a structure with 'attributes' and 'merge'")
    merge = payload.get("merge", False)
    check_bool(merge, "attributePayload.merge")
    raw = payload.get("attributes") or {}
    if not isinstance(raw, Mapping):
        raise InvalidRequestException("attributePayload.attributes must be a map of strings to strings")
    attributes: dict[str, str] = {}
    for name, value in raw.items():
        check_string(name, "attributePayload.attributes.key", max_len=128, pattern=ATTRIBUTE_NAME)
        check_string(
            value, "attributePayload.attributes.value", min_len=0, max_len=800, pattern=ATTRIBUTE_VALUE
        )
        attributes[name] = value
    return attributes, merge


def _check_attribute_count(attributes: Mapping[str, str]) -> None:
    if len(attributes) > MAX_THING_ATTRIBUTES:
        raise InvalidRequestException(
            f"A thing can have at most {MAX_THING_ATTRIBUTES} attributes, not {len(attributes)}"
        )


class ThingOperations(WorldBase):
    """CreateThing, thing types, and AttachThingPrincipal with their list calls."""

    # ----------------------------------------------------------------------------------------- readers

    def thing(self, name: str) -> Thing | None:
        """The thing ``name``, or None."""
        return self._things.get(name)

    def thing_type(self, name: str) -> ThingType | None:
        return self._thing_types.get(name)

    def things_for_principal(self, principal: str) -> tuple[tuple[str, str], ...]:
        """``(thing name, thingPrincipalType)`` for each thing attached to ``principal``, in attach order."""
        return self._principal_things.get(principal, ())

    def principals_of_thing(self, thing_name: str) -> tuple[tuple[str, str], ...]:
        """``(principal, thingPrincipalType)`` for each principal attached to the thing, in attach order."""
        return self._thing_principals.get(thing_name, ())

    # ----------------------------------------------------------------------------------------- helpers

    def _require_thing(self, name: str) -> Thing:
        check_thing_name(name)
        thing = self._things.get(name)
        if thing is None:
            raise ResourceNotFoundException(f"Thing {name} cannot be found.")
        return thing

    def _usable_thing_type(self, name: str) -> ThingType:
        check_string(name, "thingTypeName", max_len=128, pattern=THING_NAME)
        thing_type = self._thing_types.get(name)
        if thing_type is None:
            raise ResourceNotFoundException(f"Thing type {name} does not exist")
        if thing_type.deprecated:
            raise InvalidRequestException(f"Can not use deprecated thing type: {name}")
        return thing_type

    # ------------------------------------------------------------------------------------------ things

    def create_thing(
        self,
        thingName: str,
        thingTypeName: str | None = None,
        attributePayload: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Create a thing; repeating the call with the same configuration returns the same thing."""
        check_thing_name(thingName)
        attributes, _ = _attributes_from_payload(attributePayload)
        attributes = {k: v for k, v in attributes.items() if v != ""}
        _check_attribute_count(attributes)
        with self._lock:
            if thingTypeName is not None:
                self._usable_thing_type(thingTypeName)
            existing = self._things.get(thingName)
            if existing is not None:
                if existing.thing_type_name == thingTypeName and dict(existing.attributes) == attributes:
                    return {"thingName": thingName, "thingArn": existing.arn, "thingId": existing.thing_id}
                raise ResourceAlreadyExistsException(
                    f"Thing {thingName} already exists in account with different attributes",
                    resourceId=existing.thing_id,
                    resourceArn=existing.arn,
                )
            thing = Thing(
                name=thingName,
                arn=self.arns.thing(thingName),
                thing_id=str(uuid.uuid4()),
                thing_type_name=thingTypeName,
                attributes=MappingProxyType(attributes),
            )
            self._things[thingName] = thing
        return {"thingName": thingName, "thingArn": thing.arn, "thingId": thing.thing_id}

    def describe_thing(self, thingName: str) -> dict[str, Any]:
        thing = self._require_thing(thingName)
        result: dict[str, Any] = {
            "defaultClientId": thing.name,
            "thingName": thing.name,
            "thingId": thing.thing_id,
            "thingArn": thing.arn,
            "attributes": dict(thing.attributes),
            "version": thing.version,
        }
        if thing.thing_type_name is not None:
            result["thingTypeName"] = thing.thing_type_name
        return result

    def update_thing(
        self,
        thingName: str,
        thingTypeName: str | None = None,
        attributePayload: Mapping[str, Any] | None = None,
        expectedVersion: int | None = None,
        removeThingType: bool = False,
    ) -> dict[str, Any]:
        """Change a thing's type or attributes; with ``merge`` an empty value removes an attribute."""
        check_bool(removeThingType, "removeThingType")
        if removeThingType and thingTypeName is not None:
            raise InvalidRequestException("Cannot set removeThingType and thingTypeName in the same request")
        given, merge = _attributes_from_payload(attributePayload)
        with self._lock:
            thing = self._require_thing(thingName)
            if expectedVersion is not None and expectedVersion != thing.version:
                raise VersionConflictException(
                    f"The version for thing {thingName} does not match the expected version."
                )
            type_name = thing.thing_type_name
            if thingTypeName is not None:
                self._usable_thing_type(thingTypeName)
                type_name = thingTypeName
            if removeThingType:
                type_name = None
            attributes = dict(thing.attributes)
            if attributePayload is not None:
                attributes = {**attributes, **given} if merge else dict(given)
                attributes = {k: v for k, v in attributes.items() if v != ""}
            _check_attribute_count(attributes)
            self._things[thingName] = replace(
                thing,
                thing_type_name=type_name,
                attributes=MappingProxyType(attributes),
                version=thing.version + 1,
            )
        return {}

    def delete_thing(self, thingName: str, expectedVersion: int | None = None) -> dict[str, Any]:
        """Delete a thing with no principals; deleting a missing thing succeeds, as in AWS."""
        check_thing_name(thingName)
        with self._lock:
            thing = self._things.get(thingName)
            if thing is None:
                return {}
            if expectedVersion is not None and expectedVersion != thing.version:
                raise VersionConflictException(
                    f"The version for thing {thingName} does not match the expected version."
                )
            if self._thing_principals.get(thingName):
                raise InvalidRequestException(
                    f"Cannot delete. Thing {thingName} is still attached to one or more principals"
                )
            for group in self._thing_groups.pop(thingName, ()):
                self._group_things.get(group, {}).pop(thingName, None)
            del self._things[thingName]
        return {}

    def list_things(
        self,
        nextToken: str | None = None,
        maxResults: int | None = None,
        attributeName: str | None = None,
        attributeValue: str | None = None,
        thingTypeName: str | None = None,
        usePrefixAttributeValue: bool = False,
    ) -> dict[str, Any]:
        """Things by name, optionally filtered by an attribute and by type."""
        with self._lock:
            selected: list[Thing] = []
            for name in sorted(self._things):
                thing = self._things[name]
                if thingTypeName is not None and thing.thing_type_name != thingTypeName:
                    continue
                if attributeName is not None:
                    value = thing.attributes.get(attributeName)
                    if value is None:
                        continue
                    if attributeValue is not None and not (
                        value.startswith(attributeValue)
                        if usePrefixAttributeValue
                        else value == attributeValue
                    ):
                        continue
                selected.append(thing)
            page, token = paginate(
                selected,
                page_size=maxResults,
                marker=nextToken,
                size_member="maxResults",
                marker_member="nextToken",
            )
        things: list[dict[str, Any]] = []
        for thing in page:
            entry: dict[str, Any] = {
                "thingName": thing.name,
                "thingArn": thing.arn,
                "attributes": dict(thing.attributes),
                "version": thing.version,
            }
            if thing.thing_type_name is not None:
                entry["thingTypeName"] = thing.thing_type_name
            things.append(entry)
        result: dict[str, Any] = {"things": things}
        if token is not None:
            result["nextToken"] = token
        return result

    # ------------------------------------------------------------------------------------- thing types

    def create_thing_type(
        self,
        thingTypeName: str,
        thingTypeProperties: Mapping[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        check_string(thingTypeName, "thingTypeName", max_len=128, pattern=THING_NAME)
        check_tags(tags)
        properties = copy.deepcopy(dict(thingTypeProperties or {}))
        description = properties.get("thingTypeDescription")
        if description is not None:
            check_string(description, "thingTypeProperties.thingTypeDescription", min_len=0, max_len=2028)
        with self._lock:
            existing = self._thing_types.get(thingTypeName)
            if existing is not None:
                if dict(existing.properties) == properties:
                    return {
                        "thingTypeName": thingTypeName,
                        "thingTypeArn": existing.arn,
                        "thingTypeId": existing.thing_type_id,
                    }
                raise ResourceAlreadyExistsException(
                    f"Thing type {thingTypeName} already exists with different properties",
                    resourceId=existing.thing_type_id,
                    resourceArn=existing.arn,
                )
            thing_type = ThingType(
                name=thingTypeName,
                arn=self.arns.thing_type(thingTypeName),
                thing_type_id=str(uuid.uuid4()),
                properties=MappingProxyType(properties),
                creation_date=utcnow(),
            )
            self._thing_types[thingTypeName] = thing_type
        return {
            "thingTypeName": thingTypeName,
            "thingTypeArn": thing_type.arn,
            "thingTypeId": thing_type.thing_type_id,
        }

    def _require_thing_type(self, name: str) -> ThingType:
        check_string(name, "thingTypeName", max_len=128, pattern=THING_NAME)
        thing_type = self._thing_types.get(name)
        if thing_type is None:
            raise ResourceNotFoundException(f"Thing type {name} does not exist")
        return thing_type

    def describe_thing_type(self, thingTypeName: str) -> dict[str, Any]:
        thing_type = self._require_thing_type(thingTypeName)
        metadata: dict[str, Any] = {
            "deprecated": thing_type.deprecated,
            "creationDate": thing_type.creation_date,
        }
        if thing_type.deprecation_date is not None:
            metadata["deprecationDate"] = thing_type.deprecation_date
        return {
            "thingTypeName": thing_type.name,
            "thingTypeId": thing_type.thing_type_id,
            "thingTypeArn": thing_type.arn,
            "thingTypeProperties": copy.deepcopy(dict(thing_type.properties)),
            "thingTypeMetadata": metadata,
        }

    def deprecate_thing_type(self, thingTypeName: str, undoDeprecate: bool = False) -> dict[str, Any]:
        check_bool(undoDeprecate, "undoDeprecate")
        with self._lock:
            thing_type = self._require_thing_type(thingTypeName)
            self._thing_types[thingTypeName] = replace(
                thing_type,
                deprecated=not undoDeprecate,
                deprecation_date=None if undoDeprecate else utcnow(),
            )
        return {}

    def delete_thing_type(self, thingTypeName: str) -> dict[str, Any]:
        """Delete a deprecated thing type that no thing uses."""
        with self._lock:
            thing_type = self._require_thing_type(thingTypeName)
            if not thing_type.deprecated:
                raise InvalidRequestException(
                    f"Thing type {thingTypeName} must be deprecated before it can be deleted"
                )
            if any(t.thing_type_name == thingTypeName for t in self._things.values()):
                raise InvalidRequestException(
                    f"Cannot delete thing type {thingTypeName}: things are still associated with it"
                )
            del self._thing_types[thingTypeName]
        return {}

    def list_thing_types(
        self, nextToken: str | None = None, maxResults: int | None = None, thingTypeName: str | None = None
    ) -> dict[str, Any]:
        with self._lock:
            names = sorted(
                n for n in self._thing_types if thingTypeName is None or n.startswith(thingTypeName)
            )
            page, token = paginate(
                names,
                page_size=maxResults,
                marker=nextToken,
                size_member="maxResults",
                marker_member="nextToken",
            )
            types = [self.describe_thing_type(n) for n in page]
        result: dict[str, Any] = {
            "thingTypes": [
                {
                    "thingTypeName": t["thingTypeName"],
                    "thingTypeArn": t["thingTypeArn"],
                    "thingTypeProperties": t["thingTypeProperties"],
                    "thingTypeMetadata": t["thingTypeMetadata"],
                }
                for t in types
            ]
        }
        if token is not None:
            result["nextToken"] = token
        return result

    # -------------------------------------------------------------------------------- thing principals

    def attach_thing_principal(
        self, thingName: str, principal: str, thingPrincipalType: str = "NON_EXCLUSIVE_THING"
    ) -> dict[str, Any]:
        """Attach a certificate or Cognito identity to a thing.

        ``EXCLUSIVE_THING`` makes the thing the only thing attached to the principal: it is refused while
        the principal is attached to another thing, and no other thing can be attached to the principal
        while it holds.
        """
        check_enum(thingPrincipalType, "thingPrincipalType", THING_PRINCIPAL_TYPES)
        with self._lock:
            self._require_thing(thingName)
            self._require_target(principal, "principal", groups=False)
            current = self._principal_things.get(principal, ())
            others = [(t, kind) for t, kind in current if t != thingName]
            if thingPrincipalType == "EXCLUSIVE_THING" and others:
                raise InvalidRequestException(
                    f"Principal {principal} is already attached to thing {others[0][0]}; it cannot be "
                    f"attached exclusively to thing {thingName}"
                )
            exclusive = [t for t, kind in others if kind == "EXCLUSIVE_THING"]
            if exclusive:
                raise InvalidRequestException(
                    f"Principal {principal} is exclusively attached to thing {exclusive[0]}; it cannot be "
                    f"attached to thing {thingName}"
                )
            self._principal_things[principal] = _upsert(current, thingName, thingPrincipalType)
            self._thing_principals[thingName] = _upsert(
                self._thing_principals.get(thingName, ()), principal, thingPrincipalType
            )
        return {}

    def detach_thing_principal(self, thingName: str, principal: str) -> dict[str, Any]:
        with self._lock:
            self._require_thing(thingName)
            check_string(principal, "principal")
            attached = self._thing_principals.get(thingName, ())
            if not any(p == principal for p, _ in attached):
                raise ResourceNotFoundException(f"Principal {principal} is not attached to thing {thingName}")
            self._thing_principals[thingName] = tuple(pair for pair in attached if pair[0] != principal)
            remaining = tuple(
                pair for pair in self._principal_things.get(principal, ()) if pair[0] != thingName
            )
            if remaining:
                self._principal_things[principal] = remaining
            else:
                self._principal_things.pop(principal, None)
        return {}

    def _thing_principal_pairs(self, thing_name: str) -> tuple[tuple[str, str], ...]:
        check_thing_name(thing_name)
        if thing_name not in self._things:
            raise ResourceNotFoundException(
                f"Failed to list principals for thing {thing_name} because the thing does not exist in "
                "your account"
            )
        return self._thing_principals.get(thing_name, ())

    def list_thing_principals(
        self, thingName: str, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        pairs = self._thing_principal_pairs(thingName)
        page, token = paginate(
            pairs, page_size=maxResults, marker=nextToken, size_member="maxResults", marker_member="nextToken"
        )
        result: dict[str, Any] = {"principals": [p for p, _ in page]}
        if token is not None:
            result["nextToken"] = token
        return result

    def list_thing_principals_v2(
        self, thingName: str, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        pairs = self._thing_principal_pairs(thingName)
        page, token = paginate(
            pairs, page_size=maxResults, marker=nextToken, size_member="maxResults", marker_member="nextToken"
        )
        result: dict[str, Any] = {
            "thingPrincipalObjects": [{"principal": p, "thingPrincipalType": kind} for p, kind in page]
        }
        if token is not None:
            result["nextToken"] = token
        return result

    def list_principal_things(
        self, principal: str, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        check_string(principal, "principal")
        page, token = paginate(
            self._principal_things.get(principal, ()),
            page_size=maxResults,
            marker=nextToken,
            size_member="maxResults",
            marker_member="nextToken",
        )
        result: dict[str, Any] = {"things": [t for t, _ in page]}
        if token is not None:
            result["nextToken"] = token
        return result

    def list_principal_things_v2(
        self, principal: str, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        check_string(principal, "principal")
        page, token = paginate(
            self._principal_things.get(principal, ()),
            page_size=maxResults,
            marker=nextToken,
            size_member="maxResults",
            marker_member="nextToken",
        )
        result: dict[str, Any] = {
            "principalThingObjects": [{"thingName": t, "thingPrincipalType": kind} for t, kind in page]
        }
        if token is not None:
            result["nextToken"] = token
        return result


def _upsert(pairs: tuple[tuple[str, str], ...], key: str, value: str) -> tuple[tuple[str, str], ...]:
    """``pairs`` with ``key`` set to ``value``, keeping its place, or appended when new."""
    if any(k == key for k, _ in pairs):
        return tuple((k, value if k == key else v) for k, v in pairs)
    return (*pairs, (key, value))
