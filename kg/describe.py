"""An entity's description and labels, read from a release.

An entity's description is every triple about its IRI and about the nodes
inside it (``<...#period>``, ``<...#title>``), found by following links
rather than scanning, so it costs the same at any store size.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import DCTERMS, FOAF, ORG, RDFS, SCHEMA, SKOS
from kg.store import Snapshot

LABEL_PROPERTIES = (SKOS.prefLabel, FOAF.name, SCHEMA.name, DCTERMS.title, RDFS.label)


def describe(snapshot: Snapshot, iri: NamedNode) -> list[Triple]:
    """The triples about an entity and its inner nodes, without duplicates."""
    seen_nodes = {iri.value}
    pending = [iri]
    triples: dict[Triple, None] = {}
    prefix = iri.value + "#"
    meta = NamedNode(snapshot.base_iri + "graph/meta")
    while pending:
        subject = pending.pop()
        for quad in snapshot.quads(subject, None, None, None):
            if quad.graph_name == meta:
                continue
            triples.setdefault(quad.triple)
            obj = quad.object
            if isinstance(obj, NamedNode) and obj.value.startswith(prefix) \
                    and obj.value not in seen_nodes:
                seen_nodes.add(obj.value)
                pending.append(obj)
    return list(triples)


def exists(snapshot: Snapshot, iri: NamedNode) -> bool:
    """True if the release says anything about the IRI."""
    return next(iter(snapshot.quads(iri, None, None, None)), None) is not None


def pick_literal(values: Iterable[Literal], languages: list[str]) -> Literal | None:
    """The value in the first preferred language; else untagged; else any."""
    values = list(values)
    for language in languages:
        for value in values:
            if value.language == language:
                return value
    for value in values:
        if not value.language:
            return value
    return values[0] if values else None


def position_label(person: str | None, role: str | None, unit: str | None) -> str:
    """What a position without a title of its own is called: who, which post, where.

    >>> position_label("Nguyen Thanh Trung", "Head of Department", "Archives and Library")
    'Nguyen Thanh Trung – Head of Department, Archives and Library'
    >>> position_label(None, None, "EBSCO")
    'EBSCO'
    """
    post = ", ".join(part for part in (role, unit) if part)
    return " – ".join(part for part in (person, post) if part)


def label(snapshot: Snapshot, iri: NamedNode, languages: list[str]) -> str | None:
    """The entity's name in the preferred language (falling back to others)."""
    for predicate in LABEL_PROPERTIES:
        values = [q.object for q in snapshot.quads(iri, predicate, None, None)
                  if isinstance(q.object, Literal)]
        chosen = pick_literal(values, languages)
        if chosen is not None:
            return chosen.value
    parts = {}
    for predicate in (ORG.member, ORG.role, ORG.organization):
        target = next(iter(snapshot.quads(iri, predicate, None, None)), None)
        if target is not None and isinstance(target.object, NamedNode):
            parts[predicate] = label(snapshot, target.object, languages)
    if ORG.organization in parts:
        return position_label(parts.get(ORG.member), parts.get(ORG.role),
                              parts[ORG.organization])
    return None


def labels(snapshot: Snapshot, iris: Iterable[NamedNode], languages: list[str]) -> dict[str, str]:
    """Labels of many IRIs (those without one are left out)."""
    found = {}
    for iri in iris:
        if iri.value not in found:
            text = label(snapshot, iri, languages)
            if text is not None:
                found[iri.value] = text
    return found
