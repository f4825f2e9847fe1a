"""The isolated runtime: warm workers, Lambda's environment, capture, failures, limits, shutdown."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from boto_iotauth_local.authorizers import HandlerReferenceError, InvocationFailed, IsolatedRuntime

from . import handlers
from .conftest import Spec, WriteFile

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX process semantics")

APP = """
import ctypes
import logging
import os
import sys
import time

logger = logging.getLogger("authz")
logger.setLevel(logging.INFO)
print("init output")

def pid(event, context):
    return os.getpid()

def environment(event, context):
    return dict(os.environ)

def chatty(event, context):
    print("hello", event["token"])
    print("warning", file=sys.stderr)
    logger.info("decided %s", "allow")
    return {"request": context.aws_request_id, "remaining": context.get_remaining_time_in_millis()}

def failing(event, context):
    raise PermissionError("denied by handler")

def exits(event, context):
    sys.exit(3)

def hard_exit(event, context):
    print("going down")
    os._exit(3)

def segfault(event, context):
    ctypes.string_at(0)

def sleeps(event, context):
    if event.get("seconds"):
        print("sleeping")
        time.sleep(event["seconds"])
    return os.getpid()

def hog(event, context):
    block = bytearray(int(event["mb"]) * 1024 * 1024)
    return len(block)

def unserializable(event, context):
    return {"when": object()}

def modules(event, context):
    import importlib.util
    loaded = sorted(name for name in sys.modules if name.startswith(("boto_iotauth_local", "botocore")))
    shadowed = [name for name in ("context", "conventions", "references") if importlib.util.find_spec(name)]
    return {"loaded": loaded, "shadowed": shadowed, "cwd": os.getcwd(), "path0": sys.path[0]}

def spawn_and_hang(event, context):
    import subprocess
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(event["pid_file"], "w") as handle:
        handle.write(str(child.pid))
    time.sleep(60)

def wait_for_marker(event, context):
    directory = event["dir"]
    open(os.path.join(directory, "started-%d" % os.getpid()), "w").close()
    deadline = time.time() + 20
    while not os.path.exists(os.path.join(directory, "go")) and time.time() < deadline:
        time.sleep(0.01)
    return os.getpid()
"""

MakeSpec = Callable[..., Spec]


@pytest.fixture
def make_spec(write_file: WriteFile, tmp_path: Path) -> MakeSpec:
    write_file("fn/isolated_app.py", APP)

    def make(function: str, **settings: Any) -> Spec:
        return Spec(f"isolated_app.{function}", code_dir=str(tmp_path / "fn"), **settings)

    return make


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_is_reused_while_warm(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    first = isolated.invoke(make_spec("pid"), {})
    second = isolated.invoke(make_spec("pid"), {})
    assert first.value == second.value != os.getpid()
    assert first.runtime == "isolated"
    assert isolated.worker_pids() == [first.value]


def test_lambda_environment_variables(isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path) -> None:
    spec = make_spec(
        "environment",
        name="myAuthorizer",
        arn="arn:aws:lambda:ap-southeast-2:123456789012:function:myAuthorizer",
        memory_mb=256,
        environment={"TABLE": "tokens", "AWS_REGION": "us-east-1"},
    )
    env = isolated.invoke(spec, {}).value
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "myAuthorizer"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert (
        env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-southeast-2"
    )  # reserved: the ARN's region wins
    assert env["_HANDLER"] == "isolated_app.environment"
    assert env["LAMBDA_TASK_ROOT"] == str(tmp_path / "fn")
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/myAuthorizer"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_EXECUTION_ENV"] == f"AWS_Lambda_python{sys.version_info.major}.{sys.version_info.minor}"
    assert env["TABLE"] == "tokens"


def test_worker_runs_in_code_dir_without_the_package(
    isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path
) -> None:
    result = isolated.invoke(make_spec("modules"), {}).value
    assert result == {
        "loaded": [],
        "shadowed": [],
        "cwd": str(tmp_path / "fn"),
        "path0": str(tmp_path / "fn"),
    }


def test_output_and_log_records_are_captured_per_call(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    first = isolated.invoke(make_spec("chatty"), {"token": "a"})
    assert first.stdout == "init output\nhello a\n"  # the init phase's output comes with the first call
    assert first.stderr == "warning\n"
    assert len(first.records) == 1
    level, _, request_id, message = first.records[0].split("\t")
    assert (level, request_id, message) == ("[INFO]", first.request_id, "decided allow")
    assert first.value["request"] == first.request_id
    assert 0 < first.value["remaining"] <= 5000
    second = isolated.invoke(make_spec("chatty"), {"token": "b"})
    assert second.stdout == "hello b\n"
    assert second.request_id != first.request_id


def test_raised_exception(isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path) -> None:
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(make_spec("failing"), {})
    failure = caught.value
    assert failure.kind == "raised"
    path = tmp_path / "fn" / "isolated_app.py"
    line = APP.splitlines().index('    raise PermissionError("denied by handler")') + 1
    assert failure.message == f"PermissionError: denied by handler (at {path}, line {line}, in failing)"
    assert failure.logs.records[-1].startswith("[ERROR] PermissionError: denied by handler\nTraceback")
    assert "_worker.py" not in failure.logs.records[-1]


def test_sys_exit_is_raised_and_the_worker_survives(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    pid = isolated.invoke(make_spec("pid"), {}).value
    spec = make_spec("exits")
    for _ in range(2):
        with pytest.raises(InvocationFailed) as caught:
            isolated.invoke(spec, {})
        assert caught.value.kind == "raised"
        assert caught.value.message.startswith("SystemExit: 3 (at ")
    assert _exists(pid)


@posix_only
def test_os_exit_is_a_crash_and_the_next_call_works(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    spec = make_spec("hard_exit")
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(spec, {})
    assert caught.value.kind == "crashed"
    assert caught.value.message == "Runtime exited with error: exit status 3"
    assert caught.value.logs.stdout == "init output\ngoing down\n"
    assert isolated.worker_pids() == []
    with pytest.raises(InvocationFailed, match="exit status 3"):
        isolated.invoke(spec, {})


@posix_only
def test_segfault_is_a_crash_and_the_next_call_works(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(make_spec("segfault"), {})
    assert caught.value.kind == "crashed"
    assert caught.value.message == "Runtime exited with error: signal: segmentation fault"
    assert "Fatal Python error: Segmentation fault" in caught.value.logs.stderr
    assert isinstance(isolated.invoke(make_spec("pid"), {}).value, int)


def test_hanging_handler_is_killed_at_the_timeout(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    spec = make_spec("sleeps", timeout=0.3)
    other_function = isolated.invoke(make_spec("pid"), {}).value
    hung = isolated.invoke(spec, {}).value
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(spec, {"seconds": 60})
    failure = caught.value
    assert failure.kind == "timeout"
    assert failure.message == "Task timed out after 0.30 seconds"
    assert failure.logs.stdout == "sleeping\n"
    assert failure.logs.records[-1].endswith(f"{failure.request_id} Task timed out after 0.30 seconds")
    assert not _exists(hung)  # killed and reaped
    assert isolated.worker_pids() == [other_function]
    replacement = isolated.invoke(spec, {}).value
    assert replacement not in (hung, other_function)
    with pytest.raises(InvocationFailed, match=r"Task timed out after 0\.20 seconds"):
        isolated.invoke(spec, {"seconds": 60}, timeout=0.2)


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie may linger if the container's init does not reap)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_timeout_also_kills_processes_the_handler_started(
    isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path
) -> None:
    pid_file = tmp_path / "child.pid"
    with pytest.raises(InvocationFailed, match="timed out"):
        isolated.invoke(make_spec("spawn_and_hang"), {"pid_file": str(pid_file)}, timeout=1.0)
    child = int(pid_file.read_text())
    _wait_for(lambda: not _running(child))


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_memory_limit_stops_a_handler_allocating_far_beyond_its_size(
    isolated: IsolatedRuntime, make_spec: MakeSpec
) -> None:
    spec = make_spec("hog", memory_mb=128)
    assert isolated.invoke(spec, {"mb": 64}).value == 64 * 1024 * 1024
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(spec, {"mb": 4096})
    assert caught.value.kind == "raised"
    assert caught.value.message.startswith("MemoryError")
    assert caught.value.message.endswith("(the function's memory size is 128 MB)")
    assert isolated.invoke(spec, {"mb": 1}).value == 1024 * 1024


def test_unserializable_return(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(make_spec("unserializable"), {})
    assert caught.value.kind == "unserializable"
    assert (
        caught.value.message == "Unable to marshal response: Object of type object is not JSON serializable"
    )


def test_unknown_function_is_a_reference_error(
    isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path
) -> None:
    with pytest.raises(HandlerReferenceError) as caught:
        isolated.invoke(make_spec("missing"), {})
    assert "has no attribute 'missing'" in str(caught.value)
    assert str(tmp_path / "fn" / "isolated_app.py") in str(caught.value)
    assert isolated.worker_pids() == []


def test_unknown_module_is_a_reference_error(isolated: IsolatedRuntime, tmp_path: Path) -> None:
    with pytest.raises(HandlerReferenceError, match="no module named 'not_there'"):
        isolated.invoke(Spec("not_there.handler", code_dir=str(tmp_path)), {})


def test_module_failing_on_import_is_raised(
    isolated: IsolatedRuntime, write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("fn/bad_import.py", "print('loading')\nimport module_nobody_has\n")
    with pytest.raises(InvocationFailed) as caught:
        isolated.invoke(Spec("bad_import.handler", code_dir=str(tmp_path / "fn")), {})
    failure = caught.value
    assert failure.kind == "raised"
    assert failure.message.startswith(
        "Unable to import module 'bad_import': ModuleNotFoundError: No module named 'module_nobody_has' (at "
    )
    assert failure.logs.stdout == "loading\n"
    assert failure.logs.records[0].startswith("[ERROR] Runtime.ImportModuleError: Unable to import module")


def test_file_reference(isolated: IsolatedRuntime, write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/handlers/file_auth.py", "def handle(event, context):\n    return event['token'].upper()\n")
    spec = Spec("handlers/file_auth.py:handle", code_dir=str(tmp_path / "fn"))
    assert isolated.invoke(spec, {"token": "abc"}).value == "ABC"


def test_importable_callable_runs_isolated(isolated: IsolatedRuntime) -> None:
    result = isolated.invoke(Spec(handlers.report, runtime="isolated", name="reporter"), {"token": "t"})
    assert result.value["pid"] != os.getpid()
    assert result.value["function_name"] == "reporter"
    assert result.value["package_loaded"] == []
    assert result.stdout == "report called\n"
    classmethod_result = isolated.invoke(Spec(handlers.Handlers.authorize, runtime="isolated"), {})
    assert classmethod_result.value["class"] == "Handlers"


def test_nested_callable_cannot_run_isolated(isolated: IsolatedRuntime) -> None:
    def local_handler(event: Any, context: Any) -> None:
        return None

    with pytest.raises(HandlerReferenceError, match="cannot run isolated"):
        isolated.invoke(Spec(local_handler, runtime="isolated"), {})


def test_concurrent_calls_use_separate_workers(
    isolated: IsolatedRuntime, make_spec: MakeSpec, tmp_path: Path
) -> None:
    spec = make_spec("wait_for_marker")
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(isolated.invoke, spec, {"dir": str(tmp_path)}) for _ in range(2)]
        _wait_for(lambda: len(list(tmp_path.glob("started-*"))) == 2)
        (tmp_path / "go").touch()
        pids = {future.result(30).value for future in futures}
    assert len(pids) == 2
    assert sorted(isolated.worker_pids()) == sorted(pids)


def test_calls_queue_when_the_pool_is_full(make_spec: MakeSpec, tmp_path: Path) -> None:
    runtime = IsolatedRuntime(max_workers_per_function=1)
    try:
        spec = make_spec("wait_for_marker")
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(runtime.invoke, spec, {"dir": str(tmp_path)}) for _ in range(2)]
            _wait_for(lambda: len(list(tmp_path.glob("started-*"))) == 1)
            (tmp_path / "go").touch()
            pids = {future.result(30).value for future in futures}
        assert len(pids) == 1
    finally:
        runtime.shutdown()


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def _open_fds() -> set[str]:
    return set(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_shutdown_kills_reaps_and_closes_everything(make_spec: MakeSpec) -> None:
    fds_before = _open_fds()
    runtime = IsolatedRuntime()
    runtime.invoke(make_spec("pid"), {})
    runtime.invoke(make_spec("environment"), {})
    worker_pids = runtime.worker_pids()
    assert len(worker_pids) == 2
    assert _open_fds() != fds_before
    runtime.shutdown()
    assert runtime.worker_pids() == []
    for pid in worker_pids:
        assert not _exists(pid)  # killed and reaped: not even a zombie is left
    assert _open_fds() == fds_before


def test_runtime_is_usable_after_shutdown(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    first = isolated.invoke(make_spec("pid"), {}).value
    isolated.shutdown()
    second = isolated.invoke(make_spec("pid"), {}).value
    assert first != second
    assert isolated.worker_pids() == [second]


def test_timeout_none_waits_for_the_handler(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    assert isolated.invoke(make_spec("pid", timeout=0.001), {}, timeout=None).value > 0


def test_different_settings_get_different_workers(isolated: IsolatedRuntime, make_spec: MakeSpec) -> None:
    a = isolated.invoke(make_spec("pid", environment={"V": "1"}), {}).value
    b = isolated.invoke(make_spec("pid", environment={"V": "2"}), {}).value
    assert a != b


def test_init_phase_has_its_own_time_limit(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/slow_import.py", "import time\nprint('importing')\ntime.sleep(60)\n")
    # Long enough for a worker to start and print on a loaded machine; the import itself never ends.
    runtime = IsolatedRuntime(init_timeout=1.5)
    try:
        with pytest.raises(InvocationFailed) as caught:
            runtime.invoke(Spec("slow_import.handler", code_dir=str(tmp_path / "fn")), {})
        assert caught.value.kind == "timeout"
        assert caught.value.message == "Init timed out after 1.50 seconds"
        assert caught.value.logs.stdout == "importing\n"
        assert runtime.worker_pids() == []
    finally:
        runtime.shutdown()


def test_event_that_json_cannot_encode_is_the_callers_error(
    isolated: IsolatedRuntime, make_spec: MakeSpec
) -> None:
    pid = isolated.invoke(make_spec("pid"), {}).value
    with pytest.raises(TypeError):
        isolated.invoke(make_spec("pid"), {"when": object()})
    assert isolated.invoke(make_spec("pid"), {}).value == pid
