"""Real clients written by others, built once into ``~/.cache/boto-iotauth-local/`` and reused.

- AWS CLI v2, from ``../shared/clients/aws-cli-2.36.7-src.tar.gz``, installed into its own virtual
  environment by pip (its dependencies come from the package index);
- the AWS SDK for JavaScript v3's IoT client, installed by npm;
- aioboto3 and aiobotocore, in a venv of their own (they pin a botocore of their own).

Each builder takes a file lock, so parallel test workers build once; a finished build is marked with a
stamp file, a failed one is removed and reported. When a client cannot be had (no tarball, no npm, no
registry) the builder raises :class:`Unavailable` with the reason, which the tests turn into a skip.
``python -m tests.clients.cache`` builds both ahead of a test run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("BOTO_IOTAUTH_LOCAL_CACHE", "~/.cache/boto-iotauth-local")).expanduser()
CLI_V2_VERSION = "2.36.7"
CLI_V2_TARBALL = REPO.parent / "shared" / "clients" / f"aws-cli-{CLI_V2_VERSION}-src.tar.gz"
JS_SDK_VERSION = "3.1169.0"
#: aioboto3 pins its aiobotocore, which pins botocore: they get a venv of their own, not the suite's.
AIOBOTO3_VERSION = "15.5.0"
_STAMP = "build-complete"


class Unavailable(Exception):
    """The client cannot be built here; the message says why."""


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(command: list[str], log: Path, timeout: float, cwd: Path | None = None) -> None:
    """Run a build step, its output appended to ``log``; on a timeout its whole process group is ended."""
    with open(log, "a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        try:
            process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
            )
        except OSError as exc:
            raise Unavailable(f"{command[0]} failed: {exc}") from None
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise Unavailable(f"{' '.join(command[:3])} did not finish within {timeout:.0f} s") from None
    if returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
        raise Unavailable(f"{' '.join(command[:3])} exited {returncode}; end of {log}:\n{tail}")


def aws_cli_v2() -> Path:
    """The ``aws`` executable of AWS CLI v2 built from source, for this Python version.

    ``BOTO_IOTAUTH_LOCAL_AWS_CLI_V2`` may name one built already (pip-installed, same Python version).
    """
    given = os.environ.get("BOTO_IOTAUTH_LOCAL_AWS_CLI_V2")
    if given:
        return Path(given)
    if not CLI_V2_TARBALL.is_file():
        raise Unavailable(f"the AWS CLI v2 source tarball is not at {CLI_V2_TARBALL}")
    name = f"aws-cli-{CLI_V2_VERSION}-py{sys.version_info.major}{sys.version_info.minor}"
    home = CACHE / name
    aws = home / "venv" / "bin" / "aws"
    with _locked(name):
        if (home / _STAMP).is_file() and aws.is_file():
            return aws
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        log = home / "build.log"
        with tarfile.open(CLI_V2_TARBALL) as archive:
            try:
                archive.extractall(home / "src", filter="data")
            except TypeError:  # a Python without extraction filters; the tarball is the project's own
                archive.extractall(home / "src")
        python = getattr(sys, "_base_executable", sys.executable)
        _run([python, "-m", "venv", str(home / "venv")], log, 120)
        source = home / "src" / f"aws-cli-{CLI_V2_VERSION}"
        _run([str(home / "venv" / "bin" / "pip"), "install", "--quiet", str(source)], log, 3600)
        shutil.rmtree(home / "src", ignore_errors=True)
        _run([str(aws), "--version"], log, 120)
        (home / _STAMP).write_text(CLI_V2_VERSION + "\n")
        return aws


def js_sdk() -> Path:
    """A directory whose ``node_modules`` has ``@aws-sdk/client-iot``; run scripts from there."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        raise Unavailable("node and npm are not installed")
    name = f"js-sdk-{JS_SDK_VERSION}"
    home = CACHE / name
    with _locked(name):
        if (home / _STAMP).is_file() and (home / "node_modules" / "@aws-sdk" / "client-iot").is_dir():
            return home
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        (home / "package.json").write_text('{"private": true, "type": "module"}\n')
        command = [npm, "install", "--no-audit", "--no-fund", f"@aws-sdk/client-iot@{JS_SDK_VERSION}"]
        _run(command, home / "build.log", 600, cwd=home)
        (home / _STAMP).write_text(JS_SDK_VERSION + "\n")
        return home


def aio_python() -> Path:
    """A Python with aioboto3 (so aiobotocore and the botocore it pins) and this package's dependencies.

    The package itself is not installed there: run it with the checkout on ``PYTHONPATH``.
    """
    name = f"aioboto3-{AIOBOTO3_VERSION}-py{sys.version_info.major}{sys.version_info.minor}"
    home = CACHE / name
    python = home / "venv" / "bin" / "python"
    with _locked(name):
        if (home / _STAMP).is_file() and python.is_file():
            return python
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        log = home / "build.log"
        base = getattr(sys, "_base_executable", sys.executable)
        _run([base, "-m", "venv", str(home / "venv")], log, 120)
        packages = [f"aioboto3=={AIOBOTO3_VERSION}", "cryptography>=42", "wrapt>=1.16", "PyYAML>=6"]
        _run([str(python), "-m", "pip", "install", "--quiet", *packages], log, 1200)
        (home / _STAMP).write_text(AIOBOTO3_VERSION + "\n")
        return python


if __name__ == "__main__":  # build them ahead of a test run: python -m tests.clients.cache
    for builder in (aws_cli_v2, js_sdk, aio_python):
        try:
            print(f"{builder.__name__}: {builder()}")
        except Unavailable as exc:
            print(f"{builder.__name__}: unavailable: {exc}")
