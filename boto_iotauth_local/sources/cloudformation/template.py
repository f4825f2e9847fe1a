"""One CloudFormation stack, loaded into a World: parameters, conditions, mappings and resources.

Resources are built on demand through the World's writers (``create_policy``, ``attach_policy``, ...): a
resource is built when the main pass reaches it or, earlier, when another resource refers to it (``Ref``,
``Fn::GetAtt``, ``Fn::Sub``), which is the order CloudFormation's dependency graph would impose. A
reference cycle is an error, as in CloudFormation. Resource types this library does not model are never
evaluated; they are listed in one warning. A nested stack (``AWS::CloudFormation::Stack``) whose template
is a local file (as ``cdk synth`` writes them) is loaded into the same world.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from boto_iotauth_local.errors import ServiceError
from boto_iotauth_local.sources.cloudformation import names
from boto_iotauth_local.sources.cloudformation.errors import TemplateError
from boto_iotauth_local.sources.cloudformation.intrinsics import NO_VALUE, Evaluator
from boto_iotauth_local.sources.cloudformation.intrinsics import Path as ValuePath
from boto_iotauth_local.sources.cloudformation.reader import TemplateText
from boto_iotauth_local.world.world import World

SECTIONS = (
    "AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
    "Conditions", "Transform", "Resources", "Outputs", "Globals", "Hooks",
)  # fmt: skip
LIST_TYPES = re.compile(r"CommaDelimitedList|List<.*>|AWS::SSM::Parameter::Value<List<.*>>")
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]+")


@dataclass
class Built:
    """What a built resource answers to ``Ref`` and ``Fn::GetAtt``."""

    ref: Any
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Shared:
    """State shared by a stack and its nested stacks while one world is loaded."""

    world: World
    parameters: Mapping[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    #: IAM role ARN -> {policy name: document}, filled by roles and by IAM policies naming them.
    role_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: IAM role ARN -> managed policy ARNs whose documents are not in the template.
    role_unknown_policies: dict[str, list[str]] = field(default_factory=dict)
    #: Managed policy ARN -> (name, document), for managed policies defined in the template.
    managed_policies: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: Lambda function ARN -> the step that registers its local code (run when an authorizer names it).
    functions: dict[str, Callable[[], None]] = field(default_factory=dict)
    #: What was loaded only in part (functions whose code cannot run here, roles' unknown policies).
    notes: list[str] = field(default_factory=list)


Builder = Callable[["Stack", str, "Properties"], Built]


class Stack:
    """A template being loaded; the Scope its intrinsic functions read."""

    def __init__(
        self,
        source: TemplateText,
        shared: Shared,
        *,
        stack_name: str,
        parameters: Mapping[str, Any],
        label_prefix: str = "",
        builders: Mapping[str, Builder],
        phases: Mapping[str, int],
    ) -> None:
        self.source = source
        self.shared = shared
        self.world = shared.world
        self.stack_name = stack_name
        self.label_prefix = label_prefix
        self.given = parameters
        self.builders = builders
        self.phases = phases
        self.evaluator = Evaluator(self)
        self.built: dict[str, Built] = {}
        self.building: list[str] = []
        self.conditions: dict[str, bool] = {}
        self.conditions_evaluating: list[str] = []
        self.parameter_values: dict[str, Any] = {}
        self.template: dict[str, Any] = {}
        self.resources: dict[str, dict[str, Any]] = {}
        self._pseudo: dict[str, Any] | None = None

    @property
    def path(self) -> Path:
        return self.source.path

    # --------------------------------------------------------------------------------------- errors

    def error(self, path: ValuePath, message: str) -> TemplateError:
        keys = [k for k in path]
        line = self.source.line(keys)
        logical_id: str | None = None
        prop: str | None = None
        if len(keys) >= 2 and keys[0] == "Resources" and isinstance(keys[1], str):
            logical_id = keys[1]
            rest = [str(k) if isinstance(k, str) else f"[{k}]" for k in keys[2:]]
            prop = ".".join(rest).replace(".[", "[") or None
        elif keys:
            prop = ".".join(str(k) for k in keys)
        return TemplateError(self.path, line, message, logical_id=logical_id, property=prop)

    def fail(self, path: ValuePath, message: str) -> NoReturn:
        raise self.error(path, message)

    @contextmanager
    def writing(self, path: ValuePath) -> Iterator[None]:
        """Report the world's refusal of a call (as AWS would refuse it) at ``path``."""
        try:
            yield
        except TemplateError:
            raise
        except (ServiceError, ValueError) as exc:
            raise self.error(path, str(exc)) from None

    # ----------------------------------------------------------------------------------------- load

    def load(self) -> None:
        data = self.source.data
        if not isinstance(data, dict):
            self.fail((), "a CloudFormation template is a mapping with a Resources section")
        unknown = [key for key in data if key not in SECTIONS]
        if unknown:
            self.fail(
                (unknown[0],), f"unknown template section {unknown[0]!r}; sections: {', '.join(SECTIONS)}"
            )
        self.template = data
        resources = data.get("Resources")
        if not isinstance(resources, dict) or not resources:
            self.fail(("Resources",), "Resources must be a mapping with at least one resource")
        for logical_id, resource in resources.items():
            where = ("Resources", logical_id)
            if not _LOGICAL_ID.fullmatch(logical_id):
                self.fail(where, f"logical id {logical_id!r} must be alphanumeric (A-Za-z0-9)")
            if not isinstance(resource, dict):
                self.fail(where, "a resource must be a mapping with a Type")
            kind = resource.get("Type")
            if not isinstance(kind, str):
                self.fail((*where, "Type"), "a resource needs a Type, a string such as AWS::IoT::Policy")
            properties = resource.get("Properties", {})
            if not isinstance(properties, dict):
                self.fail((*where, "Properties"), "Properties must be a mapping")
        for section in ("Mappings", "Conditions", "Parameters", "Outputs"):
            if section in data and not isinstance(data[section], dict):
                self.fail((section,), f"{section} must be a mapping")
        self.resources = resources
        self._parameters()
        order = sorted(resources, key=lambda lid: self.phases.get(resources[lid]["Type"], 0))
        for logical_id in order:
            kind = resources[logical_id]["Type"]
            if kind not in self.builders:
                self.shared.skipped.setdefault(kind, []).append(self.label_prefix + logical_id)
                continue
            if self.created(logical_id):
                self.build(logical_id)

    def _parameters(self) -> None:
        declared = self.template.get("Parameters", {})
        for name, spec in declared.items():
            where = ("Parameters", name)
            if not isinstance(spec, dict) or not isinstance(spec.get("Type"), str):
                self.fail(where, "a parameter is a mapping with a Type")
            kind = spec["Type"]
            if name in self.given:
                value = self.given[name]
            elif "Default" in spec and not kind.startswith("AWS::SSM::Parameter::Value<"):
                value = spec["Default"]
            else:  # an error only if something built here uses it (cdk's BootstrapVersion never is)
                why = (
                    f"is read from SSM parameter {spec.get('Default')!r}, unknown offline"
                    if kind.startswith("AWS::SSM::Parameter::Value<")
                    else "has no Default"
                )
                self.parameter_values[name] = _Unset(
                    where,
                    f"parameter {name} {why}; give it with parameters={{{name!r}: ...}} "
                    f"(--parameter {name}=VALUE)",
                )
                continue
            if LIST_TYPES.fullmatch(kind):
                if isinstance(value, str):
                    value = [item.strip() for item in value.split(",")] if value else []
                elif not isinstance(value, list):
                    self.fail(where, f"parameter {name} of type {kind} takes a list, not {value!r}")
            else:
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    self.fail(where, f"parameter {name} takes a string, not {value!r}")
                value = value if isinstance(value, str) else str(value)
                self._check_parameter(name, spec, value, where)
            self.parameter_values[name] = value

    def _check_parameter(self, name: str, spec: dict[str, Any], value: str, where: ValuePath) -> None:
        allowed = spec.get("AllowedValues")
        if isinstance(allowed, list) and value not in [str(a) for a in allowed]:
            self.fail(where, f"parameter {name}: {value!r} is not one of its AllowedValues {allowed}")
        pattern = spec.get("AllowedPattern")
        if isinstance(pattern, str):
            try:
                matched = re.fullmatch(pattern, value) is not None
            except re.error:
                matched = True  # a pattern Python cannot read is CloudFormation's to judge, not ours
            if not matched:
                self.fail(where, f"parameter {name}: {value!r} does not match its AllowedPattern {pattern!r}")
        for key, longest in (("MinLength", False), ("MaxLength", True)):
            limit = spec.get(key)
            if not isinstance(limit, (int, str)) or not str(limit).isdigit():
                continue
            if (len(value) > int(limit)) if longest else (len(value) < int(limit)):
                self.fail(where, f"parameter {name}: {value!r} breaks its {key} {limit}")
        if spec["Type"] == "Number":
            try:
                number = float(value)
            except ValueError:
                self.fail(where, f"parameter {name} is a Number, not {value!r}")
            for key, largest in (("MinValue", False), ("MaxValue", True)):
                limit = spec.get(key)
                if limit is not None and ((number > float(limit)) if largest else (number < float(limit))):
                    self.fail(where, f"parameter {name}: {value} breaks its {key} {limit}")

    # ----------------------------------------------------------------------------------- resources

    def build(self, logical_id: str) -> Built:
        if logical_id in self.built:
            return self.built[logical_id]
        where: ValuePath = ("Resources", logical_id)
        if logical_id in self.building:
            cycle = " -> ".join((*self.building[self.building.index(logical_id) :], logical_id))
            self.fail(where, f"circular dependency between resources: {cycle}")
        resource = self.resources[logical_id]
        condition = resource.get("Condition")
        if condition is not None:
            if not isinstance(condition, str):
                self.fail((*where, "Condition"), "a resource's Condition names a condition")
            if not self.condition(condition, (*where, "Condition")):
                self.fail(where, f"resource {logical_id} is not created (its condition {condition} is false)")
        self.building.append(logical_id)
        try:
            result = self.builders[resource["Type"]](
                self, logical_id, Properties(self, logical_id, resource.get("Properties", {}))
            )
        finally:
            self.building.pop()
        self.built[logical_id] = result
        return result

    def created(self, logical_id: str) -> bool:
        """Whether the resource exists once deployed (its Condition, if any, is true)."""
        condition = self.resources[logical_id].get("Condition")
        return condition is None or self.condition(condition, ("Resources", logical_id, "Condition"))

    def generated_name(self, logical_id: str, max_length: int = 128, separator: str = "-") -> str:
        return names.generated_name(self.stack_name, logical_id, max_length, separator)

    def label(self, logical_id: str) -> str:
        return self.label_prefix + logical_id

    def note(self, message: str) -> None:
        self.shared.notes.append(f"{self.path.name}: {message}")

    def shared_functions(self) -> dict[str, Callable[[], None]]:
        return self.shared.functions

    def globals_for_function(self) -> dict[str, Any]:
        """SAM's ``Globals.Function``: defaults for every ``AWS::Serverless::Function``."""
        section = self.template.get("Globals", {})
        function = section.get("Function", {}) if isinstance(section, dict) else {}
        if not isinstance(function, dict):
            self.fail(("Globals", "Function"), "Globals.Function must be a mapping")
        return {
            key: self.evaluator.resolve(value, ("Globals", "Function", key))
            for key, value in function.items()
        }

    def ensure_all(self, kind: str) -> None:
        """Build every resource of ``kind`` not being built now (before a lookup by plain name)."""
        for logical_id, resource in self.resources.items():
            if resource["Type"] == kind and logical_id not in self.building and self.created(logical_id):
                self.build(logical_id)

    # ------------------------------------------------------------------------------- Scope protocol

    def pseudo(self, name: str) -> Any:
        if self._pseudo is None:
            self._pseudo = self._pseudo_parameters()
        return self._pseudo.get(name, _MISSING)

    def _pseudo_parameters(self) -> dict[str, Any]:
        region, account = self.world.region, self.world.account_id
        partition = self.world.arns.partition
        values: dict[str, Any] = {
            "AWS::AccountId": account,
            "AWS::Region": region,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:{partition}:cloudformation:{region}:{account}:stack/{self.stack_name}/"
            + names.generated_uuid(self.stack_name, region, account),
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }
        return values

    def is_known_name(self, name: str) -> bool:
        return name in self.parameter_values or name in self.resources or self.pseudo(name) is not _MISSING

    def ref(self, name: str, path: ValuePath) -> Any:
        if name in self.parameter_values:
            value = self.parameter_values[name]
            if isinstance(value, _Unset):
                self.fail(path, f"{value.message} (declared at line {self.source.line(value.where)})")
            return value
        pseudo = self.pseudo(name)
        if pseudo is not _MISSING:
            return pseudo
        if name in self.resources:
            kind = self.resources[name]["Type"]
            if kind in self.builders:
                return self.build(name).ref
            if name in self.given:
                return self.given[name]
            self.fail(
                path,
                f"Ref to {name} ({kind}), a resource type not modelled here, so its value is unknown; "
                f"give a stand-in with parameters={{{name!r}: ...}} (--parameter {name}=VALUE)",
            )
        self.fail(path, f"Ref to {name!r}: no such parameter, resource or pseudo parameter in this template")

    def get_att(self, logical_id: str, attribute: str, path: ValuePath) -> Any:
        if logical_id not in self.resources:
            self.fail(path, f"Fn::GetAtt: no resource {logical_id!r} in this template")
        kind = self.resources[logical_id]["Type"]
        key = f"{logical_id}.{attribute}"
        if kind not in self.builders:
            if key in self.given:
                return self.given[key]
            self.fail(
                path,
                f"Fn::GetAtt {key}: {kind} is a resource type not modelled here, so the value is unknown; "
                f"give a stand-in with parameters={{{key!r}: ...}} (--parameter {key}=VALUE)",
            )
        built = self.build(logical_id)
        if attribute in built.attributes:
            return built.attributes[attribute]
        if key in self.given:
            return self.given[key]
        known = ", ".join(sorted(built.attributes)) or "none"
        self.fail(
            path, f"Fn::GetAtt: {kind} {logical_id} has no attribute {attribute!r} here (known: {known})"
        )

    def condition(self, name: str, path: ValuePath) -> bool:
        if name in self.conditions:
            return self.conditions[name]
        declared = self.template.get("Conditions", {})
        if name not in declared:
            self.fail(path, f"no condition {name!r} in this template's Conditions")
        if name in self.conditions_evaluating:
            self.fail(("Conditions", name), f"condition {name} refers to itself")
        self.conditions_evaluating.append(name)
        try:
            value = self.evaluator.condition_value(declared[name], ("Conditions", name))
        finally:
            self.conditions_evaluating.pop()
        self.conditions[name] = value
        return value

    def find_in_map(self, keys: list[Any], path: ValuePath) -> Any:
        node: Any = self.template.get("Mappings", {})
        for depth, key in enumerate(keys):
            if not isinstance(node, dict) or key not in node:
                inside = ".".join(["Mappings", *keys[:depth]])
                self.fail(path, f"Fn::FindInMap: no {key!r} in {inside}")
            node = node[key]
        return node

    def import_value(self, name: str, path: ValuePath) -> Any:
        if name in self.given:
            return self.given[name]
        self.fail(
            path,
            f"Fn::ImportValue {name!r} is an output of another stack, unknown offline; give a stand-in "
            f"with parameters={{{name!r}: ...}} (--parameter {name}=VALUE)",
        )


_MISSING: Any = object()


@dataclass(frozen=True)
class _Unset:
    """A parameter with no value here: an error where it is used, not where it is declared."""

    where: ValuePath
    message: str


class Properties:
    """A resource's properties, each resolved (intrinsic functions evaluated) when first read."""

    def __init__(self, stack: Stack, logical_id: str, raw: dict[str, Any]) -> None:
        self.stack = stack
        self.logical_id = logical_id
        self.raw = raw

    def where(self, name: str | None = None) -> ValuePath:
        base: ValuePath = ("Resources", self.logical_id, "Properties")
        return base if name is None else (*base, name)

    def fail(self, name: str | None, message: str) -> NoReturn:
        self.stack.fail(self.where(name) if name else ("Resources", self.logical_id), message)

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self.raw:
            return default
        value = self.stack.evaluator.resolve(self.raw[name], self.where(name))
        return default if value is NO_VALUE else value

    def has(self, name: str) -> bool:
        return name in self.raw and self.get(name, _MISSING) is not _MISSING

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(None, f"required property {name} is missing")
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(name, f"{name} must be a string, not {type(value).__name__}")
        return str(value)

    def required_text(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            return default
        if isinstance(value, bool):
            return value
        if value in ("true", "false", "True", "False"):
            return str(value).lower() == "true"
        self.fail(name, f"{name} must be a boolean, not {value!r}")

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self.fail(name, f"{name} must be a mapping, not {type(value).__name__}")
        return value

    def sequence(self, name: str) -> list[Any]:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.fail(name, f"{name} must be a list, not {type(value).__name__}")
        return value
