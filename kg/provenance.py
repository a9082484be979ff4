"""The metadata graph: each source's graph described with PROV, and the release."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode, Triple

from kg.iris import Minter
from kg.namespaces import DCTERMS, KG, PROV, RDF, VOID, XSD


@dataclass
class SourceSummary:
    """What a build did with one source."""

    name: str
    file: str
    format: str
    checksum: str
    status: str  # new | changed | unchanged | removed
    records: int = 0
    triples: int = 0
    loaded_in: str = ""
    generated_at: str = ""
    harvest: dict | None = None  # where a harvested source came from (kg/harvest.py)

    def as_manifest(self) -> dict:
        """The source's entry in a release manifest."""
        entry = {"file": self.file, "format": self.format, "checksum": self.checksum,
                 "records": self.records, "triples": self.triples,
                 "loaded_in": self.loaded_in, "generated_at": self.generated_at}
        if self.harvest:
            entry["harvest"] = self.harvest
        return entry


def release_metadata(minter: Minter, release_id: str, created: str,
                     sources: Iterable[SourceSummary]) -> list[Triple]:
    """PROV triples for the release and the graph of each of its sources."""
    release = minter.release(release_id)
    time = Literal(created, datatype=XSD.dateTime)
    triples = [
        Triple(release, RDF.type, PROV.Activity),
        Triple(release, DCTERMS.identifier, Literal(release_id)),
        Triple(release, PROV.endedAtTime, time),
    ]
    for source in sources:
        if source.status == "removed":
            continue
        graph = minter.graph(source.name)
        generated = Literal(source.generated_at or created, datatype=XSD.dateTime)
        triples += [
            Triple(graph, RDF.type, PROV.Entity),
            Triple(graph, RDF.type, VOID.Dataset),
            Triple(graph, DCTERMS.source, Literal(source.file)),
            Triple(graph, DCTERMS.format, Literal(source.format)),
            Triple(graph, KG.checksum, Literal(source.checksum)),
            Triple(graph, KG.recordCount, Literal(str(source.records), datatype=XSD.integer)),
            Triple(graph, VOID.triples, Literal(str(source.triples), datatype=XSD.integer)),
            Triple(graph, PROV.generatedAtTime, generated),
            Triple(graph, PROV.wasGeneratedBy, minter.release(source.loaded_in or release_id)),
            Triple(release, PROV.used, graph),
        ]
        if source.harvest:
            triples += harvest_metadata(graph, source.harvest)
    return triples


def harvest_metadata(graph: NamedNode, harvest: dict) -> list[Triple]:
    """Where a harvested source's triples came from: the partner's endpoint or dump,
    the query sent, and when."""
    found = [Triple(graph, PROV.wasDerivedFrom, NamedNode(harvest["source"]))]
    if harvest.get("harvested_at"):
        found.append(Triple(graph, KG.harvestedAt,
                            Literal(harvest["harvested_at"], datatype=XSD.dateTime)))
    if harvest.get("query"):
        found.append(Triple(graph, KG.harvestQuery, Literal(harvest["query"])))
    return found


def meta_graph(minter: Minter) -> NamedNode:
    """The IRI of the metadata graph."""
    return minter.meta_graph
