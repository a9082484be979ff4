"""The fast MARC path gives what pymarc's path gives: same quads, same problems.

The fast path is the ISO 2709 decoder of :mod:`kg.marc.iso2709` (pymarc for
whatever it declines) and the N-Quads text of :mod:`kg.convert.nquads`, both
used by the build's conversion workers (:func:`kg.convert.parallel._convert`).
The reference is the worker as it was: every record decoded by pymarc, its
triples made into ``Quad`` objects and written by ``pyoxigraph.serialize``.
"""

from __future__ import annotations

import gc
import io
import re
from pathlib import Path

import pymarc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, parse, serialize

from kg.convert import Registry, convert_records, parallel
from kg.convert.nquads import nquads
from kg.convert.values import _UNWRITABLE, maybe_unwritable
from kg.index.writer import _picked_lines
from kg.marc.iso2709 import decode_utf8
from kg.report import Report
from kg.sources import Source
from kg.sources.marc import chunks_of, record_from_chunk
from tests.marc_support import ISO2709, MARC8, broken_directory, invalid_utf8, raw_records
from tests.support import REPO

BASE = "http://127.0.0.1:5000/"
GRAPH = f"{BASE}graph/sample"
FUZZ_MARC = sorted((REPO / "tests" / "data" / "fuzz" / "sources").glob("marc-*.mrc"))


def jobs(path: Path, batch: int = 5) -> list[tuple]:
    """A file's records as the jobs the build hands its workers (small batches)."""
    with path.open("rb") as handle:
        chunks = list(chunks_of(handle))
    source = Source(path, "sample", "marc")
    # Picking: the lines the entity index reads are set apart too, as for a kept text.
    return [(source, GRAPH, False, True, first, chunks[first:first + batch])
            for first in range(0, len(chunks), batch)]


def reference(job: tuple) -> tuple[set[Quad], list[str], list[tuple[str, str]]]:
    """One batch through pymarc's path: (quads, problems, claimed entities)."""
    source, graph, _, _, first, chunks = job
    report, registry = Report(), Registry()
    records = [record_from_chunk(source, first + i + 1, chunk, problem, fast=False)
               for i, (chunk, problem) in enumerate(chunks)]
    quads = list(convert_records(records, NamedNode(graph), parallel._minter, report, registry))
    data = serialize(quads, format=RdfFormat.N_QUADS)
    return (set(parse(data, format=RdfFormat.N_QUADS)), [str(p) for p in report.problems],
            [(iri, str(origin)) for iri, origin in registry.origins.items()])


def fast(job: tuple) -> tuple[set[Quad], list[str], list[tuple[str, str]]]:
    """One batch through the worker as it is now."""
    data, _, count, origins, problems, *_ = parallel._convert(job)
    # N-Triples: the build loads them into the source's graph.
    quads = [Quad(t.subject, t.predicate, t.object, NamedNode(job[1]))
             for t in parse(data, format=RdfFormat.N_TRIPLES)]
    assert len(quads) == count
    return set(quads), [str(p) for p in problems], [(iri, str(o)) for iri, o in origins]


@pytest.fixture(scope="module", autouse=True)
def minter() -> None:
    parallel._start(BASE)


@pytest.mark.parametrize("path", [ISO2709, MARC8, *FUZZ_MARC], ids=lambda p: p.name)
def test_the_worker_gives_the_quads_and_problems_of_pymarcs_path(path: Path) -> None:
    quads, problems = 0, 0
    for job in jobs(path):
        expected, got = reference(job), fast(job)
        assert got == expected
        quads, problems = quads + len(got[0]), problems + len(got[1])
    assert gc.isenabled()
    # The real samples convert; each file of the fuzz corpus has its problem.
    assert quads > 0 if path in (ISO2709, MARC8) else problems > 0


def test_the_cycle_collector_never_walks_a_batch_the_worker_still_holds() -> None:
    """The collector is off for the whole batch and back on once its objects are freed.

    A run of the collector walks the young objects still alive: when the
    worker assembled its result after switching it back on, that run walked
    the whole batch (some 2,000 objects for these 14 records, 60,000 for the
    build's 400; a tenth of a worker's CPU).
    """
    job = jobs(ISO2709, batch=50)[0]
    walked: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            walked.append(len(gc.get_objects(generation=0)))

    gc.collect()
    gc.callbacks.append(seen)
    try:
        data, *_ = parallel._convert(job)
    finally:
        gc.callbacks.remove(seen)
    assert data and gc.isenabled()
    assert all(young < 1_000 for young in walked), walked


@pytest.mark.parametrize("path", [ISO2709, MARC8], ids=lambda p: p.name)
def test_the_worker_sets_apart_the_lines_the_index_scan_would_pick(
        path: Path, tmp_path: Path) -> None:
    """The picks are exactly the lines of the text that the index's scan picks, in order."""
    texts, picked = b"", b""
    for job in jobs(path):
        data, picks, *_ = parallel._convert(job)
        texts, picked = texts + data, picked + picks
        unpicked = parallel._convert((*job[:3], False, *job[4:]))
        assert unpicked[0] == data and unpicked[1] == b""
    text = tmp_path / "graph.nt"
    text.write_bytes(texts)
    scanned = b"".join(line for batch in _picked_lines(text) for line in batch)
    assert picked == scanned
    # Rows of every kind the records give: types naming the class, titles, dates.
    assert b"bibframe/Instance> .\n" in picked and b"/title> " in picked
    assert b"#" not in b"".join(line.split(b" ", 1)[0] for line in picked.splitlines())


UNWRITABLE = [chr(c) for c in range(0x110000) if _UNWRITABLE.match(chr(c))
              and not 0xD800 <= c <= 0xDFFF]  # (no UTF-8 text holds a surrogate)


@pytest.mark.parametrize("character", UNWRITABLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("title", ["Plain", "Tiếng Việt"])
def test_the_fast_decoder_says_which_records_the_converter_must_look_through(
        character: str, title: str, tmp_path: Path) -> None:
    """A record the fast decoder calls writable holds no character XML cannot carry,
    so the converter does not look for one: any such character in a value (the
    separators of ISO 2709 too) or in a control field (0x1F too) makes it look,
    and the problem is reported as from pymarc's path."""
    record = pymarc.Record(leader="00000nam a2200000 a 4500")
    record.add_field(pymarc.Field(tag="001", data="0001"))
    record.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"),
                                  subfields=[pymarc.Subfield("a", f"{title} {character}x")]))
    control = pymarc.Record(leader="00000nam a2200000 a 4500")
    control.add_field(pymarc.Field(tag="001", data=f"0002{character}"))
    control.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"),
                                   subfields=[pymarc.Subfield("a", title)]))
    clean = pymarc.Record(leader="00000nam a2200000 a 4500")
    clean.add_field(pymarc.Field(tag="001", data="0003"))
    clean.add_field(pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"),
                                 subfields=[pymarc.Subfield("a", f"{title}\t")]))
    path = tmp_path / "odd.mrc"
    path.write_bytes(b"".join(r.as_marc21() for r in (record, control, clean)))
    (job,) = jobs(path)
    decoded = [decode_utf8(chunk) for chunk, _ in job[5]]
    # 0x1F in a data field only starts another subfield: no value holds it.
    assert [r is not None and r.writable for r in decoded] == [character == "\x1f", False, True]
    expected, got = reference(job), fast(job)
    assert got == expected
    # (0x1F stays in the control number, which the mapping reads but keeps no value of)
    reported = any(f"contains the character U+{ord(character):04X}" in p for p in got[1])
    assert reported == (character != "\x1f")


def test_the_real_sample_takes_the_fast_decoder_and_marc8_does_not() -> None:
    assert all(decode_utf8(chunk) is not None for chunk in raw_records(ISO2709))
    assert all(decode_utf8(chunk) is None for chunk in raw_records(MARC8))


def _read(fields: list) -> list[tuple]:
    """Everything the mapping can read of these fields."""
    return [(f.tag, f.data, f.indicator1, f.indicator2, list(f.subfields), f.format_field(),
             f.get("a"), f.get_subfields("a", "b", "c"), f.get_subfields("6"))
            for f in fields]


@pytest.mark.parametrize("number", range(1, 15))
def test_a_fast_record_reads_as_pymarcs_does(number: int) -> None:
    chunk = raw_records(ISO2709)[number - 1]
    ours = decode_utf8(chunk)
    theirs = pymarc.Record(data=chunk, to_unicode=True, utf8_handling="strict")
    assert str(ours.leader) == str(theirs.leader)
    assert _read(ours.fields) == _read(theirs.fields)
    for tags in (("245",), ("650", "651"), ("490", "440"), ("999",), ()):
        assert _read(ours.get_fields(*tags)) == _read(theirs.get_fields(*tags))
    assert ours.get("245").format_field() == theirs.get("245").format_field()
    assert ours.get("999") is None and theirs.get("999") is None


def _written(fields: list[pymarc.Field], leader_9: str = "a") -> bytes:
    """A record of these fields, as pymarc writes it (UTF-8)."""
    record = pymarc.Record(force_utf8=True)
    for field in fields:
        record.add_field(field)
    chunk = record.as_marc21()
    return chunk[:9] + leader_9.encode() + chunk[10:]


def _title(value: str = "Tiếng Việt", empty: bool = False) -> pymarc.Field:
    return pymarc.Field(tag="245", indicators=pymarc.Indicators("1", "0"), subfields=[
        *([pymarc.Subfield("", "")] if empty else []), pymarc.Subfield("a", value)])


ODD = {
    # taken by the fast decoder
    "vietnamese": _written([pymarc.Field(tag="001", data="vn 1"), _title("Nguyễn Trãi — thơ")]),
    "empty subfields": _written([pymarc.Field(tag="001", data="x2"), _title(empty=True)]),
    "letter tag": _written([pymarc.Field(tag="001", data="x3"), _title(),
                            pymarc.Field(tag="00A", indicators=pymarc.Indicators(" ", " "),
                                         subfields=[pymarc.Subfield("a", "odd")])]),
    "subject subdivisions": _written([pymarc.Field(tag="001", data="x4"), _title(), pymarc.Field(
        tag="650", indicators=pymarc.Indicators(" ", "0"), subfields=[
            pymarc.Subfield("a", "Botany"), pymarc.Subfield("x", "History"),
            pymarc.Subfield("6", "880-01"), pymarc.Subfield("z", "Việt Nam.")])]),
    # left to pymarc
    "marc-8": _written([pymarc.Field(tag="001", data="x5"), _title("plain")], leader_9=" "),
    "one indicator": _written([pymarc.Field(tag="001", data="x6"), _title()]).replace(
        b"10\x1faTi", b"1\x1fa Ti"),
    "non-ascii code": _written([pymarc.Field(tag="001", data="x7"), _title()]).replace(
        b"\x1faTi", b"\x1f\xc3\xa9i"),
    "bad directory digits": None,
}


def _odd(name: str) -> bytes:
    if name == "bad directory digits":
        chunk = ODD["vietnamese"]
        return chunk[:27] + b"x" + chunk[28:]
    return ODD[name]


@pytest.mark.parametrize("name", list(ODD))
def test_odd_records_read_as_pymarc_reads_them(name: str) -> None:
    chunk = _odd(name)
    source = Source(Path("odd.mrc"), "odd", "marc")
    ours = record_from_chunk(source, 1, chunk, None)
    theirs = record_from_chunk(source, 1, chunk, None, fast=False)
    assert (ours.fields, ours.origin, ours.problem, ours.warnings) == \
           (theirs.fields, theirs.origin, theirs.problem, theirs.warnings)
    decoded = decode_utf8(chunk)
    assert (decoded is not None) == (name in ("vietnamese", "empty subfields", "letter tag",
                                              "subject subdivisions"))
    if decoded is not None:
        assert _read(decoded.fields) == _read(pymarc.Record(data=chunk).fields)
    if name == "subject subdivisions":
        assert ours.fields["subject_headings"][0]["label"] == "Botany--History--Việt Nam"


@pytest.mark.parametrize("damage", [invalid_utf8, broken_directory])
def test_damaged_records_are_left_to_pymarc_and_reported_as_before(damage) -> None:
    source = Source(Path("bad.mrc"), "bad", "marc")
    for number, chunk in enumerate(raw_records(ISO2709)[:3], 1):
        bad = damage(chunk)
        assert decode_utf8(bad) is None
        ours = record_from_chunk(source, number, bad, None)
        assert ours.problem
        assert ours == record_from_chunk(source, number, bad, None, fast=False)


def test_the_file_reader_still_reports_an_invalid_byte_by_its_record() -> None:
    chunk = invalid_utf8(raw_records(ISO2709)[0])
    (read, problem), = chunks_of(io.BytesIO(chunk))
    record = record_from_chunk(Source(Path("bad.mrc"), "bad", "marc"), 7, read, problem)
    assert record.problem.startswith("is not valid UTF-8 text (byte 0xff)")
    assert str(record.origin) == "bad.mrc record 7 (001 00000002)"


# N-Quads written as text ------------------------------------------------------------

HOSTILE = ['say "hi"', "back\\slash", "line\nbreak\r\n", "tab\there", "\x00\x01\x1f\x7f",
           "\u2028\u2029", "\u202e bidi", "\ufffe\uffff", "😀 Nguyễn", "} ; DROP ALL ; {",
           "<http://x> .", "\\u0041", '"""', "", " ", "ends with \\"]


def _quads(texts: list[str]) -> list[Quad]:
    s, p, g = NamedNode("http://ex.org/s"), NamedNode("http://ex.org/p"), NamedNode(GRAPH)
    objects: list = []
    for text in texts:
        objects += [Literal(text), Literal(text, language="vi"),
                    Literal(text, datatype=NamedNode("http://ex.org/type")),
                    NamedNode(f"http://ex.org/{text.encode().hex()}é")]
    objects += [BlankNode("b1"), NamedNode("http://ex.org/a?b=c&d#e"), NamedNode("urn:x:ü")]
    return [Quad(s, p, o, g) for o in objects] + [Quad(BlankNode("b2"), p, s, g)]


def _same_as_pyoxigraph(quads: list[Quad]) -> None:
    text = nquads([(q.subject, q.predicate, q.object) for q in quads], NamedNode(GRAPH))
    assert text == serialize(quads, format=RdfFormat.N_QUADS)
    assert list(parse(text, format=RdfFormat.N_QUADS)) == quads


def test_nquads_text_is_pyoxigraphs_on_hostile_strings() -> None:
    _same_as_pyoxigraph(_quads(HOSTILE))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",))), max_size=5))
def test_nquads_text_is_pyoxigraphs_on_any_text(texts: list[str]) -> None:
    _same_as_pyoxigraph(_quads(texts))


def test_nquads_text_writes_each_triples_own_subject_when_subjects_alternate() -> None:
    """Subjects are written once per run of the same object: a run that ends, a subject
    that comes back, and equal subjects that are distinct objects keep their lines."""
    p, g = NamedNode("http://ex.org/p"), NamedNode(GRAPH)
    a, b = NamedNode("http://ex.org/a"), BlankNode("b")
    subjects = [a, a, b, a, NamedNode("http://ex.org/a"), b, b, NamedNode("http://ex.org/c")]
    _same_as_pyoxigraph([Quad(s, p, Literal(str(n)), g) for n, s in enumerate(subjects)])


def test_every_character_xml_cannot_carry_is_noticed_by_the_quick_look() -> None:
    unwritable = [chr(c) for c in range(0x110000) if _UNWRITABLE.match(chr(c))]
    assert len(unwritable) == 29 + 2048 + 2
    for character in unwritable:
        assert maybe_unwritable({"title": [f"a{character}b"]})
        assert maybe_unwritable({f"x{character}": "b"})
    assert not maybe_unwritable({"title": ["Nguyễn Văn A", {"a": "b"}], "n": 1})
    assert re.search(r"\\", repr("\t"))  # a tab only costs the slow look
