"""What refers to an entity ("referred to by"), grouped by property and paged.

Counts come from one SPARQL aggregate with the entity bound as a term (never
formatted into the query); the listed referrers are read from the store's
object index a page at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from pyoxigraph import Literal, NamedNode

from kg.ontology import term_label
from kg.store import Snapshot
from web.entity_view import Value
from web.related import Labeller, entity_of

PER_GROUP = 20
READ_DIRECTLY = 1000  # referring quads read in one pass before counting with SPARQL
# ?o and ?inside are bound with substitutions, which Oxigraph requires to be
# projected (so they are grouped by too, one value each).
COUNT_BY_PROPERTY = """
SELECT ?p ?o ?inside (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s ?p ?o .
  FILTER(!STRSTARTS(STR(?s), ?inside))
} GROUP BY ?p ?o ?inside
"""


@dataclass
class BacklinkGroup:
    """The entities that refer to this one through one property."""

    property: str
    label: str
    total: int
    values: list[Value]


def counts(snapshot: Snapshot, iri: NamedNode) -> dict[str, int]:
    """Property -> how many subjects refer to the entity through it."""
    rows = snapshot.query(COUNT_BY_PROPERTY,
                          substitutions={"o": iri, "inside": Literal(iri.value + "#")})
    return {row["p"].value: int(row["n"].value) for row in rows}


def referrers(snapshot: Snapshot, iri: NamedNode, predicate: NamedNode, offset: int,
              limit: int) -> list[NamedNode]:
    """Entities referring to this one through a property, one page of them."""
    inside = iri.value + "#"
    found = (entity_of(q.subject) for q in snapshot.quads(None, predicate, iri, None)
             if isinstance(q.subject, NamedNode) and not q.subject.value.startswith(inside))
    return list(islice(dict.fromkeys(found), offset, offset + limit))


def _one_pass(snapshot: Snapshot, iri: NamedNode, limit: int,
              ) -> tuple[dict[str, int], dict[str, list[NamedNode]]] | None:
    """Counts and first referrers per property from one read of the referring quads;
    None when there are too many to read this way."""
    inside = iri.value + "#"
    seen: dict[str, dict[str, None]] = {}
    subjects: dict[str, dict[NamedNode, None]] = {}
    for number, quad in enumerate(snapshot.quads(None, None, iri, None)):
        if number >= READ_DIRECTLY:
            return None
        subject = quad.subject
        if not isinstance(subject, NamedNode) or subject.value.startswith(inside):
            continue
        predicate = quad.predicate.value
        seen.setdefault(predicate, {})[subject.value] = None
        group = subjects.setdefault(predicate, {})
        if len(group) < limit:
            group[entity_of(subject)] = None
    return ({p: len(s) for p, s in seen.items()},
            {p: list(group) for p, group in subjects.items()})


def backlink_groups(snapshot: Snapshot, iri: NamedNode, labeller: Labeller,
                    limit: int = PER_GROUP) -> list[BacklinkGroup]:
    """Every property that refers to the entity, with its first referrers."""
    direct = _one_pass(snapshot, iri, limit)
    if direct is not None:
        totals, first = direct
    else:
        totals = counts(snapshot, iri)
        first = {p: referrers(snapshot, iri, NamedNode(p), 0, limit) for p in totals}
    labeller.learn([e for entities in first.values() for e in entities])
    groups = [BacklinkGroup(p, term_label(p, labeller.languages), total,
                            [labeller.link(e) for e in first[p]])
              for p, total in totals.items()]
    return sorted(groups, key=lambda g: g.label.casefold())
