"""Choosing a runtime per function, and the process-wide entry points."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from boto_iotauth_local.authorizers import (
    FunctionLike,
    Runtimes,
    choose_runtime,
    default_runtimes,
    invoke,
    shutdown,
)

from .conftest import Spec, WriteFile

if TYPE_CHECKING:
    from boto_iotauth_local.world.functions import FunctionSpec

    def _world_spec_is_function_like(spec: FunctionSpec) -> FunctionLike:
        """Checked by mypy: the world's FunctionSpec satisfies the runtimes' protocol."""
        return spec


def _handler(event: Any, context: Any) -> int:
    return os.getpid()


def test_auto_runs_callables_in_process_and_references_isolated() -> None:
    assert choose_runtime(Spec(_handler)) == "inprocess"
    assert choose_runtime(Spec("app.handler")) == "isolated"


def test_explicit_choice_wins() -> None:
    assert choose_runtime(Spec(_handler, runtime="isolated")) == "isolated"
    assert choose_runtime(Spec("app.handler", runtime="inprocess")) == "inprocess"


def test_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="runtime must be 'auto', 'inprocess' or 'isolated', not 'lambda'"):
        choose_runtime(Spec(_handler, runtime="lambda"))


def test_runtimes_dispatch_per_spec(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/dispatch_app.py", "import os\ndef handler(event, context):\n    return os.getpid()\n")
    runtimes = Runtimes()
    try:
        in_process = runtimes.invoke(Spec(_handler), {})
        isolated = runtimes.invoke(Spec("dispatch_app.handler", code_dir=str(tmp_path / "fn")), {})
        assert (in_process.runtime, in_process.value) == ("inprocess", os.getpid())
        assert isolated.runtime == "isolated"
        assert isolated.value != os.getpid()
        assert runtimes.isolated.worker_pids() == [isolated.value]
    finally:
        runtimes.shutdown()
    assert runtimes.isolated.worker_pids() == []


def test_process_wide_invoke_and_shutdown(write_file: WriteFile, tmp_path: Path) -> None:
    write_file("fn/global_app.py", "import os\ndef handler(event, context):\n    return os.getpid()\n")
    result = invoke(Spec("global_app.handler", code_dir=str(tmp_path / "fn")), {})
    assert result.value in default_runtimes().isolated.worker_pids()
    shutdown()
    assert default_runtimes().isolated.worker_pids() == []


def test_the_worlds_function_spec_runs_in_both_runtimes(write_file: WriteFile, tmp_path: Path) -> None:
    functions = pytest.importorskip("boto_iotauth_local.world.functions")
    write_file(
        "fn/world_app.py",
        "import os\ndef handler(event, context):\n    return [os.getpid(), context.function_name]\n",
    )
    arn = "arn:aws:lambda:us-east-1:123456789012:function:worldFn"
    isolated_spec: FunctionLike = functions.FunctionSpec(
        arn=arn, name="worldFn", handler="world_app.handler", code_dir=tmp_path / "fn"
    )
    in_process_spec: FunctionLike = functions.FunctionSpec(arn=arn, name="worldFn", handler=_handler)
    runtimes = Runtimes()
    try:
        pid, name = runtimes.invoke(isolated_spec, {}).value
        assert (pid != os.getpid(), name) == (True, "worldFn")
        assert runtimes.invoke(in_process_spec, {}).value == os.getpid()
    finally:
        runtimes.shutdown()
