"""Reading what the command line is given: the world file, JSON (inline or ``file://``) and shorthand.

Two kinds of mistakes, two exit codes: a malformed argument is a usage error (``UsageError``, exit 2), a
file that cannot be read or parsed is an input error (``InputError``, exit 4) whose message names the
file, the line and the field, as world files do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...engine.jsondata import JSONDataError, loads
from ...sources.worldfile import WorldFileError
from ...world import World
from ...world.labels import unknown_name


class UsageError(Exception):
    """An argument that cannot be understood (exit code 2)."""


class InputError(Exception):
    """A world file or an input file that cannot be read or parsed (exit code 4)."""


def parameters(pairs: list[str] | None) -> dict[str, str]:
    """``--parameter KEY=VALUE`` options as a mapping (a later KEY wins)."""
    parsed: dict[str, str] = {}
    for pair in pairs or []:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise UsageError(f"argument --parameter: expected KEY=VALUE, not {pair!r}")
        parsed[key] = value
    return parsed


def load_world(
    paths: str | list[str], parameter_pairs: list[str] | None = None, *, allow_external_handlers: bool = False
) -> World:
    """``World.from_file`` (several paths combine), its WorldFileError (``path:line: field: message``)
    as an InputError."""
    given = parameters(parameter_pairs)
    try:
        return World.from_file(paths, parameters=given, allow_external_handlers=allow_external_handlers)
    except WorldFileError as exc:
        raise InputError(str(exc)) from None


def add_external_handlers_option(parser: Any) -> None:
    """``--allow-external-handlers``, for every command that loads a world."""
    parser.add_argument(
        "--allow-external-handlers",
        action="store_true",
        help="run authorizer handler code outside the world file's directory (a world file is "
        "trusted like code: see docs/threat-model.md)",
    )


def world_of(args: Any) -> World:
    """The world ``--world`` (and ``--parameter``) name, with ``--allow-external-handlers`` if given."""
    allow = bool(getattr(args, "allow_external_handlers", False))
    return load_world(args.world, getattr(args, "parameter", None), allow_external_handlers=allow)


def json_argument(value: str, option: str) -> Any:
    """Inline JSON, or ``file://path`` naming a JSON file (the AWS CLI's convention)."""
    if value.startswith("file://"):
        path = Path(value[len("file://") :]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError(f"{path}: {option}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: {option}: cannot read the file: {exc}") from None
        try:
            return loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{exc.lineno}: {option}: invalid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        except JSONDataError as exc:
            line = "" if exc.position is None else f":{text.count(chr(10), 0, exc.position) + 1}"
            raise InputError(f"{path}{line}: {option}: unreadable JSON: {exc}") from None
    try:
        return loads(value)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"argument {option}: invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except JSONDataError as exc:
        raise UsageError(f"argument {option}: unreadable JSON: {exc}") from None


def json_object(value: str | None, option: str) -> dict[str, Any] | None:
    """A JSON object argument (the contexts of TestInvokeAuthorizer)."""
    if value is None:
        return None
    parsed = json_argument(value, option)
    if not isinstance(parsed, dict):
        where = value if value.startswith("file://") else option
        raise UsageError(f"argument {option}: expected a JSON object, got {type(parsed).__name__} ({where})")
    return parsed


_SHORTHAND_KEYS = {"actionType": False, "resources": True}  # name -> takes a list
_KEY = re.compile(r"([A-Za-z]+)=(.*)", re.DOTALL)


def shorthand_auth_info(value: str) -> dict[str, Any]:
    """``actionType=PUBLISH,resources=arn1,arn2`` (also ``resources=[arn1,arn2]``), as the AWS CLI reads it.

    A comma-separated item that does not start with a known ``key=`` continues the list before it.
    """
    info: dict[str, Any] = {}
    current: str | None = None

    def add(item: str) -> None:
        item = item.strip().removeprefix("[").removesuffix("]")
        if item:
            info["resources"].append(item)

    for item in value.split(","):
        match = _KEY.fullmatch(item)
        if match and match.group(1) in _SHORTHAND_KEYS:
            current, rest = match.group(1), match.group(2)
            if current in info:
                raise UsageError(f"argument --auth-infos: {current} is given twice in {value!r}")
            if _SHORTHAND_KEYS[current]:
                info[current] = []
                add(rest)
            else:
                info[current] = rest
        elif current == "resources":
            add(item)
        else:
            raise UsageError(
                f"argument --auth-infos: cannot read {item!r} in {value!r}; "
                "expected actionType=PUBLISH,resources=ARN[,ARN...] or JSON"
            )
    return info


def auth_infos(values: list[str]) -> list[dict[str, Any]]:
    """Every ``--auth-infos`` value: a JSON list or object (inline or ``file://``), or shorthand."""
    infos: list[dict[str, Any]] = []
    for value in values:
        stripped = value.lstrip()
        if value.startswith("file://") or stripped.startswith(("[", "{")):
            parsed = json_argument(value, "--auth-infos")
            items = parsed if isinstance(parsed, list) else [parsed]
            for item in items:
                if not isinstance(item, dict):
                    raise UsageError(
                        "argument --auth-infos: expected objects like "
                        f'{{"actionType": "PUBLISH", "resources": ["arn..."]}}, got {json.dumps(item)}'
                    )
                infos.append(item)
        else:
            infos.append(shorthand_auth_info(value))
    return infos


def mqtt_context(value: str | None) -> dict[str, Any] | None:
    """``--mqtt-context``: the password is given as text and sent as its UTF-8 bytes (a blob)."""
    context = json_object(value, "--mqtt-context")
    if context is not None and isinstance(context.get("password"), str):
        context["password"] = context["password"].encode("utf-8")
    return context


#: What TestAuthorization itself takes as a principal: an ARN, or a Cognito identity id (region:uuid).
_PRINCIPAL_FORMS = re.compile(r"arn:.*|[a-z]{2}(-[a-z]+)+-[0-9]+:.+", re.DOTALL)


def principal(world: World, value: str | None, *, hint_unknown: bool = False) -> str | None:
    """A principal as given, or the ARN of the certificate the world file labelled with that ``name``.

    With ``hint_unknown`` (``iotauth-local``), a value that is neither a principal's form nor a known name
    is taken for a mistyped name: the usage error lists the names the world file gives, closest first.
    Without it (the AWS CLI plugin) such a value goes to the service, which refuses it as AWS does.
    """
    if value is None or _PRINCIPAL_FORMS.fullmatch(value):
        return value
    if value in world.certificate_labels:
        return world.certificate_arn(value)
    if not hint_unknown:
        return value
    raise UsageError(
        "argument --principal: "
        + unknown_name(
            "certificate name",
            value,
            world.certificate_labels,
            none_known="the world file names no certificates; give a certificate ARN, a thing group ARN "
            "or a Cognito identity id",
        )
        + " (or give a certificate ARN, a thing group ARN or a Cognito identity id)"
    )
