"""The N-Triples text kept of each graph a build loads, and the dumps made from it."""

from __future__ import annotations

import gzip
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

import kg.build as build_module
from kg.build import build
from kg.convert import parallel
from kg.errors import ValidationFailed
from kg.export import dumps
from kg.export.dumps import DUMPS, read_index
from kg.sources import discover
from kg.store.graph_texts import GraphTexts, LineEnds
from kg.store.load_peak import PastPeak
from kg.store.releases import ReleaseStore
from kg.store.staging import StagingView, ViewQueries
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


def test_picks_are_kept_only_when_asked_for_and_go_with_their_text(view: StagingView) -> None:
    data = serialize([q.triple for q in QUADS], format=RdfFormat.N_TRIPLES)
    first = data.splitlines(keepends=True)[0]

    def writing(sink) -> None:
        sink.write(data)
        if sink.picks is not None:
            sink.picks.write(first)

    view.load_ntriples_written_by(GRAPH, writing)  # not asked for: none kept
    assert view.texts.picks(GRAPH.value) is None
    view.load_ntriples_written_by(GRAPH, writing, picks=True)
    picks = view.texts.picks(GRAPH.value)
    assert picks is not None and picks.read_bytes() == first
    view.load_ntriples_written_by(GRAPH, writing)  # written again without: gone
    assert view.texts.picks(GRAPH.value) is None and not picks.exists()
    view.load_ntriples_written_by(GRAPH, writing, picks=True)
    view.remove_graph(GRAPH)
    assert view.texts.picks(GRAPH.value) is None and not picks.exists()
    other = serialize([Quad(q.subject, q.predicate, q.object, NamedNode("http://example.org/b"))
                       for q in QUADS], format=RdfFormat.N_QUADS)
    with view.texts.writer(GRAPH.value, picks=True) as text:  # not this graph's: dropped
        text.write(other)
        text.picks.write(first)
    assert view.texts.picks(GRAPH.value) is None and not picks.exists()


@pytest.mark.parametrize("quads", [False, True], ids=["n-triples", "n-quads"])
def test_a_text_written_in_any_pieces_is_counted_and_checked_line_by_line(quads: bool) -> None:
    """Lines cut anywhere between writes are counted once each, written whole (N-Quads
    lose their graph), and a text that ends inside a line is refused."""
    import io

    lines = serialize([q.triple for q in QUADS], format=RdfFormat.N_TRIPLES)
    data = serialize(QUADS, format=RdfFormat.N_QUADS) if quads else lines
    ending = f" <{GRAPH.value}> .\n".encode() if quads else b" .\n"
    for size in (1, 7, 64, len(data)):
        out = io.BytesIO()
        sink = LineEnds(out, ending)
        for start in range(0, len(data), size):
            sink.write(data[start:start + size])
        sink.close()
        assert (out.getvalue(), sink.lines, sink.foreign) == (lines, len(QUADS), False)
    unfinished = LineEnds(io.BytesIO(), ending)
    unfinished.write(data + b"<http://example.org/id/x> <http://schema.org/name>")
    with pytest.raises(ValueError, match="ends inside a line"):
        unfinished.close()


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


@pytest.mark.parametrize("early", [False, True], ids=["inline-dumps", "early-members"])
def test_a_failed_build_leaves_no_texts_and_no_helpers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, early: bool) -> None:
    """Nothing is left of a build that fails validation: no texts, no staging, and no
    helper process still writing members begun after the load (``early``)."""
    started: list[str] = []
    original = dumps._Helpers.start
    monkeypatch.setattr(dumps._Helpers, "start", lambda self, graph, lines, names=(
        "ttl", "jsonld"): (started.append(graph), original(self, graph, lines, names))[1])
    if early:
        monkeypatch.setattr(dumps, "PARALLEL_BYTES", 0)
    sources = tmp_path / "demo"
    shutil.copytree(DEMO, sources)
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("bad key!,Nobody,,,,,\n")
    with pytest.raises(ValidationFailed):
        build(discover([sources]), str(tmp_path / "store"), BASE)
    assert bool(started) == early  # members were begun before validation failed
    assert helper_processes() == []
    assert ReleaseStore(tmp_path / "store").current() is None
    assert [p.name for p in (tmp_path / "store" / "staging").iterdir()] == []



def graph_pieces(release_path: Path, graph: str) -> dict[str, bytes]:
    """Each dump file's gzip member of one graph, as bytes (index.json says where)."""
    pieces = {}
    for name, entry in read_index(release_path)["files"].items():
        offset, length = entry["graphs"][graph]
        with (release_path / DUMPS / entry["name"]).open("rb") as handle:
            handle.seek(offset)
            pieces[name] = handle.read(length)
    return pieces


def helper_processes() -> list[int]:
    """This process's children that write dump members."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            command = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and b"kg.export.dump_member" in command:
            found.append(int(status.parent.name))
    return found


def test_members_of_converted_graphs_are_started_once_during_or_after_the_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large converted catalogue's four members are written by helpers started once:
    when its bulk load has passed its memory peak (watched from before the load on), or
    after the load; the dumps hold the same bytes as when written inline."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    books = BASE + "graph/loc-books-mrc"
    started: list[tuple[str, tuple[str, ...]]] = []
    events: list[str] = []
    original_watch = dumps.EarlyMembers.start_past_load_peak
    monkeypatch.setattr(dumps.EarlyMembers, "start_past_load_peak", lambda self, graph, path: (
        events.append(f"watch {graph}"), original_watch(self, graph, path))[1])
    original_load = StagingView.load_ntriples_written_by
    monkeypatch.setattr(StagingView, "load_ntriples_written_by", lambda self, graph, *a, **k: (
        original_load(self, graph, *a, **k), events.append(f"loaded {graph.value}"))[0])
    original = dumps._Helpers.start

    def recording(self, graph_iri, lines, names=("ttl", "jsonld")):
        started.append((graph_iri, names))
        return original(self, graph_iri, lines, names)

    monkeypatch.setattr(dumps._Helpers, "start", recording)
    validated_after: list[list] = []
    original_validate = build_module.validate_graphs
    monkeypatch.setattr(build_module, "validate_graphs", lambda *a, **k: (
        validated_after.append(list(started)), original_validate(*a, **k))[1])
    pieces = {}
    for threshold in (1 << 40, 0):  # never large: written inline; always large: early
        monkeypatch.setattr(dumps, "PARALLEL_BYTES", threshold)
        outcome = build(discover([MARC_SAMPLE]), str(tmp_path / f"store-{threshold}"), BASE)
        pieces[threshold] = graph_pieces(outcome.release.path, books)
        assert not (outcome.release.path / ".early-dumps").exists()
    assert (books, ("nt", "nq", "ttl", "jsonld")) in validated_after[-1]
    assert events.index(f"watch {books}") < events.index(f"loaded {books}")
    assert (books, ("nt", "nq", "ttl", "jsonld")) in started  # and not started again
    assert [s for s in started if s[0] == books] == [(books, ("nt", "nq", "ttl", "jsonld"))]
    assert pieces[0] == pieces[1 << 40]  # byte for byte, each format
    assert gzip.decompress(pieces[0]["nt"]).count(b"\n") == outcome.sources[0].triples


def test_past_peak_starts_work_once_a_loads_memory_has_fallen_back() -> None:
    """``then`` runs once memory grew by the threshold and fell back by two thirds
    of it; not on growth alone, and never once stopped."""
    def watched(samples: list[int], stop_first: bool = False) -> int:
        called, readings = [], iter(samples)
        watch = PastPeak(lambda: called.append(1), growth=100, every=0.001,
                         rss=lambda: next(readings, samples[-1]))
        if stop_first:
            watch.stop()
        watch.start()
        for _ in range(1000):
            if called or not watch._thread.is_alive():
                break
            time.sleep(0.002)
        watch.stop()
        return len(called)

    assert watched([600, 900, 1800, 1500, 980, 700]) == 1  # 980 - 600 <= (1800 - 600) / 3
    assert watched([600, 900, 1800, 1500, 1200]) == 0  # still holding half of it
    assert watched([600, 900, 1800, 1050, 1800]) == 0  # between two batches of a load
    assert watched([600, 650, 680, 600]) == 0  # never grew by the threshold
    assert watched([600, 1800, 600], stop_first=True) == 0


def test_early_members_started_past_the_peak_are_not_started_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Members a watch started (a load's peak counts as passed without any growth here)
    are not started again after the load; a watch stopped first starts nothing."""
    monkeypatch.setattr(dumps, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(dumps, "LOAD_PEAK_GROWTH", 0)
    view = StagingView(Store(str(tmp_path / "db")), GraphTexts(tmp_path / "texts"))
    begun: list[str] = []
    monkeypatch.setattr(dumps._Helpers, "start", lambda self, graph, lines, names=(
        "ttl", "jsonld"): (begun.append(graph), {})[1])
    data = serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)
    with dumps.EarlyMembers(tmp_path / "early") as early:
        view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(data),
                                      kept=lambda text: early.start_past_load_peak(GRAPH.value,
                                                                                   text))
        for _ in range(500):  # the watch looks every half second
            if begun:
                break
            time.sleep(0.01)
        early.start(view)
        early._queue.shutdown(wait=True)
    assert begun == [GRAPH.value]
    with dumps.EarlyMembers(tmp_path / "early-2") as early:
        early.start_past_load_peak(GRAPH.value, view.texts.path(GRAPH.value))
        early.close()  # before the watch's first look
        time.sleep(0.6)
    assert begun == [GRAPH.value]


def test_early_members_of_a_text_written_again_are_not_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    view = StagingView(Store(str(tmp_path / "db")), GraphTexts(tmp_path / "texts"))
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    text = view.texts.path(GRAPH.value)
    with dumps.EarlyMembers(tmp_path / "early") as early:
        early.start(view)  # the text is small: nothing started
        assert early.take(GRAPH.value, text) is None
    monkeypatch.setattr(dumps, "PARALLEL_BYTES", 0)
    with dumps.EarlyMembers(tmp_path / "early") as early:
        early.start(view)
        os.utime(text, ns=(0, 0))  # the same graph's text, written again since
        assert early.take(GRAPH.value, text) is None
    with dumps.EarlyMembers(tmp_path / "early") as early:
        early.start(view)
        members = early.take(GRAPH.value, text)
        assert members is not None
        with gzip.open(members["nq"]()) as nq:
            assert {q.triple for q in parse(nq, format=RdfFormat.N_QUADS)} == \
                triples_of_store(view)
    assert not (tmp_path / "early").exists() and helper_processes() == []


def test_a_text_is_counted_once_until_its_graph_is_written(view: StagingView) -> None:
    view.replace_graph(GRAPH, iter(QUADS))  # a text not counted ahead: the caller counts
    counted: list[int] = []

    def count() -> int:
        counted.append(1)
        return view.count(GRAPH)

    # The index, the dumps and the store's total share one count.
    assert view.texts.get(GRAPH.value, count) == view.texts.get(GRAPH.value, count)
    assert view.texts.counted(GRAPH.value, count) == len(QUADS) and len(counted) == 1
    # Writes to other graphs (the metadata graph, the agents graph) keep the count.
    view.add([QUADS[0].triple], NamedNode("http://example.org/graph/meta"))
    ViewQueries(view).add([Quad(QUADS[0].subject, QUADS[0].predicate, QUADS[0].object,
                                NamedNode("http://example.org/graph/agents"))])
    assert view.texts.get(GRAPH.value, count) is not None and len(counted) == 1
    # A write to the graph itself, through either writer, makes it count again.
    ViewQueries(view).remove([QUADS[1]])
    assert view.texts.get(GRAPH.value, count) is None and len(counted) == 2
    ViewQueries(view).add([QUADS[1]])
    assert view.texts.get(GRAPH.value, count) is not None and len(counted) == 3
    view.add([Triple(NamedNode("http://example.org/id/x"), NamedNode("http://schema.org/name"),
                     Literal("x"))], GRAPH)  # the graph itself gains a triple
    assert view.texts.get(GRAPH.value, count) is None and len(counted) == 4


@pytest.fixture
def count_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The thread each count of one graph runs in (the counts still run)."""
    threads: list[str] = []
    original = StagingView.count

    def recording(self, graph=None):
        if graph is not None:
            threads.append(threading.current_thread().name)
        return original(self, graph)

    monkeypatch.setattr(StagingView, "count", recording)
    return threads


def never_asked() -> int:
    raise AssertionError("the count begun ahead was not used")


def test_a_loaded_text_is_counted_ahead_in_a_thread_of_its_own(
        view: StagingView, count_threads: list[str]) -> None:
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    text = view.texts.get(GRAPH.value, never_asked)
    assert text is not None and triples_of_text(text) == triples_of_store(view)
    assert view.texts.counted(GRAPH.value, never_asked) == len(QUADS)
    assert len(count_threads) == 1 and count_threads[0].startswith("count-ahead")
    assert view.count() == len(view.store)  # the store's total takes the same count


def test_a_count_begun_ahead_is_forgotten_when_its_graph_is_written_meanwhile(
        view: StagingView, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count ahead has counted, but not yet answered, when the graph gains a triple:
    its answer, the graph before the write, is not the graph's count any more, and the
    text (which it would match) is not given out."""
    go_on = threading.Event()
    original = StagingView.count

    def held(self, graph=None):
        answer = original(self, graph)
        if threading.current_thread().name.startswith("count-ahead"):
            go_on.wait(10)  # counted before the write below, answers after it
        return answer

    monkeypatch.setattr(StagingView, "count", held)
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    view.add([Triple(NamedNode("http://example.org/id/x"), NamedNode("http://schema.org/name"),
                     Literal("x"))], GRAPH)
    go_on.set()
    assert view.texts.get(GRAPH.value, lambda: view.count(GRAPH)) is None
    assert view.texts.counted(GRAPH.value, never_asked) == len(QUADS) + 1


def test_clearing_the_texts_waits_for_a_count_begun_ahead(
        view: StagingView, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store closes once the texts are cleared: no count may still be reading it."""
    finished: list[bool] = []
    original = StagingView.count

    def slow(self, graph=None):
        time.sleep(0.5)
        answer = original(self, graph)
        finished.append(True)
        return answer

    monkeypatch.setattr(StagingView, "count", slow)
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    view.texts.clear()
    assert finished == [True]
    assert not any(thread.name.startswith("count-ahead") for thread in threading.enumerate())


def test_the_store_is_counted_graph_by_graph_with_kept_texts(view: StagingView) -> None:
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    view.add([QUADS[0].triple], NamedNode("http://example.org/graph/meta"))
    view.store.add(Quad(QUADS[1].subject, QUADS[1].predicate, QUADS[1].object))  # default graph
    assert view.count() == len(view.store) == len(QUADS) + 2
    view.add([Triple(NamedNode("http://example.org/id/x"), NamedNode("http://schema.org/name"),
                     Literal("x"))], GRAPH)  # after the graph was counted
    assert view.count() == len(view.store) == len(QUADS) + 3


def test_a_build_counts_a_converted_graph_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A graph with a kept text is counted once, ahead, in a thread begun after its
    load; the manifest's total, the entity index and the dumps reuse that count."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    books = BASE + "graph/loc-books-mrc"
    counts: list[tuple[str | None, str]] = []
    original = StagingView.count

    def recording(self, graph=None):
        counts.append((graph.value if graph is not None else None,
                       threading.current_thread().name))
        return original(self, graph)

    monkeypatch.setattr(StagingView, "count", recording)
    outcome = build(discover([MARC_SAMPLE]), str(tmp_path / "store"), BASE)
    of_books = [thread for graph, thread in counts if graph == books]
    assert len(of_books) == 1 and of_books[0].startswith("count-ahead")
    assert (None, "MainThread") in counts  # the manifest's total, summed graph by graph
    assert outcome.release.manifest()["triples"] == \
        len(Store.read_only(str(outcome.release.path / "db")))


def test_a_large_graph_without_a_count_makes_the_store_be_counted(
        view: StagingView, monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphs with no text (kept from the last release) are counted up to a limit in
    all; past it, the store is counted as a whole, and the total is the same."""
    from kg.store import staging

    monkeypatch.setattr(staging, "_COUNTED_UP_TO", 100)
    asked: list[tuple[int, int]] = []  # (limit, answer) of each count of a graph up to a limit
    number = view._number

    def recording(query: str) -> int:
        answer = number(query)
        if " LIMIT " in query:
            asked.append((int(query.rsplit(" LIMIT ", 1)[1].split()[0]), answer))
        return answer

    monkeypatch.setattr(view, "_number", recording)
    view.load_ntriples_written_by(GRAPH, lambda sink: sink.write(
        serialize([quad.triple for quad in QUADS], format=RdfFormat.N_TRIPLES)))
    for name, size in (("x", 60), ("y", 30)):  # within the limit together
        view.store.extend(Quad(q.subject, q.predicate, q.object,
                               NamedNode(f"http://example.org/graph/{name}"))
                          for q in QUADS[:size])
    assert view.count() == len(view.store) == len(QUADS) + 90
    view.store.extend(Quad(q.subject, q.predicate, q.object, NamedNode(
        "http://example.org/graph/z")) for q in QUADS[:60])  # each small, past it together
    asked.clear()
    assert view.count() == len(view.store) == len(QUADS) + 150
    # One budget for all: each graph is counted up to what the ones before it left.
    assert asked[0][0] == 101 and asked[-1][1] == asked[-1][0]  # the last one ran past it
    assert all(later[0] == earlier[0] - earlier[1]
               for earlier, later in zip(asked, asked[1:], strict=False))


def test_the_turtle_and_json_ld_helper_runs_a_little_above_the_other_helpers(
        tmp_path: Path) -> None:
    """In the background the longest helper gets the larger share of the spare CPU; at
    publish time (no niceness added) every helper runs as the build does."""
    background = dumps._Helpers(tmp_path / "early", nice=19)
    assert background._nice_of(("ttl", "jsonld")) == 15
    assert background._nice_of(("nt",)) == background._nice_of(("nq",)) == 19
    assert dumps._Helpers(tmp_path / "inline")._nice_of(("ttl", "jsonld")) == 0
