"""The SHACL shapes (``shapes/``) as rdflib graphs, and what reports need from them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.bundled import turtle_files

SH = Namespace("http://www.w3.org/ns/shacl#")
KG = Namespace("https://w3id.org/library-kg/ontology#")


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All shapes files in one graph (parsed once per process)."""
    graph = Graph()
    for path in turtle_files("shapes"):
        graph.parse(path, format="turtle")
    return graph


@dataclass(frozen=True)
class ShapeFacts:
    """What a message needs to know about one shape."""

    field: str | None
    datatypes: tuple[str, ...]
    classes: tuple[str, ...]
    node_kind: str | None
    pattern: str | None
    min_count: int | None
    max_count: int | None
    message: str | None


def _or_members(graph: Graph, shape: Node) -> list[Node]:
    members: list[Node] = []
    for head in graph.objects(shape, SH["or"]):
        members.extend(Collection(graph, head))
    return members


def _int(graph: Graph, shape: Node, predicate: URIRef) -> int | None:
    value = graph.value(shape, predicate)
    return int(value) if isinstance(value, Literal) else None


@lru_cache(maxsize=512)
def facts(shape: Node) -> ShapeFacts:
    """The field, datatypes, classes and counts a shape constrains."""
    graph = shapes_graph()
    alternatives = [shape, *_or_members(graph, shape)]
    datatypes = tuple(str(d) for s in alternatives for d in graph.objects(s, SH.datatype))
    classes = tuple(str(c) for s in alternatives for c in graph.objects(s, SH["class"]))
    field = graph.value(shape, KG.sourceField)
    node_kind = graph.value(shape, SH.nodeKind)
    pattern = graph.value(shape, SH.pattern)
    message = graph.value(shape, SH.message)
    return ShapeFacts(
        field=str(field) if field is not None else None,
        datatypes=datatypes,
        classes=classes,
        node_kind=str(node_kind) if node_kind is not None else None,
        pattern=str(pattern) if pattern is not None else None,
        min_count=_int(graph, shape, SH.minCount),
        max_count=_int(graph, shape, SH.maxCount),
        message=str(message) if message is not None else None,
    )


@dataclass(frozen=True)
class ReferenceRule:
    """A property whose IRI values must be entities of one of some classes."""

    target_class: str
    predicate: str
    classes: tuple[str, ...]
    shape: Node


@lru_cache(maxsize=1)
def reference_rules() -> tuple[ReferenceRule, ...]:
    """Every (target class, simple path, required classes) the shapes declare."""
    graph = shapes_graph()
    rules = []
    for node_shape in graph.subjects(RDF.type, SH.NodeShape):
        for target in graph.objects(node_shape, SH.targetClass):
            for prop in graph.objects(node_shape, SH.property):
                path = graph.value(prop, SH.path)
                if not isinstance(path, URIRef):
                    continue
                shape_facts = facts(prop)
                if shape_facts.classes:
                    rules.append(ReferenceRule(str(target), str(path), shape_facts.classes, prop))
    return tuple(sorted(rules, key=lambda r: (r.target_class, r.predicate)))
