"""The pytest plugin, run in a pytest subprocess over generated test files (also under pytest-xdist)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

from boto_iotauth_local import World

pytest_plugins = ["pytester"]  # here rather than in a conftest: only top-level conftests may set it

PLUGIN = "boto_iotauth_local.faces.pytest_plugin"
#: Load the plugin explicitly unless the installed package already registers it as a pytest11 entry point.
PLUGIN_ARGS = () if any(ep.value == PLUGIN for ep in entry_points(group="pytest11")) else ("-p", PLUGIN)

#: Generated conftest: checks that no activation outlives its test (this autouse fixture is set up before
#: iot_auth, so it is torn down after it), and replaces the world-file reader, whose format is not under
#: test here, by one that names the world's only policy after the file.
CONFTEST = """
import json
from pathlib import Path

import pytest

from boto_iotauth_local import World
from boto_iotauth_local.wire import hooks

STATEMENT = {"Effect": "Allow", "Action": "iot:*", "Resource": "*"}
OPEN = json.dumps({"Version": "2012-10-17", "Statement": [STATEMENT]})


def _from_file(cls, path, **options):
    world = cls()
    world.create_policy(policyName=Path(path).stem, policyDocument=OPEN)
    return world


if FAKE_LOADER:
    World.from_file = classmethod(_from_file)


@pytest.fixture(autouse=True)
def _no_activation_outlives_its_test():
    assert hooks.active_bindings() == ()
    yield
    assert hooks.active_bindings() == (), "an activation outlived its test"
"""

HELPERS = """
import boto3
import pytest
from botocore.exceptions import NoCredentialsError

OPEN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
CONNECT = [{"actionType": "CONNECT", "resources": ["arn:aws:iot:us-east-1:123456789012:client/c"]}]


def decide(policy):
    client = boto3.client("iot", region_name="us-east-1")
    response = client.test_authorization(authInfos=CONNECT, policyNamesToAdd=[policy])
    return response["authResults"][0]["authDecision"]
"""


def run(pytester: pytest.Pytester, *args: str, fake_loader: bool = True) -> pytest.RunResult:
    pytester.makeconftest(CONFTEST.replace("FAKE_LOADER", str(fake_loader)))
    return pytester.runpytest_subprocess(*PLUGIN_ARGS, "--strict-markers", "-p", "no:cacheprovider", *args)


def world_files(pytester: pytest.Pytester, *names: str) -> None:
    for name in names:
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("# read by the generated conftest's loader\n")


def test_fixtures_give_each_test_a_fresh_world_and_an_active_handle(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
from boto_iotauth_local import Activation, World

@pytest.mark.parametrize("round", range(3))
def test_fresh(iot_world, iot_auth, round):
    assert isinstance(iot_world, World) and isinstance(iot_auth, Activation)
    assert iot_auth.active and iot_auth.world is iot_world
    assert not iot_world.has_policy("Open")  # nothing left from the previous round
    iot_world.create_policy(policyName="Open", policyDocument=OPEN)
    assert decide("Open") == "ALLOWED"
    assert len(iot_auth.calls) == 1

def test_world_alone_intercepts_nothing(iot_world):
    with pytest.raises(NoCredentialsError):
        decide("Open")
"""
    )
    run(pytester).assert_outcomes(passed=4)


def test_a_failing_test_still_stops_its_activation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
handles = []

def test_fails(iot_auth):
    handles.append(iot_auth)
    assert iot_auth.active
    raise AssertionError("the test itself fails")

def test_errors_in_its_own_fixture(iot_auth, broken):
    pass

@pytest.fixture
def broken(iot_auth):
    handles.append(iot_auth)
    raise RuntimeError("a fixture after iot_auth fails")

def test_after():
    assert len(handles) == 2 and not any(handle.active for handle in handles)
    with pytest.raises(NoCredentialsError):
        decide("Open")
"""
    )
    result = run(pytester, "-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*AssertionError: the test itself fails*"])
    result.stdout.no_fnmatch_line("*outlived its test*")


def test_marker_on_test_class_and_module_closest_wins(pytester: pytest.Pytester) -> None:
    world_files(pytester, "module.yaml", "worlds/klass.yaml", "worlds/test.yaml")
    pytester.makepyfile(
        HELPERS
        + """
pytestmark = pytest.mark.iot_world("module.yaml")

def test_module_level(iot_world, iot_auth):
    assert iot_world.has_policy("module")
    assert decide("module") == "ALLOWED"

@pytest.mark.iot_world("worlds/test.yaml")
def test_test_level(iot_world):
    assert iot_world.has_policy("test") and not iot_world.has_policy("module")

@pytest.mark.iot_world("worlds/klass.yaml")
class TestClassLevel:
    def test_class_level(self, iot_world):
        assert iot_world.has_policy("klass")

    @pytest.mark.iot_world("worlds/test.yaml")
    def test_test_beats_class(self, iot_world, iot_auth):
        assert decide("test") == "ALLOWED"
        with pytest.raises(Exception, match="ResourceNotFoundException"):
            decide("klass")

def test_each_test_loads_its_own_copy(iot_world):
    iot_world.delete_policy(policyName="module")

def test_the_copy_was_not_shared(iot_world):
    assert iot_world.has_policy("module")
"""
    )
    run(pytester).assert_outcomes(passed=6)


def test_marker_path_is_relative_to_the_test_file(pytester: pytest.Pytester) -> None:
    world_files(pytester, "sub/dir/here.yaml")
    (pytester.path / "sub" / "dir").mkdir(parents=True, exist_ok=True)
    (pytester.path / "sub" / "dir" / "test_nested.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.iot_world('here.yaml')\n"
        "def test_nested(iot_world):\n"
        "    assert iot_world.has_policy('here')\n"
    )
    run(pytester).assert_outcomes(passed=1)


def test_marker_misuse_is_reported_as_a_setup_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iot_world("missing.yaml")
def test_missing_file(iot_world):
    pass

@pytest.mark.iot_world()
def test_no_path(iot_world):
    pass

@pytest.mark.iot_auth(client=object())
def test_scoped(iot_auth):
    pass

@pytest.mark.iot_auth(colour="blue")
def test_unknown_option(iot_auth):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=4)
    result.stdout.fnmatch_lines_random(
        [
            "*iot_world: no world file at *missing.yaml*",
            "*iot_world takes one argument*",
            "*iot_auth: client cannot be set here*",
            "*iot_auth: *unexpected keyword argument 'colour'*",
        ]
    )


def test_markers_are_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.iot_auth(require_credentials=False)
def test_unused_markers_are_fine():
    pass
"""
    )
    run(pytester).assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess(*PLUGIN_ARGS, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.iot_world(path*", "@pytest.mark.iot_auth(**options)*"])


def test_options_from_ini_and_markers(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\niot_auth_require_credentials = true\n")
    pytester.makepyfile(
        HELPERS
        + '''
import boto_iotauth_local.activation.handle

@pytest.fixture
def options(monkeypatch):
    """The keywords iot_auth passes to activate() (request it before iot_auth)."""
    seen = {}
    real = boto_iotauth_local.activation.handle.activate

    def spy(world, **kwargs):
        seen.update(kwargs)
        return real(world, **kwargs)

    monkeypatch.setattr(boto_iotauth_local.activation.handle, "activate", spy)
    return seen

def test_from_ini(options, iot_auth):
    assert options == {"require_credentials": True, "reject_inactive_authorizers": False}
    with pytest.raises(NoCredentialsError):
        decide("Open")

@pytest.mark.iot_auth(require_credentials=True)
class TestMarkers:
    @pytest.mark.iot_auth(require_credentials=False)
    def test_closest_wins(self, options, iot_auth):
        assert options["require_credentials"] is False
        assert not iot_auth.sign_requests

    @pytest.mark.iot_auth(reject_inactive_authorizers=True)
    def test_others_merge(self, options, iot_auth):
        assert options == {"require_credentials": True, "reject_inactive_authorizers": True}
'''
    )
    run(pytester).assert_outcomes(passed=3)


def test_under_xdist_each_worker_has_its_own_worlds(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
import os

@pytest.mark.parametrize("n", range(6))
def test_same_policy_name_everywhere(iot_world, iot_auth, n):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    iot_world.create_policy(policyName="Open", policyDocument=OPEN)
    assert decide("Open") == "ALLOWED"
    assert len(iot_auth.calls) == 1
    print(f"ran-on-{worker}")

def test_fails_on_a_worker(iot_auth):
    assert iot_auth.active
    assert False, "deliberate"
"""
    )
    result = run(pytester, "-n", "2", "-rA")
    result.assert_outcomes(passed=6, failed=1)
    result.stdout.fnmatch_lines_random(["*ran-on-gw0*", "*ran-on-gw1*"])
    result.stdout.no_fnmatch_line("*outlived its test*")


@pytest.mark.skipif(not hasattr(World, "from_file"), reason="World.from_file is not available yet")
def test_marker_with_a_real_world_file(pytester: pytest.Pytester) -> None:
    (pytester.path / "world.yaml").write_text(
        "policies:\n"
        "  - name: Open\n"
        "    document:\n"
        '      Version: "2012-10-17"\n'
        '      Statement: [{Effect: Allow, Action: "iot:*", Resource: "*"}]\n'
    )
    pytester.makepyfile(
        HELPERS
        + """
pytestmark = pytest.mark.iot_world("world.yaml")

def test_loaded(iot_auth):
    assert decide("Open") == "ALLOWED"
"""
    )
    run(pytester, fake_loader=False).assert_outcomes(passed=1)


def test_the_fixture_handle_entered_again_inside_a_test_stays_on(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_with_inside(iot_world, iot_auth):
    iot_world.create_policy(policyName="Open", policyDocument=OPEN)
    with iot_auth:
        assert decide("Open") == "ALLOWED"
    assert iot_auth.active
    assert decide("Open") == "ALLOWED"
"""
    )
    run(pytester).assert_outcomes(passed=1)
