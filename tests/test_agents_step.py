"""The agents graph made by pattern scans equals what the SPARQL definition declares.

The build declares agents from the names its conversion collected (serial,
in worker processes, or read back from unchanged graphs). The oracle is the
query that used to compute the graph: each agent named by a contribution in
any graph, with the least label and MARC key, unless a source types it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pymarc
import pytest
from pyoxigraph import NamedNode, Quad, Store, Variable

from kg.build import build
from kg.convert import agents, parallel
from kg.iris import Minter
from kg.namespaces import FOAF, PREFIXES, SCHEMA
from kg.sources import discover
from kg.tombstones import read_gone
from tests.marc_support import ISO2709, one_record, raw_records

BASE = "http://127.0.0.1:5000/"
AGENTS = NamedNode(BASE + "graph/agents")
PERSON = BASE + "id/person/"

# ?agents (the agents graph) is bound; Oxigraph binds only projected variables.
DECLARATIONS = """
SELECT ?agent ?agents (MIN(?label) AS ?name) (MIN(?key) AS ?marc) WHERE {
  ?c bf:agent ?agent ; rdfs:label ?label .
  OPTIONAL { ?c bflc:marcKey ?key }
  FILTER NOT EXISTS {
    GRAPH ?h { ?agent a ?class }
    FILTER(?h != ?agents && (?class = foaf:Person || ?class = org:Organization))
  }
} GROUP BY ?agent ?agents"""


def declared_by_sparql(store: Store) -> set[Quad]:
    """The agents graph as the SPARQL definition makes it from the release's other graphs."""
    minter, expected = Minter(BASE), set()
    for row in store.query(DECLARATIONS, prefixes=PREFIXES, use_default_graph_as_union=True,
                           substitutions={Variable("agents"): AGENTS}):
        ref = minter.parse(row["agent"].value)
        if ref is not None and ref.kind in ("person", "organization"):
            marc = row["marc"].value if row["marc"] is not None else ""
            expected |= set(agents._describe(row["agent"], ref.kind, row["name"].value, marc,
                                             AGENTS))
    return expected


def _heading(record: pymarc.Record, tag: str, name: str, dates: str) -> pymarc.Record:
    field = record.get_fields(tag)[0]
    field.subfields = [pymarc.Subfield("a", name), pymarc.Subfield("d", dates)]
    return record


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The MARC sample, a record naming an agent of it differently, a CSV declaring another."""
    folder = tmp_path / "sources"
    folder.mkdir()
    shutil.copyfile(ISO2709, folder / "loc-books.mrc")
    other = one_record(ISO2709, 13)  # names Nguyễn, Văn Thâm (700): here without diacritics
    other["001"].data = "99999999"
    other.get_fields("700")[0].subfields = [pymarc.Subfield("a", "Nguyen, Van Tham.")]
    (folder / "again.mrc").write_bytes(other.as_marc21())
    (folder / "authors-people.csv").write_text(
        "key,name\nnguyen-khac-mai,Nguyễn Khắc Mai\n", encoding="utf-8")
    return folder


@pytest.fixture(params=["serial", "parallel", "bulk"])
def way(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Convert in one process, or in workers that collect names; scan or look up."""
    if request.param == "parallel":
        monkeypatch.setattr(parallel, "MIN_BYTES", 0)
        monkeypatch.setattr(parallel, "BATCH", 3)
    if request.param == "bulk":
        monkeypatch.setattr(agents, "_BULK", 0)
    return request.param


def _agents_graph(store: Store) -> set[Quad]:
    return set(store.quads_for_pattern(None, None, None, AGENTS))


def test_first_build_declares_what_the_query_does(folder: Path, tmp_path: Path, way: str) -> None:
    release = build(discover([folder]), str(tmp_path / "store"), BASE).release
    store = release.open()
    assert _agents_graph(store) == declared_by_sparql(store)
    names = {q.subject.value: q.object.value for q in _agents_graph(store)
             if q.predicate == FOAF.name}
    assert names[PERSON + "nguyen-van-tham"] == "Nguyen, Van Tham"  # the least of two labels
    assert PERSON + "nguyen-khac-mai" not in names  # the CSV declares it
    assert names[PERSON + "mitchell-s-weir-silas-weir-1829-1914"] == "Mitchell, S. Weir"


def test_rebuild_after_a_heading_changed(folder: Path, tmp_path: Path, way: str) -> None:
    store_dir = str(tmp_path / "store")
    build(discover([folder]), store_dir, BASE)
    chunks = raw_records(ISO2709)
    changed = _heading(one_record(ISO2709, 11), "100", "Grogin, Robert C.,", "1935-2020.")
    (folder / "loc-books.mrc").write_bytes(b"".join(chunks[:10]) + changed.as_marc21()
                                           + b"".join(chunks[11:]))
    outcome = build(discover([folder]), store_dir, BASE)
    assert {s.file: s.status for s in outcome.sources}["again.mrc"] == "unchanged"
    store = outcome.release.open()
    assert _agents_graph(store) == declared_by_sparql(store)
    new = NamedNode(PERSON + "grogin-robert-c-1935-2020")
    assert [q.object.value for q in store.quads_for_pattern(new, SCHEMA.deathDate, None,
                                                            AGENTS)] == ["2020"]
    gone = read_gone(outcome.release.path)
    assert gone == {PERSON + "grogin-r-c-robert-c-1935": outcome.release.id}
