"""Fixtures: stores built on temporary paths, the app, a client, a CLI runner and
a real server on a free port. In CI (``CI=true``) a skipped test is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import build
from kg.sources import discover
from tests.backends import (
    BACKENDS,
    RemoteStore,
    publish_demo,
    serving_settings,
    settings_env,
    start_backend,
)
from tests.support import DEMO, IN_CI, Server

BASE = "http://127.0.0.1:5000/"
pytest_plugins = ["tests.remote_support"]  # the remote and sources fixtures of the remote tests


def build_store(path: Path, *sources: Path | str) -> Path:
    """Build sources (the demo by default) into a new store at path."""
    build(discover(sources or [DEMO]), str(path), BASE)
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", choices=BACKENDS,
                     default=os.environ.get("KG_TEST_BACKEND", "embedded"),
                     help="the store the demo fixtures publish to and serve from "
                          "(env KG_TEST_BACKEND; see tests/backends.py)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With a remote --backend, run the tests that serve from it (the rest ran embedded)."""
    if config.getoption("--backend") == "embedded":
        return
    chosen = [item for item in items if "serving" in getattr(item, "fixturenames", ())]
    config.hook.pytest_deselected(items=[item for item in items if item not in chosen])
    items[:] = chosen


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Iterator[RemoteStore | None]:
    """The remote store chosen with --backend, running (None: the embedded store)."""
    store = start_backend(request.config.getoption("--backend"))
    yield store
    if store is not None:
        store.stop()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, backend: RemoteStore | None) -> Path:
    """A store holding one release of the demo dataset (shared; do not write to it).

    With a remote backend it is also published there, and this is its release folder.
    """
    return publish_demo(tmp_path_factory.mktemp("demo") / "store", backend)


@pytest.fixture(scope="session")
def serving(demo_store: Path, backend: RemoteStore | None) -> dict[str, str]:
    """The settings that serve the demo store from the chosen backend."""
    return serving_settings(demo_store, backend)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A path for a new, empty store."""
    return tmp_path / "store"


@pytest.fixture
def app(serving: dict[str, str], tmp_path: Path):
    """The web app over the demo store.

    Its query slots and rate buckets live in a run directory of its own: by
    default they are shared by every server of the store, here including the
    session's live server, whose queries from 127.0.0.1 would count against
    the per-client limit of an unrelated test.
    """
    from web import create_app

    app = create_app({**serving, "run_dir": str(tmp_path / "run")})
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
def live_server(demo_store: Path, serving: dict[str, str]) -> Iterator[Server]:
    """``kg serve`` on a free port over the demo store, for real HTTP clients."""
    server = Server(demo_store, extra_env=settings_env(serving))
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


