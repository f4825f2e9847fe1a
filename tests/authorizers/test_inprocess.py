"""The in-process runtime: return values, failures, timeouts and per-call capture."""

from __future__ import annotations

import decimal
import io
import logging
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.authorizers import InProcessRuntime, Invocation, InvocationFailed
from boto_iotauth_local.authorizers.references import HandlerReferenceError

from .conftest import Spec, WriteFile

authz_logger = logging.getLogger("tests.authorizers.inprocess_handler")


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An event that lets handlers left running by a timeout finish when the test ends."""
    event = threading.Event()
    yield event
    event.set()
    for thread in threading.enumerate():
        if thread.name.startswith("authorizer:"):
            thread.join(10)


def test_returns_the_value_after_lambdas_json_marshalling(inprocess: InProcessRuntime) -> None:
    def handler(event: dict[str, Any], context: Any) -> Any:
        return {"tuple": (1, 2), "decimal": decimal.Decimal("600"), "token": event["token"]}

    result = inprocess.invoke(Spec(handler), {"token": "t"})
    assert isinstance(result, Invocation)
    assert result.value == {"tuple": [1, 2], "decimal": 600, "token": "t"}
    assert result.runtime == "inprocess"
    assert result.duration >= 0


def test_handler_gets_a_copy_of_the_event(inprocess: InProcessRuntime) -> None:
    event = {"nested": {"a": 1}}

    def handler(received: dict[str, Any], context: Any) -> None:
        received["nested"]["a"] = 2

    inprocess.invoke(Spec(handler), event)
    assert event == {"nested": {"a": 1}}


def test_context_describes_the_function(inprocess: InProcessRuntime) -> None:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        return {
            "name": context.function_name,
            "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb,
            "request": context.aws_request_id,
            "group": context.log_group_name,
            "remaining": context.get_remaining_time_in_millis(),
        }

    result = inprocess.invoke(Spec(handler, name="authFn", memory_mb=256), {})
    assert result.value["name"] == "authFn"
    assert result.value["arn"] == Spec(handler).arn
    assert result.value["memory"] == "256"
    assert result.value["request"] == result.request_id
    assert result.value["group"] == "/aws/lambda/authFn"
    assert 0 < result.value["remaining"] <= 5000


def test_captures_print_stderr_and_logging(
    inprocess: InProcessRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    authz_logger.setLevel(logging.INFO)

    def handler(event: Any, context: Any) -> str:
        print("to stdout")
        print("to stderr", file=sys.stderr)
        sys.stdout.buffer.write(b"bytes\n")
        authz_logger.info("checked %s", "token")
        return "ok"

    result = inprocess.invoke(Spec(handler), {})
    assert result.stdout == "to stdout\nbytes\n"
    assert result.stderr == "to stderr\n"
    assert len(result.records) == 1
    level, stamp, request_id, message = result.records[0].split("\t")
    assert (level, request_id, message) == ("[INFO]", result.request_id, "checked token")
    assert stamp.endswith("Z")
    assert capsys.readouterr().out == ""


def test_streams_are_restored_after_the_call(inprocess: InProcessRuntime) -> None:
    before = (sys.stdout, sys.stderr)
    inprocess.invoke(Spec(lambda event, context: None), {})
    assert (sys.stdout, sys.stderr) == before
    assert not any(type(h).__name__ == "RoutingLogHandler" for h in logging.root.handlers)


def test_raised_exception_names_type_message_and_place(inprocess: InProcessRuntime) -> None:
    def failing_handler(event: Any, context: Any) -> None:
        print("about to fail")
        raise ValueError("bad token")

    with pytest.raises(InvocationFailed) as caught:
        inprocess.invoke(Spec(failing_handler), {})
    failure = caught.value
    assert failure.kind == "raised"
    line = failing_handler.__code__.co_firstlineno + 2
    assert failure.message == f"ValueError: bad token (at {__file__}, line {line}, in failing_handler)"
    assert failure.logs.stdout == "about to fail\n"
    assert failure.logs.records[-1].startswith(
        "[ERROR] ValueError: bad token\nTraceback (most recent call last):"
    )
    assert failure.logs.records[-1].count('  File "') == 1  # the handler's frame only, not the runtime's


def test_sys_exit_is_reported_not_obeyed(inprocess: InProcessRuntime) -> None:
    def handler(event: Any, context: Any) -> None:
        sys.exit(2)

    with pytest.raises(InvocationFailed) as caught:
        inprocess.invoke(Spec(handler), {})
    assert caught.value.kind == "raised"
    assert caught.value.message.startswith("SystemExit: 2 (at ")


def test_sys_exit_inline_is_reported_not_obeyed(inprocess: InProcessRuntime) -> None:
    def handler(event: Any, context: Any) -> None:
        sys.exit()

    with pytest.raises(InvocationFailed, match=r"raised: SystemExit \(at "):
        inprocess.invoke(Spec(handler), {}, timeout=None)


def test_timeout_is_reported_in_lambdas_words(inprocess: InProcessRuntime, release: threading.Event) -> None:
    def handler(event: Any, context: Any) -> None:
        print("waiting")
        release.wait(30)

    with pytest.raises(InvocationFailed) as caught:
        inprocess.invoke(Spec(handler), {}, timeout=0.2)
    assert caught.value.kind == "timeout"
    assert caught.value.message == "Task timed out after 0.20 seconds"
    assert caught.value.logs.stdout == "waiting\n"
    assert caught.value.logs.records[-1].endswith(
        f"{caught.value.request_id} Task timed out after 0.20 seconds"
    )


def test_spec_timeout_is_the_default(inprocess: InProcessRuntime, release: threading.Event) -> None:
    with pytest.raises(InvocationFailed, match=r"Task timed out after 0\.10 seconds"):
        inprocess.invoke(Spec(lambda event, context: release.wait(30), timeout=0.1), {})


def test_timeout_none_runs_inline_on_the_calling_thread(inprocess: InProcessRuntime) -> None:
    def handler(event: Any, context: Any) -> bool:
        print("inline")
        return threading.current_thread() is threading.main_thread()

    result = inprocess.invoke(Spec(handler), {}, timeout=None)
    assert result.value is (threading.current_thread() is threading.main_thread())
    assert result.stdout == "inline\n"


def test_threaded_call_runs_off_the_calling_thread(inprocess: InProcessRuntime) -> None:
    caller = threading.current_thread()
    result = inprocess.invoke(Spec(lambda event, context: threading.current_thread() is caller), {})
    assert result.value is False


def test_invalid_timeout(inprocess: InProcessRuntime) -> None:
    with pytest.raises(ValueError, match="positive"):
        inprocess.invoke(Spec(lambda event, context: None), {}, timeout=0)


def test_unserializable_return(inprocess: InProcessRuntime) -> None:
    with pytest.raises(InvocationFailed) as caught:
        inprocess.invoke(Spec(lambda event, context: {"a": {1, 2}}), {})
    assert caught.value.kind == "unserializable"
    assert caught.value.message == "Unable to marshal response: Object of type set is not JSON serializable"


def test_bytes_return_is_delivered_as_text(inprocess: InProcessRuntime) -> None:
    assert inprocess.invoke(Spec(lambda event, context: b'{"a":1}'), {}).value == '{"a":1}'


def test_string_reference_runs_in_process_when_asked(
    inprocess: InProcessRuntime, write_file: WriteFile, tmp_path: Path
) -> None:
    write_file(
        "fn/inproc_app.py",
        """
        import os
        def handler(event, context):
            print("in", event["token"])
            return os.getpid()
        """,
    )
    spec = Spec("inproc_app.handler", runtime="inprocess", code_dir=str(tmp_path / "fn"))
    result = inprocess.invoke(spec, {"token": "x"})
    assert result.value == __import__("os").getpid()
    assert result.stdout == "in x\n"


def test_unknown_reference_raises_reference_error(inprocess: InProcessRuntime, tmp_path: Path) -> None:
    with pytest.raises(HandlerReferenceError, match="no module named 'absent_app'"):
        inprocess.invoke(Spec("absent_app.handler", code_dir=str(tmp_path)), {})


def test_module_failing_on_import_is_raised(
    inprocess: InProcessRuntime, write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("fn/explodes.py", "raise KeyError('SETTING')\n")
    with pytest.raises(InvocationFailed) as caught:
        inprocess.invoke(Spec("explodes.handler", code_dir=str(tmp_path / "fn")), {})
    assert caught.value.kind == "raised"
    assert caught.value.message.startswith("Unable to import module 'explodes': KeyError: 'SETTING' (at ")
    assert caught.value.logs.records[0].startswith(
        "[ERROR] Runtime.ImportModuleError: Unable to import module"
    )


def test_other_threads_output_is_not_captured(
    inprocess: InProcessRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    started, proceed = threading.Event(), threading.Event()

    def handler(event: Any, context: Any) -> str:
        print("from handler")
        started.set()
        proceed.wait(10)
        print("handler again")
        return "done"

    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(inprocess.invoke, Spec(handler), {})
        assert started.wait(10)
        print("from the test thread")
        proceed.set()
        result = future.result(10)
    assert result.stdout == "from handler\nhandler again\n"
    assert capsys.readouterr().out == "from the test thread\n"


def test_overlapping_calls_capture_separately(inprocess: InProcessRuntime) -> None:
    barrier = threading.Barrier(2, timeout=10)

    def handler(event: dict[str, Any], context: Any) -> str:
        print("before", event["n"])
        barrier.wait()
        print("after", event["n"])
        return str(event["n"])

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(inprocess.invoke, Spec(handler), {"n": n}) for n in (1, 2)]
        results = [future.result(10) for future in futures]
    for n, result in zip((1, 2), results, strict=True):
        assert result.stdout == f"before {n}\nafter {n}\n"


def test_event_that_json_cannot_encode_is_the_callers_error(inprocess: InProcessRuntime) -> None:
    with pytest.raises(TypeError):
        inprocess.invoke(Spec(lambda event, context: None), {"when": object()})


def test_capture_survives_streams_replaced_during_another_call(inprocess: InProcessRuntime) -> None:
    started, proceed = threading.Event(), threading.Event()

    def blocking(event: Any, context: Any) -> None:
        started.set()
        proceed.wait(10)

    def chatty(event: Any, context: Any) -> None:
        print("captured")

    replacement = io.StringIO()
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(inprocess.invoke, Spec(blocking), {})
        assert started.wait(10)
        saved, sys.stdout = sys.stdout, replacement
        try:
            assert inprocess.invoke(Spec(chatty), {}).stdout == "captured\n"
            print("not captured")
        finally:
            sys.stdout = saved
            proceed.set()
        first.result(10)
    assert replacement.getvalue() == "not captured\n"


def test_threaded_calls_reuse_a_warm_worker_but_never_one_still_busy(
    inprocess: InProcessRuntime, release: threading.Event
) -> None:
    def ident(event: Any, context: Any) -> int:
        return threading.get_ident()

    first = inprocess.invoke(Spec(ident), {}).value
    assert inprocess.invoke(Spec(ident), {}).value == first

    def hang(event: Any, context: Any) -> None:
        release.wait(30)

    with pytest.raises(InvocationFailed):
        inprocess.invoke(Spec(hang), {}, timeout=0.1)
    # The worker that ran `hang` is still inside it: the next call must get another thread.
    assert inprocess.invoke(Spec(ident), {}).value != first
