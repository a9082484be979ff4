"""The entity index updated from the parent release's equals one written from scratch.

A series of builds of the demo and variations (a source added, changed,
removed; a person renamed whose name a position's label borrows; an entity
labelled in another graph than the one that types it, in a new language;
MARC records that change the agents graph). After each, the release's index
(updated from its parent's) is compared, table by table and by its search
and list answers, with an index written from scratch from the same release.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from kg.build import build
from kg.convert import parallel
from kg.index import INDEX_FILE, EntityIndex, writer
from kg.index.writer import write_full
from kg.kinds import KINDS
from kg.namespaces import FOAF, RDF
from kg.settings import Settings
from kg.sources import discover
from kg.store.graph_texts import GraphTexts
from kg.store.releases import ReleaseStore
from kg.store.staging import StagingView, ViewQueries
from tests.conftest import BASE
from tests.support import DEMO

MARC_SAMPLE = Path(__file__).parent / "data" / "marc" / "loc-books.mrc"
TABLES = {
    "meta": "SELECT name, value FROM meta ORDER BY name",
    "entity": "SELECT * FROM entity ORDER BY id",
    "name": "SELECT * FROM name ORDER BY id",
    "ordering": "SELECT * FROM ordering ORDER BY lang, kind, sort_key, entity_id",
    "graph": "SELECT * FROM graph ORDER BY id",
    "entity_graph": "SELECT * FROM entity_graph ORDER BY graph_id, entity_id",
    # The full-text index itself (not its content table): every term of every row.
    "name_fts terms": "SELECT term, doc, col, offset FROM temp.vocabulary "
                      "ORDER BY term, doc, col, offset",
}
QUERIES = ["nguyen", "nguyễn thanh", "cuong", "thu vien", "library", "univ", "a", "de",
           "history", "trung ta", "Trưởng phòng", "lieutenant colonel", "xyz"]
OTHER_GRAPH_LABELS = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{base}id/person/trinh-phi-cuong> skos:prefLabel "Cuong Trinh Phi"@fr ;
    skos:altLabel "Le bibliothécaire"@fr .
"""


def rows(path: Path) -> dict[str, list[tuple]]:
    """Every table of an index, in a fixed order."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("CREATE VIRTUAL TABLE temp.vocabulary "
                           "USING fts5vocab(main, name_fts, 'instance')")
        return {table: connection.execute(sql).fetchall() for table, sql in TABLES.items()}
    finally:
        connection.close()


def answers(path: Path) -> list:
    """What searches and lists of every kind in every language answer."""
    index = EntityIndex(path)
    found: list = [index.languages, index.total(), index.event_years(), index.events(),
                   index.events(dated=False), list(index.all_entities(10_000))]
    for query in QUERIES:
        for kind in (None, "person", "organization", "resource"):
            page = index.search(query, kind=kind, limit=50)
            found.append((query, kind, page.total, page.capped, page.items))
    for kind in KINDS:
        for language in index.languages:
            for sort in ("name", "-name", "date", "-date"):
                found.append(index.browse(kind, language, sort, limit=500))
    return found


def check_equal_to_full(store: Path, scratch: Path) -> None:
    """The current release's index equals one written from scratch from its database."""
    release = ReleaseStore(store).require_current()
    full = scratch / f"{release.id}.sqlite"
    # Lists in the interface's languages, as the build that wrote the release had them.
    write_full(StagingView(Store.read_only(str(release.db_path))), BASE, full,
               Settings.load().language_list)
    updated = release.path / INDEX_FILE
    got, want = rows(updated), rows(full)
    for table in TABLES:
        assert got[table] == want[table], f"{table} differs in {release.id}"
    assert answers(updated) == answers(full)
    copy = scratch / "check.sqlite"
    shutil.copyfile(updated, copy)
    with sqlite3.connect(copy) as connection:  # the full-text index matches its content
        connection.execute("INSERT INTO name_fts(name_fts, rank) VALUES ('integrity-check', 1)")


def rename(person: str, name: str) -> Callable[[Path], None]:
    """A change to people.csv: a person's name."""
    def change(folder: Path) -> None:
        path = folder / "people.csv"
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if line.startswith(person + ","):
                fields = line.split(",")
                fields[1] = name
                lines[number] = ",".join(fields)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return change


def add_person(folder: Path) -> None:
    with (folder / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("tran-van-an,Trần Văn An,Tran Van An,Trần,Văn An,Mr.,\n")


def label_elsewhere(folder: Path) -> None:
    (folder / "extra-labels.ttl").write_text(OTHER_GRAPH_LABELS.format(base=BASE), encoding="utf-8")


def drop_label(folder: Path) -> None:
    alternative = ' ;\n    skos:altLabel "Le bibliothécaire"@fr'
    text = OTHER_GRAPH_LABELS.format(base=BASE).replace(alternative, "")
    (folder / "extra-labels.ttl").write_text(text, encoding="utf-8")


def edit_concepts(old: str, new: str) -> Callable[[Path], None]:
    """A change to concepts.yaml (a role's label, or a line no label is made of)."""
    def change(folder: Path) -> None:
        path = folder / "concepts.yaml"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return change


def french_no_longer_shown(folder: Path) -> None:
    """The site stops showing French (the test's monkeypatch restores the setting),
    and a person is renamed: lists lose a language whose labels stay."""
    os.environ["KG_LANGUAGES"] = "vi en"
    rename("nguyen-thanh-trung", "Nguyễn Thành Trung Jr.")(folder)


def add_marc(folder: Path) -> None:
    shutil.copyfile(MARC_SAMPLE, folder / MARC_SAMPLE.name)


def remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


STEPS: list[tuple[str, Callable[[Path], None]]] = [
    ("a person added", add_person),
    ("a name a position's label borrows", rename("nguyen-thanh-trung", "Nguyễn Thành Trung")),
    ("a role's label that posts borrow", edit_concepts("label_en: Head of Department",
                                                       "label_en: Head of the Department")),
    ("concepts changed, no label", edit_concepts("# Controlled vocabularies used",
                                                  "# The controlled vocabularies used")),
    ("labels in another graph, new language", label_elsewhere),
    ("that graph changed", drop_label),
    ("the site's languages change", french_no_longer_shown),
    ("MARC records: agents graph changes", add_marc),
    ("a person renamed again", rename("trinh-phi-cuong", "Trịnh P. Cường")),
    ("MARC source removed", remove(MARC_SAMPLE.name)),
    ("the other graph removed: a language goes", remove("extra-labels.ttl")),
]


def test_updated_index_equals_full_rebuild(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # French is shown until a step says otherwise: lists gain it with French labels.
    monkeypatch.setenv("KG_LANGUAGES", "vi en fr")
    folder, store, scratch = tmp_path / "sources", tmp_path / "store", tmp_path / "full"
    shutil.copytree(DEMO, folder)
    scratch.mkdir()
    build(discover([folder]), str(store), BASE)
    check_equal_to_full(store, scratch)
    for step, change in STEPS:
        change(folder)
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="kg.index.update"):
            outcome = build(discover([folder]), str(store), BASE)
        assert outcome.published, step
        assert "updated the parent's" in caplog.text, step  # not written anew
        check_equal_to_full(store, scratch)


def test_full_rebuild_when_the_base_changes(tmp_path: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    store = tmp_path / "store"
    build(discover([DEMO]), str(store), BASE)
    with caplog.at_level(logging.INFO, logger="kg.index.update"):
        build(discover([DEMO]), str(store), "http://example.org/")
    assert "updated the parent's" not in caplog.text
    index = EntityIndex(ReleaseStore(store).require_current().path / INDEX_FILE)
    assert index.get("person", "trinh-phi-cuong").iri == "http://example.org/id/person/trinh-phi-cuong"


def test_written_anew_when_too_much_changed(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder, store, scratch = tmp_path / "sources", tmp_path / "store", tmp_path / "full"
    shutil.copytree(DEMO, folder)
    scratch.mkdir()
    build(discover([folder]), str(store), BASE)
    monkeypatch.setattr("kg.index.update.UPDATE_LIMIT", 1)
    add_person(folder)
    with caplog.at_level(logging.INFO, logger="kg.index.update"):
        build(discover([folder]), str(store), BASE)
    assert "writing it anew" in caplog.text
    check_equal_to_full(store, scratch)
    assert EntityIndex(ReleaseStore(store).require_current().path / INDEX_FILE).get(
        "person", "tran-van-an") is not None


def test_lists_only_in_the_interface_languages(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Labels in French make a French list only where the site shows French."""
    folder = tmp_path / "sources"
    shutil.copytree(DEMO, folder)
    (folder / "names.ttl").write_text(
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        f'<{BASE}id/person/trinh-phi-cuong> skos:prefLabel "Cuong Trinh Phi"@fr, '
        '"Trịnh Phi Cường"@vi .\n', encoding="utf-8")
    monkeypatch.setenv("KG_LANGUAGES", "vi en")
    build(discover([folder]), str(tmp_path / "shown"), BASE)
    index = EntityIndex(ReleaseStore(tmp_path / "shown").require_current().path / INDEX_FILE)
    assert "fr" not in index.languages and {"en", "vi"} <= set(index.languages)
    # A list asked for in French is sorted by any label, as one in a language no label has.
    assert index.browse("person", "fr", limit=100) == index.browse("person", "", limit=100)

    monkeypatch.setenv("KG_LANGUAGES", "vi en fr")
    build(discover([folder]), str(tmp_path / "french"), BASE)
    french = EntityIndex(ReleaseStore(tmp_path / "french").require_current().path / INDEX_FILE)
    assert "fr" in french.languages
    path = ReleaseStore(tmp_path / "french").require_current().path / INDEX_FILE
    with closing(sqlite3.connect(path)) as connection:
        keys = dict(connection.execute(
            "SELECT o.lang, o.sort_key FROM ordering o JOIN entity e ON e.id = o.entity_id "
            "WHERE e.key = 'trinh-phi-cuong'"))
    assert keys["fr"] == "cuong trinh phi" and keys["vi"] == "trinh phi cuong"


def store_reads_by_index(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SPARQL texts the entity index's full write sends to the store from now on."""
    sent: list[str] = []
    original = ViewQueries.select

    def recording(self, sparql, **bindings):
        sent.append(sparql)
        return original(self, sparql, **bindings)

    monkeypatch.setattr(ViewQueries, "select", recording)
    return sent


def test_a_converted_marc_catalogue_is_indexed_from_its_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index of graphs converted in this build is read from their kept texts, not
    the store, and equals the index read from the store."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)  # converted by workers, as a catalogue is
    sent = store_reads_by_index(monkeypatch)
    scanned: list[Path] = []
    original_scan = writer._picked_lines
    monkeypatch.setattr(writer, "_picked_lines",
                        lambda text: (scanned.append(text), original_scan(text))[1])
    outcome = build(discover([DEMO, MARC_SAMPLE]), str(tmp_path / "store"), BASE)
    for graph in ("loc-books-mrc", "people-csv"):
        assert not [q for q in sent if f"<{BASE}graph/{graph}>" in q], graph
    # The workers set apart the catalogue's lines for the index: only the other texts
    # (converted in this process) are scanned for theirs.
    scanned_names = {path.name for path in scanned}
    texts = GraphTexts(Path("texts"))
    assert texts.path(f"{BASE}graph/loc-books-mrc").name not in scanned_names
    assert texts.path(f"{BASE}graph/people-csv").name in scanned_names
    assert [q for q in sent if f"<{BASE}graph/meta>" in q]  # derived graphs: from the store
    records = next(s.records for s in outcome.sources if s.name == "loc-books-mrc")
    assert EntityIndex(outcome.release.path / INDEX_FILE).count("resource") > records > 5
    check_equal_to_full(tmp_path / "store", tmp_path)


def test_a_text_not_written_canonically_is_read_from_the_store(tmp_path: Path) -> None:
    graph = NamedNode(BASE + "graph/people")
    lines = "".join(f'<{BASE}id/person/p{n}>  <http://xmlns.com/foaf/0.1/name> "P {n}" .\n'
                    f'<{BASE}id/person/p{n}> <{RDF.type.value}> <{FOAF.Person.value}> .\n'
                    for n in range(30))  # two spaces after each subject of a name
    indexes = {}
    for kept in (True, False):
        texts = GraphTexts(tmp_path / f"texts-{kept}") if kept else None
        view = StagingView(Store(str(tmp_path / f"db-{kept}")), texts)
        view.load_ntriples_written_by(graph, lambda sink: sink.write(lines.encode()))
        assert (texts is not None and texts.lines(graph.value) == 60) or not kept
        write_full(view, BASE, tmp_path / f"index-{kept}.sqlite", ["vi", "en"])
        indexes[kept] = rows(tmp_path / f"index-{kept}.sqlite")
    assert indexes[True] == indexes[False]
    assert len(indexes[True]["entity"]) == 30 and "P 7" in str(indexes[True]["entity"])
