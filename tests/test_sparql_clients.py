"""``kg serve`` on a free port with real clients: SPARQLWrapper, rdflib's SPARQLStore,
urllib, ``kg query --endpoint``; the time limit and SERVICE refusal seen from outside.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.conftest import BASE
from tests.sparql_support import CONNEG, Listener, check_body, http, query_processes
from tests.support import Server, kg_command

PEOPLE = """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?person ?name WHERE { ?person a foaf:Person ; foaf:name ?name } ORDER BY ?name"""
ORGANIZATIONS = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT { ?o skos:prefLabel ?l } WHERE { ?o a org:Organization ; skos:prefLabel ?l }"""
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CUONG = URIRef(BASE + "id/person/trinh-phi-cuong")
TDTU = URIRef(BASE + "id/organization/ton-duc-thang-university")
PREF_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")


def _wrapper(server: Server, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_results_format(live_server: Server,
                                                      return_format: str) -> None:
    result = _wrapper(live_server, PEOPLE, return_format).query()
    converted = result.convert()
    if return_format == JSON:
        names = [b["name"]["value"] for b in converted["results"]["bindings"]]
    elif return_format == XML:
        names = [node.firstChild.firstChild.data for node in converted.getElementsByTagName(
            "binding") if node.getAttribute("name") == "name"]
    else:
        delimiter = "," if return_format == CSV else "\t"
        rows = list(csv.reader(io.StringIO(converted.decode("utf-8")), delimiter=delimiter))
        names = [row[1].strip('"') for row in rows[1:]]
    assert len(names) == 8 and "Trịnh Phi Cường" in names


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(live_server: Server, return_format: str) -> None:
    converted = _wrapper(live_server, "ASK { ?p a <http://xmlns.com/foaf/0.1/Person> }",
                         return_format).query().convert()
    if return_format == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_in_every_rdf_format(live_server: Server,
                                                     return_format: str) -> None:
    client = _wrapper(live_server, ORGANIZATIONS, return_format)
    client.setMethod(POST)
    converted = client.query().convert()
    graph = converted if isinstance(converted, Graph) else Graph().parse(
        data=converted, format="turtle" if return_format in (TURTLE, N3) else "json-ld")
    assert (TDTU, PREF_LABEL, Literal("Ton Duc Thang University", lang="en")) in graph
    assert len(graph) >= 12


def test_rdflib_sparqlstore_select_ask_construct(live_server: Server) -> None:
    graph = Graph(store="SPARQLStore")
    graph.open(live_server.url + "/sparql")
    rows = list(graph.query(PEOPLE))
    assert (CUONG, Literal("Trịnh Phi Cường")) in {(row[0], row[1]) for row in rows}
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    constructed = graph.query(ORGANIZATIONS).graph
    assert (TDTU, PREF_LABEL, Literal("Ton Duc Thang University", lang="en")) in constructed
    assert (CUONG, URIRef("http://xmlns.com/foaf/0.1/name"), None) in graph


@pytest.mark.parametrize("query, accept, media_type", CONNEG)
def test_conneg_matrix_over_http(live_server: Server, query: str, accept: str | None,
                                 media_type: str) -> None:
    reply = http(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": accept} if accept else {})
    assert reply.status == 200, reply.text
    assert reply.headers["Content-Type"].split(";")[0] == media_type
    check_body(reply.body, media_type)


def test_repeated_get_gets_304(live_server: Server) -> None:
    url = live_server.url + "/sparql?" + urllib.parse.urlencode({"query": PEOPLE})
    first = http(url, headers={"Accept": "text/csv"})
    assert first.status == 200 and first.headers["Cache-Control"].startswith("public")
    again = http(url, headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]})
    assert again.status == 304 and again.body == b""
    by_date = http(url, headers={"Accept": "text/csv",
                                 "If-Modified-Since": first.headers["Last-Modified"]})
    assert by_date.status == 304


def test_both_post_forms_and_content_type_errors(live_server: Server) -> None:
    url = live_server.url + "/sparql"
    form = http(url, urllib.parse.urlencode({"query": PEOPLE}).encode(), {
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    direct = http(url, PEOPLE.encode(), {"Content-Type": "application/sparql-query",
                                         "Accept": "text/csv"})
    assert form.status == direct.status == 200 and form.body == direct.body
    wrong = http(url, PEOPLE.encode(), {"Content-Type": "text/plain"})
    assert wrong.status == 415 and "application/sparql-query" in wrong.text


def test_kg_query_endpoint_gives_the_local_output(live_server: Server, demo_store: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    def kg(*args: str) -> str:
        done = CliRunner().invoke(cli, ["query", *args])
        assert done.exit_code == 0, done.output
        return done.output

    remote = ["--endpoint", live_server.url + "/sparql"]
    local = ["--store", str(demo_store)]
    for fmt in ("table", "csv", "tsv"):
        assert kg(PEOPLE, *remote, "--format", fmt) == kg(PEOPLE, *local, "--format", fmt)
    remote_json = json.loads(kg(PEOPLE, *remote, "--format", "json"))
    assert remote_json == json.loads(kg(PEOPLE, *local, "--format", "json"))
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("nq", "nquads")):
        theirs = Graph().parse(data=kg(ORGANIZATIONS, *remote, "--format", fmt), format=parser)
        ours = Graph().parse(data=kg(ORGANIZATIONS, *local, "--format", fmt), format=parser)
        assert set(theirs) == set(ours) and len(ours) >= 12
    assert kg("ASK { ?s ?p ?o }", *remote).strip() == "true"


def test_kg_query_endpoint_errors_exit_2(live_server: Server) -> None:
    bad = subprocess.run(kg_command("query", "SELECT * { ?s ?p }", "--endpoint",
                                    live_server.url + "/sparql"), capture_output=True, text=True)
    assert bad.returncode == 2 and "syntax error" in bad.stderr
    down = subprocess.run(kg_command("query", "ASK {}", "--endpoint", "http://127.0.0.1:9/sparql"),
                          capture_output=True, text=True)
    assert down.returncode == 2 and "cannot reach" in down.stderr


def test_service_to_an_unlisted_endpoint_makes_no_connection(live_server: Server) -> None:
    listener = Listener()
    try:
        prefix = listener.url.removesuffix("sparql")
        for query in (f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                      f"PREFIX : <{prefix}> SELECT * {{ SERVICE:sparql {{ ?s ?p ?o }} }}",
                      f"SELECT * {{ SERVICESILENT<{listener.url}> {{ ?s ?p ?o }} }}"):
            reply = http(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
            assert reply.status == 403 and "not allowed" in reply.text
        assert listener.connections() == 0
    finally:
        listener.close()


@pytest.fixture(scope="module")
def limited_server(demo_store: Path) -> Iterator[Server]:
    server = Server(demo_store, {"KG_QUERY_TIMEOUT": "1.5"})
    yield server
    server.stop()


def test_heavy_query_is_stopped_while_other_clients_are_served(limited_server: Server) -> None:
    url = limited_server.url + "/sparql"
    outcome: dict[str, object] = {}

    def heavy() -> None:
        started = time.monotonic()
        outcome["reply"] = http(url, urllib.parse.urlencode({"query": CROSS_PRODUCT}).encode(),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    light = []
    seen: set[int] = set()  # every query process that existed while the heavy query ran
    simple = url + "?" + urllib.parse.urlencode({"query": "ASK { ?s a foaf:Person }"})
    while thread.is_alive():
        seen |= set(query_processes(limited_server.process.pid))
        began = time.monotonic()
        reply = http(simple)
        light.append((reply.status, time.monotonic() - began))
    thread.join()
    reply = outcome["reply"]
    assert reply.status == 503  # type: ignore[attr-defined]
    assert "longer than the limit of 1.5 s and was stopped" in reply.text  # type: ignore[attr-defined]
    # Stopped at the limit, not when the query would end (it never would);
    # the margins are for a machine loaded by other work.
    assert 1.5 <= outcome["seconds"] < 8  # type: ignore[operator]
    assert len(light) >= 3 and all(status == 200 for status, _ in light)
    assert max(seconds for _, seconds in light) < 3
    # Exactly one process, the one that ran the heavy query, was killed (and
    # reaped); light queries never end a process. Its replacement keeps the count.
    now = set(query_processes(limited_server.process.pid))
    assert len(seen - now) == 1
    assert 1 <= len(now) <= 4  # at most one per thread of the one web worker


def test_a_new_release_is_queried_and_old_validators_expire(sources: Path,
                                                           tmp_path: Path) -> None:
    from kg.build import build
    from kg.sources import discover
    from tests.conftest import build_store

    demo = sources
    store = build_store(tmp_path / "store", demo)
    server = Server(store)
    try:
        url = server.url + "/sparql?" + urllib.parse.urlencode(
            {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }"})
        first = http(url, headers={"Accept": "text/csv"})
        assert first.text.splitlines() == ["n", "8"]
        with (demo / "people.csv").open("a", encoding="utf-8") as handle:
            handle.write("le-van-c,Le Van C,,Le,Van C,,\n")
        build(discover([demo]), str(store), BASE)
        again = http(url, headers={"Accept": "text/csv", "If-None-Match": first.headers["ETag"]})
        assert again.status == 200 and again.text.splitlines() == ["n", "9"]
        assert again.headers["ETag"] != first.headers["ETag"]
    finally:
        server.stop()


def test_long_get_queries_pass_gunicorn(live_server: Server) -> None:
    query = "ASK { ?s ?p ?o } # " + "x" * 6000  # past gunicorn's default request line
    reply = http(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200 and b"true" in reply.body
