"""The N-Triples text kept of each graph a build loads, and the dumps made from it."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, parse, serialize

from kg.build import build
from kg.convert import parallel
from kg.errors import ValidationFailed
from kg.sources import discover
from kg.store.graph_texts import GraphTexts
from kg.store.releases import ReleaseStore
from kg.store.staging import StagingView
from tests.conftest import BASE
from tests.remote_support import Steps
from tests.support import DEMO
from tests.test_dumps import MARC_SAMPLE, dump_file, store_reads

GRAPH = NamedNode("http://example.org/graph/a")
QUADS = [Quad(NamedNode(f"http://example.org/id/{n}"), NamedNode("http://schema.org/name"),
              Literal(f"name {n}\nwith a line break", language="vi"), GRAPH)
         for n in range(5000)]


def triples_of_text(path: Path) -> set:
    return {q.triple for q in parse(path=path, format=RdfFormat.N_TRIPLES)}


def triples_of_store(view: StagingView) -> set:
    return {q.triple for q in view.quads(None, None, None, GRAPH)}


@pytest.fixture
def view(tmp_path: Path) -> StagingView:
    return StagingView(Store(str(tmp_path / "db")), GraphTexts(tmp_path / "texts"))


def test_replace_graph_keeps_the_graphs_text(view: StagingView) -> None:
    assert view.replace_graph(GRAPH, iter(QUADS)) == len(QUADS)
    text = view.texts.get(GRAPH.value, lambda: view.count(GRAPH))
    assert text is not None and triples_of_text(text) == triples_of_store(view)


def test_ntriples_written_by_a_function_are_loaded_with_or_without_texts(
        view: StagingView) -> None:
    data = serialize([q.triple for q in QUADS], format=RdfFormat.N_TRIPLES)
    without_texts = StagingView(Store())
    for target in (view, without_texts):
        assert target.load_ntriples_written_by(GRAPH, lambda sink: sink.write(data)) == len(data)
        assert triples_of_store(target) == {q.triple for q in QUADS}
    text = view.texts.get(GRAPH.value, lambda: view.count(GRAPH))
    assert text is not None and triples_of_text(text) == triples_of_store(view)
    view.remove_graph(GRAPH)
    assert view.texts.lines(GRAPH.value) is None and not text.exists()


def test_a_text_with_a_triple_twice_is_not_given_out(view: StagingView) -> None:
    view.replace_graph(GRAPH, iter([*QUADS, QUADS[0]]))
    assert view.texts.lines(GRAPH.value) == len(QUADS) + 1
    assert view.texts.get(GRAPH.value, lambda: view.count(GRAPH)) is None


def test_a_text_with_another_graphs_lines_is_not_kept(view: StagingView) -> None:
    other = Quad(QUADS[0].subject, QUADS[0].predicate, QUADS[0].object,
                 NamedNode("http://example.org/graph/b"))
    with view.texts.writer(GRAPH.value) as text:
        text.write(serialize([*QUADS, other], format=RdfFormat.N_QUADS))
    assert view.texts.lines(GRAPH.value) is None


def test_a_build_dumps_converted_graphs_from_their_texts_and_removes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dumped = store_reads(monkeypatch)
    build(discover([DEMO]), str(tmp_path / "store"), BASE)
    # Graphs converted from records are not read back (but for concepts, whose
    # records state some links twice, from both ends); derived graphs are.
    assert set(dumped) <= {BASE + "graph/meta", BASE + "graph/agents",
                           BASE + "graph/concepts-yaml"}
    assert BASE + "graph/meta" in dumped
    assert [p.name for p in (tmp_path / "store" / "staging").iterdir()] == []


def test_a_marc_file_converted_on_every_core_is_dumped_from_its_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH", 3)
    dumped = store_reads(monkeypatch)
    steps = Steps()
    outcome = build(discover([MARC_SAMPLE]), str(tmp_path / "store"), BASE, progress=steps)
    books = BASE + "graph/loc-books-mrc"
    assert books in outcome.release.manifest()["graphs"] and books not in dumped
    # The whole text is loaded from its file once every batch is in: the build says so.
    summary = outcome.sources[0]
    assert (f"loading {summary.triples:,} triples of {summary.records:,} records into the store"
            in steps.messages)
    with gzip.open(dump_file(outcome.release.path, "nt"), "rb") as handle:
        dumped_triples = {q.triple for q in parse(handle, format=RdfFormat.N_TRIPLES)}
    db = Store.read_only(str(outcome.release.path / "db"))
    assert {q.triple for q in db.quads_for_pattern(None, None, None, NamedNode(books))} \
        <= dumped_triples


def test_a_failed_build_leaves_no_texts(tmp_path: Path) -> None:
    sources = tmp_path / "demo"
    shutil.copytree(DEMO, sources)
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("bad key!,Nobody,,,,,\n")
    with pytest.raises(ValidationFailed):
        build(discover([sources]), str(tmp_path / "store"), BASE)
    assert ReleaseStore(tmp_path / "store").current() is None
    assert [p.name for p in (tmp_path / "store" / "staging").iterdir()] == []

