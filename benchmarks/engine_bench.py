"""Decisions per second of the policy engine on the reference workload (plain script, no timing in tests).

Workload: 10 policies x 5 statements using variables and conditions, one action (``iot:Publish``), one
resource per decision. The resources are 1,000 distinct topic ARNs (own shadow topics, per-client fleet
topics reached through ``${iot:ClientId}``, shared topics, admin topics a Deny covers, unrelated topics)
and the contexts are four different devices (one whose thing is unknown, so thing variables stay
unresolved), so every decision asks a different question and nothing can answer it from a memo of
earlier answers. Variants:

* same context, many resources: one ``RequestContext`` per device reused for all its resources, as the
  service layer does for the resources of one request;
* fresh context per decision: a new ``RequestContext`` built for every decision (the worst case);
* explain=True: the same as the first, with full explanations.

Before timing, every (context, resource) pair is decided with and without ``explain`` and the two must
agree. Run: ``python benchmarks/engine_bench.py [--seconds N] [--summary]``; ``--summary`` prints
``decisions_per_second <rate>`` (same context, many resources) then the other variants in the same form,
for ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Callable
from typing import Any

from boto_iotauth_local.engine import Policy, RequestContext, evaluate, parse_policy

ARN = "arn:aws:iot:us-east-1:123456789012"
ACTION = "iot:Publish"
RESOURCE_COUNT = 1000


def _policy(n: int) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": f"{ARN}:client/${{iot:Connection.Thing.ThingName}}",
                "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": ["iot:Publish", "iot:Receive"],
                "Resource": f"{ARN}:topic/fleet{n}/${{iot:ClientId}}/*",
                "Condition": {"StringEquals": {"iot:Connection.Thing.Attributes[site]": ["s1", "s2"]}},
            },
            {
                "Effect": "Allow",
                "Action": "iot:Publish",
                "Resource": [f"{ARN}:topic/$aws/things/${{iot:Connection.Thing.ThingName}}/shadow/*"],
                "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}},
            },
            {
                "Effect": "Deny",
                "Action": "iot:Publish",
                "Resource": f"{ARN}:topic/*/admin/*",
                "Condition": {"StringNotEquals": {"iot:ClientId": "${iot:Connection.Thing.ThingName}"}},
            },
            {
                "Effect": "Allow",
                "Action": "iot:*",
                "Resource": f"{ARN}:topic/shared/*",
                "Condition": {
                    "ForAnyValue:StringLike": {"iot:Certificate.Subject.Organization.List": ["Ex*"]}
                },
            },
        ],
    }


CONTEXTS: list[dict[str, str | list[str]]] = [
    {  # an attached thing on the corporate network
        "iot:ClientId": "dev1",
        "iot:Connection.Thing.ThingName": "dev1",
        "iot:Connection.Thing.IsAttached": "true",
        "iot:Connection.Thing.Attributes[site]": "s2",
        "aws:SourceIp": "10.1.2.3",
        "iot:Certificate.Subject.Organization.List": ["Example", "Lab"],
    },
    {  # client ID differs from the thing name: the admin Deny applies
        "iot:ClientId": "dev2-console",
        "iot:Connection.Thing.ThingName": "dev2",
        "iot:Connection.Thing.IsAttached": "true",
        "iot:Connection.Thing.Attributes[site]": "s1",
        "aws:SourceIp": "192.168.7.7",
        "iot:Certificate.Subject.Organization.List": ["Lab"],
    },
    {  # another site, outside the allowed networks
        "iot:ClientId": "dev3",
        "iot:Connection.Thing.ThingName": "dev3",
        "iot:Connection.Thing.IsAttached": "true",
        "iot:Connection.Thing.Attributes[site]": "s9",
        "aws:SourceIp": "172.16.0.9",
        "iot:Certificate.Subject.Organization.List": ["Example"],
    },
    {  # no thing: thing variables unresolved
        "iot:ClientId": "dev4",
        "aws:SourceIp": "10.9.9.9",
    },
]
_DEVICES = ("dev1", "dev2", "dev2-console", "dev3", "dev4")


def _resources() -> list[str]:
    """1,000 distinct topic ARNs, in five kinds that the policies treat differently."""
    out: list[str] = []
    for i in range(RESOURCE_COUNT):
        device = _DEVICES[(i // 5) % len(_DEVICES)]
        kind = i % 5
        if kind == 0:
            out.append(f"{ARN}:topic/$aws/things/{device}/shadow/update{i}")
        elif kind == 1:
            out.append(f"{ARN}:topic/fleet{i % 10}/{device}/telemetry/{i}")
        elif kind == 2:
            out.append(f"{ARN}:topic/shared/board{i}")
        elif kind == 3:
            out.append(f"{ARN}:topic/site{i}/admin/reboot")
        else:
            out.append(f"{ARN}:topic/other/{device}/{i}")
    assert len(set(out)) == RESOURCE_COUNT
    return out


#: Rounds each variant's time is split into, alternating with the others.
ROUNDS = 5


def _rate(seconds: float, batch: Callable[[], int]) -> float:
    """Decisions per second of this process's CPU time: one core's rate, even on a busy machine."""
    count = 0
    start = time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        count += batch()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per variant (default 3)")
    parser.add_argument("--summary", action="store_true", help="machine-readable lines only")
    args = parser.parse_args()
    policies: list[tuple[str, Policy]] = [(f"policy{n}", parse_policy(_policy(n))) for n in range(10)]
    resources = _resources()
    contexts = [RequestContext(values) for values in CONTEXTS]

    tally: collections.Counter[str] = collections.Counter()
    for context in contexts:
        for resource in resources:
            fast = evaluate(policies, ACTION, resource, context)
            slow = evaluate(policies, ACTION, resource, context, explain=True)
            assert fast.decision == slow.decision, (resource, context)
            assert fast.missing_keys == slow.missing_keys
            assert [p.outcome for p in fast.policies] == [p.outcome for p in slow.policies]
            tally[fast.decision] += 1
    if not args.summary:
        print("decisions per pass:", ", ".join(f"{name} {count}" for name, count in sorted(tally.items())))

    def same_context() -> int:
        for context in contexts:
            for resource in resources:
                evaluate(policies, ACTION, resource, context)
        return len(contexts) * len(resources)

    def fresh_context() -> int:
        for index, resource in enumerate(resources):
            evaluate(policies, ACTION, resource, RequestContext(CONTEXTS[index % len(CONTEXTS)]))
        return len(resources)

    def explained() -> int:
        for context in contexts:
            for resource in resources[:100]:
                evaluate(policies, ACTION, resource, context, explain=True)
        return len(contexts) * 100

    variants = [
        ("decisions_per_second", "same context, many resources", same_context),
        ("decisions_per_second_fresh_context", "fresh RequestContext per decision", fresh_context),
        ("decisions_per_second_explained", "explain=True, same context", explained),
    ]
    # Alternating rounds, each variant's best: a moment the machine took from one round hits one variant.
    best = dict.fromkeys((name for name, _, _ in variants), 0.0)
    for _ in range(ROUNDS):
        for name, _, batch in variants:
            best[name] = max(best[name], _rate(args.seconds / ROUNDS, batch))
    for name, label, _ in variants:
        rate = best[name]
        print(f"{name} {rate:.0f}" if args.summary else f"{label:<40} {rate:>10,.0f} decisions/second")


if __name__ == "__main__":
    main()
