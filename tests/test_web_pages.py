"""Entity IRIs dereference the linked-data way (in-process, Flask's test client)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from tests.conftest import BASE, build_store
from tests.support import DEMO

PERSON = "/id/person/trinh-phi-cuong"
FOAF_NAME = URIRef("http://xmlns.com/foaf/0.1/name")


def test_home_counts_by_kind(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "people" in html and ">8<" in html


@pytest.mark.parametrize("accept, target", [
    ("text/html", "/page/person/trinh-phi-cuong"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
     "/page/person/trinh-phi-cuong"),
    ("*/*", "/page/person/trinh-phi-cuong"),
    ("text/turtle", "/data/person/trinh-phi-cuong"),
    ("application/ld+json", "/data/person/trinh-phi-cuong"),
    ("application/rdf+xml;q=0.9, text/html;q=0.5", "/data/person/trinh-phi-cuong"),
])
def test_id_answers_303_by_accept(client, accept: str, target: str) -> None:
    response = client.get(PERSON, headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(target)
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("how, format_name", [
    ({"path": "/data/person/trinh-phi-cuong.ttl"}, "turtle"),
    ({"path": "/data/person/trinh-phi-cuong.nt"}, "nt"),
    ({"path": "/data/person/trinh-phi-cuong.jsonld"}, "json-ld"),
    ({"path": "/data/person/trinh-phi-cuong.rdf"}, "xml"),
    ({"path": "/data/person/trinh-phi-cuong?format=nt"}, "nt"),
    ({"path": "/data/person/trinh-phi-cuong", "accept": "application/n-triples"}, "nt"),
    ({"path": "/data/person/trinh-phi-cuong", "accept": "application/ld+json"}, "json-ld"),
])
def test_data_in_every_format_parses(client, how: dict, format_name: str) -> None:
    headers = {"Accept": how["accept"]} if "accept" in how else {}
    response = client.get(how["path"], headers=headers)
    assert response.status_code == 200
    graph = Graph().parse(data=response.get_data(as_text=True), format=format_name)
    assert (URIRef(BASE + "id/person/trinh-phi-cuong"), FOAF_NAME,
            Literal("Trịnh Phi Cường")) in graph
    assert 'rel="alternate"' in response.headers["Link"]


def test_position_data_includes_inner_nodes_and_links(client) -> None:
    response = client.get("/data/position/trinh-phi-cuong-inspire-acting-director.ttl")
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    org = URIRef("http://www.w3.org/ns/org#organization")
    assert (URIRef(BASE + "id/position/trinh-phi-cuong-inspire-acting-director"), org,
            URIRef(BASE + "id/organization/tdtu-inspire-library")) in graph


def test_page_shows_labels_not_iris(client) -> None:
    html = client.get("/page/position/nguyen-thanh-trung-ppu-head?lang=en").get_data(as_text=True)
    assert "Lieutenant Colonel" in html
    assert "Head of Department" in html
    assert "Archives and Library Department" in html
    assert 'href="/page/person/nguyen-thanh-trung?lang=en"' in html  # the language is kept
    vi = client.get("/page/position/nguyen-thanh-trung-ppu-head?lang=vi").get_data(as_text=True)
    assert "Trung tá" in vi and "Trưởng phòng" in vi


def test_unknown_entity_is_404_and_bad_format_406(client) -> None:
    assert client.get("/id/person/nobody").status_code == 404
    assert client.get("/page/nonsense/x").status_code == 404
    assert client.get("/data/person/trinh-phi-cuong.docx").status_code == 406
    assert client.get("/data/person/trinh-phi-cuong",
                      headers={"Accept": "image/png"}).status_code == 406


def test_dropped_entity_is_410(tmp_path: Path) -> None:
    from web import create_app

    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo)
    store = build_store(tmp_path / "store", demo)
    (demo / "resources.yaml").unlink()
    build_store(store, demo)
    client = create_app({"store": str(store)}).test_client()
    response = client.get("/id/resource/article-library-experience-sharing-session")
    assert response.status_code == 410
    assert "removed in release 00002" in response.get_data(as_text=True)


def test_sparql_select_csv(client) -> None:
    response = client.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }"},
        headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.get_data(as_text=True).splitlines() == ["n", "8"]


def test_sparql_update_refused_and_syntax_error_400(client) -> None:
    update = client.post("/sparql", data={"query": "INSERT DATA { <a:b> <a:c> <a:d> }"})
    assert update.status_code == 400, update.get_data(as_text=True)
    assert "read-only" in update.get_data(as_text=True)
    bad = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
    assert bad.status_code == 400, bad.get_data(as_text=True)
    assert "1:" in bad.get_data(as_text=True)
