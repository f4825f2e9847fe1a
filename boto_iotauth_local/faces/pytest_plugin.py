"""The pytest plugin: an ``iot_world``, an active ``iot_auth`` handle and an ``iot_endpoint`` per test;
and expectations files (``iot-expectations*.yaml``) collected as tests, one per expectation.

Registered through the ``pytest11`` entry point. botocore is imported only when a test asks for a fixture,
so that installing the package costs nothing in test runs that never use it. Everything is per process,
so the fixtures work unchanged under pytest-xdist: each worker builds its own worlds.
"""

from __future__ import annotations

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
        f"{_WORLD_MARKER}(path): the iot_world fixture is loaded from this world file "
        "(relative to the test file's directory); on a test, class or module",
    )
    config.addinivalue_line(
        "markers",
        f"{_AUTH_MARKER}(**options): activate() options for the iot_auth fixture, e.g. "
        "require_credentials=True; the closest marker wins per option",
    )


def _world_path(request: pytest.FixtureRequest, marker: pytest.Mark) -> Path:
    if len(marker.args) != 1 or marker.kwargs:
        pytest.fail(f"@pytest.mark.{_WORLD_MARKER} takes one argument, the world file's path", pytrace=False)
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
    return World.from_file(_world_path(request, marker))


def _activation_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {key: request.config.getini(ini) for ini, key in _INI_OPTIONS.items()}
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
def iot_auth(iot_world: World, request: pytest.FixtureRequest) -> Iterator[Activation]:
    """A started, process-wide activation over ``iot_world``; stopped after the test, passed or failed."""
    from ..activation.handle import activate

    options = _activation_options(request)
    try:
        handle = activate(iot_world, **options)
    except TypeError as exc:
        pytest.fail(f"@pytest.mark.{_AUTH_MARKER}: {exc}", pytrace=False)
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
