"""Publish-time writers run in a process of their own (kg.artifact_child).

The entity index of a large release is written by a child process while the
dumps are written by the build's; these tests lower the size from which that
happens so that the demo's builds take the same path.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg import artifacts
from kg.artifacts import ArtifactContext, write_artifacts
from kg.build import build
from kg.errors import StoreError
from kg.index import INDEX_FILE
from kg.iris import Minter
from kg.sources import discover
from kg.store.releases import ReleaseStore
from kg.store.staging import StagingView
from tests.conftest import BASE
from tests.support import DEMO
from tests.test_index_update import add_person, check_equal_to_full


@pytest.fixture
def apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every release is large enough for the index to be written in a child process."""
    monkeypatch.setattr(artifacts, "APART_FROM_TRIPLES", 0)


def test_the_index_written_in_a_child_equals_one_written_in_the_build(
        tmp_path: Path, apart: None, caplog: pytest.LogCaptureFixture) -> None:
    folder, store, scratch = tmp_path / "sources", tmp_path / "store", tmp_path / "full"
    shutil.copytree(DEMO, folder)
    scratch.mkdir()
    first = build(discover([folder]), str(store), BASE)
    assert set(first.apart) == {"write_entity_index"}
    figures = first.apart["write_entity_index"]
    assert figures["seconds"] > 0 and figures["peak_rss_mib"] > 0
    check_equal_to_full(store, scratch)
    add_person(folder)
    with caplog.at_level(logging.INFO, logger="kg.index.update"):
        build(discover([folder]), str(store), BASE)
    # The child's log records are logged again by the build process.
    assert "entity index: updated the parent's" in caplog.text
    check_equal_to_full(store, scratch)
    assert not list((store / "staging").iterdir())  # no arguments or messages left


def test_a_small_release_writes_its_index_in_the_build_process(tmp_path: Path) -> None:
    assert build(discover([DEMO]), str(tmp_path / "store"), BASE).apart == {}


def test_a_writer_failing_in_its_process_fails_with_its_message(
        tmp_path: Path, apart: None) -> None:
    release = build(discover([DEMO]), str(tmp_path / "store"), BASE).release
    assert release is not None
    folder = tmp_path / "next"
    (folder / INDEX_FILE).mkdir(parents=True)  # the index cannot be written there
    context = ArtifactContext(StagingView(Store.read_only(str(release.db_path))), folder,
                              release.manifest(), Minter(BASE), None,
                              database=release.db_path)
    with pytest.raises(StoreError, match=r"write_entity_index failed in its process: .*"
                                         r"Is a directory"):
        write_artifacts(context)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["next", "store"]


def test_a_failed_build_stops_the_writer_in_its_process(
        tmp_path: Path, apart: None, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"

    def failing(context: ArtifactContext) -> None:
        raise StoreError("the disk is full")
    failing.__name__ = "write_dumps"
    monkeypatch.setattr(artifacts, "WRITERS", [artifacts.write_entity_index, failing])
    with pytest.raises(StoreError, match="the disk is full"):
        build(discover([DEMO]), str(store), BASE)
    assert ReleaseStore(store).current() is None
    assert not list((store / "staging").iterdir())
