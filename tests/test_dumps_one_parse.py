"""Turtle and JSON-LD members of a graph from one parse of its N-Triples text.

The combined writer (:func:`kg.export.dumps.write_members`, and the helper
process ``kg.export.dump_member ttl+jsonld``) writes the text batch by batch;
each member must hold the text of the format's serializer on the whole graph
in one call, and the writer fail on a bad text or a failing writer.
"""

from __future__ import annotations

import gc
import gzip
import itertools
import json
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse, serialize

from kg.errors import StoreError
from kg.export import dumps
from kg.export.gzipped import DumpFile
from kg.namespaces import PREFIXES

GRAPH = "http://example.org/graph/books"
NAMES = ("ttl", "jsonld")
# Many batches of quads, so that a subject's run of quads is cut by a batch's
# end unless the batches end with subjects (a book's lines are two runs of it).
SUBJECTS = 12 * dumps._BATCH // 8 + 7


def book(n: int) -> list[str]:
    """Eight N-Triples lines: language tags, datatypes, escapes, a blank node, non-ASCII."""
    s = f"<http://example.org/id/book-{n}>"
    return [
        f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Book> .",
        f'{s} <http://schema.org/name> "Sách số {n}: \\"trích\\"\\n\\tdòng hai\\\\"@vi .',
        f'{s} <http://schema.org/name> "Book {n}"@en-GB .',
        f'{s} <http://schema.org/datePublished> "19{n % 100:02d}-05-31"'
        "^^<http://www.w3.org/2001/XMLSchema#date> .",
        f'{s} <http://schema.org/numberOfPages> "{n}"'
        "^^<http://www.w3.org/2001/XMLSchema#integer> .",
        f"{s} <http://schema.org/author> _:author{n} .",
        f'_:author{n} <http://xmlns.com/foaf/0.1/name> "Nguyễn Văn Ấn \\u00e9\\U0001F4DA {n}" .',
        f"{s} <http://schema.org/url> <http://example.org/s%C3%A1ch?q={n}#x> .",
    ]


def write_text(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lines = [line for n in range(SUBJECTS) for line in book(n)]
    return write_text(tmp_path_factory.mktemp("text") / "books.nt", lines)


@pytest.fixture(scope="module")
def bad_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good lines for several batches, then one that is not N-Triples."""
    lines = [line for n in range(SUBJECTS) for line in book(n)]
    lines.insert(len(lines) - 5, "<http://example.org/id/x> schema:name <no-scheme> .")
    return write_text(tmp_path_factory.mktemp("text") / "bad.nt", lines)


def separate(graph_iri: str, text: Path) -> dict[str, bytes]:
    """Each member's text as pyoxigraph's serializer writes the whole graph in one call
    (JSON-LD in the graph's object: with its @id, or @graph alone for the default graph)."""
    quads = list(parse(path=text, format=RdfFormat.N_TRIPLES))
    start = (b'{"@id":' + json.dumps(graph_iri).encode() + b',"@graph":' if graph_iri
             else b'{"@graph":')
    return {"ttl": serialize(quads, format=RdfFormat.TURTLE, prefixes=PREFIXES),
            "jsonld": start + serialize(quads, format=RdfFormat.JSON_LD) + b"}"}


def texts(members: dict[str, Path]) -> dict[str, bytes]:
    """The text of each gzip member."""
    return {name: gzip.decompress(path.read_bytes()) for name, path in members.items()}


@pytest.mark.parametrize("graph_iri", [GRAPH, ""], ids=["named-graph", "default-graph"])
def test_one_parse_gives_the_text_of_the_serializers_on_the_whole_graph(
        text: Path, tmp_path: Path, graph_iri: str) -> None:
    expected = separate(graph_iri, text)
    outs = tuple(tmp_path / f"combined.{name}" for name in NAMES)
    dumps.write_members(NAMES, graph_iri, text, outs)
    assert texts(dict(zip(NAMES, outs, strict=True))) == expected
    for name in NAMES:  # and one format alone (the one-format helper)
        dumps.write_member(name, graph_iri, text, tmp_path / f"alone.{name}")
        assert texts({name: tmp_path / f"alone.{name}"})[name] == expected[name]
    turtle = expected["ttl"].decode()
    assert "@vi" in turtle and "xsd:date" in turtle and "_:" in turtle and "Ấn" in turtle
    assert len(list(parse(expected["jsonld"], RdfFormat.JSON_LD))) == 8 * SUBJECTS


def test_batches_end_with_a_subjects_run_even_a_long_one(tmp_path: Path) -> None:
    """A subject with more statements than a batch holds stays in one batch; every
    batch but the last holds at least a batch's worth; the text is the writers'."""
    long_run = [f'<http://example.org/id/big> <http://schema.org/name> "name {n}" .'
                for n in range(3 * dumps._BATCH)]
    lines = [line for n in range(700) for line in book(n)]
    text = write_text(tmp_path / "runs.nt", lines[:4000] + long_run + lines[4000:])
    quads = list(parse(path=text, format=RdfFormat.N_TRIPLES))
    batches = list(dumps._subject_batches(iter(quads)))
    assert [q for batch in batches for q in batch] == quads
    assert all(len(batch) >= dumps._BATCH for batch in batches[:-1])
    assert all(a[-1].subject != b[0].subject for a, b in itertools.pairwise(batches))
    assert any(len(batch) > 3 * dumps._BATCH for batch in batches)  # the long run, whole
    outs = tuple(tmp_path / f"combined.{name}" for name in NAMES)
    dumps.write_members(NAMES, GRAPH, text, outs)
    assert texts(dict(zip(NAMES, outs, strict=True))) == separate(GRAPH, text)


def test_the_helper_process_writes_both_members_from_one_parse(text: Path, tmp_path: Path) -> None:
    """``_Helpers`` runs one ``ttl+jsonld`` process; each format has its wait, as before."""
    expected = separate(GRAPH, text)
    with dumps._Helpers(tmp_path / "scratch") as helpers:
        waits = helpers.start(GRAPH, text)
        assert len(helpers._running) == 1
        written = {name: wait() for name, wait in waits.items()}
    assert set(written) == set(NAMES)
    assert texts(written) == expected
    # The one-format form still works (early members: N-Triples and N-Quads).
    with dumps._Helpers(tmp_path / "scratch") as helpers:
        waits = helpers.start(GRAPH, text, tuple(dumps.DUMP_FORMATS))
        assert len(helpers._running) == 3
        written = {name: wait() for name, wait in waits.items()}
    assert list(written) == list(dumps.DUMP_FORMATS)
    assert gzip.decompress(written["nt"].read_bytes()) == text.read_bytes()
    assert texts({name: written[name] for name in NAMES}) == expected


def test_the_helper_runs_without_the_cycle_collector(text: Path, tmp_path: Path) -> None:
    """Its batches of quads hold no cycles; the collector would walk every batch it
    found alive (5% of the helper's CPU), and memory stays as flat without it."""
    from kg.export.dump_member import main

    outs = [str(tmp_path / f"combined.{name}") for name in NAMES]
    runs: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.collect()
    gc.callbacks.append(seen)
    try:
        main(["ttl+jsonld", GRAPH, str(text), *outs])
        assert not gc.isenabled()
    finally:
        gc.callbacks.remove(seen)
        gc.enable()
    assert runs == []
    assert texts(dict(zip(NAMES, map(Path, outs), strict=True))) == separate(GRAPH, text)


def test_a_bad_line_fails_the_combined_writer_and_leaves_no_member(
        bad_text: Path, tmp_path: Path) -> None:
    outs = tuple(tmp_path / f"combined.{name}" for name in NAMES)
    with pytest.raises(SyntaxError, match=f"line {8 * SUBJECTS - 4}"):
        dumps.write_members(NAMES, GRAPH, bad_text, outs)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_line_fails_the_helper_process_with_a_message(bad_text: Path, tmp_path: Path) -> None:
    outs = [str(tmp_path / f"combined.{name}") for name in NAMES]
    done = subprocess.run([sys.executable, "-m", "kg.export.dump_member", "ttl+jsonld", GRAPH,
                           str(bad_text), *outs], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"SyntaxError: Parser error at line {8 * SUBJECTS - 4}" in done.stderr
    assert list(tmp_path.iterdir()) == []
    with dumps._Helpers(tmp_path / "scratch") as helpers:
        waits = helpers.start(GRAPH, bad_text)
        for wait in waits.values():  # both members' waits fail, naming the formats
            with pytest.raises(StoreError, match="writing the Turtle and JSON-LD dump failed: "
                                                 "(?s:.*)Parser error at line"):
                wait()


@pytest.mark.timeout(60, method="thread")  # a hang fails the run
def test_a_writer_failing_while_the_reader_waits_on_it_stops_everything(
        tmp_path: Path) -> None:
    """The JSON-LD member goes into a pipe that nobody reads: its write blocks; then
    the pipe is closed (a broken pipe). The combined writer raises that error,
    naming the format, instead of hanging."""
    text = write_text(tmp_path / "books.nt", [line for n in range(8 * SUBJECTS)
                                             for line in book(n)])
    os.mkfifo(tmp_path / "jsonld")
    reader = os.open(tmp_path / "jsonld", os.O_RDONLY | os.O_NONBLOCK)
    closer = threading.Timer(1.0, os.close, [reader])  # once the queue is full
    with (open(tmp_path / "ttl", "wb") as good,
          open(tmp_path / "jsonld", "wb", buffering=0) as piped,  # nothing left to flush
          pytest.raises(BrokenPipeError) as raised):
        closer.start()
        members = {"ttl": DumpFile(good).member(), "jsonld": DumpFile(piped).member()}
        dumps.serialize_members(GRAPH, text, members)
    closer.join()
    assert "while writing the JSON-LD member" in raised.value.__notes__


@pytest.mark.timeout(60, method="thread")  # a hang fails the run
def test_a_writer_failing_late_stops_the_helper_process(tmp_path: Path) -> None:
    """The JSON-LD member outgrows the files the helper may write (RLIMIT_FSIZE: an
    OSError, Python ignores SIGXFSZ) near the end of the text: the helper exits,
    with the error, and leaves no member."""
    text = write_text(tmp_path / "books.nt", [line for n in range(8 * SUBJECTS)
                                             for line in book(n)])
    for name in NAMES:  # each alone, by the one-format helper's writer
        dumps.write_member(name, GRAPH, text, tmp_path / f"alone.{name}")
    sizes = {name: (tmp_path / f"alone.{name}").stat().st_size for name in NAMES}
    # Room for Turtle, not for JSON-LD: it fails well before its end (zlib and the
    # file keep some tens of kB before writing them out).
    limit = sizes["ttl"] + 4096
    assert limit < sizes["jsonld"] - 100_000

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    outs = [str(tmp_path / f"combined.{name}") for name in NAMES]
    done = subprocess.run([sys.executable, "-m", "kg.export.dump_member", "ttl+jsonld", GRAPH,
                           str(text), *outs], capture_output=True, text=True, timeout=60,
                          preexec_fn=limited)
    assert done.returncode != 0
    assert "File too large" in done.stderr and "while writing the JSON-LD member" in done.stderr
    assert not any(Path(out).exists() for out in outs)
