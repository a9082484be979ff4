"""The dataset described in VoID and DCAT: size, classes, dumps, services, licence.

Served at ``/void`` and ``/.well-known/void`` (the place RFC 8615 and the
VoID guide give it). The description lives at ``{BASE}void`` and the things it
describes inside it (``{BASE}void#dataset``, ``#publisher``, ``#dump-nt`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.kinds import KINDS
from kg.namespaces import DCAT, DCTERMS, FOAF, PREFIXES, RDF, VOID, XSD

SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
SPARQL_PROTOCOL = NamedNode("https://www.w3.org/TR/sparql11-protocol/")
OAI_PMH = NamedNode("http://www.openarchives.org/OAI/2.0/openarchivesprotocol.htm")
VOCABULARIES = ("rdf", "rdfs", "owl", "skos", "org", "schema", "foaf", "prov", "dcterms", "bf",
                "dcat", "odrl", "time", "kg")


@dataclass(frozen=True)
class Publication:
    """What configuration says of the dataset: its title, publisher and licence."""

    title: str
    publisher: str
    licence: str


def describe_dataset(base: str, manifest: dict[str, Any], dumps: dict[str, Any] | None,
                     publication: Publication) -> list[Triple]:
    """The VoID and DCAT triples of a release."""
    doc = NamedNode(base + "void")
    dataset = NamedNode(base + "void#dataset")
    publisher = NamedNode(base + "void#publisher")
    triples = [
        Triple(doc, RDF.type, VOID.DatasetDescription),
        Triple(doc, DCTERMS.title, Literal(f"Description of {publication.title}")),
        Triple(doc, FOAF.primaryTopic, dataset),
        Triple(dataset, RDF.type, VOID.Dataset), Triple(dataset, RDF.type, DCAT.Dataset),
        Triple(dataset, DCTERMS.title, Literal(publication.title)),
        Triple(dataset, DCTERMS.publisher, publisher),
        Triple(publisher, RDF.type, FOAF.Organization),
        Triple(publisher, FOAF.name, Literal(publication.publisher)),
        Triple(dataset, DCTERMS.license, NamedNode(publication.licence)),
        Triple(dataset, DCTERMS.modified, Literal(manifest["created"], datatype=XSD.dateTime)),
        Triple(dataset, DCAT.version, Literal(manifest["id"])),
        Triple(dataset, DCAT.landingPage, NamedNode(base)),
        Triple(dataset, VOID.uriSpace, Literal(base + "id/")),
        Triple(dataset, VOID.triples, _integer(manifest["triples"])),
        Triple(dataset, VOID.entities, _integer(sum(manifest["counts"].values()))),
        Triple(dataset, VOID.sparqlEndpoint, NamedNode(base + "sparql")),
    ]
    triples += [Triple(dataset, VOID.vocabulary, NamedNode(PREFIXES[p])) for p in VOCABULARIES]
    triples += _classes(base, dataset, manifest)
    triples += _subsets(base, dataset, manifest)
    triples += _services(base, dataset)
    triples += _dumps(base, dataset, dumps)
    return triples


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _classes(base: str, dataset: NamedNode, manifest: dict[str, Any]) -> list[Triple]:
    """One class partition per kind, with its number of entities."""
    triples = []
    for name, count in manifest["counts"].items():
        partition = NamedNode(f"{base}void#class-{name}")
        triples += [Triple(dataset, VOID.classPartition, partition),
                    Triple(partition, VOID["class"], KINDS[name].rdf_type),
                    Triple(partition, VOID.entities, _integer(count))]
    return triples


def _subsets(base: str, dataset: NamedNode, manifest: dict[str, Any]) -> list[Triple]:
    """Each source's graph, as a subset (its provenance is in the metadata graph)."""
    triples = []
    for name, entry in manifest["sources"].items():
        graph = NamedNode(f"{base}graph/{name}")
        triples += [Triple(dataset, VOID.subset, graph), Triple(graph, RDF.type, VOID.Dataset),
                    Triple(graph, DCTERMS.source, Literal(entry["file"])),
                    Triple(graph, VOID.triples, _integer(entry["triples"]))]
    return triples


def _services(base: str, dataset: NamedNode) -> list[Triple]:
    """The SPARQL endpoint and the OAI-PMH provider, as DCAT data services."""
    triples = []
    for fragment, path, standard in (("sparql", "sparql", SPARQL_PROTOCOL),
                                     ("oai", "oai", OAI_PMH)):
        service = NamedNode(f"{base}void#{fragment}")
        triples += [Triple(dataset, DCAT.accessService, service),
                    Triple(service, RDF.type, DCAT.DataService),
                    Triple(service, DCAT.endpointURL, NamedNode(base + path)),
                    Triple(service, DCAT.servesDataset, dataset),
                    Triple(service, DCTERMS.conformsTo, standard)]
    return triples


def _dumps(base: str, dataset: NamedNode, dumps: dict[str, Any] | None) -> list[Triple]:
    """Each dump: a VoID data dump and a DCAT distribution with its size and checksum."""
    triples: list[Triple] = []
    for name, entry in (dumps or {}).get("files", {}).items():
        url = NamedNode(f"{base}dumps/{entry['name']}")
        distribution = NamedNode(f"{base}void#dump-{name}")
        checksum = NamedNode(f"{base}void#dump-{name}-sha256")
        triples += [
            Triple(dataset, VOID.dataDump, url),
            Triple(dataset, DCAT.distribution, distribution),
            Triple(distribution, RDF.type, DCAT.Distribution),
            Triple(distribution, DCTERMS.title, Literal(f"{entry['format']}, gzip")),
            Triple(distribution, DCAT.downloadURL, url),
            Triple(distribution, DCAT.mediaType, NamedNode(IANA + entry["media_type"])),
            Triple(distribution, DCAT.compressFormat, NamedNode(IANA + "application/gzip")),
            Triple(distribution, DCAT.byteSize,
                   Literal(str(entry["size"]), datatype=XSD.nonNegativeInteger)),
            Triple(distribution, NamedNode(SPDX + "checksum"), checksum),
            Triple(checksum, NamedNode(SPDX + "algorithm"),
                   NamedNode(SPDX + "checksumAlgorithm_sha256")),
            Triple(checksum, NamedNode(SPDX + "checksumValue"),
                   Literal(entry["sha256"], datatype=XSD.hexBinary)),
        ]
    return triples
