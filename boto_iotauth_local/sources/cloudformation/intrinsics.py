"""CloudFormation's intrinsic functions, evaluated as CloudFormation evaluates them at deployment.

The :class:`Evaluator` resolves one property value at a time, on demand: only the resources this library
builds are ever evaluated, so a template whose S3 buckets or topic rules use functions or references that
cannot be known offline still loads. What it cannot know (an export of another stack, an attribute of a
resource it does not model) is an error naming the logical id, unless ``parameters`` gives a stand-in.
The resources, parameters, conditions and mappings come from a :class:`Scope` (the stack being loaded).
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Mapping
from typing import Any, NoReturn, Protocol

#: ``Ref: AWS::NoValue`` removes the property (or list item) it is the value of.
NO_VALUE: Any = type("NoValue", (), {"__repr__": lambda self: "AWS::NoValue"})()

Path = tuple[str | int, ...]

FUNCTIONS = (
    "Ref", "Condition", "Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Equals", "Fn::FindInMap", "Fn::GetAtt",
    "Fn::GetAZs", "Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Not", "Fn::Or",
    "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString", "Fn::Transform",
)  # fmt: skip
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class Scope(Protocol):
    """What intrinsic functions read: the stack being loaded."""

    def fail(self, path: Path, message: str) -> NoReturn: ...
    def ref(self, name: str, path: Path) -> Any: ...
    def get_att(self, logical_id: str, attribute: str, path: Path) -> Any: ...
    def condition(self, name: str, path: Path) -> bool: ...
    def find_in_map(self, names: list[Any], path: Path) -> Any: ...
    def import_value(self, name: str, path: Path) -> Any: ...
    def is_known_name(self, name: str) -> bool: ...


def function_of(value: Any) -> str | None:
    """The intrinsic function a value calls (a one-key mapping with a function's name), or None."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if key in FUNCTIONS:
            return str(key)
    return None


class Evaluator:
    """Resolve intrinsic functions in a value, depth first, as CloudFormation does."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def resolve(self, value: Any, path: Path) -> Any:
        if isinstance(value, dict):
            name = function_of(value)
            if name is not None:
                return self._call(name, value[name], (*path, name))
            resolved = {}
            for key, item in value.items():
                result = self.resolve(item, (*path, key))
                if result is not NO_VALUE:
                    resolved[key] = result
            return resolved
        if isinstance(value, list):
            items = [self.resolve(item, (*path, i)) for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        return value

    # ------------------------------------------------------------------------------------------ helpers

    def _fail(self, path: Path, message: str) -> NoReturn:
        self.scope.fail(path, message)

    def _list(self, value: Any, path: Path, name: str, lengths: tuple[int, ...]) -> list[Any]:
        if not isinstance(value, list) or len(value) not in lengths:
            counts = " or ".join(str(n) for n in lengths)
            self._fail(path, f"{name} takes a list of {counts} arguments, not {_show(value)}")
        return value

    def _string(self, value: Any, path: Path, what: str) -> str:
        resolved = self.resolve(value, path)
        if isinstance(resolved, bool) or not isinstance(resolved, (str, int, float)):
            self._fail(path, f"{what} must be a string, not {_show(resolved)}")
        return resolved if isinstance(resolved, str) else _number_text(resolved)

    def _string_list(self, value: Any, path: Path, what: str) -> list[str]:
        resolved = self.resolve(value, path)
        if not isinstance(resolved, list):
            self._fail(path, f"{what} must be a list, not {_show(resolved)}")
        out = []
        for item in resolved:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self._fail(path, f"{what} must hold strings, not {_show(item)}")
            out.append(item if isinstance(item, str) else _number_text(item))
        return out

    # -------------------------------------------------------------------------------------- functions

    def _call(self, name: str, argument: Any, path: Path) -> Any:
        if name == "Ref":
            if not isinstance(argument, str):
                self._fail(path, f"Ref takes a logical id or parameter name, not {_show(argument)}")
            return self.scope.ref(argument, path)
        if name == "Fn::GetAtt":
            if isinstance(argument, str):
                logical_id, _, attribute = argument.partition(".")
                argument = [logical_id, attribute]
            args = self._list(argument, path, name, (2,))
            logical_id = args[0]
            if not isinstance(logical_id, str):
                self._fail(path, f"Fn::GetAtt's logical id must be a string, not {_show(logical_id)}")
            attribute = self._string(args[1], (*path, 1), "Fn::GetAtt's attribute name")
            return self.scope.get_att(logical_id, attribute, path)
        if name == "Fn::Join":
            delimiter, items = self._list(argument, path, name, (2,))
            if not isinstance(delimiter, str):
                self._fail(path, f"Fn::Join's delimiter must be a string, not {_show(delimiter)}")
            return delimiter.join(self._string_list(items, (*path, 1), "Fn::Join's values"))
        if name == "Fn::Select":
            index_value, items = self._list(argument, path, name, (2,))
            index = self.resolve(index_value, (*path, 0))
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if isinstance(index, bool) or not isinstance(index, int):
                self._fail(path, f"Fn::Select's index must be a whole number, not {_show(index)}")
            listed = self.resolve(items, (*path, 1))
            if not isinstance(listed, list):
                self._fail(path, f"Fn::Select takes a list, not {_show(listed)}")
            if not 0 <= index < len(listed):
                self._fail(path, f"Fn::Select index {index} is out of range for a list of {len(listed)}")
            return listed[index]
        if name == "Fn::Split":
            delimiter, source = self._list(argument, path, name, (2,))
            if not isinstance(delimiter, str) or not delimiter:
                self._fail(path, f"Fn::Split's delimiter must be a non-empty string, not {_show(delimiter)}")
            return self._string(source, (*path, 1), "Fn::Split's source").split(delimiter)
        if name == "Fn::If":
            condition, when_true, when_false = self._list(argument, path, name, (3,))
            if not isinstance(condition, str):
                self._fail(path, f"Fn::If's condition must be a condition name, not {_show(condition)}")
            if self.scope.condition(condition, path):
                return self.resolve(when_true, (*path, 1))
            return self.resolve(when_false, (*path, 2))
        if name == "Fn::FindInMap":
            args = self._list(argument, path, name, (3,))
            names = [self._string(arg, (*path, i), "Fn::FindInMap's keys") for i, arg in enumerate(args)]
            return self.scope.find_in_map(names, path)
        if name == "Fn::Base64":
            return base64.b64encode(self._string(argument, path, "Fn::Base64's value").encode()).decode()
        if name == "Fn::Sub":
            return self._sub(argument, path)
        if name == "Fn::ImportValue":
            return self.scope.import_value(self._string(argument, path, "Fn::ImportValue's name"), path)
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            return self.boolean(name, argument, path)
        if name == "Fn::ToJsonString":
            return json.dumps(self.resolve(argument, path), separators=(",", ":"))
        if name == "Fn::Length":
            listed = self.resolve(argument, path)
            if not isinstance(listed, list):
                self._fail(path, f"Fn::Length takes a list, not {_show(listed)}")
            return len(listed)
        if name == "Fn::Cidr":
            return self._cidr(argument, path)
        if name == "Fn::GetAZs":
            self._fail(path, "Fn::GetAZs depends on the account's Availability Zones, unknown offline")
        self._fail(path, f"{name} runs a macro at deployment; its output is unknown offline")

    def boolean(self, name: str, argument: Any, path: Path) -> bool:
        """A condition function (``Fn::Equals``, ``And``, ``Or``, ``Not``, ``Condition``)."""
        if name == "Condition":
            if not isinstance(argument, str):
                self._fail(path, f"Condition takes a condition name, not {_show(argument)}")
            return self.scope.condition(argument, path)
        if name == "Fn::Equals":
            left, right = self._list(argument, path, name, (2,))
            left_value = _comparable(self.resolve(left, (*path, 0)))
            return bool(left_value == _comparable(self.resolve(right, (*path, 1))))
        if name == "Fn::Not":
            (inner,) = self._list(argument, path, name, (1,))
            return not self.condition_value(inner, (*path, 0))
        args = self._list(argument, path, name, tuple(range(2, 11)))
        values = (self.condition_value(arg, (*path, i)) for i, arg in enumerate(args))
        return bool(all(values) if name == "Fn::And" else any(values))

    def condition_value(self, value: Any, path: Path) -> bool:
        """A value that must be a condition: a condition function, or a (resolved) boolean."""
        name = function_of(value)
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            return self.boolean(name, value[name], (*path, name))
        resolved = self.resolve(value, path)
        if isinstance(resolved, bool):
            return resolved
        if resolved in ("true", "false"):
            return bool(resolved == "true")
        self._fail(path, f"expected a condition, not {_show(resolved)}")

    def _sub(self, argument: Any, path: Path) -> str:
        variables: Mapping[str, Any] = {}
        if isinstance(argument, list):
            template, variables = self._list(argument, path, "Fn::Sub", (2,))
            if not isinstance(variables, dict):
                self._fail(path, f"Fn::Sub's variables must be a mapping, not {_show(variables)}")
        else:
            template = argument
        if not isinstance(template, str):
            self._fail(path, f"Fn::Sub takes a string, not {_show(template)}")

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            name = name.strip()
            if name in variables:
                return self._string(variables[name], (*path, 1, name), f"Fn::Sub variable {name}")
            logical_id, dot, attribute = name.partition(".")
            if dot and self.scope.is_known_name(logical_id):
                value = self.scope.get_att(logical_id, attribute, path)
            elif self.scope.is_known_name(name):
                value = self.scope.ref(name, path)
            else:
                hint = ""
                if ":" in name or "." in name:
                    hint = (
                        f"; to keep it literally (an IoT policy variable, for example), escape it: "
                        f"${{!{name}}}"
                    )
                self._fail(
                    path,
                    f"Fn::Sub: ${{{name}}} is not a parameter, a resource or a pseudo parameter "
                    f"of this template, and not in the function's variables{hint}",
                )
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                self._fail(path, f"Fn::Sub: ${{{name}}} is {_show(value)}, not a string")
            return value if isinstance(value, str) else _number_text(value)

        return _SUB_VARIABLE.sub(replace, template)

    def _cidr(self, argument: Any, path: Path) -> list[str]:
        block, count, bits = self._list(argument, path, "Fn::Cidr", (3,))
        try:
            network = ipaddress.ip_network(self._string(block, (*path, 0), "Fn::Cidr's block"), strict=False)
            count_value = int(self._string(count, (*path, 1), "Fn::Cidr's count"))
            bits_value = int(self._string(bits, (*path, 2), "Fn::Cidr's bits"))
            prefix = network.max_prefixlen - bits_value
            subnets = network.subnets(new_prefix=prefix)
            return [str(next(subnets)) for _ in range(count_value)]
        except (ValueError, StopIteration) as exc:
            self._fail(path, f"Fn::Cidr: {exc or 'not enough addresses'}")


def _number_text(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return _number_text(value)
    return value


def _show(value: Any) -> str:
    text = json.dumps(value, default=repr) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
