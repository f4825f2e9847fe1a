"""Start/stop from several threads while calls are in flight: nested and re-entered handles, retries, faults.

Shared by the bounded stress test (``tests/hardening/test_offline_stress.py``) and the soak
(``benchmarks/soak.py``), which runs the same storm for minutes and reports its counts.

Two kinds of callers run at once:

- *credentialed* callers, whose clients carry credentials as a user's real ones would be in the
  environment, call only from inside a handle they share with other threads (a decorated function, and a
  ``with`` block of the same handle inside it): every call must be answered, and none may try the network;
- *strict* callers, whose clients have no credentials, call at any moment; a call that no handle took
  fails with NoCredentialsError before anything is sent. A call whose first event happened while a handle
  reaching it was open must be answered, whatever stopped meanwhile (that is the lifecycle's promise).

Activator threads start and stop process-wide handles by hand, enter nested ``with`` blocks of two
handles, and re-enter a shared handle; some handles throttle their next calls (``faults.fail_next``), so
that botocore retries after a backoff during which handles stop.
"""

from __future__ import annotations

import itertools
import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import NoCredentialsError

from boto_iotauth_local import Activation, World, activate

ACCOUNT = "123456789012"
REGION = "us-east-1"
GROUP = f"arn:aws:iot:{REGION}:{ACCOUNT}:thinggroup/fleet"
INFO = [{"actionType": "CONNECT", "resources": [f"arn:aws:iot:{REGION}:{ACCOUNT}:client/c1"]}]
#: Three attempts in all: a handle throttles at most two calls in a row, so every bound call succeeds.
RETRIES = Config(retries={"mode": "standard", "max_attempts": 3})

_sequence = itertools.count()


def stamp() -> int:
    return next(_sequence)  # atomic under the GIL


def make_world(label: str) -> World:
    """A world whose only policy is named after it: an answer says which world gave it."""
    world = World(account_id=ACCOUNT, region=REGION)
    world.create_policy(
        policyName=f"World-{label}",
        policyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iot:*", "Resource": "*"}]}
        ),
    )
    world.create_thing_group(thingGroupName="fleet")
    world.attach_policy(policyName=f"World-{label}", target=GROUP)
    return world


def answer_of(client: Any) -> str:
    result = client.test_authorization(principal=GROUP, authInfos=INFO)["authResults"][0]
    (policy,) = result["allowed"]["policies"]
    return str(policy["policyName"]).removeprefix("World-")


@dataclass
class Counts:
    """What a storm did and what went wrong; ``problems`` must stay empty."""

    cycles: int = 0
    credentialed_calls: int = 0
    strict_answered: int = 0
    strict_refused: int = 0
    throttles_injected: int = 0
    network_attempts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def report(self) -> str:
        return (
            f"{self.cycles} activation cycles, {self.credentialed_calls} credentialed calls, "
            f"{self.strict_answered} strict calls answered, {self.strict_refused} refused (no handle), "
            f"{self.throttles_injected} throttles injected, {len(self.network_attempts)} network attempts, "
            f"{len(self.problems)} problems"
        )


@contextmanager
def recording_network(counts: Counts) -> Iterator[None]:
    """Record every name lookup and connection attempt beyond loopback (and refuse it)."""
    lookup, connect = socket.getaddrinfo, socket.socket.connect

    def refused_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host) not in ("localhost", "127.0.0.1", "::1"):
            counts.network_attempts.append(f"lookup {host}")
            raise OSError(f"network refused: {host}")
        return lookup(host, *args, **kwargs)

    def refused_connect(self: socket.socket, address: Any) -> None:
        counts.network_attempts.append(f"connect {address!r}")
        raise OSError(f"network refused: {address!r}")

    socket.getaddrinfo = refused_lookup
    socket.socket.connect = refused_connect  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.getaddrinfo = lookup
        socket.socket.connect = connect  # type: ignore[method-assign]


@dataclass(frozen=True)
class Window:
    """A handle's open entry: stamps bracketing its opening and its closing."""

    before_open: int
    after_open: int
    before_close: int
    after_close: int


def storm(duration: float, *, activators: int = 3, credentialed: int = 3, strict: int = 4) -> Counts:
    """Run the storm for ``duration`` seconds (plus the time calls in flight take to finish)."""
    counts = Counts()
    lock = threading.Lock()
    done = threading.Event()
    windows: list[Window] = []  # of process-wide handles, all reaching every client
    refused: list[tuple[int, int]] = []  # strict calls no handle took: (begin, first event) stamps
    labels = [f"w{i}" for i in range(6)]
    worlds = {label: make_world(label) for label in labels}
    shared = activate(worlds["w0"])  # re-entered by every credentialed caller
    credentials = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "not-a-real-secret"}

    def problem(text: str) -> None:
        with lock:
            counts.problems.append(text)

    def opened(handle: Activation, action: Callable[[], None]) -> None:
        """Run ``action`` with ``handle`` open, recording the window for the strict callers' check."""
        b0 = stamp()
        with handle:
            b1 = stamp()
            action()
            e0 = stamp()
        e1 = stamp()
        with lock:
            windows.append(Window(b0, b1, e0, e1))

    def maybe_throttle(handle: Activation, rng: random.Random) -> None:
        if rng.random() < 0.3:
            handle.faults.fail_next(rng.choice((1, 2)))
            with lock:
                counts.throttles_injected += 1

    def activator(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not done.is_set():
                kind = rng.choice(("start-stop", "nested", "reentered"))
                if kind == "start-stop":
                    handle = activate(worlds[rng.choice(labels)])
                    maybe_throttle(handle, rng)
                    b0 = stamp()
                    handle.start()
                    b1 = stamp()
                    time.sleep(rng.random() * 0.004)
                    e0 = stamp()
                    handle.stop()
                    e1 = stamp()
                    with lock:
                        windows.append(Window(b0, b1, e0, e1))
                elif kind == "nested":
                    outer, inner = activate(worlds[rng.choice(labels)]), activate(worlds[rng.choice(labels)])
                    maybe_throttle(inner, rng)
                    pause = rng.random() * 0.004
                    opened(outer, lambda i=inner, p=pause: opened(i, lambda: time.sleep(p)))  # type: ignore[misc]
                else:
                    opened(shared, lambda: opened(shared, lambda: time.sleep(rng.random() * 0.004)))
                with lock:
                    counts.cycles += 1
                time.sleep(rng.random() * 0.002)
        except BaseException as exc:  # reported, not raised: the storm must finish
            problem(f"activator: {type(exc).__name__}: {exc}")

    @shared
    def credentialed_call(client: Any, rng: random.Random) -> None:
        if rng.random() < 0.5:
            with shared:  # the same handle, entered again
                answer_of(client)
        else:
            answer_of(client)

    def credentialed_caller(seed: int) -> None:
        rng = random.Random(seed)
        client = boto3.client("iot", region_name=REGION, config=RETRIES, **credentials)
        try:
            while not done.is_set():
                credentialed_call(client, rng)
                with lock:
                    counts.credentialed_calls += 1
                time.sleep(rng.random() * 0.02)  # outside the shared handle: let it close now and then
        except BaseException as exc:
            problem(f"credentialed call: {type(exc).__name__}: {exc}")

    def strict_caller(seed: int) -> None:
        client = boto3.client("iot", region_name=REGION, config=RETRIES)
        first_event: dict[str, int] = {}

        def began(**_: Any) -> None:  # runs after the call was bound (or not) at this same event
            first_event["stamp"] = stamp()

        client.meta.events.register("provide-client-params.iot.TestAuthorization", began)
        try:
            while not done.is_set():
                begin = stamp()
                try:
                    answer_of(client)
                except NoCredentialsError:
                    with lock:
                        counts.strict_refused += 1
                        refused.append((begin, first_event["stamp"]))
                else:
                    with lock:
                        counts.strict_answered += 1
        except BaseException as exc:
            problem(f"strict call: {type(exc).__name__}: {exc}")

    threads = [
        *(threading.Thread(target=activator, args=(i,)) for i in range(activators)),
        *(threading.Thread(target=credentialed_caller, args=(100 + i,)) for i in range(credentialed)),
        *(threading.Thread(target=strict_caller, args=(200 + i,)) for i in range(strict)),
    ]
    with recording_network(counts):
        for thread in threads:
            thread.start()
        time.sleep(duration)
        done.set()
        for thread in threads:
            thread.join(60)
    if any(thread.is_alive() for thread in threads):
        counts.problems.append("a thread did not finish within 60 s of the end (hang guard)")
    for begin, began_at in refused:
        # A handle was open from before the call began until after its first event: the call was bound.
        covering = [w for w in windows if w.after_open < begin and w.before_close > began_at]
        if covering:
            counts.problems.append(f"a call that began under an open handle was not answered: {covering[0]}")
    return counts
