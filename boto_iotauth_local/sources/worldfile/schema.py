"""Reading a world file as located fields: every value knows its line and its path in the file.

YAML and JSON files are both composed into PyYAML nodes (JSON is YAML), which carry their start marks,
so a type error, an unknown key or a bad reference can be reported at the exact line of the field. The
loader never sees a bare value it cannot place.

Two differences from ``yaml.safe_load`` make hand-written files safer: a duplicate mapping key is an
error (PyYAML keeps the last silently), and an unquoted date such as ``Version: 2012-10-17`` stays the
text it was written as, since every date in a world file is a policy language version or an attribute.
In a JSON file, unquoted scalars are read by JSON's rules (``1e5`` is a number, not YAML 1.1's string).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from boto_iotauth_local.engine.jsondata import MAX_DEPTH, MAX_INT_DIGITS, nesting_position
from boto_iotauth_local.sources.worldfile.errors import WorldFileError

#: The top-level keys and the keys of each section's entries.
TOP_LEVEL_KEYS = (
    "account_id",
    "region",
    "policies",
    "thing_types",
    "thing_groups",
    "ca_certificates",
    "certificates",
    "cognito_identities",
    "things",
    "cognito_identity_pools",
    "functions",
    "authorizers",
    "revocation_lists",
    "weak_key_lists",
)
POLICY_KEYS = ("name", "document", "version_id", "versions", "default_version")
POLICY_VERSION_KEYS = ("id", "document")
THING_TYPE_KEYS = ("name", "description", "searchable_attributes", "deprecated")
THING_GROUP_KEYS = ("name", "parent", "description", "attributes", "policies")
CERTIFICATE_KEYS = (
    "name",
    "pem",
    "pem_file",
    "subject",
    "issuer",
    "subject_alternative_names",
    "issuer_alternative_names",
    "status",
    "policies",
)
CA_CERTIFICATE_KEYS = (
    "pem",
    "pem_file",
    "verification_pem",
    "verification_pem_file",
    "certificate_mode",
    "status",
    "auto_registration",
)
REVOCATION_LIST_KEYS = ("pem", "pem_file")
COGNITO_IDENTITY_KEYS = ("id", "policies")
THING_KEYS = ("name", "type", "attributes", "groups", "principals")
PRINCIPAL_KEYS = ("certificate", "cognito_identity", "exclusive")
POOL_KEYS = ("id", "authenticated_policies", "unauthenticated_policies")
FUNCTION_KEYS = ("name", "handler", "code_dir", "runtime", "environment", "memory_mb", "timeout")
AUTHORIZER_KEYS = (
    "name",
    "function",
    "token_key_name",
    "signing_public_keys",
    "signing_public_key_files",
    "status",
    "signing_disabled",
    "enable_caching_for_http",
    "default",
)

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_KIND_NAMES = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:null": "null",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_:-]+")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: Levels of mappings and lists a world file may nest: a policy document's own bound (engine/jsondata.py)
#: plus room for the file's sections around it.
FILE_MAX_DEPTH = MAX_DEPTH + 16


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _json_scalar(text: str) -> Any:
    """A JSON file's unquoted scalar; ValueError for an integer Python will not read (too many digits)."""
    return json.loads(text)


def parse(text: str, path: Path, *, json_syntax: bool) -> Field:
    """The root field of a world file's text; WorldFileError for a syntax error, with its line."""
    if json_syntax:
        deep = nesting_position(text, FILE_MAX_DEPTH)
        if deep is not None:
            raise WorldFileError(path, _line_of(text, deep), None, _too_deep())
        try:
            # Numbers are read per field, where a bad one can be reported with its field.
            json.loads(text, parse_int=str, parse_float=str, parse_constant=str)
        except json.JSONDecodeError as exc:
            raise WorldFileError(path, exc.lineno, None, f"invalid JSON: {exc.msg}") from None
        # Valid JSON holds tabs only as whitespace between tokens, where YAML refuses them.
        text = text.replace("\t", " ")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise WorldFileError(
            path, line, None, f"invalid {'JSON' if json_syntax else 'YAML'}: {problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise WorldFileError(path, None, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise WorldFileError(path, None, None, "the file is nested too deeply to read") from None
    if node is not None:
        _check_depth(node, path)
        _check_expansion(node, path)
    if node is None:  # an empty file is an empty world
        node = yaml.MappingNode("tag:yaml.org,2002:map", [], yaml.Mark(str(path), 0, 0, 0, None, 0))
    return Field(node, "", path, json_syntax)


#: Aliases may repeat a value, not multiply a small file into millions of values (a "billion laughs").
_EXPANSION_FACTOR = 100
_EXPANSION_FLOOR = 100_000


def _too_deep() -> str:
    return f"the file is nested too deeply (more than {FILE_MAX_DEPTH} levels of mappings and lists)"


def _collections(node: yaml.Node) -> list[yaml.Node]:
    """The mappings and lists directly inside ``node``, last first (scalars add no level)."""
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [n for kv in node.value for n in kv]
    else:
        return []
    return [child for child in reversed(children) if not isinstance(child, yaml.ScalarNode)]


def _check_depth(root: yaml.Node, path: Path) -> None:
    """Refuse nesting (aliases included) beyond FILE_MAX_DEPTH, and aliases of a value inside itself.

    Iterative, so no file can exhaust the stack here; every recursive walk after it is then bounded.
    """
    if isinstance(root, yaml.ScalarNode):
        return
    height: dict[int, int] = {}  # levels of mappings and lists in a finished node, itself included
    on_path: set[int] = {id(root)}
    # Each entry: a node, its children still to visit (popped in file order), the tallest child so far.
    stack: list[tuple[yaml.Node, list[yaml.Node], list[int]]] = [(root, _collections(root), [0])]
    while stack:
        node, pending, tallest = stack[-1]
        if not pending:
            stack.pop()
            on_path.discard(id(node))
            height[id(node)] = tallest[0] + 1
            if stack:
                parent_tallest = stack[-1][2]
                parent_tallest[0] = max(parent_tallest[0], tallest[0] + 1)
            continue
        child = pending.pop()
        key = id(child)
        if key in on_path:
            raise WorldFileError(
                path, child.start_mark.line + 1, None, "an alias refers to a value containing it"
            )
        known = height.get(key)
        if known is not None:
            if len(stack) + known > FILE_MAX_DEPTH:
                raise WorldFileError(path, child.start_mark.line + 1, None, _too_deep())
            tallest[0] = max(tallest[0], known)
            continue
        if len(stack) >= FILE_MAX_DEPTH:
            raise WorldFileError(path, child.start_mark.line + 1, None, _too_deep())
        on_path.add(key)
        stack.append((child, _collections(child), [0]))


def _check_expansion(root: yaml.Node, path: Path) -> None:
    """Refuse recursive aliases, and aliases that expand the document far beyond its written size."""
    written: set[int] = set()
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in expanded:
            return expanded[key]
        if key in open_nodes:
            raise WorldFileError(
                path, node.start_mark.line + 1, None, "an alias refers to a value containing it"
            )
        written.add(key)
        total = 1
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            open_nodes.add(key)
            children = (
                node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]
            )
            for child in children:
                total += size(child)
                if total > _EXPANSION_FLOOR and total > _EXPANSION_FACTOR * len(written):
                    raise WorldFileError(
                        path,
                        child.start_mark.line + 1,
                        None,
                        f"aliases expand this file to more than {total:,} values "
                        f"from {len(written):,} written",
                    )
            open_nodes.discard(key)
        expanded[key] = total
        return total

    size(root)


def _kind(node: yaml.Node, json_syntax: bool) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if json_syntax and isinstance(node, yaml.ScalarNode) and node.style is None:
        text = str(node.value)
        return "null" if text == "null" else "a boolean" if text in ("true", "false") else "a number"
    if node.tag in (_STR, _TIMESTAMP):
        return "a string"
    return _KIND_NAMES.get(node.tag, "a value")


@dataclass(frozen=True)
class Field:
    """One node of the file with its path (``things[2].principals[0]``) and the file it came from."""

    node: yaml.Node
    path: str
    source: Path
    json_syntax: bool

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    def error(self, message: str) -> WorldFileError:
        return WorldFileError(self.source, self.line, self.path or None, message)

    def _child(self, node: yaml.Node, path: str) -> Field:
        return Field(node, path, self.source, self.json_syntax)

    def key_path(self, key: str) -> str:
        if not self.path:
            return key
        return f"{self.path}.{key}" if _SIMPLE_KEY.fullmatch(key) else f"{self.path}[{key!r}]"

    def _expected(self, what: str) -> WorldFileError:
        found = _kind(self.node, self.json_syntax)
        hint = " (quote it)" if what == "a string" and found in ("a number", "a boolean", "null") else ""
        return self.error(f"expected {what}, got {found}{hint}")

    # ------------------------------------------------------------------------------------ containers

    def _located_entries(self) -> list[tuple[str, yaml.Node, Field]]:
        """``(key, key node, value field)`` in file order; keys are strings, unique, merges resolved.

        A ``<<`` merge key brings in its mappings' keys, which the mapping's own keys override.
        """
        if not isinstance(self.node, yaml.MappingNode):
            raise self._expected("a mapping")
        own: dict[str, yaml.Node] = {}
        for key_node, _ in self.node.value:
            if key_node.tag == _MERGE:
                continue
            if not isinstance(key_node, yaml.ScalarNode) or _kind(key_node, self.json_syntax) != "a string":
                raise self._child(key_node, self.path).error(
                    f"keys must be strings, not {_kind(key_node, self.json_syntax)}"
                )
            key = str(key_node.value)
            if key in own:
                raise self._child(key_node, self.key_path(key)).error(
                    f"duplicate key {key!r} (first at line {own[key].start_mark.line + 1})"
                )
            own[key] = key_node
        found: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in self.node.value:
            if key_node.tag != _MERGE:
                found[str(key_node.value)] = (key_node, value_node)
                continue
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, yaml.MappingNode):
                    raise self._child(source, self.path).error("a '<<' merge key needs a mapping")
                for key, merged_key, merged in self._child(source, self.path)._located_entries():
                    if key not in own and key not in found:
                        found[key] = (merged_key, merged.node)
        return [(key, k, self._child(v, self.key_path(key))) for key, (k, v) in found.items()]

    def entries(self) -> list[tuple[str, Field]]:
        """A mapping's ``(key, field)`` pairs in file order."""
        return [(key, value) for key, _, value in self._located_entries()]

    def mapping(self, allowed: Collection[str], required: Collection[str] = ()) -> dict[str, Field]:
        """The fields of a mapping with a fixed set of keys; unknown keys and missing ones are errors."""
        found: dict[str, Field] = {}
        for key, key_node, value in self._located_entries():
            if key not in allowed:
                raise self._child(key_node, value.path).error(
                    f"unknown key {key!r}; allowed keys are: {', '.join(allowed)}"
                )
            found[key] = value
        for key in required:
            if key not in found:
                raise self.error(f"missing required key {key!r}")
        return found

    def items(self) -> list[Field]:
        """A list's elements."""
        if not isinstance(self.node, yaml.SequenceNode):
            raise self._expected("a list")
        return [self._child(node, f"{self.path}[{i}]") for i, node in enumerate(self.node.value)]

    # --------------------------------------------------------------------------------------- scalars

    def is_string(self) -> bool:
        return _kind(self.node, self.json_syntax) == "a string"

    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    def text(self) -> str:
        """A string (an unquoted date counts, as written)."""
        if not self.is_string():
            raise self._expected("a string")
        return str(self.node.value)

    def boolean(self) -> bool:
        value = self._scalar()
        if not isinstance(value, bool):
            raise self._expected("a boolean (true or false)")
        return value

    def integer(self) -> int:
        value = self._scalar()
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._expected("an integer")
        return value

    def number(self) -> float:
        value = self._scalar()
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._expected("a number")
        if not math.isfinite(value):
            raise self.error(f"expected a finite number, got {self.node.value}")
        return float(value)

    def text_list(self) -> list[str]:
        return [item.text() for item in self.items()]

    def text_map(self) -> dict[str, str]:
        return {key: value.text() for key, value in self.entries()}

    def _scalar(self) -> Any:
        if not isinstance(self.node, yaml.ScalarNode):
            return self.node  # never a bool or number: the caller reports the kind
        if self.node.tag in (_STR, _TIMESTAMP):
            return str(self.node.value)
        try:
            if self.json_syntax and self.node.style is None:
                return _json_scalar(self.node.value)
            if self.node.tag not in _KIND_NAMES:
                raise self.error(f"unsupported YAML tag {self.node.tag!r} on {self.node.value!r}")
            return _CONSTRUCTOR.construct_object(self.node, deep=True)
        except ValueError as exc:
            if isinstance(exc, WorldFileError):
                raise
            raise self.error(f"unreadable number ({_short(exc)}; at most {MAX_INT_DIGITS} digits)") from None
        except yaml.YAMLError as exc:
            raise self.error(f"unreadable value: {_short(exc)}") from None

    def value(self) -> Any:
        """The plain Python value (for policy documents): mappings, lists, strings, numbers, booleans.

        Recursive, but bounded: ``parse`` refused files nested deeper than FILE_MAX_DEPTH.
        """
        if isinstance(self.node, yaml.MappingNode):
            if self.node.tag != _MAP:
                raise self.error(f"unsupported YAML tag {self.node.tag!r} on a mapping")
            return {key: field.value() for key, field in self.entries()}
        if isinstance(self.node, yaml.SequenceNode):
            if self.node.tag != _SEQ:
                raise self.error(f"unsupported YAML tag {self.node.tag!r} on a list")
            return [item.value() for item in self.items()]
        value = self._scalar()
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise self.error(f"unsupported value {self.node.value!r}")
        return value


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 120 else text[:117] + "..."
