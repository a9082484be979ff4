"""Parts of a resource's description that catalogue records carry in detail.

Identifiers, classifications, subject headings, notes, series and the record's
own administrative data (its control number and cataloguing rules). Each
takes the simple value CSV and YAML sources write, or the richer mapping that
MARC records give (``{number: .., item: ..}``, ``{label: .., type: place}``);
see ``docs/sources.md`` and ``docs/marc.md``.
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.convert import Entity
from kg.convert.values import as_text
from kg.namespaces import BF, BFLC, DCTERMS, RDF, RDFS, Namespace

IDENTIFIERS = {"isbn": BF.Isbn, "issn": BF.Issn, "lccn": BF.Lccn, "doi": BF.Doi}
CLASSIFICATIONS = {"ddc": BF.ClassificationDdc, "lcc": BF.ClassificationLcc}
ORGANIZATIONS = Namespace("http://id.loc.gov/vocabulary/organizations/")
CONVENTIONS = Namespace("http://id.loc.gov/vocabulary/descriptionConventions/")
_QUALIFIED = re.compile(r"^(\S+)\s+\((.+)\)$")


def _mapping(value: Any, main: str) -> dict[str, Any]:
    """A value as a mapping: plain text becomes ``{main: text}``."""
    return value if isinstance(value, dict) else {main: value}


def identifiers(entity: Entity) -> None:
    """ISBN, ISSN, LCCN, DOI; a qualifier in parentheses (``(pbk.)``) is kept apart."""
    for name, cls in IDENTIFIERS.items():
        for number, value in enumerate(entity.values(name), 1):
            text = str(value).strip()
            match = _QUALIFIED.match(text)
            code, qualifier = (match.group(1), match.group(2)) if match else (text, None)
            node = entity.node(f"{name}-{number}")
            entity.add(BF.identifiedBy, node)
            entity.add(RDF.type, cls, node)
            entity.add(RDF.value, as_text(code), node)
            if qualifier:
                entity.add(BF.qualifier, as_text(qualifier), node)
            entity.add(DCTERMS.identifier, as_text(f"{name.upper()} {code}"))


def classifications(entity: Entity, work: NamedNode) -> None:
    """DDC and LCC numbers (with the item part and the DDC edition when given)."""
    for name, cls in CLASSIFICATIONS.items():
        for number, value in enumerate(entity.values(name), 1):
            parts = _mapping(value, "number")
            node = entity.node(f"{name}-{number}")
            entity.add(BF.classification, node, work)
            entity.add(RDF.type, cls, node)
            entity.add(BF.classificationPortion, as_text(str(parts.get("number", ""))), node)
            if parts.get("item"):
                entity.add(BF.itemPortion, as_text(str(parts["item"])), node)
            if parts.get("edition"):
                entity.add(BF.edition, as_text(str(parts["edition"])), node)


def subjects(entity: Entity, work: NamedNode) -> None:
    """Concepts by key, and headings as text (topics, or places with ``type: place``)."""
    for concept in entity.refs("subjects", DCTERMS.subject, "concept"):
        entity.add(BF.subject, concept, work)
    for number, value in enumerate(entity.values("subject_headings"), 1):
        heading = _mapping(value, "label")
        node = entity.node(f"subject-{number}")
        place = heading.get("type") == "place"
        entity.add(BF.subject, node, work)
        entity.add(RDF.type, BF.Place if place else BF.Topic, node)
        entity.add(RDFS.label, as_text(str(heading.get("label", ""))), node)
        if heading.get("marc"):
            entity.add(BFLC.marcKey, Literal(str(heading["marc"])), node)
        entity.add(DCTERMS.spatial if place else DCTERMS.subject, node)


def notes(entity: Entity) -> None:
    """Notes as ``bf:Note``; a typed one (``{type: contents, text: ..}``) keeps its type."""
    for number, value in enumerate(entity.values("notes"), 1):
        note = _mapping(value, "text")
        node = entity.node(f"notes-{number}")
        entity.add(BF.note, node)
        entity.add(RDF.type, BF.Note, node)
        entity.add(RDFS.label, as_text(str(note.get("text", ""))), node)
        if note.get("type") and note["type"] != "general":
            entity.add(BF.noteType, Literal(str(note["type"])), node)


def series(entity: Entity) -> None:
    """Series statements as transcribed, their numbering, and series by their uniform title."""
    entity.text("series", BF.seriesStatement)
    entity.text("series_number", BF.seriesEnumeration)
    for number, title in enumerate(entity.values("series_uniform"), 1):
        node = entity.node(f"series-{number}")
        entity.add(BF.hasSeries, node)
        entity.add(RDF.type, BF.Work, node)
        entity.add(RDFS.label, as_text(str(title)), node)


def admin(entity: Entity) -> None:
    """The catalogue record's own data: its control number and the rules it follows."""
    number = entity.value("control_number")
    source = entity.value("control_number_source")
    conventions = [str(c).strip().lower() for c in entity.values("cataloguing_rules")]
    if not (number or conventions):
        return
    node = entity.node("admin")
    entity.add(BF.adminMetadata, node)
    entity.add(RDF.type, BF.AdminMetadata, node)
    if number:
        local = entity.node("admin-id")
        entity.add(BF.identifiedBy, local, node)
        entity.add(RDF.type, BF.Local, local)
        entity.add(RDF.value, Literal(number), local)
        if source and re.fullmatch(r"[A-Za-z0-9-]+", source):
            entity.add(BF.assigner, ORGANIZATIONS[source.lower()], local)
        elif source:
            entity.add(BF.source, Literal(source), local)
    for word in conventions:
        if re.fullmatch(r"[a-z0-9-]+", word):
            entity.add(BF.descriptionConventions, CONVENTIONS[word], node)
