"""Simple Dublin Core (oai_dc) records, read from the graph, kind by kind.

Dublin Core describes resources: documents, datasets, events. So the kinds
that get a record are resources, agreements (the agreement document) and
events. People, organizations, positions and concepts are not resources in
Dublin Core's sense; they appear inside those records, by name, as creators,
contributors and subjects (and whole in the dumps, CSV and entity pages).

Each kind's mapping is a table of rules: a DC element, the property that
feeds it and how its values are read. ``docs/exports.md`` shows the tables.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pyoxigraph import Literal, NamedNode

from kg.describe import label
from kg.namespaces import BF, DCAT, DCTERMS, FOAF, KG, RDF, SCHEMA
from kg.store import Snapshot

OAI_DC = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC = "http://purl.org/dc/elements/1.1/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DCMI_TYPE = {SCHEMA.Book: "Text", SCHEMA.Article: "Text", SCHEMA.Periodical: "Text",
             SCHEMA.Thesis: "Text", SCHEMA.WebPage: "Text", SCHEMA.Dataset: "Dataset",
             DCAT.Dataset: "Dataset", SCHEMA.Event: "Event", KG.Agreement: "Text"}
ET.register_namespace("oai_dc", OAI_DC)  # the prefix records are written with
# Characters XML 1.0 cannot carry at all (C0 controls but tab, newline, return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class DcValue:
    """One element of a record: its name, text and language (if any)."""

    element: str
    text: str
    language: str | None = None


Reader = Callable[[Snapshot, NamedNode, NamedNode, list[str]], Iterator[DcValue]]


def literals(element: str) -> Reader:
    """Every literal value, with its language."""
    def read(snap: Snapshot, iri: NamedNode, prop: NamedNode, langs: list[str]):
        for quad in snap.quads(iri, prop, None, None):
            if isinstance(quad.object, Literal):
                yield DcValue(element, quad.object.value, quad.object.language)
    return read


def labels(element: str) -> Reader:
    """The label of each linked entity (one per entity, in the preferred language)."""
    def read(snap: Snapshot, iri: NamedNode, prop: NamedNode, langs: list[str]):
        for quad in snap.quads(iri, prop, None, None):
            if isinstance(quad.object, NamedNode):
                text = label(snap, quad.object, langs)
                if text is not None:
                    yield DcValue(element, text)
            elif isinstance(quad.object, Literal):
                yield DcValue(element, quad.object.value, quad.object.language)
    return read


def links(element: str) -> Reader:
    """Each linked IRI, as text (web addresses, related entities)."""
    def read(snap: Snapshot, iri: NamedNode, prop: NamedNode, langs: list[str]):
        for quad in snap.quads(iri, prop, None, None):
            if isinstance(quad.object, NamedNode):
                yield DcValue(element, quad.object.value)
    return read


def codes(element: str) -> Reader:
    """The last segment of each linked IRI (ISO 639-2 language codes)."""
    def read(snap: Snapshot, iri: NamedNode, prop: NamedNode, langs: list[str]):
        for quad in snap.quads(iri, prop, None, None):
            value = quad.object.value
            yield DcValue(element, value.rsplit("/", 1)[-1] if "/" in value else value)
    return read


def types(element: str) -> Reader:
    """The DCMI Type of the entity's classes, then the schema.org class name."""
    def read(snap: Snapshot, iri: NamedNode, prop: NamedNode, langs: list[str]):
        classes = {q.object for q in snap.quads(iri, RDF.type, None, None)}
        for dcmi in sorted({DCMI_TYPE[c] for c in classes if c in DCMI_TYPE}):
            yield DcValue(element, dcmi)
        for cls in sorted(c.value for c in classes if c in SCHEMA and c != SCHEMA.Event):
            yield DcValue(element, cls[len(SCHEMA.iri):])
    return read


Rule = tuple[NamedNode, Reader]
# kind -> rules in the order of the record's elements (DCMES order).
MAPPINGS: dict[str, tuple[Rule, ...]] = {
    "resource": (
        (DCTERMS.title, literals("title")),
        (DCTERMS.creator, labels("creator")),
        (DCTERMS.subject, labels("subject")),
        (DCTERMS.abstract, literals("description")),
        (BF.note, labels("description")),
        (DCTERMS.publisher, literals("publisher")),
        (DCTERMS.contributor, labels("contributor")),
        (DCTERMS.issued, literals("date")),
        (RDF.type, types("type")),
        (DCTERMS.identifier, literals("identifier")),
        (BF.electronicLocator, links("identifier")),
        (DCTERMS.language, codes("language")),
        (DCTERMS.isPartOf, links("relation")),
        (SCHEMA.about, links("relation")),
        (DCTERMS.license, links("rights")),
        (BF.usageAndAccessPolicy, labels("rights")),
    ),
    "agreement": (
        (DCTERMS.title, literals("title")),
        (KG.party, labels("creator")),
        (DCTERMS.subject, labels("subject")),
        (KG.scope, literals("description")),
        (DCTERMS.description, literals("description")),
        (KG.signatory, labels("contributor")),
        (DCTERMS.dateAccepted, literals("date")),
        (RDF.type, types("type")),
        (DCTERMS.identifier, literals("identifier")),
        (FOAF.page, links("relation")),
        (SCHEMA.validFrom, literals("coverage")),
        (SCHEMA.validThrough, literals("coverage")),
    ),
    "event": (
        (SCHEMA.name, literals("title")),
        (SCHEMA.organizer, labels("creator")),
        (DCTERMS.subject, labels("subject")),
        (KG.theme, literals("subject")),
        (SCHEMA.description, literals("description")),
        (SCHEMA.performer, labels("contributor")),
        (SCHEMA.startDate, literals("date")),
        (SCHEMA.endDate, literals("date")),
        (RDF.type, types("type")),
        (SCHEMA.location, labels("coverage")),
        (SCHEMA.superEvent, links("relation")),
        (SCHEMA.subEvent, links("relation")),
        (KG.basedOn, links("relation")),
    ),
}
DC_KINDS = tuple(MAPPINGS)


def dublin_core(snapshot: Snapshot, iri: NamedNode, kind: str,
                languages: list[str]) -> list[DcValue]:
    """The Dublin Core values of an entity: its IRI first, then the kind's rules."""
    values = [DcValue("identifier", iri.value)]
    for prop, read in MAPPINGS[kind]:
        for value in read(snapshot, iri, prop, languages):
            if value not in values:
                values.append(value)
    return values


def xml_text(text: str) -> str:
    """Text without the characters XML 1.0 cannot carry (control characters).

    >>> xml_text("a\\x01b\\tc")
    'ab\\tc'
    """
    return _NOT_XML.sub("", text)


def oai_dc_element(values: list[DcValue]) -> ET.Element:
    """The ``oai_dc:dc`` element of a record (valid against oai_dc.xsd)."""
    root = ET.Element(f"{{{OAI_DC}}}dc", {f"{{{XSI}}}schemaLocation": f"{OAI_DC} {OAI_DC_SCHEMA}"})
    order = {name: number for number, name in enumerate(ELEMENTS)}
    for value in sorted(values, key=lambda v: order[v.element]):
        child = ET.SubElement(root, f"{{{DC}}}{value.element}")
        child.text = xml_text(value.text)
        if value.language:
            child.set(XML_LANG, value.language)
    return root


# The fifteen elements, in the order records list them.
ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date",
            "type", "format", "identifier", "source", "language", "relation", "coverage",
            "rights")
