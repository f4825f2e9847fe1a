"""Caches are bounded in bytes, and released when the last activation stops (issue 8, hole 10)."""

from __future__ import annotations

import gc
from collections import Counter

import boto3
from botocore import UNSIGNED
from botocore.config import Config

from boto_iotauth_local import World, activate, caches
from boto_iotauth_local.wire.encode import encode_result

ARN = "arn:aws:iot:us-east-1:123456789012"


def _world() -> tuple[World, str]:
    world = World(account_id="123456789012", region="us-east-1")
    cert = world.create_test_certificate(subject={"CommonName": "d1"})
    principal = str(cert["certificateArn"])
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{ARN}:topic/${{iot:ClientId}}/*"}
        ],
    }
    world.create_policy(policyName="p", policyDocument=document)
    world.attach_policy(policyName="p", target=principal)
    return world, principal


def _large_request(principal: str, index: int) -> dict[str, object]:
    """About 3 MB: many resources, each different, in one authInfo."""
    resources = [f"{ARN}:topic/d1/{index}/{n:06d}/{'x' * 200}" for n in range(12_000)]
    return {
        "principal": principal,
        "clientId": "d1",
        "authInfos": [{"actionType": "PUBLISH", "resources": resources}],
    }


def test_large_requests_are_answered_but_not_kept_and_nothing_is_held_after_stop() -> None:
    world, principal = _world()
    client = boto3.client("iot", region_name="us-east-1")
    caches.release()
    with activate(world):
        for index in range(5):
            result = client.test_authorization(**_large_request(principal, index))
            assert result["authResults"][0]["authDecision"] == "ALLOWED"
        # Every cache stays within its budget whatever the requests' size.
        assert caches.held_bytes() <= 8 * caches.DEFAULT_BUDGET
        small = {
            "principal": principal,
            "clientId": "d1",
            "authInfos": [{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/d1/a"]}],
        }
        for _ in range(2):
            assert client.test_authorization(**small)["authResults"][0]["authDecision"] == "ALLOWED"
        assert caches.held_bytes() > 0  # small answers are kept for the next repeat
    assert caches.held_bytes() == 0


def test_nested_activations_keep_caches_until_the_last_one_stops() -> None:
    world, principal = _world()
    client = boto3.client("iot", region_name="us-east-1")
    small = {
        "principal": principal,
        "clientId": "d1",
        "authInfos": [{"actionType": "PUBLISH", "resources": [f"{ARN}:topic/d1/a"]}],
    }
    with activate(world):
        with activate(world):
            client.test_authorization(**small)
        assert caches.held_bytes() > 0
        assert client.test_authorization(**small)["authResults"][0]["authDecision"] == "ALLOWED"
    assert caches.held_bytes() == 0


def test_a_cache_refuses_an_entry_larger_than_its_share_and_drops_the_oldest() -> None:
    cache: caches.ByteBoundedCache[str, str] = caches.ByteBoundedCache("test", budget=8_000)
    assert not cache.put("huge", "x", 1_000)  # more than an eighth of the budget once counted
    for index in range(100):
        assert cache.put(f"k{index}", "v", 400)
        assert cache.held <= cache.budget
    assert cache.get("k99") == "v"
    assert cache.get("k0") is None
    cache.clear()
    assert cache.held == 0 and len(cache) == 0


def test_a_second_sight_cache_keeps_a_key_from_its_second_offer() -> None:
    cache: caches.ByteBoundedCache[tuple[str, int], str] = caches.ByteBoundedCache(
        "test", budget=8_000, second_sight=True
    )
    assert not cache.put(("a", 1), "first", 100)
    assert cache.get(("a", 1)) is None and cache.held == 0
    assert cache.put(("a", 1), "second", 100)
    assert cache.get(("a", 1)) == "second"
    assert cache.put(("a", 1), "again", 100)  # a key kept is replaced at once
    assert cache.get(("a", 1)) == "again"
    # The marks of first offers are bounded: the oldest are forgotten, and then offered as new.
    for index in range(caches.SEEN_KEYS + 1):
        assert not cache.put(("b", index), "x", 10)
    assert not cache.put(("b", 0), "x", 10)
    assert cache.put(("b", caches.SEEN_KEYS), "x", 10)
    cache.clear()
    assert not cache.put(("b", 0), "x", 10)  # clearing forgets the marks too


def test_a_run_of_first_answers_leaves_the_collector_nothing_but_the_call_log() -> None:
    """A new resource in every request: every layer's cache keeps it only from its second time, so each
    answer leaves behind only its record in the call log (a record and its (URL, body) tuple). Entries
    kept and then dropped for room would pile up young objects for the garbage collector."""
    world, principal = _world()
    requests: list[object] = []
    client = boto3.client("iot", region_name="us-east-1", config=Config(signature_version=UNSIGNED))

    def keep(request: object, **_: object) -> object:
        requests.append(request)
        return encode_result("https://iot.us-east-1.amazonaws.com/", {"authResults": []})

    client.meta.events.register_first("before-send.iot.TestAuthorization", keep)
    shared = {"actionType": "CONNECT", "resources": [f"{ARN}:client/d1"]}
    for index in range(700):
        new = {"actionType": "PUBLISH", "resources": [f"{ARN}:topic/d1/{index}"]}
        client.test_authorization(principal=principal, clientId="d1", authInfos=[shared, new, shared])
    handle = activate(world)
    with handle:
        for request in requests[:200]:  # fill every cache up to its budget
            handle.respond("TestAuthorization", request)  # type: ignore[arg-type]
        gc.collect()
        gc.disable()
        try:
            for request in requests[200:]:
                handle.respond("TestAuthorization", request)  # type: ignore[arg-type]
            young = gc.get_objects(generation=0)
        finally:
            gc.enable()
        assert all(call.ok for call in handle.calls)
    assert len(young) <= 2 * 500 + 20, Counter(type(item).__name__ for item in young).most_common(5)
