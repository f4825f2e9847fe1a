"""Dependency floors and the newest releases, each tested: ``nox -s floors`` (CI runs it), ``nox -s newest``.

``floors`` installs the oldest versions pyproject.toml admits (``constraints/floors.txt``, ``==`` pins) on
the oldest supported Python and runs the smoke subset; ``newest`` upgrades everything and runs the same
subset on every supported Python found here (3.14 included where it is installed). ``scripts/floors``
runs nox from the project's venv and makes pyenv's interpreters visible to it.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["floors"]

#: What the floors can break: botocore's events and parsers (wire, e2e), cryptography (certificates),
#: PyYAML (world files), moto (moto-backed worlds), wrapt (the wrapper on aiobotocore's emitter), and the
#: README's examples.
SMOKE = (
    "tests/e2e",
    "tests/wire",
    "tests/sources/moto",
    "tests/sources/worldfile",
    "tests/world/test_certificates.py",
    "tests/test_readme.py",
)
TOOLS = ("pytest>=8", "pytest-xdist>=3", "hypothesis>=6")
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")


def _smoke(session: nox.Session) -> None:
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    args = session.posargs or ("-q", "-n", "2")
    env = {"AWS_EC2_METADATA_DISABLED": "true"}
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", *args, *SMOKE, env=env)


@nox.session(python=PYTHONS[0])
def floors(session: nox.Session) -> None:
    """The oldest admitted versions of every dependency, on the oldest supported Python."""
    session.install("-c", "constraints/floors.txt", "-e", ".[moto]", *TOOLS)
    _smoke(session)


@nox.session(python=PYTHONS)
def newest(session: nox.Session) -> None:
    """The newest release of every dependency, on each supported Python that is installed."""
    session.install("--upgrade", "-e", ".[moto]", *TOOLS)
    _smoke(session)
