"""The endpoint's SPARQL 1.1 Service Description (https://www.w3.org/TR/sparql11-service-description/).

Built from terms for the release being served: the languages, result
formats and features of ``/sparql``, and the default dataset (the union of
all graphs) with each named graph and its size, linked to the VoID
description at ``/void``.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.namespaces import DCTERMS, RDF, RDFS, VOID, XSD, Namespace
from kg.store import Snapshot

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                  "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG",
                  "N-Quads")
PREFIXES = {"sd": SD.iri, "formats": FORMATS.iri, "void": VOID.iri, "rdfs": RDFS.iri,
            "dcterms": DCTERMS.iri}


def _sd(name: str) -> NamedNode:
    return SD[name]


def _count(value: object) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def describe_service(endpoint: str, void_url: str, snapshot: Snapshot,
                     federated: bool) -> list[Triple]:
    """The service description of the endpoint at ``endpoint`` for a release."""
    service = NamedNode(endpoint)
    a = RDF.type
    triples = [
        Triple(service, a, _sd("Service")),
        Triple(service, _sd("endpoint"), service),
        Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(service, _sd("feature"), _sd("UnionDefaultGraph")),
        Triple(service, _sd("defaultEntailmentRegime"),
               NamedNode("http://www.w3.org/ns/entailment/Simple")),
        Triple(service, RDFS.seeAlso, NamedNode(void_url)),
    ]
    if federated:
        triples.append(Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    triples += [Triple(service, _sd("resultFormat"), FORMATS[name])
                for name in RESULT_FORMATS]
    dataset = BlankNode("dataset")
    triples += [
        Triple(service, _sd("defaultDataset"), dataset),
        Triple(dataset, a, _sd("Dataset")),
        Triple(dataset, a, VOID.Dataset),
        Triple(dataset, RDFS.seeAlso, NamedNode(void_url)),
        Triple(dataset, DCTERMS.title, Literal(f"release {snapshot.release_id}")),
    ]
    triples += list(_graphs(dataset, snapshot))
    return triples


def _graphs(dataset: BlankNode, snapshot: Snapshot) -> Iterator[Triple]:
    """The default graph (the union) and one sd:NamedGraph per source graph and meta."""
    a = RDF.type
    manifest = snapshot.manifest
    default = BlankNode("default")
    yield Triple(dataset, _sd("defaultGraph"), default)
    yield Triple(default, a, _sd("Graph"))
    if "triples" in manifest:
        yield Triple(default, VOID.triples, _count(manifest["triples"]))
    sources = dict(manifest.get("sources", {}))
    names = [*sorted(sources), "meta"] if sources else []
    for index, name in enumerate(names):
        named, graph = BlankNode(f"named{index}"), BlankNode(f"graph{index}")
        yield Triple(dataset, _sd("namedGraph"), named)
        yield Triple(named, a, _sd("NamedGraph"))
        yield Triple(named, _sd("name"), NamedNode(f"{snapshot.base_iri}graph/{name}"))
        yield Triple(named, _sd("graph"), graph)
        yield Triple(graph, a, _sd("Graph"))
        if name in sources and "triples" in sources[name]:
            yield Triple(graph, VOID.triples, _count(sources[name]["triples"]))
