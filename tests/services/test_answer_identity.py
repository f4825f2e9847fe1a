"""Answers are shared only between policy sets made of the very same policies.

Caches of answers key on the policies' identity and hold no policy. An identity that a later policy could
take over (an object's address, reused once the object is freed) would hand a new policy an old one's
answer: a policy rewritten to deny would still allow.
"""

from __future__ import annotations

import gc
import json

from boto_iotauth_local import World, caches
from boto_iotauth_local.services.authorization import policy_set, wire_answer

ARN = "arn:aws:iot:us-east-1:123456789012"


def _ask(effect: str) -> bytes:
    world = World(account_id="123456789012", region="us-east-1")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Connect", "Resource": "*"},
            {"Effect": effect, "Action": "iot:Publish", "Resource": f"{ARN}:topic/t"},
        ],
    }
    world.create_policy(policyName="p", policyDocument=json.dumps(document))
    resolved = policy_set(world, policy_names_to_add=["p"])
    answers = {wire_answer(resolved, "PUBLISH", [f"{ARN}:topic/t"]) for _ in range(3)}  # kept from the second
    assert len(answers) == 1
    return answers.pop()


def _forget_all_but_the_answers() -> None:
    """Every cache but the answers themselves lets go: as when the others age out first under load."""
    for cache in caches._caches:
        if cache.name != "services.wire_answers":
            cache.clear()
    gc.collect()


def test_a_policy_made_after_another_is_freed_never_gets_its_answers() -> None:
    for _ in range(20):  # the allocator hands a freed policy's memory to the next one made, often at once
        allowed = json.loads(_ask("Allow"))
        _forget_all_but_the_answers()
        denied = json.loads(_ask("Deny"))
        _forget_all_but_the_answers()
        assert allowed["authDecision"] == "ALLOWED"
        assert denied["authDecision"] == "EXPLICIT_DENY", denied
