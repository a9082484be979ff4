"""A resource's description read from a release, as MARC out needs it.

The description of an entity is its IRI and the hash nodes inside it
(``<...#title>``, ``<...#contribution-1>``), so it is read by following links
from the IRI, at the same cost whatever the release's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pyoxigraph import Literal, NamedNode

from kg.namespaces import FOAF, RDF, SCHEMA, SKOS
from kg.store import Snapshot, Term

Properties = dict[str, list[Term]]


class Description:
    """The properties of a resource, of the nodes inside it, and the names of what it links to."""

    def __init__(self, snapshot: Snapshot, iri: NamedNode) -> None:
        self.snapshot = snapshot
        self.iri = iri
        self.nodes: dict[str, Properties] = {}
        self._read(iri)

    def _read(self, subject: NamedNode) -> None:
        properties: Properties = defaultdict(list)
        self.nodes[subject.value] = properties
        for quad in self.snapshot.quads(subject, None, None, None):
            values = properties[quad.predicate.value]
            if quad.object not in values:
                values.append(quad.object)
            obj = quad.object
            if (isinstance(obj, NamedNode) and obj.value.startswith(self.iri.value + "#")
                    and obj.value not in self.nodes):
                self._read(obj)

    def of(self, subject: NamedNode | str | None = None) -> Properties:
        """The properties of the resource, or of one node inside it."""
        key = self.iri.value if subject is None else getattr(subject, "value", subject)
        return self.nodes.get(key, {})

    def values(self, predicate: NamedNode, subject: NamedNode | str | None = None) -> list[Term]:
        """The values of one property, in the order the store gives them."""
        return self.of(subject).get(predicate.value, [])

    def texts(self, predicate: NamedNode, subject: NamedNode | str | None = None) -> list[str]:
        """The values of one property as text, sorted for a stable record."""
        return sorted(v.value for v in self.values(predicate, subject))

    def text(self, predicate: NamedNode, subject: NamedNode | str | None = None) -> str:
        """The first value of a property as text ('' if none)."""
        found = self.texts(predicate, subject)
        return found[0] if found else ""

    def linked(self, predicate: NamedNode, subject: NamedNode | str | None = None,
               ) -> Iterator[NamedNode]:
        """The nodes a property links to, in the order of their fragment's number."""
        nodes = [v for v in self.values(predicate, subject) if isinstance(v, NamedNode)]
        yield from sorted(nodes, key=_fragment_order)

    def types(self, subject: NamedNode | str | None = None) -> set[str]:
        """The classes of the resource or of one of its nodes."""
        return {t.value for t in self.values(RDF.type, subject)}

    def agent(self, iri: NamedNode) -> tuple[set[str], str, str, str]:
        """(classes, name, birth, death) of an agent, from wherever it is declared."""
        return agent_face(self.snapshot, iri)


def agent_face(snapshot: Snapshot, iri: NamedNode) -> tuple[set[str], str, str, str]:
    """(classes, name, birth year, death year) of an agent: what a MARC heading shows."""
    types, names, birth, death = set(), [], "", ""
    for quad in snapshot.quads(iri, None, None, None):
        predicate, obj = quad.predicate, quad.object
        if predicate == RDF.type:
            types.add(obj.value)
        elif predicate in (FOAF.name, SKOS.prefLabel) and isinstance(obj, Literal):
            names.append((obj.language not in (None, "und", "en", "vi"), obj.value))
        elif predicate == SCHEMA.birthDate:
            birth = obj.value[:4]
        elif predicate == SCHEMA.deathDate:
            death = obj.value[:4]
    return types, (min(names)[1] if names else ""), birth, death


def _fragment_order(node: NamedNode) -> tuple[str, int]:
    fragment = node.value.rpartition("#")[2]
    stem, _, number = fragment.rpartition("-")
    return (stem, int(number)) if number.isdigit() else (fragment, 0)
