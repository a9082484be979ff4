"""OAI datestamps across rebuilds: records digested lazily, re-dated exactly when they change.

The first build digests nothing; a rebuild digests only the records that may
have changed (and their parent's digest then, from the parent's store). These
tests cover what that narrowing must not miss (a licence's title shown in the
MARC of the resources it covers) and what must not re-date a record (the day
of the release, which MARC 008 carries).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from kg import artifacts
from kg.build import build
from kg.oai.records import record_state, undated
from kg.sources import discover
from kg.store import EmbeddedSnapshot
from kg.store.releases import Release, ReleaseStore
from kg.store.staging import StagingView
from tests.conftest import BASE, build_store
from tests.remote_support import Steps
from tests.support import DEMO
from tests.test_oai import (
    ARTICLE,
    OAI,
    PRESENTATION,
    demo_copy,
    edit,
    harvest,
    identifiers,
    latest_datestamp,
    oai_app,
    rebuild,
)

LICENCE = BASE + "id/agreement/article-licence"
LICENCE_YAML = """
  - key: article-licence
    type: licence
    title_en: Article reading licence
    parties: [ton-duc-thang-university, peoples-police-university]
    resources: [article-library-experience-sharing-session]
"""


def _current(store: Path) -> Release:
    return ReleaseStore(str(store)).require_current()


def _snapshot(store: Path, manifest: dict | None = None) -> EmbeddedSnapshot:
    return EmbeddedSnapshot(_current(store), None, manifest)


def _digests(store: Path) -> dict[str, str]:
    with sqlite3.connect(_current(store).path / "oai.sqlite") as db:
        return dict(db.execute("SELECT identifier, digest FROM records"))


def test_the_day_a_release_was_made_does_not_change_a_digest(demo_store: Path) -> None:
    live = _snapshot(demo_store)
    iri, sources = NamedNode(ARTICLE), {}
    days = [{**live.manifest, "created": day}
            for day in ("2024-01-02T03:04:05+00:00", "2025-06-07T08:09:10+00:00")]
    # Rendered as is, the two days differ (MARC 008) ...
    raw = {record_state(_snapshot(demo_store, m), iri, "resource", sources, ["en"]).digest
           for m in days}
    assert len(raw) == 2
    # ... digested undated, they do not.
    digests = {record_state(_snapshot(demo_store, undated(m)), iri, "resource", sources,
                            ["en"]).digest for m in days}
    assert len(digests) == 1


def test_a_first_build_digests_nothing_and_a_rebuild_only_what_it_looks_at(
        tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    digests = _digests(store)
    assert digests and set(digests.values()) == {""}
    edit(demo / "events.yaml", "name_en: Digital resource management systems",
         "name_en: Digital resource management systems for libraries")
    rebuild(store, demo)
    digests = _digests(store)
    assert digests[PRESENTATION] and not digests[ARTICLE]


def test_a_retitled_licence_redates_the_resources_it_covers(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    agreements = demo / "agreements.yaml"
    agreements.write_text(agreements.read_text(encoding="utf-8") + LICENCE_YAML,
                          encoding="utf-8")
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    before = {identifiers([h])[0]: h.findtext(f"{OAI}datestamp")
              for h in harvest(client, metadataPrefix="oai_dc")}
    assert LICENCE in before
    edit(agreements, "title_en: Article reading licence", "title_en: Article licence")
    rebuild(store, demo)
    changed = set(identifiers(harvest(client, metadataPrefix="oai_dc",
                                      **{"from": latest_datestamp(client)})))
    # The resource is in an untouched source: only its MARC (506/540) shows the title.
    assert changed == {LICENCE, ARTICLE}


def test_datestamps_are_taken_after_the_dumps(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The OAI-PMH index is written before the dumps, its datestamps after them, last
    of all the build's writers (as late as possible before the release goes live)."""
    dumps_done: list[float] = []
    writers = list(artifacts.WRITERS)
    original = next(w for w in writers if w.__name__ == "write_dumps")

    def write_dumps(context) -> None:
        original(context)
        time.sleep(1.1)  # datestamps have a granularity of seconds
        dumps_done.append(time.time())

    writers[writers.index(original)] = write_dumps
    monkeypatch.setattr(artifacts, "WRITERS", writers)
    steps = Steps()
    build(discover([DEMO]), str(tmp_path / "store"), BASE, progress=steps)
    written = [m for m in steps.messages if m.startswith("writing the ")]
    assert written == ["writing the entity index", "writing the OAI-PMH index",
                       "writing the dumps", "writing the OAI-PMH datestamps"]
    with sqlite3.connect(_current(tmp_path / "store").path / "oai.sqlite") as db:
        stamps = {row[0] for row in db.execute("SELECT datestamp FROM records")}
    assert len(stamps) == 1  # one moment for the whole release
    stamped = datetime.strptime(stamps.pop(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert stamped.timestamp() >= int(dumps_done[0])


def test_items_are_read_beside_the_entity_index(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build's OAI-PMH items are read once, in the artifact-reads thread begun
    before the writers, and the OAI-PMH writer uses what that read."""
    from kg.oai import publish

    reads: list[str] = []
    original = publish.item_graphs

    def item_graphs(view):
        reads.append(threading.current_thread().name)
        return original(view)

    monkeypatch.setattr(publish, "item_graphs", item_graphs)
    build(discover([DEMO]), str(tmp_path / "store"), BASE, progress=Steps())
    assert len(reads) == 1 and reads[0].startswith("artifact-reads")
    release = _current(tmp_path / "store")
    with sqlite3.connect(release.path / "oai.sqlite") as db:
        records = {row[0]: row[1] for row in db.execute("SELECT identifier, kind FROM records")}
    items = original(StagingView(Store.read_only(str(release.path / "db"))))
    assert records and records == {iri: kind for iri, (kind, _) in items.items()}
