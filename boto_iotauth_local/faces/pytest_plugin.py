"""The pytest plugin: an ``iot_world``, an active ``iot_auth`` handle and an ``iot_endpoint`` per test;
and expectations files (``iot-expectations*.yaml``) collected as tests, one per expectation.

Registered through the ``pytest11`` entry point. botocore is imported only when a test asks for a fixture,
so that installing the package costs nothing in test runs that never use it. Everything is per process,
so the fixtures work unchanged under pytest-xdist: each worker builds its own worlds.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..activation.handle import Activation
    from ..world import World
    from .endpoint import Endpoint

_WORLD_MARKER = "iot_world"
_AUTH_MARKER = "iot_auth"

#: ini name -> activate() keyword; a marker keyword overrides the ini value.
_INI_OPTIONS = {
    "iot_auth_require_credentials": "require_credentials",
    "iot_auth_reject_inactive_authorizers": "reject_inactive_authorizers",
}
#: The marker/ini option that makes ``iot_auth`` answer from moto's state instead of ``iot_world``.
_MOTO = "moto"

#: activate() keywords that would make the handle less than process-wide, which ``iot_auth`` promises.
_SCOPING = frozenset({"world", "session", "client"})


def pytest_addoption(parser: pytest.Parser) -> None:
    from .pytest_expectations import add_ini_options

    add_ini_options(parser)
    parser.addini(
        "iot_auth_require_credentials",
        "iot_auth fixture: sign intercepted calls, so clients without credentials fail as against AWS",
        type="bool",
        default=False,
    )
    parser.addini(
        "iot_auth_moto",
        "iot_auth fixture: answer from moto's IoT state (while moto.mock_aws is active) instead of iot_world",
        type="bool",
        default=False,
    )
    parser.addini(
        "iot_auth_reject_inactive_authorizers",
        "iot_auth fixture: TestInvokeAuthorizer on an INACTIVE authorizer is an InvalidRequestException",
        type="bool",
        default=False,
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Expectations files (``iot_expectations_files`` patterns) become one test per expectation."""
    from .pytest_expectations import collect_file

    return collect_file(file_path, parent)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_WORLD_MARKER}(path, allow_external_handlers=False): the iot_world fixture is loaded from "
        "this world file (relative to the test file's directory); on a test, class or module",
    )
    config.addinivalue_line(
        "markers",
        f"{_AUTH_MARKER}(**options): activate() options for the iot_auth fixture, e.g. "
        "require_credentials=True, or moto=True to answer from moto's state; the closest marker wins "
        "per option",
    )


def _world_path(request: pytest.FixtureRequest, marker: pytest.Mark) -> Path:
    if len(marker.args) != 1 or set(marker.kwargs) - {"allow_external_handlers"}:
        pytest.fail(
            f"@pytest.mark.{_WORLD_MARKER} takes one argument, the world file's path, and optionally "
            "allow_external_handlers=True",
            pytrace=False,
        )
    path = Path(request.path).parent / Path(marker.args[0])
    if not path.is_file():
        pytest.fail(f"@pytest.mark.{_WORLD_MARKER}: no world file at {path}", pytrace=False)
    return path


@pytest.fixture
def iot_world(request: pytest.FixtureRequest) -> World:
    """A fresh World for this test: empty, or loaded from the closest ``iot_world`` marker's file."""
    from ..world import World

    marker = request.node.get_closest_marker(_WORLD_MARKER)
    if marker is None:
        return World()
    path = _world_path(request, marker)
    return World.from_file(path, allow_external_handlers=bool(marker.kwargs.get("allow_external_handlers")))


def _activation_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {key: request.config.getini(ini) for ini, key in _INI_OPTIONS.items()}
    options[_MOTO] = request.config.getini("iot_auth_moto")
    # iter_markers yields the closest first (test, then class, then module): apply the farthest first.
    for marker in reversed(list(request.node.iter_markers(_AUTH_MARKER))):
        if marker.args:
            pytest.fail(f"@pytest.mark.{_AUTH_MARKER} takes keyword options only", pytrace=False)
        options.update(marker.kwargs)
    scoping = sorted(_SCOPING.intersection(options))
    if scoping:
        pytest.fail(
            f"@pytest.mark.{_AUTH_MARKER}: {', '.join(scoping)} cannot be set here; the iot_auth handle is "
            "process-wide over iot_world (call activate() yourself for a scoped one)",
            pytrace=False,
        )
    return options


@pytest.fixture
def iot_auth(request: pytest.FixtureRequest) -> Iterator[Activation]:
    """A started, process-wide activation over ``iot_world``; stopped after the test, passed or failed.

    With ``@pytest.mark.iot_auth(moto=True)`` (or the ini option ``iot_auth_moto``) it is given no world,
    so that while ``moto.mock_aws`` is active it answers from moto's IoT state (moto-backed mode).
    """
    from ..activation.handle import activate

    options = _activation_options(request)
    from_moto = options.pop(_MOTO)
    if not isinstance(from_moto, bool):
        pytest.fail(f"@pytest.mark.{_AUTH_MARKER}: moto takes True or False", pytrace=False)
    if from_moto and request.node.get_closest_marker(_WORLD_MARKER) is not None:
        pytest.fail(
            f"@pytest.mark.{_WORLD_MARKER} and moto=True disagree: with moto=True the state is moto's",
            pytrace=False,
        )
    world = None if from_moto else request.getfixturevalue("iot_world")
    try:
        handle = activate(world, **options)
    except TypeError as exc:
        pytest.fail(f"@pytest.mark.{_AUTH_MARKER}: {exc}", pytrace=False)
    with _started(handle):
        yield handle


@pytest.fixture
def iot_moto(request: pytest.FixtureRequest) -> Iterator[Activation]:
    """``moto.mock_aws()`` and a started activation answering from moto's IoT state, for this test.

    IoT state made with boto3 (policies, certificates, things, attachments) is what TestAuthorization
    and TestInvokeAuthorizer answer from. ``iot_auth``'s marker and ini options apply, except ``moto``.
    """
    from ..activation.handle import activate

    try:
        from moto import mock_aws
    except ImportError:
        pytest.fail('the iot_moto fixture needs moto: pip install "boto_iotauth_local[moto]"', pytrace=False)
    options = _activation_options(request)
    options.pop(_MOTO)
    try:
        handle = activate(None, **options)
    except TypeError as exc:
        pytest.fail(f"@pytest.mark.{_AUTH_MARKER}: {exc}", pytrace=False)
    with mock_aws(), _started(handle):
        yield handle


@contextlib.contextmanager
def _started(handle: Activation) -> Iterator[Activation]:
    handle.start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def iot_endpoint(iot_world: World) -> Iterator[Endpoint]:
    """A local AWS IoT endpoint over ``iot_world`` on a free port (``iot_endpoint.url``); stopped after."""
    from .endpoint import serve

    with serve(iot_world) as endpoint:
        yield endpoint
