"""``kg harvest``: a partner's live SPARQL endpoint (a second ``oxigraph serve``) or
dump becomes a source; the next build validates it, and its entities are found
on pages and in SPARQL, with the harvest's provenance in the metadata graph."""

from __future__ import annotations

import gzip
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.harvest import read_provenance
from tests.backends import BASE, OxigraphServer
from tests.support import free_port, kg_command

A_PERSON = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Person>"
PARTNER_DATA = f"""\
<http://partner.example/people/1> {A_PERSON} .
<http://partner.example/people/1> <http://xmlns.com/foaf/0.1/name> "Nguyễn Văn Đối Tác" .
<http://partner.example/people/1> <http://partner.example/key> "nguyen-van-doi-tac" .
<http://partner.example/people/2> {A_PERSON} .
<http://partner.example/people/2> <http://xmlns.com/foaf/0.1/name> "Trần Thị Hợp Tác" .
<http://partner.example/people/2> <http://partner.example/key> "tran-thi-hop-tac" .
<http://partner.example/other> <http://partner.example/key> "not-a-person" .
"""

# The partner's people under our base IRI, linked to theirs (pages need our IRIs).
QUERY = f"""\
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <http://schema.org/>
CONSTRUCT {{ ?ours a foaf:Person, schema:Person ; foaf:name ?name ; owl:sameAs ?theirs }}
WHERE {{
  ?theirs a foaf:Person ; foaf:name ?name ; <http://partner.example/key> ?key .
  BIND(IRI(CONCAT("{BASE}id/person/", ?key)) AS ?ours)
}}
"""


@pytest.fixture(scope="module")
def partner() -> Iterator[OxigraphServer]:
    """A partner's SPARQL endpoint: a second live oxigraph server with its own data."""
    server = OxigraphServer()
    server.load(None, PARTNER_DATA.encode("utf-8"))
    yield server
    server.stop()


def _harvest(*args: str) -> subprocess.CompletedProcess:
    """``kg harvest`` as a command (its real exit code and messages)."""
    return subprocess.run(kg_command("harvest", *args), capture_output=True, text=True,
                          timeout=120)


def test_harvested_entities_are_on_pages_and_in_sparql(partner: OxigraphServer, sources: Path,
                                                       tmp_path: Path) -> None:
    from web import create_app

    query = tmp_path / "partner.rq"
    query.write_text(QUERY, encoding="utf-8")
    out = sources / "partner.nt"
    result = _harvest(partner.url + "/query", "--query", str(query), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "harvested 8 triples" in result.stdout + result.stderr
    provenance = read_provenance(out)
    assert provenance is not None and provenance["source"] == partner.url + "/query"
    assert provenance["query"] == QUERY

    store = tmp_path / "store"
    built = CliRunner().invoke(cli, ["build", str(sources), "--store", str(store)])
    assert built.exit_code == 0, built.output
    client = create_app({"store": str(store)}).test_client()
    page = client.get("/page/person/nguyen-van-doi-tac?lang=en")
    assert page.status_code == 200
    assert "Nguyễn Văn Đối Tác" in page.get_data(as_text=True)
    assert "http://partner.example/people/1" in page.get_data(as_text=True)
    answer = client.get("/sparql", headers={"Accept": "application/sparql-results+json"},
                        query_string={"query": "SELECT ?name WHERE { ?p owl:sameAs ?theirs ; "
                                      "foaf:name ?name FILTER(STRSTARTS(STR(?theirs), "
                                      "'http://partner.example/')) }"})
    names = {b["name"]["value"] for b in answer.get_json()["results"]["bindings"]}
    assert names == {"Nguyễn Văn Đối Tác", "Trần Thị Hợp Tác"}
    # The metadata graph says where the partner's graph came from, and with which query.
    origin = client.get("/sparql", headers={"Accept": "application/sparql-results+json"},
                        query_string={"query": f"SELECT ?from ?query WHERE {{ GRAPH <{BASE}graph/"
                                      "meta> { ?g prov:wasDerivedFrom ?from ; kg:harvestQuery "
                                      "?query } }"})
    rows = origin.get_json()["results"]["bindings"]
    assert [(r["from"]["value"], r["query"]["value"]) for r in rows] == \
        [(partner.url + "/query", QUERY)]


class _Files(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def dump_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A web server on loopback that serves files from a folder (a partner's dumps)."""
    folder = tmp_path / "site"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", free_port()),
        lambda *a: _Files(*a, directory=str(folder)))  # type: ignore[misc]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


TURTLE_DUMP = f"""\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{BASE}id/person/le-van-dump> a foaf:Person ; foaf:name "Lê Văn Dump" .
<{BASE}id/person/no-name> a foaf:Person .
"""


def test_a_dump_is_harvested_and_validated_like_any_source(dump_site: tuple[str, Path],
                                                          sources: Path, tmp_path: Path) -> None:
    url, folder = dump_site
    (folder / "people.ttl.gz").write_bytes(gzip.compress(TURTLE_DUMP.encode("utf-8")))
    out = sources / "partner-dump.nt"
    result = _harvest(url + "/people.ttl.gz", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "harvested 3 triples" in result.stdout + result.stderr
    assert read_provenance(out)["source"] == url + "/people.ttl.gz"
    built = CliRunner().invoke(cli, ["build", str(sources), "--store", str(tmp_path / "s")])
    assert built.exit_code == 1
    assert "partner-dump.nt" in built.output and "'name' is required" in built.output


def test_bad_harvests_are_clear_errors_and_keep_the_old_file(partner: OxigraphServer,
                                                             dump_site: tuple[str, Path],
                                                             tmp_path: Path) -> None:
    url, folder = dump_site
    out = tmp_path / "kept.nt"
    out.write_text("<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n")
    select = tmp_path / "select.rq"
    select.write_text("SELECT * WHERE { ?s ?p ?o }")
    result = _harvest(partner.url + "/query", "--query", str(select), "--out", str(out))
    assert result.returncode == 2 and "CONSTRUCT or DESCRIBE" in result.stdout + result.stderr
    (folder / "broken.ttl").write_text("<http://a.example/s> <http://a.example/p> .\n")
    result = _harvest(url + "/broken.ttl", "--out", str(out))
    assert result.returncode == 2 and "broken.ttl: not valid RDF" in result.stdout + result.stderr
    result = _harvest(url + "/missing.nt", "--out", str(out))
    assert result.returncode == 2 and "404" in result.stdout + result.stderr
    result = _harvest(f"http://127.0.0.1:{free_port()}/sparql", "--query",
                      str(tmp_path / "q.rq"), "--out", str(out))
    assert result.returncode == 2
    assert out.read_text().startswith("<http://a.example/s>")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".harvest-")]
