"""IoT policy checks: overly permissive (Critical) and potentially misconfigured (Medium).

Each policy's default version is judged alone, by asking the engine concrete requests (``probes``): the
rules are in ``docs/audit-checks.md`` with the pages they rest on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any

from ....world import World
from ...authorization import PolicyRef
from ..findings import Evidence, Finding, Resource
from ..probes import A_DEVICE, A_STRANGER, AS_HASH, AS_PLUS, DEVICE, VICTIM, Probe, ask, first_allowed
from ..registry import CheckContext, CheckOutcome, CheckSpec, register

PERMISSIVE = "IOT_POLICY_OVERLY_PERMISSIVE_CHECK"
MISCONFIGURED = "IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK"
BROAD_DATA_PLANE = "ALLOWS_BROAD_ACCESS_TO_IOT_DATA_PLANE_ACTIONS"
WILDCARDS_IN_DENY = "POLICY_CONTAINS_MQTT_WILDCARDS_IN_DENY_STATEMENT"
DENY_BYPASSED = "TOPIC_FILTERS_INTENDED_TO_DENY_ALLOWED_USING_WILDCARDS"

#: The shadow and job API actions the permissive check's page lists ("Shadow and job permissions").
SHADOW_AND_JOB_ACTIONS = (
    "iot:DeleteThingShadow",
    "iot:GetThingShadow",
    "iot:UpdateThingShadow",
    "iot:DescribeJobExecution",
    "iot:GetPendingJobExecutions",
    "iot:StartNextPendingJobExecution",
    "iot:UpdateJobExecution",
)
_MQTT = {"iot:publish": "PUBLISH", "iot:subscribe": "SUBSCRIBE", "iot:receive": "RECEIVE"}
_TOPIC_RESOURCE = re.compile(r"^arn:[^:]*:iot:[^:]*:[^:]*:(topic|topicfilter)/(.*)$", re.DOTALL)


def data_plane_probes(
    world: World, identities: tuple[Any, ...] = (A_DEVICE, AS_PLUS, AS_HASH)
) -> list[Probe]:
    """Requests that reach other devices' MQTT traffic, shadows and jobs, or connect as anyone."""
    arn = world.arns.iot
    probes = [
        Probe(A_STRANGER, "iot:Connect", arn(f"client/{A_STRANGER.client_id}"), "any client id can connect"),
    ]
    for who in identities:
        probes += [
            Probe(
                who,
                "iot:Subscribe",
                arn("topicfilter/$aws/things/+/shadow/update"),
                "it receives every device's shadow updates",
            ),
            Probe(
                who,
                "iot:Subscribe",
                arn("topicfilter/$aws/things/#"),
                "it receives every device's reserved topics",
            ),
            Probe(who, "iot:Subscribe", arn("topicfilter/#"), "it receives every topic of the account"),
            Probe(
                who,
                "iot:Subscribe",
                arn(f"topicfilter/$aws/things/{VICTIM}/shadow/update"),
                "it subscribes to another device's shadow topics",
            ),
            Probe(
                who,
                "iot:Publish",
                arn(f"topic/$aws/things/{VICTIM}/shadow/update"),
                "it updates another device's shadow",
            ),
            Probe(
                who,
                "iot:Publish",
                arn(f"topic/$aws/things/{VICTIM}/jobs/get"),
                "it reads another device's jobs",
            ),
        ]
    for action in SHADOW_AND_JOB_ACTIONS:
        probes.append(
            Probe(
                A_DEVICE, action, arn(f"thing/{VICTIM}"), f"it calls {action[4:]} on another device's thing"
            )
        )
    return probes


def _policy_refs(world: World) -> Iterator[tuple[PolicyRef, str]]:
    for name in world.policy_names():
        stored = world.stored_policy(name)
        if stored is None:
            continue
        yield PolicyRef(name, stored.arn, world.policy(name)), stored.default_version_id


def _resource(ref: PolicyRef, version: str) -> Resource:
    return Resource(
        "IOT_POLICY", {"policyVersionIdentifier": {"policyName": ref.name, "policyVersionId": version}}
    )


def _listed(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


# -- overly permissive ---------------------------------------------------------------------------------


def _subscribe_to_reserved_wildcard(ref: PolicyRef) -> Evidence | None:
    """An Allow of iot:Subscribe naming ``$aws/things/+`` or ``$aws/things/#``, even as a topic resource.

    The page lists ``topic/$aws/things/+/shadow/update`` as a noncompliant Subscribe resource; on its own
    it grants no subscription (Subscribe is authorized on topicfilter resources), so the engine finds no
    request it allows: the finding rests on the statement itself.
    """
    for index, statement in enumerate(_statements(ref.policy.document)):
        if statement.get("Effect") != "Allow" or "Action" not in statement:
            continue
        actions = [str(a).lower() for a in _listed(statement["Action"])]
        if not any(a in ("iot:subscribe", "iot:*", "*") for a in actions):
            continue
        for resource in _listed(statement.get("Resource", [])):
            match = _TOPIC_RESOURCE.match(str(resource))
            if match and re.match(r"\$aws/things/[+#]", match.group(2)):
                return Evidence(
                    f"statement {index + 1} allows iot:Subscribe on {resource}: "
                    "an MQTT wildcard in the thing "
                    "name position names every device's reserved topics"
                )
    return None


def broad_data_plane(
    refs: list[PolicyRef], probes: list[Probe], now: datetime.datetime
) -> tuple[Evidence, ...]:
    """Evidence that ``refs`` reach other devices' data: allowed probes, else a wildcard Subscribe grant."""
    evidence = first_allowed(refs, probes, now)
    if not evidence:
        for ref in refs:
            structural = _subscribe_to_reserved_wildcard(ref)
            if structural is not None:
                return (structural,)
    return evidence


def run_permissive(world: World, context: CheckContext) -> CheckOutcome:
    findings: list[Finding] = []
    total = 0
    probes = data_plane_probes(world)
    for ref, version in _policy_refs(world):
        total += 1
        evidence = broad_data_plane([ref], probes, context.now)
        if evidence:
            findings.append(
                Finding(
                    PERMISSIVE,
                    "CRITICAL",
                    _resource(ref, version),
                    BROAD_DATA_PLANE,
                    "Policy allows broad access to IoT data plane actions: " + evidence[0].summary,
                    evidence,
                )
            )
    return CheckOutcome(total, tuple(findings))


# -- potentially misconfigured -------------------------------------------------------------------------


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in _listed(document.get("Statement", [])) if isinstance(s, Mapping)]


def _mqtt_actions(statement: Mapping[str, Any]) -> list[str]:
    """The MQTT action types a statement's Action names (wildcards expanded)."""
    if "Action" not in statement:
        return list(_MQTT.values())  # NotAction: err on the side of every MQTT action
    found: list[str] = []
    for action in _listed(statement["Action"]):
        text = str(action).lower()
        for name, action_type in _MQTT.items():
            if (text == name or text in ("*", "iot:*")) and action_type not in found:
                found.append(action_type)
    return found


def _concrete(topic: str) -> str:
    """A topic inside what a pattern covers: each MQTT wildcard or ``*``/``?`` becomes a level ``data1``."""
    text = topic.replace("#", "data1").replace("+", "data1").replace("*", "data1").replace("?", "d")
    return text


def _wildcard_filters(topic: str) -> list[str]:
    """MQTT topic filters with wildcards that cover ``topic``: ``#``, ``a/#``, ``a/b/#``..., ``+`` levels."""
    levels = topic.split("/")
    filters = ["#"]
    for cut in range(1, len(levels)):
        filters.append("/".join(levels[:cut]) + "/#")
    for index in range(len(levels)):
        filters.append("/".join([*levels[:index], "+", *levels[index + 1 :]]))
    return filters


def run_misconfigured(world: World, context: CheckContext) -> CheckOutcome:
    findings: list[Finding] = []
    total = 0
    arn = world.arns.iot
    for ref, version in _policy_refs(world):
        total += 1
        wildcard_evidence: list[Evidence] = []
        bypass_evidence: list[Evidence] = []
        for index, statement in enumerate(_statements(ref.policy.document)):
            if statement.get("Effect") != "Deny":
                continue
            actions = _mqtt_actions(statement)
            for resource in _listed(statement.get("Resource", [])):
                match = _TOPIC_RESOURCE.match(str(resource))
                if match is None:
                    continue
                kind, topic = match.groups()
                if "+" in topic or "#" in topic:
                    concrete = _concrete(topic)
                    summary = (
                        f"statement {index + 1} denies {resource}, but + and # are literal characters in IoT "
                        "policies, so it does not deny the topics it seems to"
                    )
                    evidence = Evidence(summary)
                    for action_type in actions:
                        target = "topicfilter" if action_type == "SUBSCRIBE" else "topic"
                        allowed, asked = ask(
                            [ref],
                            Probe(
                                A_DEVICE, f"iot:{action_type.title()}", arn(f"{target}/{concrete}"), summary
                            ),
                            context.now,
                        )
                        if allowed:
                            evidence = asked
                            break
                    wildcard_evidence.append(evidence)
                elif kind == "topicfilter" and "SUBSCRIBE" in actions:
                    concrete = _concrete(topic)
                    receive_allowed, receive = ask(
                        [ref],
                        Probe(
                            A_DEVICE, "iot:Receive", arn(f"topic/{concrete}"), "messages on it are delivered"
                        ),
                        context.now,
                    )
                    if not receive_allowed:
                        continue
                    for wildcard in _wildcard_filters(concrete):
                        allowed, subscribe = ask(
                            [ref],
                            Probe(
                                A_DEVICE,
                                "iot:Subscribe",
                                arn(f"topicfilter/{wildcard}"),
                                f"it covers {concrete}, whose subscription statement {index + 1} denies",
                            ),
                            context.now,
                        )
                        if allowed:
                            bypass_evidence += [subscribe, receive]
                            break
        for code, evidence_list, reason in (
            (
                WILDCARDS_IN_DENY,
                wildcard_evidence,
                "Policy contains MQTT wildcards (+ or #) in a Deny statement",
            ),
            (
                DENY_BYPASSED,
                bypass_evidence,
                "Topic filters a Deny statement is meant to refuse are allowed through MQTT wildcards",
            ),
        ):
            if evidence_list:
                findings.append(
                    Finding(
                        MISCONFIGURED,
                        "MEDIUM",
                        _resource(ref, version),
                        code,
                        f"{reason}: {evidence_list[0].summary}",
                        tuple(evidence_list[:3]),
                    )
                )
    return CheckOutcome(total, tuple(findings))


register(
    CheckSpec(
        PERMISSIVE,
        "CRITICAL",
        (BROAD_DATA_PLANE,),
        "IOT_POLICY",
        "audit-chk-iot-policy-permissive.html",
        run=run_permissive,
    )
)
register(
    CheckSpec(
        MISCONFIGURED,
        "MEDIUM",
        (WILDCARDS_IN_DENY, DENY_BYPASSED),
        "IOT_POLICY",
        "audit-chk-iot-misconfigured-policies.html",
        run=run_misconfigured,
    )
)

__all__ = ["DEVICE", "broad_data_plane", "data_plane_probes", "run_misconfigured", "run_permissive"]
