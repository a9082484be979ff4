"""What an entity page shows, computed once from the entity's description."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from pyoxigraph import Literal, NamedNode, Triple

from kg.describe import LABEL_PROPERTIES, describe, labels, pick_literal
from kg.namespaces import RDF
from kg.ontology import term_label
from kg.store import Snapshot

BACKLINKS_PER_PROPERTY = 50


@dataclass
class Value:
    """One value: text, a link (for IRIs) and, for inner nodes, their own rows."""

    text: str
    href: str | None = None
    iri: str | None = None
    language: str | None = None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Row:
    """A property and its values."""

    iri: str
    label: str
    values: list[Value]
    more: int = 0


@dataclass
class EntityView:
    """An entity page's content."""

    iri: str
    title: str
    types: list[str]
    rows: list[Row]
    backlinks: list[Row]


def href_for(snapshot: Snapshot, iri: str) -> str:
    """A link to the page of one of our entities, or the IRI itself if it is elsewhere."""
    prefix = snapshot.base_iri + "id/"
    if iri.startswith(prefix):
        kind, _, key = iri[len(prefix):].partition("/")
        key, _, fragment = key.partition("#")
        return url_for("pages.page", kind=kind, key=key) + (f"#{fragment}" if fragment else "")
    return iri


def entity_view(snapshot: Snapshot, iri: NamedNode, kind: str, languages: list[str]) -> EntityView:
    """The page of an entity: title, types, properties (with inner nodes), backlinks."""
    triples = describe(snapshot, iri)
    by_subject: dict[str, list[Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject.value, []).append(triple)
    linked = {t.object for t in triples if isinstance(t.object, NamedNode)}
    names = labels(snapshot, linked, languages)
    own = by_subject.get(iri.value, [])
    title_values = [t.object for t in own if t.predicate in LABEL_PROPERTIES
                    and isinstance(t.object, Literal)]
    title = pick_literal(title_values, languages)
    types = sorted({term_label(t.object.value, languages) for t in own if t.predicate == RDF.type})
    rows = _rows(snapshot, iri.value, by_subject, names, languages, depth=0)
    return EntityView(iri.value, title.value if title else iri.value, types, rows,
                      _backlinks(snapshot, iri, languages))


def _rows(snapshot: Snapshot, subject: str, by_subject: dict[str, list[Triple]],
          names: dict[str, str], languages: list[str], depth: int) -> list[Row]:
    grouped: dict[str, list[Value]] = {}
    for triple in by_subject.get(subject, []):
        if triple.predicate == RDF.type and depth == 0:
            continue
        grouped.setdefault(triple.predicate.value, []).append(
            _value(snapshot, triple.object, by_subject, names, languages, depth))
    rows = [Row(p, term_label(p, languages), values) for p, values in grouped.items()]
    return sorted(rows, key=lambda r: r.label.casefold())


def _value(snapshot: Snapshot, term: object, by_subject: dict[str, list[Triple]],
           names: dict[str, str], languages: list[str], depth: int) -> Value:
    if isinstance(term, Literal):
        return Value(term.value, language=term.language)
    value = getattr(term, "value", str(term))
    if value in by_subject and depth < 3:
        inner = _rows(snapshot, value, by_subject, names, languages, depth + 1)
        return Value(names.get(value, ""), iri=value, rows=inner)
    if RDF.type.value == value:
        return Value(value)
    text = names.get(value) or term_label(value, languages)
    return Value(text, href=href_for(snapshot, value), iri=value)


def _backlinks(snapshot: Snapshot, iri: NamedNode, languages: list[str]) -> list[Row]:
    grouped: dict[str, list[NamedNode]] = {}
    counts: dict[str, int] = {}
    for quad in snapshot.quads(None, None, iri, None):
        subject = quad.subject
        if not isinstance(subject, NamedNode) or subject.value.startswith(iri.value + "#"):
            continue
        entity = NamedNode(subject.value.partition("#")[0])
        key = quad.predicate.value
        counts[key] = counts.get(key, 0) + 1
        if len(grouped.setdefault(key, [])) < BACKLINKS_PER_PROPERTY:
            grouped[key].append(entity)
    names = labels(snapshot, [e for group in grouped.values() for e in group], languages)
    rows = []
    for predicate, entities in grouped.items():
        values = [Value(names.get(e.value, e.value), href=href_for(snapshot, e.value), iri=e.value)
                  for e in dict.fromkeys(entities)]
        rows.append(Row(predicate, term_label(predicate, languages), values,
                        more=counts[predicate] - len(entities)))
    return sorted(rows, key=lambda r: r.label.casefold())
