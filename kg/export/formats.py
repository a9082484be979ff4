"""The formats of ``kg export``, in one registry.

Each format says which kinds it can describe and writes the entities of the
chosen kinds (or the whole release) to a binary stream. MARC 21 (``marc``,
ISO 2709, and ``marcxml``) describes resources and plugs in here from the
MARC module.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from kg.describe import describe
from kg.errors import UsageError
from kg.export.dublin_core import DC_KINDS, dublin_core, oai_dc_element
from kg.export.tables import write_csv
from kg.kinds import KINDS
from kg.marc import marc_records, write_iso2709, write_marcxml
from kg.namespaces import PREFIXES, RDF
from kg.store import Snapshot

# (snapshot, kinds asked for or None for everything, output, languages) -> entities written
Writer = Callable[[Snapshot, list[str] | None, IO[bytes], tuple[str, ...]], int]


@dataclass(frozen=True)
class ExportFormat:
    """A format of ``kg export``: name, what it is, the kinds it covers, its writer."""

    name: str
    help: str
    kinds: tuple[str, ...]
    writer: Writer
    one_kind: bool = False   # needs exactly one --kind (a CSV has one set of columns)


def entities(snapshot: Snapshot, kind: str) -> Iterator[NamedNode]:
    """The entities of a kind, in IRI order."""
    found = {q.subject for q in snapshot.quads(None, RDF.type, KINDS[kind].rdf_type, None)
             if isinstance(q.subject, NamedNode)}
    yield from sorted(found, key=lambda iri: iri.value)


def _rdf(rdf_format: RdfFormat) -> Writer:
    def write(snapshot: Snapshot, kinds: list[str] | None, output: IO[bytes],
              languages: tuple[str, ...]) -> int:
        prefixes = PREFIXES if rdf_format == RdfFormat.TURTLE else None
        if kinds is None:
            if rdf_format.supports_datasets:
                snapshot.dump(output, rdf_format)  # type: ignore[attr-defined]
            else:
                serialize((q.triple for q in snapshot.quads()), output, rdf_format,
                          prefixes=prefixes)
            return len(snapshot)  # type: ignore[arg-type]
        counter = _Count()
        triples = (t for kind in kinds for iri in counter.each(entities(snapshot, kind))
                   for t in describe(snapshot, iri))
        if rdf_format.supports_datasets:
            # Descriptions have no graph of their own: they go to the default graph.
            serialize((Quad(t.subject, t.predicate, t.object) for t in triples), output,
                      rdf_format)
        else:
            serialize(triples, output, rdf_format, prefixes=prefixes)
        return counter.count
    return write


def _csv(snapshot: Snapshot, kinds: list[str] | None, output: IO[bytes],
         languages: tuple[str, ...]) -> int:
    (kind,) = kinds or [None]  # one_kind: the command checked there is one
    return write_csv(snapshot, kind, entities(snapshot, kind), output, languages)


def _oai_dc(snapshot: Snapshot, kinds: list[str] | None, output: IO[bytes],
            languages: tuple[str, ...]) -> int:
    """Dublin Core records in one file: ``<records>`` of ``<record identifier=...>``."""
    output.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<records>\n')
    count = 0
    for kind in kinds or DC_KINDS:
        for iri in entities(snapshot, kind):
            record = ET.Element("record", {"identifier": iri.value, "kind": kind})
            record.append(oai_dc_element(dublin_core(snapshot, iri, kind, list(languages))))
            output.write(ET.tostring(record, encoding="utf-8", xml_declaration=False) + b"\n")
            count += 1
    output.write(b"</records>\n")
    return count


def _marc(write: Callable[[Iterator, IO[bytes]], int]) -> Writer:
    """MARC 21 records of the resources (kg.marc's mapping), with one of its writers."""
    def writer(snapshot: Snapshot, kinds: list[str] | None, output: IO[bytes],
               languages: tuple[str, ...]) -> int:
        iris = (iri.value for iri in entities(snapshot, "resource"))
        return write(marc_records(snapshot, iris), output)
    return writer


class _Count:
    """Counts entities as a generator goes through them."""

    def __init__(self) -> None:
        self.count = 0

    def each(self, items: Iterator[NamedNode]) -> Iterator[NamedNode]:
        for item in items:
            self.count += 1
            yield item


ALL_KINDS = tuple(KINDS)
EXPORT_FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("nt", "N-Triples: the whole release, or the descriptions of a kind",
                 ALL_KINDS, _rdf(RdfFormat.N_TRIPLES)),
    ExportFormat("nq", "N-Quads: the whole release with its graphs, or the descriptions "
                 "of a kind", ALL_KINDS, _rdf(RdfFormat.N_QUADS)),
    ExportFormat("ttl", "Turtle", ALL_KINDS, _rdf(RdfFormat.TURTLE)),
    ExportFormat("jsonld", "JSON-LD", ALL_KINDS, _rdf(RdfFormat.JSON_LD)),
    ExportFormat("csv", "CSV of one kind, in the columns of the source schema",
                 ALL_KINDS, _csv, one_kind=True),
    ExportFormat("oai_dc", "Simple Dublin Core records (resources, agreements, events)",
                 DC_KINDS, _oai_dc),
    ExportFormat("marc", "MARC 21 records of the resources, ISO 2709 (UTF-8)",
                 ("resource",), _marc(write_iso2709)),
    ExportFormat("marcxml", "MARC 21 records of the resources, one MARCXML collection",
                 ("resource",), _marc(write_marcxml)),
)}


def export(snapshot: Snapshot, name: str, kinds: list[str] | None, output: IO[bytes],
           languages: tuple[str, ...]) -> int:
    """Write an export; the number of entities (or quads, for a whole release) written."""
    fmt = EXPORT_FORMATS.get(name)
    if fmt is None:
        raise UsageError(f"unknown export format {name!r}; use one of "
                         f"{', '.join(EXPORT_FORMATS)}")
    if fmt.one_kind and (not kinds or len(kinds) != 1):
        raise UsageError(f"--format {name} needs one --kind ({', '.join(fmt.kinds)})")
    for kind in kinds or []:
        if kind not in fmt.kinds:
            raise UsageError(f"--format {name} does not describe {kind}; it covers "
                             f"{', '.join(fmt.kinds)}")
    return fmt.writer(snapshot, kinds, output, languages)

