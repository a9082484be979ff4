"""Concepts of controlled vocabularies: roles, ranks, topics (``skos:Concept``).

A concept names its scheme by key (``ranks``); the scheme is
``{BASE}id/scheme/{key}``.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from kg.convert import Entity
from kg.iris import is_key
from kg.namespaces import RDF, SKOS


def convert(entity: Entity) -> None:
    """Triples of one concept record."""
    entity.lang_text("label", SKOS.prefLabel)
    entity.lang_text("alt_label", SKOS.altLabel)
    entity.lang_text("definition", SKOS.definition)
    for scheme_key in entity.values("scheme"):
        if is_key(str(scheme_key)):
            scheme = NamedNode(f"{entity.minter.base}id/scheme/{scheme_key}")
            entity.add(SKOS.inScheme, scheme)
            entity.add(RDF.type, SKOS.ConceptScheme, scheme)
        else:
            entity.problem("scheme", f"'scheme' must be a key like 'ranks', got {scheme_key!r}")
    entity.refs("broader", SKOS.broader, "concept")
    entity.iri_field("exact_match", SKOS.exactMatch)
    entity.text("notes", SKOS.note)
