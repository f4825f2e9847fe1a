"""Suite-wide safety: no AWS credentials, no network, no real endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import network_guard


def pytest_sessionstart(session: pytest.Session) -> None:
    network_guard.install()


def pytest_sessionfinish(session: pytest.Session) -> None:
    network_guard.uninstall()


@pytest.fixture(autouse=True)
def _offline_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    yield
