"""OAI items: which entities are records, their sets, and a digest of their content.

An item is an entity of a kind that has a Dublin Core record (every OAI item
must be available as oai_dc): resources, agreements and events. Its sets are
``kind:{kind}`` and ``source:{name}`` for each source that describes it.

The digest is taken over what a harvester gets: the record rendered in each
metadata format of its kind, and its sets. A record's datestamp changes when
its digest does, and only then (a changed name of a linked person changes the
records that show it; a change they do not show leaves them alone).
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from pyoxigraph import NamedNode, Quad

from kg.kinds import KINDS
from kg.namespaces import RDF
from kg.oai.metadata import ITEM_KINDS, formats_for
from kg.store import Snapshot

_CLASS_KIND = {KINDS[kind].rdf_type: kind for kind in ITEM_KINDS}


class QuadReader(Protocol):
    """What finding items needs of a store: a release, or one being built."""

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


def record_state(snapshot: Snapshot, iri: NamedNode, kind: str, sources: dict[str, str],
                 languages: list[str]) -> RecordState:
    """The item's sets and digest; ``sources`` maps graph IRIs to source names."""
    graphs = {q.graph_name.value for q in snapshot.quads(iri, None, None, None)
              if isinstance(q.graph_name, NamedNode)}
    sets = (f"kind:{kind}", *sorted(f"source:{sources[g]}" for g in graphs if g in sources))
    digest = hashlib.blake2b(" ".join(sets).encode("utf-8"), digest_size=16)
    for fmt in formats_for(kind):
        digest.update(ET.tostring(fmt.render(snapshot, iri, kind, languages)))
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
