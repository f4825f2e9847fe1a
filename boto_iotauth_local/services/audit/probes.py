"""Concrete requests a policy is asked about, decided by TestAuthorization's own engine and explanations.

A permissive policy is shown by a request it allows but should not: a device subscribing to another
device's shadow topics, a client connecting as ``+`` whose ``${iot:ClientId}`` topic filter becomes a
wildcard, any client id connecting. Each probe is one policy (or role) alone, a made-up identity and one
request; the answer is the engine's decision with its per-statement explanation, exactly what
``explain()`` would print for the same request.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from ...engine import ANY_RESOURCE, Policy, RequestContext, evaluate
from ...world import World
from ..authorization import ACTIONS, PolicyRef, PolicySet, authorize
from ..context import COGNITO_SUB
from ..principals import Principal
from .findings import Evidence

#: The made-up device that asks, and the other device whose resources it should not reach.
DEVICE = "audit-probe-device"
VICTIM = "audit-probe-victim"
#: A client id no thing has (thing names cannot contain spaces or these characters).
STRANGER = "audit-probe-unregistered-client"


@dataclass(frozen=True)
class Identity:
    """Who asks: the client id, the attached thing (if any), and a Cognito identity (if any)."""

    label: str
    client_id: str | None
    thing: str | None
    cognito_id: str | None = None

    def context(self, now: datetime.datetime) -> RequestContext:
        values: dict[str, str | Sequence[str]] = {}
        if self.client_id is not None:
            values["iot:ClientId"] = self.client_id
        values["iot:Connection.Thing.IsAttached"] = "true" if self.thing is not None else "false"
        if self.thing is not None:
            values["iot:Connection.Thing.ThingName"] = self.thing
        if self.cognito_id is not None:
            values[COGNITO_SUB] = self.cognito_id
        values["aws:CurrentTime"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        values["aws:EpochTime"] = str(int(now.timestamp()))
        return RequestContext(values)

    def describe(self) -> str:
        parts = [f"client id {self.client_id!r}" if self.client_id is not None else "no client id"]
        parts.append(f"thing {self.thing!r} attached" if self.thing else "no thing attached")
        if self.cognito_id is not None:
            parts.append(f"Cognito identity {self.cognito_id}")
        return ", ".join(parts)


#: A device with its own thing attached, connecting under its thing's name.
A_DEVICE = Identity("a device", DEVICE, DEVICE)
#: Clients whose client id is an MQTT wildcard: ${iot:ClientId} then reads as a topic-filter wildcard.
AS_PLUS = Identity("a client connecting as +", "+", None)
AS_HASH = Identity("a client connecting as #", "#", None)
#: A client id that names no thing.
A_STRANGER = Identity("an unregistered client", STRANGER, None)


def cognito_identity(world: World) -> Identity:
    return Identity(
        "a Cognito identity", DEVICE, None, f"{world.region}:00000000-0000-4000-8000-00000000a0d1"
    )


@dataclass(frozen=True)
class Probe:
    """One request: an identity doing an action on a resource (an ARN, or any resource)."""

    identity: Identity
    action: str  # iot:Connect, iot:UpdateThingShadow, ...
    resource: str | None  # None: any resource
    why: str  # what it would mean if allowed


def ask(
    policies: Sequence[PolicyRef], probe: Probe, now: datetime.datetime, *, explain_denials: bool = False
) -> tuple[bool, Evidence]:
    """Decide ``probe`` under ``policies`` alone; the evidence says what was asked and why it was answered.

    MQTT actions go through TestAuthorization's ``authorize`` (the same AuthResult ``explain()`` gives);
    other IoT actions through the engine's ``evaluate`` (on any resource: IAM simulation semantics).
    """
    context = probe.identity.context(now)
    action_type = next((name for name, action in ACTIONS.items() if action == probe.action), None)
    request = {
        "action": probe.action,
        "resource": probe.resource if probe.resource is not None else "*",
        "clientId": probe.identity.client_id,
        "thing": probe.identity.thing,
    }
    # Decided first without explanations (the engine's fast path); explained only when it matters.
    if action_type is not None and probe.resource is not None:
        policy_set = PolicySet(Principal("none", None), probe.identity.thing, tuple(policies), None, context)
        allowed = authorize(policy_set, action_type, [probe.resource]).auth_decision == "ALLOWED"
        explanation = ""
        if allowed or explain_denials:
            explanation = authorize(policy_set, action_type, [probe.resource], explain=True).explain()
    else:
        pairs: list[tuple[str, Policy]] = [(ref.name, ref.policy) for ref in policies]
        resource = probe.resource if probe.resource is not None else ANY_RESOURCE
        allowed = evaluate(pairs, probe.action, resource, context).decision == "ALLOWED"
        explanation = ""
        if allowed or explain_denials:
            decision = evaluate(pairs, probe.action, resource, context, explain=True)
            explanation = f"{probe.action} {request['resource']} -> {decision.decision}\n{decision}"
    verdict = "is allowed" if allowed else "is not allowed"
    target = probe.resource if probe.resource is not None else "some resource"
    summary = f"{probe.identity.label} ({probe.identity.describe()}): {probe.action} on {target} {verdict}"
    if allowed:
        summary += f"; {probe.why}"
    return allowed, Evidence(summary, explanation, request)


def first_allowed(
    policies: Sequence[PolicyRef], probes: Sequence[Probe], now: datetime.datetime, *, limit: int = 3
) -> tuple[Evidence, ...]:
    """Evidence for up to ``limit`` of ``probes`` that are allowed, in order."""
    found: list[Evidence] = []
    for probe in probes:
        allowed, evidence = ask(policies, probe, now)
        if allowed:
            found.append(evidence)
            if len(found) >= limit:
                break
    return tuple(found)
