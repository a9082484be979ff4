"""Builds publish immutable releases: incremental, atomic, and safe to kill."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from kg.build import build
from kg.errors import BuildLocked, StoreError, ValidationFailed
from kg.sources import discover
from kg.store.releases import ReleaseStore
from kg.tombstones import read_gone
from tests.support import DEMO, kg_command

BASE = "http://127.0.0.1:5000/"


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    return folder


def run(store: Path, *sources: Path):
    return build(discover(sources), str(store), BASE)


def test_first_build_publishes_release_with_manifest(store_dir: Path) -> None:
    outcome = run(store_dir, DEMO)
    release = ReleaseStore(store_dir).require_current()
    assert outcome.release == release
    manifest = release.manifest()
    assert manifest["counts"]["person"] == 8
    assert manifest["counts"]["organization"] == 9
    assert manifest["sources"]["people-csv"]["records"] == 8
    assert manifest["base_iri"] == BASE
    store = release.open()
    graph = NamedNode(BASE + "graph/people-csv")
    assert any(True for _ in store.quads_for_pattern(None, None, None, graph))
    meta = NamedNode(BASE + "graph/meta")
    checksums = [q.object.value for q in store.quads_for_pattern(
        graph, NamedNode("https://w3id.org/library-kg/ontology#checksum"), None, meta)]
    assert checksums == [manifest["sources"]["people-csv"]["checksum"]]


def test_rebuild_keeps_unchanged_sources_and_reloads_changed(tmp_path: Path,
                                                             store_dir: Path) -> None:
    demo = demo_copy(tmp_path)
    first = run(store_dir, demo)
    with (demo / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-van-c,Le Van C,,Le,Van C,,\n")
    second = run(store_dir, demo)
    status = {s.file: s.status for s in second.sources}
    assert status["people.csv"] == "changed"
    assert {s for f, s in status.items() if f != "people.csv"} == {"unchanged"}
    manifest = second.release.manifest()
    assert manifest["sources"]["people-csv"]["loaded_in"] == second.release.id
    assert manifest["sources"]["events-yaml"]["loaded_in"] == first.release.id
    assert manifest["counts"]["person"] == 9
    assert manifest["parent"] == first.release.id


def test_invalid_source_publishes_nothing(tmp_path: Path, store_dir: Path) -> None:
    first = run(store_dir, DEMO)
    bad = tmp_path / "extra-people.csv"
    bad.write_text("key,name\nbad-person,\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        run(store_dir, DEMO, bad)
    assert any("'name' is required" in line for line in caught.value.report.report.lines())
    releases = ReleaseStore(store_dir)
    assert releases.require_current() == first.release
    assert [r.id for r in releases.releases()] == [first.release.id]
    assert not any((store_dir / "staging").iterdir())


def test_removed_source_is_dropped_and_its_entities_are_gone(tmp_path: Path,
                                                             store_dir: Path) -> None:
    demo = demo_copy(tmp_path)
    run(store_dir, demo)
    (demo / "resources.yaml").unlink()
    outcome = run(store_dir, demo)
    assert [s.status for s in outcome.sources if s.file == "resources.yaml"] == ["removed"]
    gone = read_gone(outcome.release.path)
    assert BASE + "id/resource/article-library-experience-sharing-session" in gone
    assert outcome.release.manifest()["counts"]["resource"] == 0


def test_removing_a_referenced_source_fails_validation(tmp_path: Path, store_dir: Path) -> None:
    demo = demo_copy(tmp_path)
    first = run(store_dir, demo)
    (demo / "people.csv").unlink()
    with pytest.raises(ValidationFailed) as caught:
        run(store_dir, demo)
    lines = caught.value.report.report.lines()
    assert any(line.startswith("positions.csv row 2 (nguyen-thanh-trung-ppu-head): 'person' "
                               "refers to 'person/nguyen-thanh-trung'") for line in lines), lines
    assert ReleaseStore(store_dir).require_current() == first.release


def test_rollback_and_pruning(tmp_path: Path, store_dir: Path) -> None:
    demo = demo_copy(tmp_path)
    ids = []
    for number in range(5):
        (demo / "extra-people.csv").write_text(
            f"key,name\nperson-{number},Person {number}\n", encoding="utf-8")
        ids.append(build(discover([demo]), str(store_dir), BASE, keep=3).release.id)
    releases = ReleaseStore(store_dir, keep=3)
    assert [r.id for r in releases.releases()] == ids[-3:]
    assert releases.rollback().id == ids[-2]
    assert releases.require_current().id == ids[-2]


def test_rollback_without_older_release_is_an_error(store_dir: Path) -> None:
    run(store_dir, DEMO)
    with pytest.raises(StoreError, match="nothing to roll back"):
        ReleaseStore(store_dir).rollback()


def test_one_build_at_a_time(store_dir: Path) -> None:
    releases = ReleaseStore(store_dir)
    with releases.lock(), pytest.raises(BuildLocked):
        run(store_dir, DEMO)


def _many_people(path: Path, count: int) -> Path:
    rows = "".join(f"person-{i},Nguyễn Văn {i},Nguyễn,Văn {i}\n" for i in range(count))
    path.write_text("key,name,family_name,given_name\n" + rows, encoding="utf-8")
    return path


def _current_state(store: Path) -> tuple[str, bool]:
    """The current release's id, and whether its database holds what its manifest says."""
    release = ReleaseStore(store).require_current()
    return release.id, release.manifest()["triples"] == len(release.open())


def test_sigkill_at_random_points_never_damages_the_release(tmp_path: Path,
                                                             store_dir: Path) -> None:
    """Kill `kg build` at many points; the published release always opens and is whole."""
    run(store_dir, DEMO)
    assert _current_state(store_dir)[1]
    extra = _many_people(tmp_path / "extra-people.csv", 1500)
    command = kg_command("build", "--store", str(store_dir), str(DEMO), str(extra))
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    full = time.monotonic() - started
    published_id, _ = _current_state(store_dir)
    rng = random.Random(20261127)
    for attempt in range(8):
        extra.write_text(extra.read_text(encoding="utf-8") + f"kill-{attempt},K {attempt},K,"
                         f"{attempt}\n", encoding="utf-8")
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, full))
        process.send_signal(signal.SIGKILL)
        process.wait()
        current_id, whole = _current_state(store_dir)
        assert whole, f"attempt {attempt}: current release does not match its manifest"
        assert current_id >= published_id
        published_id = current_id
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    final = ReleaseStore(store_dir).require_current().manifest()
    assert final["counts"]["person"] == 8 + 1500 + 8
    assert json.dumps(final)  # the manifest is whole


def test_a_first_build_does_not_look_for_gone_entities(tmp_path: Path, store_dir: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing can go from a store that started empty, though the agents step counts the
    agents it declared as changed: ``finish`` lists no entities then (at 250,000 MARC
    records, 6 s). Once there is something to lose, it looks again."""
    from kg.store.staging import StagingView
    from tests.marc_support import ISO2709

    listed_by: list[str] = []
    entities = StagingView.entities

    def spy(self: StagingView, graphs):  # type: ignore[no-untyped-def]
        listed_by.append(sys._getframe(1).f_code.co_name)
        return entities(self, graphs)

    monkeypatch.setattr(StagingView, "entities", spy)
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(ISO2709, sources / "books.mrc")
    first = run(store_dir, sources)
    assert first.release.manifest()["counts"]["person"] > 0  # agents were declared
    assert "finish" not in listed_by
    assert read_gone(first.release.path) == {}

    (sources / "books.mrc").unlink()
    shutil.copy(DEMO / "people.csv", sources / "people.csv")
    listed_by.clear()
    second = run(store_dir, sources)
    assert "finish" in listed_by
    gone = read_gone(second.release.path)
    assert any("/id/resource/" in iri for iri in gone)
