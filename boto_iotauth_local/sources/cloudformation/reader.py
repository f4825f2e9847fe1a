"""Reading a CloudFormation template (JSON, or YAML with the short-form tags) into plain values.

YAML is composed into nodes by PyYAML (its C parser when built with libyaml) and converted here, so the
short forms (``!Ref X``, ``!GetAtt A.B``, ``!Sub ...``) become the long forms CloudFormation itself
expands them to (``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``), and every mapping remembers the line
of each of its keys. PyYAML's own composer was chosen over cfn-flip's or cfn-lint's loaders: it is already
a dependency, it keeps start marks, and CloudFormation's YAML is PyYAML's YAML 1.1 minus what this module
refuses as CloudFormation does (aliases and anchors, hash merges, timestamps stay text).

JSON is read by :mod:`json` (fast, strict, duplicate keys refused); its lines are found on demand, only
when an error needs one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from boto_iotauth_local.engine import jsondata
from boto_iotauth_local.sources.cloudformation.errors import TemplateError

#: Deep enough for any template or plan (CloudFormation's own limits keep templates shallow).
MAX_DEPTH = 128

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Short-form tag -> the long-form key it stands for.
SHORT_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And",
            "Base64",
            "Cidr",
            "Equals",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "If",
            "ImportValue",
            "Join",
            "Length",
            "Not",
            "Or",
            "Select",
            "Split",
            "Sub",
            "ToJsonString",
            "Transform",
        )
    },
}
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_SCALARS = yaml.constructor.SafeConstructor()


class Located(dict):  # type: ignore[type-arg]
    """A mapping from a YAML template that knows its own line and the line of each key (1-based)."""

    __slots__ = ("key_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


@dataclass
class TemplateText:
    """A template's values, its text, and how to find the line of a path through it."""

    path: Path
    text: str
    data: Any
    is_yaml: bool

    def line(self, keys: Sequence[str | int]) -> int | None:
        """The line of the deepest key of ``keys`` that can be found (None if not even the first)."""
        if self.is_yaml:
            found: int | None = None
            node = self.data
            for key in keys:
                if isinstance(node, Located) and isinstance(key, str) and key in node:
                    found = node.key_lines.get(key, found)
                    node = node[key]
                elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
                    if isinstance(node[key], Located):
                        found = node[key].line
                    node = node[key]
                else:
                    break
            return found
        return _json_line(self.text, [k for k in keys if isinstance(k, str)])


def _json_line(text: str, keys: Sequence[str]) -> int | None:
    """The line of the last of ``keys`` found in order, each searched after the one before."""
    position, found = 0, None
    for key in keys:
        match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, position)
        if match is None:
            break
        position = match.end()
        found = text.count("\n", 0, match.start()) + 1
    return found


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(path, None, "no such file") from None
    except IsADirectoryError:
        raise TemplateError(path, None, "is a directory; give a template file or a cdk.out folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(path, None, f"cannot read the file: {exc}") from None


def parse(path: Path, text: str) -> TemplateText:
    """Values of a JSON or YAML document (JSON when it starts with ``{``, as CloudFormation decides)."""
    if text.lstrip().startswith("{"):
        return TemplateText(path, text, _parse_json(path, text), is_yaml=False)
    return TemplateText(path, text, _parse_yaml(path, text), is_yaml=True)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


class _DuplicateKey(Exception):
    pass


def _parse_json(path: Path, text: str) -> Any:
    try:
        return jsondata.loads(text, max_depth=MAX_DEPTH, object_pairs_hook=_unique)
    except _DuplicateKey as exc:
        key = exc.args[0]
        raise TemplateError(path, _json_line(text, [key]), f"duplicate key {key!r}") from None
    except json.JSONDecodeError as exc:
        raise TemplateError(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    except jsondata.JSONDataError as exc:
        line = text.count("\n", 0, exc.position) + 1 if exc.position is not None else None
        raise TemplateError(path, line, f"invalid JSON: {exc}") from None


def _parse_yaml(path: Path, text: str) -> Any:
    try:
        node = yaml.compose(text, Loader=_BaseLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise TemplateError(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise TemplateError(path, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise TemplateError(path, None, "invalid YAML: nested too deeply") from None
    if node is None:
        raise TemplateError(path, None, "the template is empty")
    try:
        return _Converter(path).value(node)
    except RecursionError:
        raise TemplateError(path, None, "invalid YAML: nested too deeply") from None


class _Converter:
    """YAML nodes to values, with the short-form tags expanded and lines kept."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: set[int] = set()

    def error(self, node: yaml.Node, message: str) -> TemplateError:
        return TemplateError(self.path, node.start_mark.line + 1, message)

    def value(self, node: yaml.Node) -> Any:
        if id(node) in self.seen:
            raise self.error(node, "YAML aliases (*name) are not supported in CloudFormation templates")
        self.seen.add(id(node))
        tag = node.tag
        if tag in SHORT_TAGS:
            key = SHORT_TAGS[tag]
            if tag == "!GetAtt" and isinstance(node, yaml.ScalarNode):
                logical_id, dot, attribute = str(node.value).partition(".")
                if not dot:
                    raise self.error(node, f"!GetAtt {node.value!r}: expected LogicalId.Attribute")
                inner: Any = [logical_id, attribute]
            else:
                inner = self.plain(node)
            result = Located(node.start_mark.line + 1)
            result[key] = inner
            result.key_lines[key] = node.start_mark.line + 1
            return result
        if tag.startswith("!"):
            raise self.error(node, f"unknown tag {tag}")
        return self.plain(node)

    def plain(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag in (_STR, _TIMESTAMP) or node.tag.startswith("!"):
                return str(node.value)
            try:
                return _SCALARS.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as exc:
                raise self.error(node, f"invalid YAML: {exc.problem}") from None
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item) for item in node.value]
        if isinstance(node, yaml.MappingNode):
            result = Located(node.start_mark.line + 1)
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    raise self.error(key_node, "YAML merge keys (<<) are not supported in CloudFormation")
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.error(key_node, "a mapping key must be a string")
                key = str(key_node.value)
                if key in result:
                    raise self.error(key_node, f"duplicate key {key!r}")
                result.key_lines[key] = key_node.start_mark.line + 1
                result[key] = self.value(value_node)
            return result
        raise self.error(node, "unexpected YAML node")  # pragma: no cover - PyYAML has only three kinds
