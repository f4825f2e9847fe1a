"""A per-resource decision renders as text and as HTML, like the results that hold it."""

from __future__ import annotations

import json

from boto_iotauth_local import World, explain_authorization

ARN = "arn:aws:iot:us-east-1:123456789012"


def test_each_resource_decision_renders() -> None:
    world = World()
    world.create_policy(
        policyName="P",
        policyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/a/*"},
                    {"Effect": "Deny", "Action": "iot:Publish", "Resource": f"{ARN}:topic/a/<secret>"},
                ],
            }
        ),
    )
    result = explain_authorization(
        world, "PUBLISH", [f"{ARN}:topic/a/1", f"{ARN}:topic/a/<secret>"], policy_names_to_add=["P"]
    )
    allowed, denied = result.decisions
    assert str(allowed).splitlines()[0] == f"resource {ARN}:topic/a/1: ALLOWED"
    assert str(denied).splitlines()[0] == f"resource {ARN}:topic/a/<secret>: EXPLICIT_DENY"
    assert "statement #1 Deny" in str(denied)
    html = denied._repr_html_()
    assert 'class="iotauth-resource-decision"' in html
    assert "EXPLICIT_DENY" in html and "&lt;secret&gt;" in html and "<secret>" not in html
