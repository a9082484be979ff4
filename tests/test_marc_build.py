"""Building MARC sources: mapped fields checked by SPARQL, agents, bad records, rebuilds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pymarc
import pytest
from pyoxigraph import Literal, NamedNode

from kg.build import build, check
from kg.errors import ValidationFailed
from kg.marc.text import clean, nfc
from kg.sources import discover
from kg.store import EmbeddedSnapshot
from kg.store.releases import ReleaseStore
from tests.marc_support import (
    ISO2709,
    MARC8,
    MARCXML,
    SAMPLE,
    broken_directory,
    invalid_utf8,
    one_record,
    raw_records,
    sample_records,
    without_title,
)
from tests.support import DEMO, kg_command

BASE = "http://127.0.0.1:5000/"


@pytest.fixture(scope="module")
def marc_store(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedSnapshot:
    """One release of the demo and the whole MARC sample."""
    store = tmp_path_factory.mktemp("marc") / "store"
    build(discover([DEMO, SAMPLE]), str(store), BASE)
    return EmbeddedSnapshot(ReleaseStore(store).require_current())


def values(snapshot: EmbeddedSnapshot, query: str, **bound: object) -> list[str]:
    terms = {k: NamedNode(v) if str(v).startswith("http") else Literal(str(v))
             for k, v in bound.items()}
    return sorted(row["v"].value for row in snapshot.query(query, substitutions=terms))


RESOURCE = BASE + "id/resource/"
TITLE = "SELECT ?r ?v WHERE { ?r dcterms:title ?v }"
SUBTITLE = "SELECT ?r ?v WHERE { ?r bf:title/bf:subtitle ?v }"
CREATORS = "SELECT ?r ?v WHERE { ?r bf:instanceOf/bf:contribution ?c . ?c bf:agent ?a . " \
           "{ ?a foaf:name ?v } UNION { ?a skos:prefLabel ?v } }"
ISBN = "SELECT ?r ?v WHERE { ?r bf:identifiedBy ?i . ?i a bf:Isbn ; rdf:value ?v }"
LCC = "SELECT ?r ?v WHERE { ?r bf:instanceOf/bf:classification ?c . ?c a bf:ClassificationLcc ; " \
      "bf:classificationPortion ?v }"
DDC = "SELECT ?r ?v WHERE { ?r bf:instanceOf/bf:classification ?c . ?c a bf:ClassificationDdc ; " \
      "bf:classificationPortion ?v }"
PUBLISHER = "SELECT ?r ?v WHERE { ?r dcterms:publisher ?v }"
ISSUED = "SELECT ?r ?v WHERE { ?r dcterms:issued ?v }"
LANGUAGE = "SELECT ?r ?v WHERE { ?r dcterms:language ?v }"
SUBJECTS = "SELECT ?r ?v WHERE { ?r bf:instanceOf/bf:subject ?s . ?s rdfs:label ?v }"
LINKS = "SELECT ?r ?v WHERE { ?r bf:electronicLocator ?v }"
POLICIES = "SELECT ?r ?v WHERE { ?r bf:usageAndAccessPolicy ?p . ?p a ?class ; rdfs:label ?v }"
NOTES = "SELECT ?r ?v WHERE { ?r bf:note/rdfs:label ?v }"
SERIES = "SELECT ?r ?v WHERE { ?r bf:seriesStatement ?v }"
CONTROL = "SELECT ?r ?v WHERE { ?r bf:adminMetadata/bf:identifiedBy/rdf:value ?v }"


def _subfields(record, tags: str, codes: str) -> list[str]:
    return [clean(v) for f in record.get_fields(*tags.split()) for v in f.get_subfields(*codes)]


@pytest.mark.parametrize("control", ["00000002", "00000255", "00000611", "00001627",
                                     "00030979", "00236597", "00280618", "00000018",
                                     "00280610", "00038160", "2", "12149120"])
def test_mapped_fields_match_the_record(marc_store: EmbeddedSnapshot, control: str) -> None:
    record = sample_records()[control]
    key = ("dlc-" if record.get("003") else "") + control
    r = RESOURCE + key
    assert values(marc_store, CONTROL, r=r) == [control]
    title = record["245"]
    assert values(marc_store, TITLE, r=r) == [clean(" ".join(title.get_subfields("a")))]
    assert values(marc_store, SUBTITLE, r=r) == sorted(_subfields(record, "245", "b"))
    names = [clean(" ".join(f.get_subfields("a"))) for f in record.get_fields("100", "700")
             if not f.get("t")]
    names += [". ".join(clean(v) for v in f.get_subfields("a", "b"))
              for f in record.get_fields("110", "710")]
    assert values(marc_store, CREATORS, r=r) == sorted(nfc(n) for n in names)
    isbns = [v.split()[0] for v in _subfields(record, "020", "a")]
    assert values(marc_store, ISBN, r=r) == sorted(isbns)
    assert values(marc_store, LCC, r=r) == sorted(clean(f["a"]) for f in record.get_fields("050")
                                                  if f.get("a"))
    assert values(marc_store, DDC, r=r) == sorted(clean(f["a"]) for f in record.get_fields("082")
                                                  if f.get("a"))
    publication = (record.get_fields("260") or record.get_fields("264"))[:1]
    publishers = [clean(v) for f in publication for v in f.get_subfields("b")]
    assert values(marc_store, PUBLISHER, r=r) == (["; ".join(publishers)] if publishers else [])
    assert values(marc_store, ISSUED, r=r) == [record["008"].data[7:11]]
    language = "http://id.loc.gov/vocabulary/iso639-2/" + record["008"].data[35:38]
    assert language in values(marc_store, LANGUAGE, r=r)
    headings = ["--".join(clean(s.value) for s in f.subfields if s.code in "avxyz")
                for f in record.get_fields("650", "651")]
    assert values(marc_store, SUBJECTS, r=r) == sorted(nfc(h) for h in headings)
    assert values(marc_store, LINKS, r=r) == sorted(_subfields(record, "856", "u"))
    assert values(marc_store, POLICIES, r=r) == sorted(
        clean(f.format_field()) for f in record.get_fields("506", "540"))
    notes = [f["a"] for f in record.get_fields("500", "504", "546") if f.get("a")]
    assert {" ".join(nfc(n).split()) for n in notes} <= set(values(marc_store, NOTES, r=r))
    assert values(marc_store, SERIES, r=r) == sorted(_subfields(record, "490 440", "a"))


def test_vietnamese_record_by_sparql(marc_store: EmbeddedSnapshot) -> None:
    rows = marc_store.query("""
        SELECT ?title ?publisher ?name WHERE {
          ?r dcterms:title ?title ; dcterms:publisher ?publisher ; dcterms:contributor ?a .
          ?a foaf:name ?name }""", substitutions=None)
    found = {(r["title"].value, r["publisher"].value, r["name"].value) for r in rows}
    assert ("Ngôi chùa, một vùng tâm thức, một vùng thi ca", "Nhà xuất bản Tôn giáo",
            "Nguyễn, Khắc Mai") in found
    title = marc_store.query("SELECT ?r ?t WHERE { ?r dcterms:title ?t }",
                             substitutions={"r": NamedNode(RESOURCE + "dlc-00280608")})
    literal = next(iter(title))["t"]
    assert (literal.value, literal.language) == ("Hướng dẫn kỹ thuật nghiệp vụ hành chính", "vi")


def test_agents_are_people_and_organizations_of_the_graph(marc_store: EmbeddedSnapshot) -> None:
    person = NamedNode(BASE + "id/person/mitchell-s-weir-silas-weir-1829-1914")
    rows = list(marc_store.query(
        "SELECT ?p ?name ?born ?died WHERE { ?p a foaf:Person ; foaf:name ?name ; "
        "schema:birthDate ?born ; schema:deathDate ?died }", substitutions={"p": person}))
    assert [(r["name"].value, r["born"].value, r["died"].value) for r in rows] == [
        ("Mitchell, S. Weir", "1829", "1914")]
    body = NamedNode(BASE + "id/organization/international-atomic-energy-agency")
    assert marc_store.query("SELECT ?o WHERE { ?o a org:Organization ; skos:prefLabel ?l }",
                            substitutions={"o": body})
    manifest = marc_store.manifest
    assert manifest["counts"]["person"] > 8 and manifest["counts"]["organization"] > 9


def _copy(tmp_path: Path, *paths: Path) -> Path:
    folder = tmp_path / "sources"
    folder.mkdir(exist_ok=True)
    for path in paths:
        shutil.copyfile(path, folder / path.name)
    return folder


def test_same_author_in_two_marc_files_and_a_csv_is_one_entity(tmp_path: Path,
                                                               store_dir: Path) -> None:
    folder = _copy(tmp_path, ISO2709)
    other = one_record(ISO2709, 12)  # names Nguyễn, Khắc Mai (700), as another record will
    other["001"].data = "99999999"
    other["245"]["a"] = "Another book by the same editor."
    (folder / "again.mrc").write_bytes(other.as_marc21())
    (folder / "authors-people.csv").write_text(
        "key,name,family_name,given_name\n"
        "nguyen-khac-mai,Nguyễn Khắc Mai,Nguyễn,Khắc Mai\n", encoding="utf-8")
    outcome = build(discover([folder]), str(store_dir), BASE)
    snapshot = EmbeddedSnapshot(outcome.release)
    person = NamedNode(BASE + "id/person/nguyen-khac-mai")
    graphs = {q.graph_name.value for q in snapshot.quads(person, None, None, None)}
    assert graphs == {BASE + "graph/authors-people-csv"}  # the CSV's declaration counts
    names = [q.object.value for q in snapshot.quads(person, None, None, None)
             if q.predicate.value.endswith("/name")]
    assert names == ["Nguyễn Khắc Mai"]
    linked = {q.graph_name.value for q in snapshot.quads(None, None, person, None)}
    assert linked == {BASE + "graph/loc-books-mrc", BASE + "graph/again-mrc"}
    # Without the CSV the agent is declared once, in the agents graph.
    (folder / "authors-people.csv").unlink()
    outcome = build(discover([folder]), str(store_dir), BASE)
    snapshot = EmbeddedSnapshot(outcome.release)
    declared = {q.graph_name.value for q in snapshot.quads(person, None, None, None)}
    assert declared == {BASE + "graph/agents"}
    assert outcome.release.manifest()["counts"]["person"] == len(
        {q.subject for q in snapshot.quads(None, None, None, NamedNode(BASE + "graph/agents"))
         if "/person/" in q.subject.value})


def test_rebuild_after_small_change_leaves_marc_graph_untouched(tmp_path: Path,
                                                                store_dir: Path) -> None:
    folder = _copy(tmp_path, ISO2709, MARCXML, MARC8)
    shutil.copytree(DEMO, folder / "demo")
    first = build(discover([folder]), str(store_dir), BASE)
    people = folder / "demo" / "people.csv"
    people.write_text(people.read_text(encoding="utf-8") + "le-van-c,Le Van C,,Le,Van C,,\n",
                      encoding="utf-8")
    second = build(discover([folder]), str(store_dir), BASE)
    status = {s.file: s.status for s in second.sources}
    assert status["loc-books.mrc"] == status["loc-books.marcxml"] == "unchanged"
    assert status["demo/people.csv"] == "changed"
    manifest = second.release.manifest()
    assert manifest["sources"]["loc-books-mrc"]["loaded_in"] == first.release.id
    assert manifest["sources"]["loc-books-mrc"]["triples"] == \
        first.release.manifest()["sources"]["loc-books-mrc"]["triples"]
    assert manifest["counts"]["person"] == first.release.manifest()["counts"]["person"] + 1


def _bad_file(tmp_path: Path) -> Path:
    chunks = raw_records(ISO2709)
    bad = tmp_path / "bad.mrc"
    bad.write_bytes(chunks[0] + without_title(chunks[1]) + invalid_utf8(chunks[2])
                    + broken_directory(chunks[3]) + chunks[4])
    return bad


def test_bad_records_fail_the_build_by_default(tmp_path: Path, store_dir: Path) -> None:
    build(discover([MARC8]), str(store_dir), BASE)
    before = ReleaseStore(store_dir).require_current()
    with pytest.raises(ValidationFailed) as caught:
        build(discover([MARC8, _bad_file(tmp_path)]), str(store_dir), BASE)
    lines = caught.value.report.report.lines()
    assert "bad.mrc record 2 (001 00000004): has no title (245 $a)" in lines
    assert any(line.startswith("bad.mrc record 3 (001 00000006): is not valid UTF-8")
               for line in lines)
    assert "bad.mrc record 4 (001 00000007): has a broken directory" in lines
    assert ReleaseStore(store_dir).require_current() == before


def test_skip_publishes_the_good_records_and_counts_the_bad(tmp_path: Path,
                                                            store_dir: Path) -> None:
    outcome = build(discover([_bad_file(tmp_path)]), str(store_dir), BASE, on_error="skip")
    assert outcome.published and outcome.report.skipped == 3
    assert outcome.records == 2
    assert [p.severity for p in outcome.report.problems] == ["warning"] * 3
    assert outcome.release.manifest()["counts"]["resource"] == 2
    checked = check(discover([_bad_file(tmp_path)]), BASE, on_error="skip")
    assert checked.report.conforms and checked.report.skipped == 3


def kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(kg_command(*args), capture_output=True, text=True)


def test_on_error_from_the_command_line(tmp_path: Path, store_dir: Path) -> None:
    bad = _bad_file(tmp_path)
    failed = kg("build", "--store", str(store_dir), str(bad))
    assert failed.returncode == 1
    assert "bad.mrc record 4 (001 00000007): has a broken directory" in failed.stderr
    assert "nothing published" in failed.stderr
    skipped = kg("build", "--store", str(store_dir), "--on-error=skip", str(bad))
    assert skipped.returncode == 0, skipped.stderr
    assert "3 records skipped" in skipped.stdout
    assert "warning: bad.mrc record 2 (001 00000004): skipped: has no title" in skipped.stderr
    validated = kg("validate", "--on-error", "skip", str(bad))
    assert validated.returncode == 0 and "3 records skipped" in validated.stdout
    assert kg("validate", str(bad)).returncode == 1
    assert kg("validate", "--on-error=maybe", str(bad)).returncode == 2


def _graph_and_report(tmp_path: Path, name: str, *sources: Path, on_error: str = "fail"):
    store = tmp_path / name
    try:
        outcome = build(discover(list(sources)), str(store), BASE, on_error=on_error)
    except ValidationFailed as failure:
        return None, failure.report.report.lines()
    release = outcome.release.open()
    meta = NamedNode(BASE + "graph/meta")  # dates and release ids differ from build to build
    return ({q for q in release.quads_for_pattern(None, None, None, None) if q.graph_name != meta},
            outcome.report.lines())


def test_large_files_convert_on_every_core_to_the_same_graph(tmp_path: Path,
                                                             monkeypatch) -> None:
    from kg.convert import parallel

    bad = _bad_file(tmp_path)
    serial = [_graph_and_report(tmp_path, "serial", ISO2709, MARC8),
              _graph_and_report(tmp_path, "serial-bad", bad),
              _graph_and_report(tmp_path, "serial-skip", bad, on_error="skip")]
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH", 3)  # several batches, a duplicate across two
    assert parallel.worth_it(discover([ISO2709])[0])
    both = tmp_path / "both.mrc"
    both.write_bytes(ISO2709.read_bytes() + raw_records(ISO2709)[0])
    assert [_graph_and_report(tmp_path, "parallel", ISO2709, MARC8),
            _graph_and_report(tmp_path, "parallel-bad", bad),
            _graph_and_report(tmp_path, "parallel-skip", bad, on_error="skip")] == serial
    _, lines = _graph_and_report(tmp_path, "duplicate", both)
    assert lines == ["both.mrc record 15 (001 00000002) (dlc-00000002): duplicate key: resource "
                     "'dlc-00000002' is already defined at both.mrc record 1 (001 00000002)"]


def test_a_large_file_is_converted_apart_and_taken_in_after_its_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' results go to a process forked for the conversion; the build process
    takes in their keys, problems and names only once the text is loaded (they would
    stay in its heap through the load's memory peak), and reports them as before."""
    import kg.build as build_module
    from kg.convert import parallel
    from kg.store.staging import StagingView

    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "BATCH", 3)
    pids = tmp_path / "pids"
    pooling = parallel._pool_results

    def recording_pid(*args):  # type: ignore[no-untyped-def]
        with pids.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return pooling(*args)

    runs: list = []
    starting = build_module._Run.__init__
    monkeypatch.setattr(build_module._Run, "__init__", lambda self, *a, **k: (
        starting(self, *a, **k), runs.append(self))[0])
    held_at_load: list[tuple[int, int, int]] = []
    loading = StagingView.load_ntriples_written_by

    def load(self, graph, write, *args, **kwargs):  # type: ignore[no-untyped-def]
        def writing(sink):  # type: ignore[no-untyped-def]
            converted = write(sink)
            run = runs[-1]
            held_at_load.append((len(run.registry.origins), len(run.report.problems),
                                 sum(map(len, run.names.values()))))
            return converted
        return loading(self, graph, writing, *args, **kwargs)

    named: list[dict] = []
    refreshing = build_module.refresh_agents
    monkeypatch.setattr(build_module, "refresh_agents", lambda view, minter, candidates, names: (
        named.append(dict(names)), refreshing(view, minter, candidates, names))[1])
    monkeypatch.setattr(parallel, "_pool_results", recording_pid)
    monkeypatch.setattr(StagingView, "load_ntriples_written_by", load)
    both = tmp_path / "both.mrc"
    both.write_bytes(ISO2709.read_bytes() + raw_records(ISO2709)[0])  # a duplicate key
    with pytest.raises(ValidationFailed) as failure:
        build(discover([both]), str(tmp_path / "store"), BASE)
    assert held_at_load == [(0, 0, 0)]
    assert [int(pid) for pid in pids.read_text().split()] != [os.getpid()]
    run = runs[-1]
    assert len(run.registry.origins) == len(raw_records(ISO2709))
    assert any("duplicate key" in line for line in failure.value.report.report.lines())
    assert named[0][BASE + "graph/both-mrc"]  # the agents step got the workers' names


def test_the_build_takes_a_conversion_in_from_its_watch_on_the_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build watches its load (``PastPeak``) and takes the conversion in when the
    watch fires; its own call after the load then changes nothing. (A 14-record load
    never passes a 256 MiB peak: here the watch fires as soon as it starts.)"""
    import kg.build as build_module
    from kg.convert import parallel
    from kg.store.load_peak import PastPeak

    both = tmp_path / "both.mrc"
    both.write_bytes(ISO2709.read_bytes() + raw_records(ISO2709)[0])  # a duplicate key

    def report_lines() -> list[str]:
        with pytest.raises(ValidationFailed) as failure:
            build(discover([both]), str(tmp_path / f"store-{len(fired)}"), BASE)
        return failure.value.report.report.lines()

    fired: list[str] = []
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    alone = report_lines()

    class FiringAtOnce(PastPeak):
        def start(self) -> PastPeak:
            fired.append("watch")
            self.then()
            return self

    settling = parallel.Converted.settle
    monkeypatch.setattr(build_module, "PastPeak", FiringAtOnce)
    monkeypatch.setattr(parallel.Converted, "settle", lambda self, *a: (
        fired.append("settle" if self._settled is False else "again"), settling(self, *a))[1])
    assert report_lines() == alone  # one duplicate key, reported once
    assert fired == ["watch", "settle", "again"]


def test_a_conversion_apart_is_taken_in_once_from_whichever_thread_comes_first(
        tmp_path: Path) -> None:
    """The build takes in a conversion's results past the load's peak, from a watching
    thread, or after the load; the second call changes nothing, or raises the error."""
    import threading

    from kg.convert import Registry, parallel
    from kg.iris import Minter
    from kg.report import Report
    from tests.remote_support import Steps

    def converted() -> parallel.Converted:
        with (tmp_path / "text.nt").open("wb") as sink:
            return parallel.convert_marc(discover([ISO2709])[0], NamedNode(BASE + "graph/g"),
                                         Minter(BASE), False, Steps(), sink)

    done, report, registry, names = converted(), Report(), Registry(), {}
    ahead = threading.Thread(target=done.settle_ahead, args=(report, registry, names))
    ahead.start()
    ahead.join()
    taken = (len(registry.origins), list(report.problems), dict(names))
    assert taken[0] == done.records == len(raw_records(ISO2709)) and taken[2]
    done.settle(report, registry, names)
    assert (len(registry.origins), list(report.problems), dict(names)) == taken
    assert not done._results.exists()

    broken = converted()
    broken._results.unlink()
    broken.settle_ahead(Report(), Registry(), {})  # in its thread: kept for the build
    with pytest.raises(FileNotFoundError):
        broken.settle(Report(), Registry(), {})


def test_a_check_converts_a_large_file_apart_as_in_one_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``kg check`` keeps no texts: its text is removed with its folder by the load, and
    the conversion's results must outlive it."""
    from kg.convert import parallel

    def checked() -> tuple:
        outcome = check(discover([ISO2709]), BASE)
        return outcome.records, outcome.triples, outcome.report.lines()

    serial = checked()
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    assert checked() == serial


def test_conversion_workers_die_of_sigterm_as_by_default(tmp_path: Path) -> None:
    """The pool stops its workers with SIGTERM even when all went well: a worker must
    not inherit the conversion process's handler (with it, a 250,000-record build hung
    at the pool's end, a worker blocked on the queue's lock on its way out)."""
    import signal

    from kg.convert import parallel

    signal.signal(signal.SIGTERM, lambda *_: None)  # as the conversion process has one
    try:
        parallel._start(BASE)
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.mark.parametrize("failing", ["raises", "exits"])
def test_a_conversion_failing_apart_fails_the_build_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    """An error in the conversion process is the build's; a process that dies says so."""
    from kg.convert import parallel
    from kg.errors import StoreError

    def fail(*args):  # type: ignore[no-untyped-def]
        if failing == "exits":
            os._exit(3)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_pool_results", fail)
    store = tmp_path / "store"
    with pytest.raises(StoreError) as error:
        build(discover([ISO2709]), str(store), BASE)
    said = "exit code 3" if failing == "exits" else "the disk holding the store is full"
    assert said in str(error.value)
    assert ReleaseStore(str(store), 3).current() is None
    assert [p.name for p in (store / "staging").iterdir()] == []


def test_workers_text_holds_only_valid_terms(tmp_path: Path, monkeypatch) -> None:
    """The workers write terms pyoxigraph made (and checked): a link that is no IRI is
    left out, as on the serial path, and what the store holds reads back with a strict
    parser (the dump helpers and the index read kept texts leniently)."""
    from pyoxigraph import RdfFormat, parse, serialize

    from kg.convert import parallel

    record = one_record(ISO2709, 1)
    for url in ("http://example.org/a{b}", "http://example.org/a<b>", "http://example.org/a\\b",
                'http://example.org/"q"', "http://example.org/a^b|c`d", "http://example.org/ok"):
        record.add_field(pymarc.Field(tag="856", indicators=pymarc.Indicators("4", "0"),
                                      subfields=[pymarc.Subfield("u", url)]))
    record.add_field(pymarc.Field(tag="546", indicators=pymarc.Indicators(" ", " "),
                                  subfields=[pymarc.Subfield("a", 'Tiếng Việt "\\n" <b> \t')]))
    path = tmp_path / "odd.mrc"
    path.write_bytes(record.as_marc21() + b"".join(raw_records(ISO2709)[1:]))
    serial = _graph_and_report(tmp_path, "serial", path)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    workers = _graph_and_report(tmp_path, "workers", path)
    assert workers == serial
    graph, lines = workers
    assert sum("is not a web address; left out" in line for line in lines) == 5
    links = {q.object.value for q in graph if q.predicate.value.endswith("electronicLocator")
             and q.subject.value == RESOURCE + "dlc-00000002"}
    assert links == {"http://example.org/ok"}
    text = serialize(graph, format=RdfFormat.N_QUADS)
    assert set(parse(text, format=RdfFormat.N_QUADS)) == graph  # strict: it raises on a bad IRI


def test_yaml_contributor_named_inline_is_declared_once(tmp_path: Path, store_dir: Path) -> None:
    source = tmp_path / "resources.yaml"
    source.write_text(
        "resources:\n"
        "  - key: so-tay-thu-vien\n"
        "    title: Sổ tay thư viện\n"
        "    language: vi\n"
        "    primary_contributor: {agent: le-van-b, role: edt, name: 'Lê, Văn B'}\n"
        "    ddc: [{number: '025.04', edition: '23'}]\n"
        "    subject_headings: [{label: Việt Nam, type: place}]\n"
        "    notes: [{type: contents, text: 'Phần 1 -- Phần 2'}]\n", encoding="utf-8")
    snapshot = EmbeddedSnapshot(build(discover([source]), str(store_dir), BASE).release)
    rows = list(snapshot.query(
        "SELECT ?p ?name ?g WHERE { GRAPH ?g { ?p a foaf:Person ; foaf:name ?name } }",
        substitutions={"p": NamedNode(BASE + "id/person/le-van-b")}))
    assert [(r["name"].value, r["g"].value) for r in rows] == [("Lê, Văn B", BASE + "graph/agents")]
    r = RESOURCE + "so-tay-thu-vien"
    assert values(snapshot, "SELECT ?r ?v WHERE { ?r dcterms:spatial/rdfs:label ?v }", r=r) == [
        "Việt Nam"]
    assert values(snapshot, "SELECT ?r ?v WHERE { ?r bf:note/bf:noteType ?v }", r=r) == ["contents"]
    edition = "SELECT ?r ?v WHERE { ?r bf:instanceOf/bf:classification/bf:edition ?v }"
    assert values(snapshot, edition, r=r) == ["23"]


def test_agents_declared_alike_one_by_one_and_in_bulk(tmp_path: Path, monkeypatch) -> None:
    from kg.convert import agents

    folder = _copy(tmp_path, ISO2709, MARCXML)
    (folder / "authors-people.csv").write_text(
        "key,name\nnguyen-khac-mai,Nguyễn Khắc Mai\n", encoding="utf-8")
    one_by_one = _graph_and_report(tmp_path, "one", folder)
    monkeypatch.setattr(agents, "_BULK", 0)
    assert _graph_and_report(tmp_path, "bulk", folder) == one_by_one
    declared = {q.subject.value for q in one_by_one[0] if q.graph_name.value.endswith("/agents")}
    assert BASE + "id/person/nguyen-khac-mai" not in declared
    assert BASE + "id/person/mitchell-s-weir-silas-weir-1829-1914" in declared


def test_values_that_cannot_be_mapped_are_left_out_with_a_warning(tmp_path: Path,
                                                                  store_dir: Path) -> None:
    record = one_record(ISO2709, 1)
    for url in ("www.nap.edu", "http://www.access.gpo.gov/su docs/aces/aces160.shtml"):
        record.add_field(pymarc.Field(tag="856", indicators=pymarc.Indicators("4", "0"),
                                      subfields=[pymarc.Subfield("u", url)]))
    record.add_field(pymarc.Field(tag="041", indicators=pymarc.Indicators("0", " "),
                                  subfields=[pymarc.Subfield("a", "engfre"),
                                             pymarc.Subfield("a", "g")]))
    path = tmp_path / "links.mrc"
    path.write_bytes(record.as_marc21())
    outcome = build(discover([path]), str(store_dir), BASE)
    assert outcome.published
    assert outcome.report.lines() == [
        "warning: links.mrc record 1 (001 00000002) (dlc-00000002): 041 $a 'g' is not a language "
        "code; left out",
        "warning: links.mrc record 1 (001 00000002) (dlc-00000002): 856 $u 'www.nap.edu' is not a "
        "web address; left out"]
    snapshot = EmbeddedSnapshot(outcome.release)
    r = RESOURCE + "dlc-00000002"
    assert values(snapshot, LINKS, r=r) == [
        "http://www.access.gpo.gov/su%20docs/aces/aces160.shtml"]
    assert [v.rpartition("/")[2] for v in values(snapshot, LANGUAGE, r=r)] == ["eng", "fre"]


def test_every_record_page_answers_with_its_links_in_json_ld(marc_store: EmbeddedSnapshot,
                                                             tmp_path: Path) -> None:
    """A record with an 856 link has two urls: its page's and the link (it once gave a 500)."""
    from web import create_app

    store = marc_store.release.path.parent.parent
    client = create_app({"store": str(store), "run_dir": str(tmp_path / "run")}).test_client()
    linked = values(marc_store, "SELECT ?v WHERE { ?v bf:electronicLocator ?l }")
    assert linked
    for iri in sorted(set(linked) | {RESOURCE + "dlc-00000002"}):
        response = client.get("/page/resource/" + iri.removeprefix(RESOURCE))
        assert response.status_code == 200, iri
        text = response.get_data(as_text=True)
        document = json.loads(text.split('<script type="application/ld+json">')[1]
                              .split("</script>")[0])
        urls = document["url"] if isinstance(document["url"], list) else [document["url"]]
        assert urls[0].endswith("/page/resource/" + iri.removeprefix(RESOURCE))
        if iri in linked:
            links = values(marc_store, "SELECT ?r ?v WHERE { ?r bf:electronicLocator ?v }", r=iri)
            assert links == [url["@id"] for url in urls[1:]]
