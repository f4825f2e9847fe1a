"""Decisions per second of the policy engine on the reference workload (plain script, no timing in tests).

Workload: 10 policies x 5 statements using variables and conditions, one action, one resource; the
request context is built once and reused, as the service layer does for the resources of one request.
Run: ``python benchmarks/engine_bench.py``.
"""

from __future__ import annotations

import time
from typing import Any

from boto_iotauth_local.engine import Policy, RequestContext, evaluate, parse_policy

ARN = "arn:aws:iot:us-east-1:123456789012"


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


def main() -> None:
    policies: list[tuple[str, Policy]] = [(f"policy{n}", parse_policy(_policy(n))) for n in range(10)]
    context = RequestContext(
        {
            "iot:ClientId": "dev1",
            "iot:Connection.Thing.ThingName": "dev1",
            "iot:Connection.Thing.IsAttached": "true",
            "iot:Connection.Thing.Attributes[site]": "s2",
            "aws:SourceIp": "10.1.2.3",
            "iot:Certificate.Subject.Organization.List": ["Example", "Lab"],
        }
    )
    action, resource = "iot:Publish", f"{ARN}:topic/$aws/things/dev1/shadow/update"
    assert evaluate(policies, action, resource, context).decision == "ALLOWED"
    for explain in (False, True):
        count = 0
        start = time.perf_counter()
        while (elapsed := time.perf_counter() - start) < 2.0:
            for _ in range(500):
                evaluate(policies, action, resource, context, explain=explain)
            count += 500
        print(f"explain={explain!s:<5}  {count / elapsed:>10,.0f} decisions/second")
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < 2.0:
        for _ in range(200):
            fresh = RequestContext(context.to_dict())
            evaluate(policies, action, resource, fresh)
        count += 200
    print(f"fresh context per decision  {count / elapsed:>10,.0f} decisions/second")


if __name__ == "__main__":
    main()
