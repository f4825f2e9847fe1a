"""Reading ``terraform show -json`` output: resources by address, values, and where unknown ones come from."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

from boto_iotauth_local.errors import ServiceError
from boto_iotauth_local.sources.cloudformation.errors import (
    PartialLoadWarning,
    TemplateError,
    warn_unsupported,
)
from boto_iotauth_local.world.world import World

_INDEX = re.compile(r"\[[^\]]*\]")
#: The attribute of a referenced resource an argument takes when the reference names only the resource.
_NATURAL_ATTRIBUTE = {
    "target": "arn",
    "principal": "arn",
    "policy": "name",
    "thing": "name",
    "thing_name": "name",
    "thing_group_name": "name",
    "parent_group_name": "name",
    "thing_type_name": "name",
    "authorizer_function_arn": "arn",
    "identity_pool_id": "id",
    "role": "name",
    "policy_arn": "arn",
}


def provider_region(data: Any) -> str | None:
    """The AWS provider's region when the configuration gives it as a constant."""
    try:
        region = data["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
    except (KeyError, TypeError):
        return None
    return region if isinstance(region, str) else None


@dataclass
class Resource:
    address: str
    kind: str
    mode: str
    values: dict[str, Any]
    unknown: Mapping[str, Any]
    #: attribute -> the references its configuration expression makes (``aws_iot_certificate.c.arn``)
    references: Mapping[str, list[str]]
    module: str
    index: Any


@dataclass
class Built:
    attributes: dict[str, Any] = field(default_factory=dict)


Builder = Callable[["Plan", Resource], Built]


class Plan:
    """One plan or state being loaded into a world."""

    def __init__(
        self,
        path: Path,
        data: dict[str, Any],
        world: World,
        parameters: Mapping[str, Any],
        builders: Mapping[str, Builder],
        phases: Mapping[str, int],
    ) -> None:
        self.builders = builders
        self.phases = phases
        self.path = path
        self.data = data
        self.world = world
        self.given = parameters
        self.resources: dict[str, Resource] = {}
        self.built: dict[str, Built] = {}
        self.building: list[str] = []
        self.labels: dict[str, str] = {}
        self.notes: list[str] = []
        self.role_policies: dict[str, dict[str, Any]] = {}
        self.functions: dict[str, Callable[[], None]] = {}

    # ------------------------------------------------------------------------------------- reading

    def read(self) -> None:
        values = self.data.get("planned_values", self.data.get("values"))
        if not isinstance(values, dict) or not isinstance(values.get("root_module", {}), dict):
            self.fail(None, None, "expected planned_values or values with a root_module")
        unknown: dict[str, Any] = {}
        for change in self.data.get("resource_changes", []) or []:
            if isinstance(change, dict) and isinstance(change.get("change"), dict):
                after = change["change"].get("after_unknown")
                if isinstance(after, dict):
                    unknown[str(change.get("address"))] = after
        references = self._configuration_references()
        for module in _modules(values.get("root_module", {})):
            for entry in module.get("resources", []) or []:
                if not isinstance(entry, dict):
                    self.fail(None, None, "a resource entry must be an object")
                address = entry.get("address")
                kind = entry.get("type")
                if not isinstance(address, str) or not isinstance(kind, str):
                    self.fail(None, None, "a resource entry needs an address and a type")
                resource_values = entry.get("values", {})
                if not isinstance(resource_values, dict):
                    self.fail(address, None, "values must be an object")
                module_address = str(module.get("address", ""))
                config_key = _config_key(module_address, address)
                self.resources[address] = Resource(
                    address=address,
                    kind=kind,
                    mode=str(entry.get("mode", "managed")),
                    values=resource_values,
                    unknown=unknown.get(address, {}),
                    references=references.get(config_key, {}),
                    module=module_address,
                    index=entry.get("index"),
                )

    def _configuration_references(self) -> dict[str, dict[str, list[str]]]:
        """Configuration address (module path + resource, no index) -> attribute -> references."""
        found: dict[str, dict[str, list[str]]] = {}
        configuration = self.data.get("configuration", {})
        root = configuration.get("root_module", {}) if isinstance(configuration, dict) else {}

        def walk(module: Any, prefix: str) -> None:
            if not isinstance(module, dict):
                return
            for entry in module.get("resources", []) or []:
                if not isinstance(entry, dict) or not isinstance(entry.get("address"), str):
                    continue
                expressions = entry.get("expressions", {})
                attrs: dict[str, list[str]] = {}
                for attr, expression in expressions.items() if isinstance(expressions, dict) else []:
                    if isinstance(expression, dict) and isinstance(expression.get("references"), list):
                        attrs[attr] = [str(r) for r in expression["references"]]
                found[prefix + entry["address"]] = attrs
            for name, call in (module.get("module_calls", {}) or {}).items():
                if isinstance(call, dict):
                    walk(call.get("module"), f"{prefix}module.{name}.")

        walk(root, "")
        return found

    # --------------------------------------------------------------------------------------- errors

    def fail(self, address: str | None, attribute: str | None, message: str) -> NoReturn:
        raise TemplateError(self.path, self._line(address), message, logical_id=address, property=attribute)

    def _line(self, address: str | None) -> int | None:
        if address is None:
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return None
        position = text.find(f'"address":"{address}"')
        if position < 0:
            position = text.find(f'"address": "{address}"')
        return text.count("\n", 0, position) + 1 if position >= 0 else None

    @contextmanager
    def writing(self, resource: Resource, attribute: str | None) -> Iterator[None]:
        try:
            yield
        except TemplateError:
            raise
        except (ServiceError, ValueError) as exc:
            self.fail(resource.address, attribute, str(exc))

    # --------------------------------------------------------------------------------------- values

    def value(
        self, resource: Resource, attribute: str, default: Any = None, *, required: bool = False
    ) -> Any:
        """An attribute's value; an unknown one from the resource its configuration refers to."""
        if attribute in resource.values and resource.values[attribute] is not None:
            return resource.values[attribute]
        if resource.unknown.get(attribute) is True or (attribute not in resource.values and required):
            return self._unknown(resource, attribute)
        if required:
            self.fail(resource.address, attribute, f"required attribute {attribute} is not set")
        return default

    def text(self, resource: Resource, attribute: str, *, required: bool = False) -> str | None:
        value = self.value(resource, attribute, required=required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(
                resource.address, attribute, f"{attribute} must be a string, not {type(value).__name__}"
            )
        return str(value)

    def _unknown(self, resource: Resource, attribute: str) -> Any:
        stand_in = f"{resource.address}.{attribute}"
        if stand_in in self.given:
            return self.given[stand_in]
        for reference in resource.references.get(attribute, []):
            # ``aws_iot_certificate.cert.arn``; or, for ``...sensor[count.index].arn``, Terraform lists
            # only ``aws_iot_certificate.sensor``: the attribute is then the one such an argument takes
            candidates = [reference.rpartition(".")[::2], (reference, _NATURAL_ATTRIBUTE.get(attribute, ""))]
            for target, target_attribute in candidates:
                address = self._resolve_address(resource, target)
                if address is not None and target_attribute:
                    built = self.build(self.resources[address])
                    if target_attribute in built.attributes:
                        return built.attributes[target_attribute]
        self.fail(
            resource.address,
            attribute,
            f"{attribute} is known only after apply and comes from nothing built here; give a stand-in "
            f"with parameters={{{stand_in!r}: ...}} (--parameter {stand_in}=VALUE)",
        )

    def _resolve_address(self, resource: Resource, reference: str) -> str | None:
        """The address of the resource instance a configuration reference names, if it is in this plan."""
        prefix = f"{resource.module}." if resource.module else ""
        candidates = [prefix + reference]
        own_index = _INDEX.search(resource.address.rsplit(".", 1)[-1])
        if own_index and not reference.endswith("]"):
            candidates.insert(0, prefix + reference + own_index.group(0))
        for candidate in candidates:
            if candidate in self.resources and self.resources[candidate].kind in self.builders:
                return candidate
        matches = [a for a in self.resources if _INDEX.sub("", a) == prefix + reference]
        if len(matches) == 1 and self.resources[matches[0]].kind in self.builders:
            return matches[0]
        return None

    # ------------------------------------------------------------------------------------- building

    def build(self, resource: Resource) -> Built:
        if resource.address in self.built:
            return self.built[resource.address]
        if resource.address in self.building:
            cycle = " -> ".join((*self.building, resource.address))
            self.fail(resource.address, None, f"circular reference: {cycle}")
        self.building.append(resource.address)
        try:
            result = self.builders[resource.kind](self, resource)
        finally:
            self.building.pop()
        self.built[resource.address] = result
        return result

    def load(self) -> None:
        self.read()
        skipped: dict[str, list[str]] = {}
        ordered = sorted(self.resources.values(), key=lambda r: self.phases.get(r.kind, 5))
        for resource in ordered:
            if resource.kind not in self.builders:
                if resource.mode == "managed":
                    skipped.setdefault(resource.kind, []).append(resource.address)
                continue
            self.build(resource)
        labels = dict(self.world.certificate_labels)
        labels.update(self.labels)
        self.world.certificate_labels = MappingProxyType(labels)
        # attributed to the code calling World.from_file (load <- load_plan <- load_sources <- from_file)
        warn_unsupported(self.path, skipped, stacklevel=5)
        if self.notes:
            warnings.warn(PartialLoadWarning("; ".join(self.notes)), stacklevel=5)


def _modules(root: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    stack: list[Any] = [root]
    while stack:
        module = stack.pop()
        if not isinstance(module, dict):
            continue
        found.append(module)
        stack.extend(reversed(module.get("child_modules", []) or []))
    return found


def _config_key(module_address: str, address: str) -> str:
    """``module.a["x"].module.b.aws_iot_policy.p[0]`` -> ``module.a.module.b.aws_iot_policy.p``."""
    return _INDEX.sub("", address)
