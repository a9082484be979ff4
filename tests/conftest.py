"""Fixtures: stores built on temporary paths, the app, a client, a CLI runner and
a real server on a free port. In CI (``CI=true``) a skipped test is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.sources import discover
from tests.support import DEMO, IN_CI, Server

BASE = "http://127.0.0.1:5000/"


def build_store(path: Path, *sources: Path | str) -> Path:
    """Build sources (the demo by default) into a new store at path."""
    build(discover(sources or [DEMO]), str(path), BASE)
    return path


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one release of the demo dataset (shared; do not write to it)."""
    return build_store(tmp_path_factory.mktemp("demo") / "store")


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A path for a new, empty store."""
    return tmp_path / "store"


@pytest.fixture
def app(demo_store: Path):
    """The web app over the demo store."""
    from web import create_app

    app = create_app({"store": str(demo_store)})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    """Flask's test client for the app."""
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    """click's runner for ``kg`` commands in-process."""
    return CliRunner()


@pytest.fixture(scope="session")
def live_server(demo_store: Path) -> Iterator[Server]:
    """``kg serve`` on a free port over the demo store, for real HTTP clients."""
    server = Server(demo_store)
    yield server
    server.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI nothing may be skipped: a skip is turned into a failure."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which is not allowed: {report.longrepr}"


