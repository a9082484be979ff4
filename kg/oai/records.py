"""OAI items: which entities are records, their sets, and a digest of their content.

An item is an entity of a kind that has a Dublin Core record (every OAI item
must be available as oai_dc): resources, agreements and events. Its sets are
``kind:{kind}`` and ``source:{name}`` for each source that describes it.

The digest covers what any metadata format may show of the record: the
entity's description (its triples and those of its inner ``#`` nodes), the
direct triples of every entity it links to (names of creators, labels of
subjects ...), and its sets. A record's datestamp changes when its digest does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from pyoxigraph import BlankNode, NamedNode, Quad

from kg.export.dublin_core import DC_KINDS
from kg.kinds import KINDS
from kg.namespaces import RDF

ITEM_KINDS: tuple[str, ...] = DC_KINDS
_CLASS_KIND = {KINDS[kind].rdf_type: kind for kind in ITEM_KINDS}


class QuadReader(Protocol):
    """What digests need of a store: a release (Snapshot) or one being built."""

    def quads(self, subject=None, predicate=None, obj=None, graph=None) -> Iterator[Quad]: ...


@dataclass(frozen=True)
class RecordState:
    """An item as the current release has it."""

    identifier: str
    kind: str
    digest: str
    sets: tuple[str, ...]


def entity_of(iri: str) -> str:
    """The entity an IRI belongs to (``.../id/resource/r1#work`` -> ``.../id/resource/r1``)."""
    return iri.partition("#")[0]


def item_kind(reader: QuadReader, iri: NamedNode) -> str | None:
    """The item kind of an entity, or None if it is not an item (in this release)."""
    for quad in reader.quads(iri, RDF.type, None, None):
        kind = _CLASS_KIND.get(quad.object)  # type: ignore[arg-type]
        if kind is not None:
            return kind
    return None


def all_items(reader: QuadReader) -> set[str]:
    """Every item's IRI."""
    return {quad.subject.value for cls in _CLASS_KIND
            for quad in reader.quads(None, RDF.type, cls, None)
            if isinstance(quad.subject, NamedNode)}


def record_state(reader: QuadReader, iri: NamedNode, kind: str, meta: NamedNode,
                 sources: dict[str, str]) -> RecordState:
    """The item's digest and sets; ``sources`` maps graph IRIs to source names."""
    description = _description(reader, iri, meta)
    lines = {_line(q) for q in description}
    prefix = iri.value + "#"
    linked = {q.object for q in description if isinstance(q.object, NamedNode)
              and q.predicate != RDF.type and not q.object.value.startswith(prefix)
              and q.object != iri}
    for other in linked:
        lines.update(_line(q) for q in reader.quads(other, None, None, None)
                     if q.graph_name != meta)
    names = {sources[q.graph_name.value] for q in description
             if isinstance(q.graph_name, NamedNode) and q.graph_name.value in sources}
    sets = (f"kind:{kind}", *sorted(f"source:{name}" for name in names))
    digest = hashlib.blake2b(digest_size=16)
    for line in sorted(lines):
        digest.update(line.encode("utf-8"))
    digest.update(" ".join(sets).encode("utf-8"))
    return RecordState(iri.value, kind, digest.hexdigest(), sets)


def touched(readers: Iterable[QuadReader], graphs: list[NamedNode]) -> set[str]:
    """Entities with statements in these graphs, in any of the readers' stores."""
    found: set[str] = set()
    last = None
    for reader in readers:
        for graph in graphs:
            for quad in reader.quads(None, None, None, graph):
                subject = quad.subject
                if subject != last and isinstance(subject, NamedNode):
                    found.add(entity_of(subject.value))
                    last = subject
    return found


def referrers(reader: QuadReader, iris: Iterable[str], meta: NamedNode) -> set[str]:
    """Entities that link to any of these entities (their records show its name)."""
    found: set[str] = set()
    for iri in iris:
        for quad in reader.quads(None, None, NamedNode(iri), None):
            if isinstance(quad.subject, NamedNode) and quad.graph_name != meta:
                found.add(entity_of(quad.subject.value))
    return found


def _description(reader: QuadReader, iri: NamedNode, meta: NamedNode) -> list[Quad]:
    """The entity's quads and those of its inner nodes (as kg.describe, with graphs)."""
    prefix = iri.value + "#"
    seen = {iri.value}
    pending = [iri]
    found: list[Quad] = []
    while pending:
        for quad in reader.quads(pending.pop(), None, None, None):
            if quad.graph_name == meta:
                continue
            found.append(quad)
            obj = quad.object
            if isinstance(obj, NamedNode) and obj.value.startswith(prefix) \
                    and obj.value not in seen:
                seen.add(obj.value)
                pending.append(obj)
    return found


def _line(quad: Quad) -> str:
    """A triple as text; blank nodes' labels are left out (they are not stable)."""
    terms = ("_:" if isinstance(t, BlankNode) else str(t)
             for t in (quad.subject, quad.predicate, quad.object))
    return " ".join(terms)
