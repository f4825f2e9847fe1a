"""Handlers that misbehave towards the host: fork, close the host's streams, outlive their timeout, flood
their output. Through the public API (boto3 under ``activate``), with the suite's network guard on."""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from boto_iotauth_local import World, activate
from boto_iotauth_local.authorizers.invocation import OUTPUT_CAP

REGION = "us-east-1"
ACCOUNT = "123456789012"
posix_only = pytest.mark.skipif(os.name != "posix", reason="os.fork and the isolated runtime's processes")


def answer(allowed: bool) -> dict[str, Any]:
    return {
        "isAuthenticated": allowed,
        "principalId": "p",
        "policyDocuments": [],
        "refreshAfterInSeconds": 600,
        "disconnectAfterInSeconds": 3600,
    }


ISOLATED_APP = textwrap.dedent(
    """
    import logging, os, sys, time

    def answer(allowed):
        return {"isAuthenticated": allowed, "principalId": "p", "policyDocuments": [],
                "refreshAfterInSeconds": 600, "disconnectAfterInSeconds": 3600}

    def forks(event, context):
        # Both processes return from the handler: the child with the same answer, late or at once.
        delay = float(event.get("httpContext", {}).get("queryString") or 0)
        if os.fork() == 0:
            time.sleep(delay)
            print("child says", event["token"])
            return answer(event["token"] == "allow")
        return answer(event["token"] == "allow")

    def floods(event, context):
        print("head-marker")
        sys.stdout.write("x" * (int(event["token"]) * 3))
        print()
        for index in range(2000):
            logging.getLogger().error("record %d %s", index, "y" * 1000)
        return answer(True)
    """
)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[World, Any]]:
    made = World(account_id=ACCOUNT, region=REGION)
    (tmp_path / "hostile_app.py").write_text(ISOLATED_APP)
    for name in ("forks", "floods"):
        made.register_function(name, f"hostile_app.{name}", runtime="isolated", code_dir=tmp_path)
        made.create_authorizer(
            authorizerName=f"Isolated-{name}",
            authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            signingDisabled=True,
        )
    with activate(made) as handle:
        yield made, handle


def authenticated(authorizer: str, token: str, **extra: Any) -> bool:
    iot = boto3.client("iot", region_name=REGION)
    answered = iot.test_invoke_authorizer(authorizerName=authorizer, token=token, **extra)
    return bool(answered["isAuthenticated"])


# -- hole 5: a forking handler in the isolated runtime ----------------------------------------------------


@posix_only
def test_a_handler_that_forks_cannot_answer_the_next_request(world: tuple[World, Any]) -> None:
    assert authenticated("Isolated-forks", "allow") is True
    assert authenticated("Isolated-forks", "deny") is False
    assert authenticated("Isolated-forks", "allow") is True
    assert authenticated("Isolated-forks", "deny") is False


@posix_only
def test_a_forked_copy_answering_late_is_discarded(world: tuple[World, Any]) -> None:
    # The child answers "allow" 0.3 s after the parent did, while the next requests are in flight.
    late = {"httpContext": {"headers": {}, "queryString": "0.3"}}
    assert authenticated("Isolated-forks", "allow", **late) is True
    for _ in range(3):
        assert authenticated("Isolated-forks", "deny") is False
    _, handle = world
    assert all("child says" not in run.logs for run in handle.authorizer_runs)


# -- hole 7: the host's streams and root logger after a timeout, and a handler closing them -------------


def test_an_in_process_timeout_restores_the_host_streams_and_root_logger_exactly() -> None:
    release = threading.Event()

    def stuck(event: Any, context: Any) -> Any:
        print("before the timeout")
        release.wait(30)
        print("after the timeout")
        return answer(True)

    made = World(account_id=ACCOUNT, region=REGION)
    made.create_authorizer(
        authorizerName="Stuck",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:stuck",
        signingDisabled=True,
        handler=stuck,
        timeout=0.2,
    )
    stdout, stderr, handlers = sys.stdout, sys.stderr, list(logging.root.handlers)
    try:
        with activate(made) as handle:
            iot = boto3.client("iot", region_name=REGION)
            with pytest.raises(ClientError, match="timed out"):
                iot.test_invoke_authorizer(authorizerName="Stuck", token="t")
            # The handler thread is still running, and the host has its own objects back.
            assert sys.stdout is stdout and sys.stderr is stderr
            assert logging.root.handlers == handlers
            assert "before the timeout" in handle.authorizer_runs[-1].logs
    finally:
        release.set()


@pytest.mark.parametrize("runtime", ["inprocess", "isolated"])
def test_a_handler_closing_stdout_and_stderr_closes_only_its_own_capture(
    runtime: str, tmp_path: Path
) -> None:
    if runtime == "isolated" and os.name != "posix":
        pytest.skip("isolated runtime")
    made = World(account_id=ACCOUNT, region=REGION)
    (tmp_path / "closing_app.py").write_text(
        textwrap.dedent(
            """
            import sys

            def handler(event, context):
                print("closing")
                sys.stdout.close()
                sys.stderr.close()
                sys.stdout.buffer.close()
                return {"isAuthenticated": True, "principalId": "p", "policyDocuments": [],
                        "refreshAfterInSeconds": 600, "disconnectAfterInSeconds": 3600}
            """
        )
    )
    made.register_function("closing", "closing_app.handler", runtime=runtime, code_dir=tmp_path)
    made.create_authorizer(
        authorizerName="Closing",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:closing",
        signingDisabled=True,
    )
    stdout, stderr = sys.stdout, sys.stderr
    with activate(made) as handle:
        assert authenticated("Closing", "t") is True
        assert authenticated("Closing", "t") is True  # and again, on the same warm runtime
        assert "closing" in handle.authorizer_runs[-1].logs
    assert sys.stdout is stdout and sys.stderr is stderr
    assert not stdout.closed and not stderr.closed
    print("the host can still print")


# -- hole 10 (output): a handler's output is capped per call ------------------------------------------------


def _check_capped(run: Any) -> None:
    output = run.output
    assert output.stdout.startswith("head-marker\nxxx")
    assert len(output.stdout) < OUTPUT_CAP + 200
    written = len("head-marker\n") + 3 * OUTPUT_CAP + 1
    assert f"[{written - OUTPUT_CAP} more characters dropped" in output.stdout
    assert sum(len(record) for record in output.records) < OUTPUT_CAP + 200
    assert "more log records" in output.records[-1] and "dropped" in output.records[-1]


def test_in_process_output_is_capped_keeping_the_head() -> None:
    def floods(event: Any, context: Any) -> Any:
        print("head-marker")
        sys.stdout.write("x" * (int(event["token"]) * 3))
        print()
        for index in range(2000):
            logging.getLogger().error("record %d %s", index, "y" * 1000)
        return answer(True)

    made = World(account_id=ACCOUNT, region=REGION)
    made.create_authorizer(
        authorizerName="Floods",
        authorizerFunctionArn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:floods",
        signingDisabled=True,
        handler=floods,
    )
    with activate(made) as handle:
        assert authenticated("Floods", str(OUTPUT_CAP)) is True
        _check_capped(handle.authorizer_runs[-1])


@posix_only
def test_isolated_output_is_capped_keeping_the_head(world: tuple[World, Any]) -> None:
    _, handle = world
    assert authenticated("Isolated-floods", str(OUTPUT_CAP)) is True
    _check_capped(handle.authorizer_runs[-1])
