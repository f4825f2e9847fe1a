"""Checking what a custom authorizer returned against AWS IoT's response contract (spec A14, §3.5).

Decisions where AWS's documentation is silent:

* The whole response may be a dict or a JSON string of one (AWS's own integration-test authorizers return
  ``json.dumps(response)``); each policy document may be a dict or a JSON string of one.
* All five documented fields are required: AWS says the function "should send a response that contains"
  them, and IoT needs both timers to manage the connection. ``policyDocuments`` may be empty.
* ``disconnectAfterInSeconds`` and ``refreshAfterInSeconds`` must be JSON integers (``true`` and ``600.0``
  are refused) from 300 to 86400.
* Other keys (``context``, which aws-lambda-go models but AWS does not document, or anything else) are
  ignored, as the service returns only the five fields; they are listed in ``ignored_keys`` so a caller
  can warn about likely typos.
* A document's size is measured on its compact serialization (``json.dumps(doc, separators=(",", ":"))``,
  the form the API returns), at most 2048 characters.

The first violation found, in field order, is reported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import Policy, PolicyError, parse_policy
from ..engine.jsondata import JSONDataError, check, loads

MAX_POLICY_DOCUMENTS = 10
MAX_POLICY_DOCUMENT_LENGTH = 2048
MIN_SECONDS = 300
MAX_SECONDS = 86400
_PRINCIPAL_ID = re.compile(r"[a-zA-Z0-9]{1,128}")
_FIELDS = (
    "isAuthenticated",
    "principalId",
    "policyDocuments",
    "disconnectAfterInSeconds",
    "refreshAfterInSeconds",
)


class InvalidAuthorizerResponse(ValueError):
    """The authorizer's response breaks IoT's contract; ``str(error)`` says which field, value and rule."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class AuthorizerResponse:
    """A valid authorizer response: documents as the API returns them, plus their compiled policies."""

    is_authenticated: bool
    principal_id: str
    policy_documents: tuple[str, ...]
    policies: tuple[Policy, ...]
    disconnect_after_in_seconds: int
    refresh_after_in_seconds: int
    ignored_keys: tuple[str, ...] = ()

    def to_api(self) -> dict[str, Any]:
        """The ``TestInvokeAuthorizer`` response body."""
        return {
            "isAuthenticated": self.is_authenticated,
            "principalId": self.principal_id,
            "policyDocuments": list(self.policy_documents),
            "refreshAfterInSeconds": self.refresh_after_in_seconds,
            "disconnectAfterInSeconds": self.disconnect_after_in_seconds,
        }


def _show(value: Any) -> str:
    """A short rendering of an offending value for messages."""
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(value: Any) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _as_object(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        try:
            raw = loads(raw)
        except json.JSONDecodeError as exc:
            raise InvalidAuthorizerResponse(
                "The authorizer response is a string that is not valid JSON "
                f"({exc.msg} at position {exc.pos})"
            ) from None
        except JSONDataError as exc:
            raise InvalidAuthorizerResponse(
                f"The authorizer response is a string that is not valid JSON ({exc})"
            ) from None
        if not isinstance(raw, dict):
            raise InvalidAuthorizerResponse(
                f"The authorizer response must be a JSON object; the handler returned a JSON string of "
                f"{_type_name(raw)} {_show(raw)}"
            )
        return raw
    if raw is None:
        raise InvalidAuthorizerResponse(
            "The authorizer response must be a JSON object; the handler returned null (None)"
        )
    if isinstance(raw, (list, tuple)):
        _check_data(raw)
    if not isinstance(raw, Mapping):
        raise InvalidAuthorizerResponse(
            "The authorizer response must be a JSON object; "
            f"the handler returned {_type_name(raw)} {_show(raw)}"
        )
    response = dict(raw)
    _check_data(response)
    return response


def _check_data(value: Any) -> None:
    """Refuse values no JSON reader would produce (too deep, NaN, bytes) before anything walks them."""
    try:
        check(value)
    except JSONDataError as exc:
        raise InvalidAuthorizerResponse(f"The authorizer response is not JSON data: {exc}") from None


def _require(response: Mapping[str, Any], field: str, rule: str) -> Any:
    if field in response:
        return response[field]
    near = [key for key in response if isinstance(key, str) and key.lower() == field.lower()]
    hint = f" (found {near[0]!r}; field names are case-sensitive)" if near else ""
    raise InvalidAuthorizerResponse(f"The authorizer response is missing {field!r} ({rule}){hint}")


def _seconds(response: Mapping[str, Any], field: str) -> int:
    rule = f"an integer from {MIN_SECONDS} to {MAX_SECONDS}"
    value = _require(response, field, rule)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidAuthorizerResponse(f"{field} must be {rule}, not {_type_name(value)} {_show(value)}")
    if not MIN_SECONDS <= value <= MAX_SECONDS:
        raise InvalidAuthorizerResponse(f"{field} must be {rule}, not {value}")
    return value


def _malformed(reason: str, index: int) -> InvalidAuthorizerResponse:
    return InvalidAuthorizerResponse(f"Policy document is Malformed: {reason} (policyDocuments[{index}])")


def _document(raw: Any, index: int) -> tuple[str, Policy]:
    """The compact text and compiled policy of one document."""
    if isinstance(raw, str):
        try:
            parsed = loads(raw)
        except json.JSONDecodeError as exc:
            raise _malformed(
                f"The policy document is not valid JSON: {exc.msg} at position {exc.pos}", index
            ) from None
        except JSONDataError as exc:
            raise _malformed(f"The policy document is not valid JSON: {exc}", index) from None
        if not isinstance(parsed, dict):
            raise _malformed(f"The policy document must be a JSON object, not {_type_name(parsed)}", index)
        source: str | Mapping[str, Any] = raw
    elif isinstance(raw, Mapping):
        parsed, source = raw, raw
    else:
        raise _malformed(
            f"The policy document must be a JSON object or a JSON string of one, not {_type_name(raw)}", index
        )
    try:
        compact = json.dumps(parsed, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise _malformed(f"The policy document is not JSON data: {exc}", index) from None
    if len(compact) > MAX_POLICY_DOCUMENT_LENGTH:
        raise InvalidAuthorizerResponse(
            f"policyDocuments[{index}] is {len(compact)} characters long (compact JSON); "
            f"a policy document may have at most {MAX_POLICY_DOCUMENT_LENGTH}"
        )
    try:
        policy = parse_policy(source, dialect="iot")
    except PolicyError as exc:
        raise _malformed(str(exc), index) from None
    return compact, policy


def validate_authorizer_response(raw: Any) -> AuthorizerResponse:
    """Check a handler's return value against the contract; raise :class:`InvalidAuthorizerResponse`."""
    response = _as_object(raw)

    is_authenticated = _require(response, "isAuthenticated", "a boolean")
    if not isinstance(is_authenticated, bool):
        raise InvalidAuthorizerResponse(
            f"isAuthenticated must be a boolean, not {_type_name(is_authenticated)} {_show(is_authenticated)}"
        )

    principal_id = _require(response, "principalId", "1 to 128 letters and digits")
    if not isinstance(principal_id, str) or not _PRINCIPAL_ID.fullmatch(principal_id):
        raise InvalidAuthorizerResponse(
            f"principalId must be 1 to 128 letters and digits (pattern [a-zA-Z0-9]+), not "
            f"{_type_name(principal_id)} {_show(principal_id)}"
        )

    documents = _require(
        response, "policyDocuments", f"a list of at most {MAX_POLICY_DOCUMENTS} policy documents"
    )
    if not isinstance(documents, list):
        raise InvalidAuthorizerResponse(
            "policyDocuments must be a list of policy documents, "
            f"not {_type_name(documents)} {_show(documents)}"
        )
    if len(documents) > MAX_POLICY_DOCUMENTS:
        raise InvalidAuthorizerResponse(
            f"policyDocuments has {len(documents)} documents; at most {MAX_POLICY_DOCUMENTS} are allowed"
        )
    compiled = [_document(document, index) for index, document in enumerate(documents)]

    disconnect = _seconds(response, "disconnectAfterInSeconds")
    refresh = _seconds(response, "refreshAfterInSeconds")
    return AuthorizerResponse(
        is_authenticated=is_authenticated,
        principal_id=principal_id,
        policy_documents=tuple(text for text, _ in compiled),
        policies=tuple(policy for _, policy in compiled),
        disconnect_after_in_seconds=disconnect,
        refresh_after_in_seconds=refresh,
        ignored_keys=tuple(str(key) for key in response if key not in _FIELDS),
    )
