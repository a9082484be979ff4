"""The dataset description (VoID and DCAT) at /void and /.well-known/void."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic

from kg.export.dumps import read_index
from kg.store.releases import ReleaseStore
from tests.conftest import BASE

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DATASET = URIRef(BASE + "void#dataset")


def description(client, path: str = "/void", accept: str = "text/turtle",
                rdflib_format: str = "turtle") -> Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Vary"] == "Accept"
    return Graph().parse(data=response.get_data(as_text=True), format=rdflib_format)


def test_size_classes_services_and_terms(client, demo_store: Path) -> None:
    graph = description(client)
    manifest = ReleaseStore(demo_store).require_current().manifest()
    assert graph.value(DATASET, VOID.triples).toPython() == manifest["triples"]
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert graph.value(DATASET, DCTERMS.license) == \
        URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
    publisher = graph.value(DATASET, DCTERMS.publisher)
    assert graph.value(publisher, FOAF.name) == Literal("TDTU INSPiRE Library")
    assert graph.value(DATASET, DCTERMS.modified).toPython().isoformat().replace("+00:00", "Z") \
        == manifest["created"]
    people = [p for p in graph.objects(DATASET, VOID.classPartition)
              if graph.value(p, VOID["class"]) == FOAF.Person]
    assert [graph.value(p, VOID.entities).toPython() for p in people] == [8]
    endpoints = {graph.value(s, DCAT.endpointURL) for s in graph.objects(DATASET,
                                                                         DCAT.accessService)}
    assert endpoints == {URIRef(BASE + "sparql"), URIRef(BASE + "oai")}


def test_dumps_with_sizes_and_checksums(client, demo_store: Path) -> None:
    graph = description(client)
    index = read_index(ReleaseStore(demo_store).require_current().path)
    dumps = set(graph.objects(DATASET, VOID.dataDump))
    assert dumps == {URIRef(f"{BASE}dumps/{f['name']}") for f in index["files"].values()}
    for distribution in graph.objects(DATASET, DCAT.distribution):
        url = graph.value(distribution, DCAT.downloadURL)
        (entry,) = [f for f in index["files"].values() if str(url).endswith(f["name"])]
        assert graph.value(distribution, DCAT.byteSize).toPython() == entry["size"]
        checksum = graph.value(distribution, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == entry["sha256"]


@pytest.mark.parametrize("accept, rdflib_format", [
    ("application/ld+json", "json-ld"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml")])
def test_well_known_address_in_every_rdf_format(client, accept: str, rdflib_format: str) -> None:
    assert isomorphic(description(client, "/.well-known/void", accept, rdflib_format),
                      description(client))


def test_turtle_when_the_client_says_nothing(client) -> None:
    response = client.get("/.well-known/void")
    assert response.content_type.startswith("text/turtle")


def test_html_for_people_linked_from_home(client) -> None:
    html = client.get("/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "TDTU INSPiRE Library" in html and "/dumps/" in html and "8 people" in html
    assert 'href="/void"' in client.get("/").get_data(as_text=True)


def test_configuration_names_the_licence(demo_store: Path) -> None:
    from web import create_app

    licence = "https://creativecommons.org/licenses/by/4.0/"
    client = create_app({"store": str(demo_store), "dataset_licence": licence,
                         "dataset_title": "Thư viện <số>"}).test_client()
    graph = description(client)
    assert graph.value(DATASET, DCTERMS.license) == URIRef(licence)
    html = client.get("/void", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Thư viện &lt;số&gt;" in html and "<số>" not in html
