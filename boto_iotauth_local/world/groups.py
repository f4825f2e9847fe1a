"""Static thing groups, their hierarchy, and their member things.

A group's parent is fixed at creation (AWS IoT cannot re-parent a group), so each group's ancestry, the
group followed by its parents up to the root, is computed once then and read by the services to collect
inherited thing-group policies.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from boto_iotauth_local.errors import (
    InvalidRequestException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    VersionConflictException,
)
from boto_iotauth_local.world.arns import thing_group_name_from_arn, thing_name_from_arn
from boto_iotauth_local.world.base import WorldBase, utcnow, without
from boto_iotauth_local.world.paging import paginate
from boto_iotauth_local.world.validation import (
    ATTRIBUTE_NAME,
    ATTRIBUTE_VALUE,
    THING_NAME,
    check_string,
    check_tags,
    check_thing_name,
)

#: AWS IoT thing group limits (developer guide, "AWS IoT limits").
MAX_HIERARCHY_DEPTH = 7
MAX_DIRECT_CHILDREN = 100
MAX_GROUP_ATTRIBUTES = 50
#: "You can add a thing to a maximum of 10 groups."
MAX_GROUPS_PER_THING = 10


@dataclass(frozen=True)
class ThingGroup:
    """A static thing group; ``ancestry`` is the group then its parents up to the root."""

    name: str
    arn: str
    thing_group_id: str
    parent_name: str | None
    ancestry: tuple[str, ...]
    properties: Mapping[str, Any] = field(hash=False, compare=False)
    creation_date: datetime
    version: int = 1


def _check_group_properties(properties: Mapping[str, Any]) -> None:
    description = properties.get("thingGroupDescription")
    if description is not None:
        check_string(description, "thingGroupProperties.thingGroupDescription", min_len=0, max_len=2028)
    payload = properties.get("attributePayload") or {}
    if not isinstance(payload, Mapping):
        raise InvalidRequestException("thingGroupProperties.attributePayload must be a structure")
    attributes = payload.get("attributes") or {}
    if not isinstance(attributes, Mapping):
        raise InvalidRequestException("thingGroupProperties.attributePayload.attributes must be a map")
    if len(attributes) > MAX_GROUP_ATTRIBUTES:
        raise InvalidRequestException(f"A thing group can have at most {MAX_GROUP_ATTRIBUTES} attributes")
    for name, value in attributes.items():
        check_string(name, "attributePayload.attributes.key", max_len=128, pattern=ATTRIBUTE_NAME)
        check_string(
            value, "attributePayload.attributes.value", min_len=0, max_len=800, pattern=ATTRIBUTE_VALUE
        )


class GroupOperations(WorldBase):
    """CreateThingGroup, AddThingToThingGroup and friends."""

    # ----------------------------------------------------------------------------------------- readers

    def thing_group(self, name: str) -> ThingGroup | None:
        """The thing group ``name``, or None."""
        return self._groups.get(name)

    def thing_group_arn(self, name: str) -> str:
        """The ARN AWS gives the thing group ``name`` in this account and region."""
        return self.arns.thing_group(name)

    def thing_group_by_arn(self, arn: str) -> ThingGroup | None:
        """The thing group with this ARN (this account and region only), or None."""
        name = thing_group_name_from_arn(arn)
        group = self._groups.get(name) if name is not None else None
        return group if group is not None and group.arn == arn else None

    def group_ancestry(self, group_name: str) -> tuple[str, ...]:
        """The group, then its parents up to the root (empty for an unknown group)."""
        group = self._groups.get(group_name)
        return group.ancestry if group is not None else ()

    def groups_of_thing(self, thing_name: str) -> tuple[str, ...]:
        """The static groups the thing was added to directly, in add order."""
        return self._thing_groups.get(thing_name, ())

    def all_thing_groups(self) -> tuple[ThingGroup, ...]:
        """Every thing group, in creation order (a snapshot)."""
        return tuple(self._groups.values())

    # ----------------------------------------------------------------------------------------- helpers

    def _require_group(self, name: str) -> ThingGroup:
        check_string(name, "thingGroupName", max_len=128, pattern=THING_NAME)
        group = self._groups.get(name)
        if group is None:
            raise ResourceNotFoundException(f"Thing group {name} does not exist")
        return group

    def _identify_group(self, name: str | None, arn: str | None) -> ThingGroup:
        if name is None and arn is None:
            raise InvalidRequestException(
                "Both thingGroupArn and thingGroupName are empty. Need to specify at least one of them"
            )
        if name is not None:
            group = self._require_group(name)
            if arn is not None and arn != group.arn:
                raise InvalidRequestException(
                    "thingGroupArn does not match specified thingGroupName in request"
                )
            return group
        assert arn is not None
        found = self.thing_group_by_arn(arn)
        if found is None:
            raise ResourceNotFoundException(f"No thing group with ARN {arn} exists")
        return found

    def _identify_thing(self, name: str | None, arn: str | None) -> str:
        if name is None and arn is None:
            raise InvalidRequestException(
                "Both thingArn and thingName are empty. Need to specify at least one of them"
            )
        if name is not None:
            check_thing_name(name)
            thing = self._things.get(name)
            if thing is None:
                raise ResourceNotFoundException(f"Thing {name} cannot be found.")
            if arn is not None and arn != thing.arn:
                raise InvalidRequestException("thingArn does not match specified thingName in request")
            return name
        assert arn is not None
        from_arn = thing_name_from_arn(arn)
        thing = self._things.get(from_arn) if from_arn is not None else None
        if thing is None or thing.arn != arn:
            raise ResourceNotFoundException(f"No thing with ARN {arn} exists")
        return thing.name

    # ----------------------------------------------------------------------------------------- writers

    def create_thing_group(
        self,
        thingGroupName: str,
        parentGroupName: str | None = None,
        thingGroupProperties: Mapping[str, Any] | None = None,
        tags: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Create a static group under ``parentGroupName``; the same call twice returns the same group."""
        check_string(thingGroupName, "thingGroupName", max_len=128, pattern=THING_NAME)
        if parentGroupName is not None:
            check_string(parentGroupName, "parentGroupName", max_len=128, pattern=THING_NAME)
        check_tags(tags)
        properties = copy.deepcopy(dict(thingGroupProperties or {}))
        _check_group_properties(properties)
        with self._lock:
            existing = self._groups.get(thingGroupName)
            if existing is not None:
                if existing.parent_name == parentGroupName and dict(existing.properties) == properties:
                    return self._group_identity(existing)
                raise ResourceAlreadyExistsException(
                    f"Thing Group {thingGroupName} already exists in current account with different "
                    "properties",
                    resourceId=existing.thing_group_id,
                    resourceArn=existing.arn,
                )
            ancestry: tuple[str, ...] = (thingGroupName,)
            if parentGroupName is not None:
                parent = self._groups.get(parentGroupName)
                if parent is None:
                    raise InvalidRequestException(f"Parent thing group {parentGroupName} does not exist")
                ancestry = (thingGroupName, *parent.ancestry)
                if len(ancestry) > MAX_HIERARCHY_DEPTH:
                    raise InvalidRequestException(
                        f"Cannot create thing group {thingGroupName}: the maximum depth of a thing group "
                        f"hierarchy is {MAX_HIERARCHY_DEPTH}"
                    )
                children = sum(1 for g in self._groups.values() if g.parent_name == parentGroupName)
                if children >= MAX_DIRECT_CHILDREN:
                    raise InvalidRequestException(
                        f"Thing group {parentGroupName} already has the maximum of {MAX_DIRECT_CHILDREN} "
                        "direct child groups"
                    )
            group = ThingGroup(
                name=thingGroupName,
                arn=self.arns.thing_group(thingGroupName),
                thing_group_id=str(uuid.uuid4()),
                parent_name=parentGroupName,
                ancestry=ancestry,
                properties=MappingProxyType(properties),
                creation_date=utcnow(),
            )
            self._groups[thingGroupName] = group
        return self._group_identity(group)

    @staticmethod
    def _group_identity(group: ThingGroup) -> dict[str, Any]:
        return {
            "thingGroupName": group.name,
            "thingGroupArn": group.arn,
            "thingGroupId": group.thing_group_id,
        }

    def describe_thing_group(self, thingGroupName: str) -> dict[str, Any]:
        group = self._require_group(thingGroupName)
        metadata: dict[str, Any] = {
            "rootToParentThingGroups": [
                {"groupName": name, "groupArn": self._groups[name].arn}
                for name in reversed(group.ancestry[1:])
            ],
            "creationDate": group.creation_date,
        }
        if group.parent_name is not None:
            metadata["parentGroupName"] = group.parent_name
        return {
            "thingGroupName": group.name,
            "thingGroupId": group.thing_group_id,
            "thingGroupArn": group.arn,
            "version": group.version,
            "thingGroupProperties": copy.deepcopy(dict(group.properties)),
            "thingGroupMetadata": metadata,
        }

    def delete_thing_group(self, thingGroupName: str, expectedVersion: int | None = None) -> dict[str, Any]:
        """Delete a group without child groups; its memberships and policy attachments go with it.

        Deleting a missing group is not an error, as in AWS.
        """
        check_string(thingGroupName, "thingGroupName", max_len=128, pattern=THING_NAME)
        with self._lock:
            group = self._groups.get(thingGroupName)
            if group is None:
                return {}
            if expectedVersion is not None and expectedVersion != group.version:
                raise VersionConflictException(
                    f"The version for thing group {thingGroupName} does not match the expected version."
                )
            if any(g.parent_name == thingGroupName for g in self._groups.values()):
                raise InvalidRequestException(
                    f"Cannot delete thing group : {thingGroupName} when there are still child groups "
                    "attached to it"
                )
            for thing in self._group_things.pop(thingGroupName, ()):
                self._thing_groups[thing] = without(self._thing_groups.get(thing, ()), thingGroupName)
            self._forget_target(group.arn)
            del self._groups[thingGroupName]
        return {}

    def add_thing_to_thing_group(
        self,
        thingGroupName: str | None = None,
        thingGroupArn: str | None = None,
        thingName: str | None = None,
        thingArn: str | None = None,
        overrideDynamicGroups: bool = False,
    ) -> dict[str, Any]:
        """Add a thing to a static group (idempotent); a thing belongs to at most ten groups."""
        with self._lock:
            group = self._identify_group(thingGroupName, thingGroupArn)
            thing = self._identify_thing(thingName, thingArn)
            current = self._thing_groups.get(thing, ())
            if group.name in current:
                return {}
            if len(current) >= MAX_GROUPS_PER_THING:
                raise InvalidRequestException(
                    f"Thing {thing} already belongs to the maximum of {MAX_GROUPS_PER_THING} thing groups"
                )
            self._thing_groups[thing] = (*current, group.name)
            self._group_things.setdefault(group.name, {})[thing] = None
        return {}

    def remove_thing_from_thing_group(
        self,
        thingGroupName: str | None = None,
        thingGroupArn: str | None = None,
        thingName: str | None = None,
        thingArn: str | None = None,
    ) -> dict[str, Any]:
        """Remove a thing from a static group (removing a non-member is not an error)."""
        with self._lock:
            group = self._identify_group(thingGroupName, thingGroupArn)
            thing = self._identify_thing(thingName, thingArn)
            self._thing_groups[thing] = without(self._thing_groups.get(thing, ()), group.name)
            self._group_things.get(group.name, {}).pop(thing, None)
        return {}

    def list_thing_groups_for_thing(
        self, thingName: str, nextToken: str | None = None, maxResults: int | None = None
    ) -> dict[str, Any]:
        check_thing_name(thingName)
        with self._lock:
            if thingName not in self._things:
                raise ResourceNotFoundException(f"Thing {thingName} cannot be found.")
            page, token = paginate(
                self._thing_groups.get(thingName, ()),
                page_size=maxResults,
                marker=nextToken,
                size_member="maxResults",
                marker_member="nextToken",
            )
            result: dict[str, Any] = {
                "thingGroups": [{"groupName": name, "groupArn": self._groups[name].arn} for name in page]
            }
        if token is not None:
            result["nextToken"] = token
        return result

    def list_things_in_thing_group(
        self,
        thingGroupName: str,
        recursive: bool = False,
        nextToken: str | None = None,
        maxResults: int | None = None,
    ) -> dict[str, Any]:
        """Member things; with ``recursive`` the members of descendant groups too."""
        with self._lock:
            self._require_group(thingGroupName)
            names = list(self._group_things.get(thingGroupName, ()))
            if recursive:
                for group in self._groups.values():
                    if group.name != thingGroupName and thingGroupName in group.ancestry:
                        seen = set(names)
                        names.extend(t for t in self._group_things.get(group.name, ()) if t not in seen)
            page, token = paginate(
                names,
                page_size=maxResults,
                marker=nextToken,
                size_member="maxResults",
                marker_member="nextToken",
            )
        result: dict[str, Any] = {"things": page}
        if token is not None:
            result["nextToken"] = token
        return result
