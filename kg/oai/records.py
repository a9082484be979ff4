"""OAI items: which entities are records, their sets, and a digest of their content.

An item is an entity of a kind that has a Dublin Core record (every OAI item
must be available as oai_dc): resources, agreements and events. Its sets are
``kind:{kind}`` and ``source:{name}`` for each source that describes it.

The digest is taken over what a harvester gets: the record rendered in each
metadata format of its kind, and its sets. A record's datestamp changes when
its digest does, and only then (a changed name of a linked person changes the
records that show it; a change they do not show leaves them alone). Records
are digested as if made on a fixed day (:func:`undated`): MARC 008 carries
the day of the release, and a rebuild on another day changes nothing else.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from pyoxigraph import NamedNode, Quad

from kg.describe import label
from kg.kinds import KINDS
from kg.marc.description import agent_face
from kg.namespaces import ODRL, RDF
from kg.oai.metadata import ITEM_KINDS, formats_for
from kg.store import Snapshot

CLASS_KIND = {KINDS[kind].rdf_type: kind for kind in ITEM_KINDS}
# The day records are digested as made on (see undated).
DIGEST_DAY = "1970-01-01T00:00:00+00:00"


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
        kind = CLASS_KIND.get(quad.object)  # type: ignore[arg-type]
        if kind is not None:
            return kind
    return None


def all_items(reader: QuadReader) -> set[str]:
    """Every item's IRI."""
    return {quad.subject.value for cls in CLASS_KIND
            for quad in reader.quads(None, RDF.type, cls, None)
            if isinstance(quad.subject, NamedNode)}


def item_sets(kind: str, graphs: Iterable[str], sources: dict[str, str]) -> tuple[str, ...]:
    """The sets of an item described in these graphs; ``sources``: graph IRI -> source name."""
    return (f"kind:{kind}", *sorted({f"source:{sources[g]}" for g in graphs if g in sources}))


def record_state(snapshot: Snapshot, iri: NamedNode, kind: str, sources: dict[str, str],
                 languages: list[str]) -> RecordState:
    """The item's sets and digest; ``sources`` maps graph IRIs to source names.

    ``snapshot`` carries an :func:`undated` manifest, so that the digest is the
    same whichever day the release was made.
    """
    graphs = {q.graph_name.value for q in snapshot.quads(iri, None, None, None)
              if isinstance(q.graph_name, NamedNode)}
    sets = item_sets(kind, graphs, sources)
    digest = hashlib.blake2b(" ".join(sets).encode("utf-8"), digest_size=16)
    for fmt in formats_for(kind):
        digest.update(ET.tostring(fmt.render(snapshot, iri, kind, languages)))
    return RecordState(iri.value, kind, digest.hexdigest(), sets)


def undated(manifest: dict[str, Any]) -> dict[str, Any]:
    """A release's manifest as its records are digested with: made on a fixed day."""
    return {**manifest, "created": DIGEST_DAY}


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


def face(snapshot: Snapshot, iri: str, languages: list[str]) -> tuple:
    """What records that link to an entity show of it: its label, and its heading."""
    node = NamedNode(iri)
    types, name, birth, death = agent_face(snapshot, node)
    return label(snapshot, node, languages), sorted(types), name, birth, death


def licensed(reader: QuadReader, iris: Iterable[str]) -> set[str]:
    """Resources that any of these entities target as a licence (their MARC shows it)."""
    return {entity_of(quad.object.value) for iri in iris
            for quad in reader.quads(NamedNode(iri), ODRL.target, None, None)
            if isinstance(quad.object, NamedNode)}
