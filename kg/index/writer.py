"""Writing a release's entity index (``index.sqlite``) at publish time.

Registered in :data:`kg.artifacts.WRITERS`. It reads the release being built
once, pattern by pattern (types, then each label property), never entity by
entity, so its cost grows with the number of label triples only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from kg.describe import LABEL_PROPERTIES, position_label
from kg.index import INDEX_FILE, INDEX_SCHEMA, ordering_languages
from kg.iris import fold
from kg.kinds import KINDS
from kg.namespaces import DCTERMS, ORG, RDF, SCHEMA, SKOS
from kg.store.staging import StagingView

if TYPE_CHECKING:  # kg.artifacts registers this writer: no import at run time
    from kg.artifacts import ArtifactContext

# The date each kind is listed and drawn by (the first one present).
DATE_PROPERTIES = {
    "event": (SCHEMA.startDate,),
    "resource": (DCTERMS.issued,),
    "agreement": (DCTERMS.dateAccepted, SCHEMA.validFrom),
}
# Names are inserted in this order, so that full-text matches (read in rowid
# order) list organizations and people before the many resources.
SEARCH_ORDER = ("organization", "person", "agreement", "event", "concept", "resource")


class _Entity:
    """What the index keeps about one entity while it is being collected."""

    __slots__ = ("kind", "key", "iri", "labels", "names", "date", "parent")

    def __init__(self, kind: str, key: str, iri: str) -> None:
        self.kind, self.key, self.iri = kind, key, iri
        self.labels: dict[str, str] = {}
        self.names: list[tuple[str, bool]] = []
        self.date: str | None = None
        self.parent: str | None = None


def write_entity_index(context: ArtifactContext) -> None:
    """Write ``index.sqlite`` into the release folder being published."""
    entities = collect(context.view, context.minter.base)
    write(context.folder / INDEX_FILE, entities.values())


def collect(view: StagingView, base: str) -> dict[str, _Entity]:
    """Every entity minted under the base, with its labels, names and date."""
    prefix = base + "id/"
    entities: dict[str, _Entity] = {}
    for kind in KINDS.values():
        for quad in view.quads(None, RDF.type, kind.rdf_type, None):
            iri = quad.subject
            if not isinstance(iri, NamedNode) or iri.value in entities:
                continue
            segment, _, key = iri.value[len(prefix):].partition("/")
            if iri.value.startswith(prefix) and segment == kind.name and key and "#" not in key:
                entities[iri.value] = _Entity(kind.name, key, iri.value)
    _add_labels(view, entities)
    _add_position_labels(view, entities)
    _add_dates(view, entities)
    for quad in view.quads(None, SCHEMA.superEvent, None, None):
        entity = entities.get(quad.subject.value)
        if entity is not None:
            entity.parent = quad.object.value
    return entities


def _add_labels(view: StagingView, entities: dict[str, _Entity]) -> None:
    """Names for search (labels and alternative labels); the label shown per language.

    The shown label comes from the first label property an entity has, in the
    order of :data:`LABEL_PROPERTIES`, as :func:`kg.describe.label` picks it.
    """
    source: dict[str, NamedNode] = {}
    for predicate in (*LABEL_PROPERTIES, SKOS.altLabel):
        preferred = predicate != SKOS.altLabel
        for quad in view.quads(None, predicate, None, None):
            entity = entities.get(quad.subject.value)
            if entity is None or not isinstance(quad.object, Literal):
                continue
            entity.names.append((quad.object.value, preferred))
            if preferred and source.setdefault(entity.iri, predicate) == predicate:
                entity.labels.setdefault(quad.object.language or "", quad.object.value)


def _add_position_labels(view: StagingView, entities: dict[str, _Entity]) -> None:
    """A position without a title is called by its person, post and unit."""
    links: dict[str, dict[NamedNode, _Entity]] = {}
    for predicate in (ORG.member, ORG.role, ORG.organization):
        for quad in view.quads(None, predicate, None, None):
            target = entities.get(quad.object.value)
            if target is not None:
                links.setdefault(quad.subject.value, {})[predicate] = target
    for iri, parts in links.items():
        entity = entities.get(iri)
        if entity is None or entity.kind != "position" or entity.labels \
                or ORG.organization not in parts:
            continue
        languages = {language for part in parts.values() for language in part.labels}
        for language in languages or {""}:
            person, role, unit = (parts.get(p) for p in (ORG.member, ORG.role, ORG.organization))
            entity.labels[language] = position_label(
                *(_pick(part.labels, language) if part else None for part in (person, role, unit)))


def _pick(labels: dict[str, str], language: str) -> str | None:
    return labels.get(language) or labels.get("") or next(iter(labels.values()), None)


def _add_dates(view: StagingView, entities: dict[str, _Entity]) -> None:
    for kind, predicates in DATE_PROPERTIES.items():
        for predicate in reversed(predicates):  # the first property wins
            for quad in view.quads(None, predicate, None, None):
                entity = entities.get(quad.subject.value)
                if entity is not None and entity.kind == kind and isinstance(quad.object, Literal):
                    entity.date = quad.object.value


def write(path: Path, entities: Iterable[_Entity]) -> None:
    """Write the index database from scratch."""
    path.unlink(missing_ok=True)
    entities = list(entities)
    languages = ordering_languages(entities_labels(entities))
    folder = _Folder()
    connection = sqlite3.connect(path)
    try:
        # Written once, in a release being built: a crash discards the whole release.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(INDEX_SCHEMA)
        connection.executemany(
            "INSERT INTO entity(id, kind, key, iri, labels, date, date_sort, parent) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _entity_rows(entities))
        connection.executemany("INSERT INTO ordering(lang, kind, sort_key, entity_id) "
                               "VALUES (?, ?, ?, ?)", _ordering_rows(entities, languages, folder))
        connection.executemany("INSERT INTO name(entity_id, kind, folded, preferred) "
                               "VALUES (?, ?, ?, ?)", _name_rows(entities, folder))
        connection.execute("INSERT INTO name_fts(name_fts) VALUES ('rebuild')")
        counts: dict[str, int] = {}
        for entity in entities:
            counts[entity.kind] = counts.get(entity.kind, 0) + 1
        connection.executemany("INSERT INTO meta(name, value) VALUES (?, ?)",
                               [("languages", json.dumps(languages)),
                                ("counts", json.dumps(counts))])
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()


def entities_labels(entities: list[_Entity]) -> Iterator[dict[str, str]]:
    """The label maps of the entities (to see which languages they use)."""
    return (entity.labels for entity in entities)


def _entity_rows(entities: list[_Entity]) -> Iterator[tuple]:
    for number, entity in enumerate(entities, 1):
        date = entity.date
        date_sort = date if date and date[:1].isdigit() else None
        yield (number, entity.kind, entity.key, entity.iri,
               json.dumps(entity.labels, ensure_ascii=False), date, date_sort, entity.parent)


class _Folder(dict):
    """``kg.iris.fold`` remembered per text: labels repeat across languages and names."""

    def __missing__(self, text: str) -> str:
        folded = self[text] = fold(text)
        return folded


def _ordering_rows(entities: list[_Entity], languages: list[str], folder: _Folder) -> list:
    rows = []
    for entity_id, entity in enumerate(entities, 1):
        for language in languages:
            text = _pick(entity.labels, language) or entity.key
            rows.append((language, entity.kind, folder[text], entity_id))
    rows.sort()  # in key order, so the table's B-tree is appended to, not shuffled
    return rows


def _name_rows(entities: list[_Entity], folder: _Folder) -> list[tuple]:
    rows = []
    for entity_id, entity in enumerate(entities, 1):
        if entity.kind not in SEARCH_ORDER:
            continue
        folded_names = {}
        for text, preferred in entity.names:
            folded = folder[text]
            if folded:
                folded_names[folded] = folded_names.get(folded, False) or preferred
        for folded, preferred in folded_names.items():
            rows.append((entity_id, entity.kind, folded, int(preferred)))
    rows.sort(key=lambda r: (SEARCH_ORDER.index(r[1]), len(r[2])))
    return rows
