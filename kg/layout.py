"""How pages lay out an entity: property groups and order, read from the shapes.

Each property shape in ``shapes/`` may carry ``sh:group`` (a ``sh:PropertyGroup``
of ``shapes/groups.ttl``, with its own ``sh:order`` and labels) and
``sh:order``; pages show groups in their order and properties in theirs.

>>> from kg.namespaces import FOAF, SKOS
>>> person = layout(FOAF.Person.value)
>>> person.place(FOAF["name"].value) < person.place(SKOS.altLabel.value)
True
>>> person.group_of(FOAF["name"].value).labels["en"]
'Names'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse

from kg.bundled import turtle_files
from kg.namespaces import RDFS, SH

OTHER_ORDER = 99.0


@dataclass(frozen=True)
class Group:
    """A group of properties, with its place and labels by language."""

    iri: str
    order: float
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


OTHER = Group("", OTHER_ORDER, {})


@dataclass
class Layout:
    """For one class: the group and place of each property its shape orders."""

    groups: dict[str, Group] = field(default_factory=dict)
    orders: dict[str, float] = field(default_factory=dict)

    def group_of(self, predicate: str) -> Group:
        """The property's group; :data:`OTHER` for properties the shape does not group."""
        return self.groups.get(predicate, OTHER)

    def place(self, predicate: str) -> tuple[float, float]:
        """Where the property goes: (group order, order in the group)."""
        return (self.group_of(predicate).order, self.orders.get(predicate, OTHER_ORDER))


def _number(term: object) -> float | None:
    return float(term.value) if isinstance(term, Literal) else None


@lru_cache(maxsize=1)
def _shapes() -> tuple[dict, dict]:
    """(subject -> predicate -> objects, target class -> property shapes) of all shapes."""
    triples: dict[object, dict[str, list]] = {}
    for path in turtle_files("shapes"):
        for quad in parse(path=str(path), format=RdfFormat.TURTLE):
            triples.setdefault(quad.subject, {}).setdefault(quad.predicate.value, []) \
                .append(quad.object)
    targets: dict[str, list] = {}
    for predicates in triples.values():
        for target in predicates.get(SH.targetClass.value, []):
            targets.setdefault(target.value, []).extend(predicates.get(SH.property.value, []))
    return triples, targets


@lru_cache(maxsize=32)
def layout(class_iri: str) -> Layout:
    """The layout of entities of a class (empty if no shape targets it)."""
    triples, targets = _shapes()
    result = Layout()
    for shape in targets.get(class_iri, []):
        facts = triples.get(shape, {})
        paths = facts.get(SH.path.value, [])
        if not paths or not isinstance(paths[0], NamedNode) or isinstance(paths[0], BlankNode):
            continue
        predicate = paths[0].value
        for group in facts.get(SH.group.value, [])[:1]:
            group_facts = triples.get(group, {})
            orders = [_number(o) for o in group_facts.get(SH.order.value, [])]
            labels = {o.language or "": o.value for o in group_facts.get(RDFS.label.value, [])
                      if isinstance(o, Literal)}
            result.groups[predicate] = Group(group.value, orders[0] if orders else OTHER_ORDER,
                                             labels)
        order = [_number(o) for o in facts.get(SH.order.value, [])]
        if order and order[0] is not None:
            result.orders.setdefault(predicate, order[0])
    return result
