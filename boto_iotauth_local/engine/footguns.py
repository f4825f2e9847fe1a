"""Foot-guns: policy constructs that evaluate as AWS evaluates them but rarely as their author meant.

Each check is pure, over compiled policies and one request, and only ever adds a note: the decision is
never changed here. The notes name the policy and the statement, say what AWS does, and what was likely
meant:

- ``SUBSCRIBE`` is authorized on ``topicfilter/`` ARNs; a ``topic/`` ARN (in the request, or in a
  statement that names ``iot:Subscribe``) never matches a subscription;
- ``+`` and ``#`` are literal characters in policies, never MQTT wildcards (only ``*`` and ``?`` are), so
  a Deny on ``a/secret/*`` does not cover a subscription to ``a/#``;
- an ``iot:`` action that is not an IoT policy action (``iot:Publsh``) is matched as written, so it
  grants or denies nothing;
- ``${iot:Thing.ThingName}``, used by some of AWS's own examples but absent from the documented
  variables, stays unresolved (the entry matches nothing); ``${iot:Connection.Thing.ThingName}`` is meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .policy import Policy
from .statement import Statement

NoteKind = Literal["subscribe-needs-topicfilter", "mqtt-wildcard", "unknown-action", "undocumented-variable"]

#: IoT policy actions (developer guide, "AWS IoT Core policy actions"): MQTT, Device Shadow, jobs over
#: HTTP and the credentials provider. Anything else after ``iot:`` authorizes nothing in an IoT policy.
IOT_POLICY_ACTIONS = (
    "iot:Connect",
    "iot:Publish",
    "iot:Subscribe",
    "iot:Receive",
    "iot:RetainPublish",
    "iot:GetRetainedMessage",
    "iot:ListRetainedMessages",
    "iot:DeleteConnection",
    "iot:GetThingShadow",
    "iot:UpdateThingShadow",
    "iot:DeleteThingShadow",
    "iot:ListNamedShadowsForThing",
    "iot:DescribeJobExecution",
    "iot:GetPendingJobExecutions",
    "iot:UpdateJobExecution",
    "iot:StartNextPendingJobExecution",
    "iot:AssumeRoleWithCertificate",
)
_KNOWN = {action.lower(): action for action in IOT_POLICY_ACTIONS}
_TOPIC_TYPES = (":topic/", ":topicfilter/")
_THING_VARIABLE = "iot:thing."


@dataclass(frozen=True, slots=True)
class Note:
    """One foot-gun: where it is (policy name and statement index, None for the request) and what to do."""

    kind: NoteKind
    policy: str | None
    statement: int | None
    message: str

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "policy": self.policy,
            "statement": self.statement,
            "message": self.message,
        }

    def __str__(self) -> str:
        if self.policy is None:
            return f"request: {self.message}"
        return f"{self.policy} statement #{self.statement}: {self.message}"


def notes(policies: Iterable[tuple[str, Policy]], action: str, resources: Sequence[str]) -> tuple[Note, ...]:
    """Every foot-gun of these policies and this request (``action`` as ``iot:Publish``), in order."""
    found: list[Note] = list(_request_notes(action, resources))
    action_lower = action.lower()
    seen: set[int] = set()
    for name, policy in policies:
        if id(policy) in seen:
            continue
        seen.add(id(policy))
        for statement in policy.statements:
            found.extend(_unknown_actions(name, statement))
            if statement.action_applies(action_lower):
                found.extend(_statement_notes(name, statement, action_lower))
    return tuple(found)


def _request_notes(action: str, resources: Sequence[str]) -> Iterable[Note]:
    lower = action.lower()
    for resource in resources:
        if lower == "iot:subscribe" and ":topic/" in resource:
            fixed = resource.replace(":topic/", ":topicfilter/", 1)
            yield Note(
                "subscribe-needs-topicfilter",
                None,
                None,
                f"SUBSCRIBE is authorized on topicfilter/ ARNs, so {resource} names a topic that no "
                f"subscription policy matches; ask for {fixed}",
            )
        elif lower == "iot:subscribe" and any(c in (_topic_part(resource) or "") for c in "+#"):
            yield Note(
                "mqtt-wildcard",
                None,
                None,
                f"the filter in {resource} is matched as literal text: a Deny on, say, topicfilter/a/x/* "
                "does not cover a/# or a/+/..., and messages on denied topics can still arrive unless "
                "iot:Receive is restricted too",
            )
        elif lower in ("iot:publish", "iot:receive") and ":topicfilter/" in resource:
            fixed = resource.replace(":topicfilter/", ":topic/", 1)
            yield Note(
                "subscribe-needs-topicfilter",
                None,
                None,
                f"{action.split(':')[1].upper()} is authorized on topic/ ARNs (topicfilter/ is for "
                f"SUBSCRIBE); ask for {fixed}",
            )


def _statement_notes(name: str, statement: Statement, action_lower: str) -> Iterable[Note]:
    names_subscribe = not statement.not_action and any(
        source.lower() == "iot:subscribe" for source in statement.action_sources
    )
    for pattern in statement.resources:
        source = pattern.source
        if action_lower == "iot:subscribe" and names_subscribe and ":topic/" in source:
            yield Note(
                "subscribe-needs-topicfilter",
                name,
                statement.index,
                f"{statement.resource_element} {source!r} is a topic/ ARN, but iot:Subscribe is checked "
                f"against topicfilter/ ARNs: this entry never matches a subscription; write "
                f"{source.replace(':topic/', ':topicfilter/', 1)!r}",
            )
        topic_part = _topic_part(source)
        if topic_part is not None and ("+" in topic_part or "#" in topic_part):
            meant = topic_part.replace("#", "*").replace("+", "*")
            yield Note(
                "mqtt-wildcard",
                name,
                statement.index,
                f"{statement.resource_element} {source!r}: '+' and '#' are literal characters in IoT "
                f"policies, not MQTT wildcards (only '*' and '?' are), so this entry matches only the "
                f"filter written exactly so; for a wildcard write {meant!r}",
            )
    for key in dict.fromkeys(variable.key for variable in statement.variables):
        yield from _variable_note(name, statement, key)


def _variable_note(name: str, statement: Statement, key: str) -> Iterable[Note]:
    if key.lower().startswith(_THING_VARIABLE):
        meant = "iot:Connection.Thing." + key[len(_THING_VARIABLE) :]
        yield Note(
            "undocumented-variable",
            name,
            statement.index,
            f"${{{key}}} is not a documented IoT policy variable (some AWS examples use it): it stays "
            f"unresolved and an entry using it matches nothing; use ${{{meant}}}",
        )


def _unknown_actions(name: str, statement: Statement) -> Iterable[Note]:
    for source in statement.action_sources:
        lower = source.lower()
        if not lower.startswith("iot:") or "*" in lower or "?" in lower or lower in _KNOWN:
            continue
        close = difflib.get_close_matches(lower, list(_KNOWN), n=1, cutoff=0.75)
        hint = f"; did you mean {_KNOWN[close[0]]!r}?" if close else ""
        yield Note(
            "unknown-action",
            name,
            statement.index,
            f"{statement.action_element} {source!r} is not an IoT policy action: it is matched as written, "
            f"as AWS does, so it grants or denies nothing{hint}",
        )


def _topic_part(source: str) -> str | None:
    """The topic or filter of a topic/ or topicfilter/ ARN pattern (None for other resources)."""
    for marker in _TOPIC_TYPES:
        at = source.find(marker)
        if at >= 0:
            return source[at + len(marker) :]
    return None
