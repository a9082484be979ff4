"""The production server (gunicorn, `kg serve`) with real clients."""

from __future__ import annotations

import urllib.request
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.build import build
from kg.sources import discover
from tests.conftest import BASE, build_store
from tests.support import Server

PEOPLE_AND_ORGANIZATIONS = """
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name ?organization WHERE {
  ?person a foaf:Person ; foaf:name ?name .
  ?position org:member ?person ; org:organization ?unit .
  ?unit skos:prefLabel ?organization .
  FILTER(lang(?organization) = "en")
} ORDER BY ?name
"""


def test_sparqlwrapper_lists_the_eight_people_with_their_organizations(live_server) -> None:
    client = SPARQLWrapper(live_server.url + "/sparql")
    client.setQuery(PEOPLE_AND_ORGANIZATIONS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    pairs = {(r["name"]["value"], r["organization"]["value"]) for r in rows}
    assert len({name for name, _ in pairs}) == 8
    assert ("Trịnh Phi Cường", "TDTU INSPiRE Library") in pairs
    assert ("Pham Dang Phuc", "EBSCO Information Services") in pairs
    assert ("Huynh Thi Dam Thanh", "Archives and Library Department") in pairs


def test_turtle_client_follows_303(live_server) -> None:
    request = urllib.request.Request(live_server.url + "/id/person/trinh-phi-cuong",
                                     headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request) as response:
        assert response.url.endswith("/data/person/trinh-phi-cuong")
        assert response.headers["Content-Type"].startswith("text/turtle")
        graph = Graph().parse(data=response.read().decode("utf-8"), format="turtle")
    assert (URIRef(BASE + "id/person/trinh-phi-cuong"),
            URIRef("http://xmlns.com/foaf/0.1/name"), Literal("Trịnh Phi Cường")) in graph


def test_browser_gets_the_html_page(live_server) -> None:
    request = urllib.request.Request(live_server.url + "/id/person/trinh-phi-cuong",
                                     headers={"Accept": "text/html,*/*;q=0.8"})
    with urllib.request.urlopen(request) as response:
        assert response.url.endswith("/page/person/trinh-phi-cuong")
        html = response.read().decode("utf-8")
    assert "<h1>Trịnh Phi Cường</h1>" in html


def test_server_switches_to_a_new_release_without_restart(sources: Path, tmp_path: Path) -> None:
    demo = sources
    store = build_store(tmp_path / "store", demo)
    server = Server(store)
    try:
        url = server.url + "/data/person/le-van-c.nt"
        try:
            urllib.request.urlopen(url)
            raise AssertionError("le-van-c should not exist yet")
        except urllib.error.HTTPError as error:
            assert error.code == 404
        with (demo / "people.csv").open("a", encoding="utf-8") as handle:
            handle.write("le-van-c,Le Van C,,Le,Van C,,\n")
        build(discover([demo]), str(store), BASE)
        with urllib.request.urlopen(url) as response:
            assert b"Le Van C" in response.read()
    finally:
        server.stop()
