"""Fixtures and helpers shared by the remote store's test modules."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.build import build
from kg.settings import Settings
from kg.sources import discover
from kg.store.remote.snapshot import RemoteSnapshot, open_remote
from tests.backends import BASE, RemoteStore, remote_client, serving_settings, start_backend
from tests.support import DEMO


@pytest.fixture(scope="session", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    """A real remote store, one per backend, shared by the tests that import this."""
    store = start_backend(request.param)
    assert store is not None
    yield store
    store.stop()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of the demo sources that a test may change."""
    folder = tmp_path / "sources"
    shutil.copytree(DEMO, folder)
    return folder


def snapshot_of(remote: RemoteStore, folder: Path) -> RemoteSnapshot:
    """What a web host of this store and release folder reads now."""
    return open_remote(Settings.load(serving_settings(folder, remote))).snapshot()


def publish(remote: RemoteStore, folder: Path, sources: Path, **kwargs: object) -> str:
    """Build sources into a release folder and the store; the new release's id."""
    outcome = build(discover([sources]), str(folder), BASE, remote=remote_client(remote),
                    **kwargs)  # type: ignore[arg-type]
    return outcome.release.id


class Steps:
    """Records what a build tells the person waiting for it."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def step(self, message: str) -> None:
        self.messages.append(message)

    def source(self, source: object, index: int, total: int) -> None:
        pass

    def records(self, count: int) -> None:
        pass

    def sent(self) -> set[str]:
        """The graphs the build sent to the store."""
        return {m.split(" to the store")[0].removeprefix("sending ")
                for m in self.messages if m.startswith("sending ")}
