"""``kg export``: every format, CSV safe for spreadsheets and buildable again."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from kg.cli import cli
from kg.export.tables import neutralize
from kg.store.releases import ReleaseStore
from tests.conftest import BASE, build_store
from tests.schemas import METADATA_SCHEMAS, OAI_DC, _check, schema
from tests.support import DEMO

FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")
PERSON = URIRef("http://xmlns.com/foaf/0.1/Person")


def run_export(runner, store: Path, *args: str):
    return runner.invoke(cli, ["export", "--store", str(store), *args])


def release_store(store: Path) -> Store:
    return ReleaseStore(store).require_current().open()


@pytest.mark.parametrize("name, rdf_format", [("nq", RdfFormat.N_QUADS),
                                              ("jsonld", RdfFormat.JSON_LD)])
def test_whole_release_with_graphs(runner, demo_store: Path, tmp_path: Path, name: str,
                                   rdf_format: RdfFormat) -> None:
    out = tmp_path / f"all.{name}.gz"
    result = run_export(runner, demo_store, "--format", name, "--out", str(out))
    assert result.exit_code == 0, result.output
    loaded = Store()
    with gzip.open(out) as handle:
        loaded.load(handle, rdf_format)
    assert set(loaded) == set(release_store(demo_store))


@pytest.mark.parametrize("name, rdflib_format", [("nt", "nt"), ("ttl", "turtle")])
def test_whole_release_as_one_graph(runner, demo_store: Path, tmp_path: Path, name: str,
                                    rdflib_format: str) -> None:
    out = tmp_path / f"all.{name}"
    assert run_export(runner, demo_store, "--format", name, "--out", str(out)).exit_code == 0
    exported = Graph().parse(out, format=rdflib_format)
    union = {(q.subject, q.predicate, q.object) for q in release_store(demo_store)}
    assert len(exported) == len(union)


def test_descriptions_of_one_kind(runner, demo_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "people.ttl"
    result = run_export(runner, demo_store, "--format", "ttl", "--kind", "people",
                        "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 8 records" in result.output
    graph = Graph().parse(out, format="turtle")
    people = set(graph.subjects(predicate=None, object=PERSON))
    assert len(people) == 8
    assert all(graph.value(p, FOAF_NAME) is not None for p in people)


def test_csv_has_the_source_columns_and_builds_the_same_graph(runner, demo_store: Path,
                                                              tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(DEMO, sources)
    for kind, file in (("people", "people.csv"), ("organizations", "organizations.csv"),
                       ("positions", "positions.csv")):
        out = tmp_path / file
        result = run_export(runner, demo_store, "--format", "csv", "--kind", kind,
                            "--out", str(out))
        assert result.exit_code == 0, result.output
        shutil.copy(out, sources / file)  # the export replaces the source
    header = (sources / "people.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("key,name,alt_name,family_name,given_name,honorific")
    rebuilt = build_store(tmp_path / "store", sources)
    for graph in ("people-csv", "organizations-csv", "positions-csv"):
        original = _graph(release_store(demo_store), graph)
        again = _graph(release_store(rebuilt), graph)
        assert isomorphic(original, again), graph


def _graph(store: Store, name: str) -> Graph:
    graph = Graph()
    text = b"".join(
        f"{q.subject} {q.predicate} {q.object} .\n".encode()
        for q in store.quads_for_pattern(None, None, None, NamedNode(BASE + "graph/" + name)))
    return graph.parse(data=text.decode("utf-8"), format="nt")


def test_csv_cells_cannot_become_formulas(runner, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    names = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+84 28 3775 5035", "-1",
             "@SUM(A1:A2)", "Ordinary Name"]
    rows = ["key,name,notes"] + [f'p{n},"{name.replace(chr(34), chr(34) * 2)}",'
                                 f'"\tnote {n}"' for n, name in enumerate(names)]
    (sources / "people.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = build_store(tmp_path / "store", sources)
    out = tmp_path / "people.csv"
    assert run_export(runner, store, "--format", "csv", "--kind", "person",
                      "--out", str(out)).exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by_key = {row["key"]: row for row in table}
    for number, name in enumerate(names):
        cell = by_key[f"p{number}"]["name"]
        expected = name if name == "Ordinary Name" else "'" + name
        assert cell == expected


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Cường", "Cường"), ("a=b", "a=b"), ("", ""),
])
def test_neutralize(cell: str, safe: str) -> None:
    assert neutralize(cell) == safe


def test_dublin_core_records_valid_against_oai_dc(runner, demo_store: Path,
                                                  tmp_path: Path) -> None:
    out = tmp_path / "dc.xml"
    result = run_export(runner, demo_store, "--format", "oai_dc", "--out", str(out))
    assert result.exit_code == 0, result.output
    records = ET.parse(out).getroot().findall("record")
    assert len(records) == 9
    from lxml import etree

    validator = schema(METADATA_SCHEMAS[OAI_DC])
    for record in etree.parse(str(out)).getroot():
        _check(validator, record[0])
    kinds = sorted({r.get("kind") for r in records})
    assert kinds == ["agreement", "event", "resource"]


@pytest.mark.parametrize("args, message", [
    (["--format", "csv"], "needs one --kind"),
    (["--format", "csv", "--kind", "people", "--kind", "events"], "needs one --kind"),
    (["--format", "oai_dc", "--kind", "person"], "does not describe person"),
    (["--format", "nt", "--kind", "unicorns"], "unknown kind 'unicorns'"),
    (["--format", "mods"], "Invalid value for '--format'"),
])
def test_bad_requests_exit_2_and_leave_no_file(demo_store: Path, tmp_path: Path, args,
                                               message: str) -> None:
    import subprocess

    from tests.support import kg_command

    out = tmp_path / "out.file"
    result = subprocess.run(kg_command("export", "--store", str(demo_store), *args,
                                       "--out", str(out)), capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr
    assert not out.exists() and not (tmp_path / "out.file.part").exists()
