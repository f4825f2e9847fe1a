"""Writers from many threads at once leave a consistent world; readers never see half a change."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from boto_iotauth_local.errors import ResourceAlreadyExistsException
from boto_iotauth_local.world import World
from tests.world.conftest import allow

COGNITO = "us-east-1:11a86fa8-fc2c-46da-a38b-e46762e447ed"


def test_concurrent_creates_and_attachments(world: World) -> None:
    threads = 16
    per_thread = 10
    barrier = threading.Barrier(threads)

    def work(index: int) -> list[str]:
        barrier.wait()
        arns = []
        for step in range(per_thread):
            name = f"p-{index}-{step}"
            world.create_policy(name, allow())
            created = world.create_test_certificate({"CommonName": name})
            world.attach_policy(name, created["certificateArn"])
            world.create_thing(name.replace("p-", "t-"))
            world.attach_thing_principal(name.replace("p-", "t-"), created["certificateArn"])
            arns.append(created["certificateArn"])
        return arns

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(work, range(threads)))

    total = threads * per_thread
    assert len(world.list_policies()["policies"]) == total
    assert len(world.list_certificates()["certificates"]) == total
    assert len(world.list_things()["things"]) == total
    for index, arns in enumerate(results):
        for step, arn in enumerate(arns):
            assert world.policies_for_target(arn) == (f"p-{index}-{step}",)
            assert world.things_for_principal(arn) == ((f"t-{index}-{step}", "NON_EXCLUSIVE_THING"),)


def test_concurrent_duplicate_creates_have_exactly_one_winner(world: World) -> None:
    threads = 24
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create() -> None:
        barrier.wait()
        try:
            world.create_policy("contested", allow())
            outcome = "created"
        except ResourceAlreadyExistsException:
            outcome = "exists"
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=create) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert outcomes.count("created") == 1 and outcomes.count("exists") == threads - 1


def test_concurrent_attachments_to_one_target_respect_the_limit(world: World) -> None:
    for index in range(30):
        world.create_policy(f"p{index}", allow())
    barrier = threading.Barrier(30)
    errors: list[Exception] = []

    def attach(index: int) -> None:
        barrier.wait()
        try:
            world.attach_policy(f"p{index}", COGNITO)
        except Exception as exc:  # the limit is the expected failure
            errors.append(exc)

    workers = [threading.Thread(target=attach, args=(i,)) for i in range(30)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    attached = world.policies_for_target(COGNITO)
    assert len(attached) == 10 and len(set(attached)) == 10
    assert len(errors) == 20 and {type(e).__name__ for e in errors} == {"LimitExceededException"}
    assert all(world.list_targets_for_policy(n)["targets"] == [COGNITO] for n in attached)


def test_readers_during_version_churn_always_see_a_whole_policy(world: World) -> None:
    world.create_policy("p", allow())
    stop = threading.Event()
    seen: list[object] = []

    def read() -> None:
        while not stop.is_set():
            stored = world.stored_policy("p")
            assert stored is not None
            assert stored.version(stored.default_version_id) is not None
            seen.append(world.policy("p"))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(50):
            created = world.create_policy_version("p", allow("iot:Publish"), setAsDefault=True)
            stored = world.stored_policy("p")
            assert stored is not None
            for version in stored.versions:
                if version.version_id != created["policyVersionId"]:
                    world.delete_policy_version("p", version.version_id)
    finally:
        stop.set()
        reader.join()
    assert seen


def test_version_moves_with_every_write_and_only_then() -> None:
    from boto_iotauth_local import World

    world = World()
    start = world.version
    world.policy_arn("anything")
    world.thing("nobody")
    assert world.version == start
    world.create_thing(thingName="t")
    after_one = world.version
    assert after_one > start
    world.create_thing_group(thingGroupName="g")
    assert world.version > after_one
