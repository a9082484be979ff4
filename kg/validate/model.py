"""The shapes graph read into plain values, for the SPARQL validator to compile.

Everything is read generically from the SHACL terms of ``shapes/``, so a change
to a shape changes what both validators check. A construct this reader does
not know (``sh:in``, ``sh:targetNode``, an alternative path ...) raises
:class:`UnsupportedShape` when the shapes are loaded: data is never passed
by a rule that was silently skipped.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...   ex:S a sh:NodeShape ; sh:targetClass ex:C ;
...     sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype ex:D ] .''')
>>> [shape.targets for shape in read_shapes(shapes)]
[('http://example.org/C',)]
>>> read_shapes(Graph().parse(format="turtle", data='''
...   @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
...   ex:S sh:targetClass ex:C ; sh:in ( ex:a ) .'''))
Traceback (most recent call last):
...
kg.errors.UnsupportedShape: shape <http://example.org/S> uses sh:in, which the SPARQL ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import UnsupportedShape
from kg.validate.shapes import SH

# Describe a shape or tell pages how to show it; nothing to check.
METADATA = {SH.message, SH.severity, SH.name, SH.description, SH.group, SH.order,
            SH.defaultValue, SH.deactivated, SH.flags}
NODE_KINDS = {SH.IRI, SH.Literal, SH.BlankNode, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral,
              SH.IRIOrLiteral}
LOGICAL = {SH["or"]: "Or", SH["and"]: "And", SH.xone: "Xone"}
# Constraints on the number (or languages) of values: property shapes only.
COUNTS = ("MinCountConstraintComponent", "MaxCountConstraintComponent",
          "UniqueLangConstraintComponent")


@dataclass(frozen=True)
class Step:
    """One step of a property path: a predicate, followed forwards or backwards."""

    predicate: str
    inverse: bool = False


@dataclass(frozen=True)
class Constraint:
    """One constraint: its component (as pySHACL names it) and its parameters."""

    component: str
    value: object = None
    shapes: tuple[Shape, ...] = ()


@dataclass(frozen=True, eq=False)
class Shape:
    """A node shape or a property shape, with what it checks."""

    node: Node
    path: tuple[Step, ...] | None = None
    targets: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    properties: tuple[Shape, ...] = ()
    severity: str = "error"
    message: str | None = None
    rdflib_path: Node | None = None

    @property
    def simple_path(self) -> str | None:
        """The predicate when the path is one forward step, as reports give it."""
        return self.rdflib_path.toPython() if isinstance(self.rdflib_path, URIRef) else None

    def constraints_of(self, *components: str) -> list[Constraint]:
        """The constraints of some components, in declaration order."""
        return [c for c in self.constraints if c.component in components]


@dataclass
class _Reader:
    graph: Graph
    done: dict[Node, Shape] = field(default_factory=dict)
    reading: set[Node] = field(default_factory=set)

    def shape(self, node: Node, is_property: bool) -> Shape:
        """The shape at a node (read once; a shape that refers to itself is refused)."""
        if node in self.done:
            return self.done[node]
        if node in self.reading:
            raise _unsupported(node, "a recursive reference to itself")
        self.reading.add(node)
        shape = self._read(node, is_property)
        self.reading.discard(node)
        self.done[node] = shape
        return shape

    def _read(self, node: Node, is_property: bool) -> Shape:
        graph = self.graph
        path = graph.value(node, SH.path)
        if is_property and path is None:
            raise _unsupported(node, "sh:property without sh:path")
        constraints: list[Constraint] = []
        properties: list[Shape] = []
        targets: list[str] = []
        for predicate, obj in sorted(graph.predicate_objects(node)):
            if predicate == SH.targetClass:
                targets.append(str(obj))
            elif predicate == SH.property:
                if not _deactivated(graph, obj):
                    properties.append(self.shape(obj, is_property=True))
            elif predicate == RDF.type:
                if obj not in (SH.NodeShape, SH.PropertyShape):
                    raise _unsupported(node, f"rdf:type {_name(obj)} (an implicit target)")
            elif predicate == SH.path or predicate in METADATA:
                continue
            elif str(predicate).startswith(str(SH)):
                constraints.append(self._constraint(node, predicate, obj))
        if targets and path is not None:
            raise _unsupported(node, "a target on a property shape")
        counts = [c.component for c in constraints if c.component in COUNTS]
        if counts and path is None:
            raise _unsupported(node, f"{counts[0]} outside a property shape")
        return Shape(node=node, path=_path(graph, node, path) if path is not None else None,
                     targets=tuple(targets), constraints=tuple(constraints),
                     properties=tuple(properties), severity=_severity(graph, node),
                     message=_text(graph.value(node, SH.message)), rdflib_path=path)

    def _constraint(self, node: Node, predicate: URIRef, obj: Node) -> Constraint:
        """One constraint parameter as a :class:`Constraint`."""
        if predicate == SH.datatype:
            return Constraint("DatatypeConstraintComponent", str(obj))
        if predicate == SH.nodeKind and obj in NODE_KINDS:
            return Constraint("NodeKindConstraintComponent", str(obj))
        if predicate == SH["class"]:
            return Constraint("ClassConstraintComponent", str(obj))
        if predicate == SH.pattern:
            flags = self.graph.value(node, SH.flags)
            return Constraint("PatternConstraintComponent", (str(obj), str(flags or "")))
        if predicate in (SH.minCount, SH.maxCount) and _is_int(obj):
            name = "MinCount" if predicate == SH.minCount else "MaxCount"
            return Constraint(f"{name}ConstraintComponent", int(obj))
        if predicate == SH.uniqueLang and isinstance(obj, Literal) and obj.value in (True, False):
            return Constraint("UniqueLangConstraintComponent", bool(obj.value))
        if predicate in LOGICAL:
            members = tuple(self.shape(m, is_property=False) for m in Collection(self.graph, obj))
            return Constraint(f"{LOGICAL[predicate]}ConstraintComponent", shapes=members)
        if predicate in (SH["not"], SH.node):
            name = "Not" if predicate == SH["not"] else "Node"
            return Constraint(f"{name}ConstraintComponent",
                              shapes=(self.shape(obj, is_property=False),))
        raise _unsupported(node, _name(predicate))


def _path(graph: Graph, shape: Node, path: Node) -> tuple[Step, ...]:
    """A simple, inverse or sequence path as steps; other paths are refused."""
    if isinstance(path, URIRef):
        return (Step(str(path)),)
    inverse = graph.value(path, SH.inversePath)
    if isinstance(inverse, URIRef):
        return (Step(str(inverse), inverse=True),)
    if isinstance(path, BNode) and graph.value(path, RDF.first) is not None:
        steps = [step for member in Collection(graph, path)
                 for step in _path(graph, shape, member)]
        if steps:
            return tuple(steps)
    raise _unsupported(shape, "a property path other than a predicate, an inverse "
                              "or a sequence of those")


def _severity(graph: Graph, node: Node) -> str:
    severity = graph.value(node, SH.severity)
    if severity is None or severity == SH.Violation:
        return "error"
    return str(severity).rsplit("#", 1)[-1].lower()


def _is_int(term: Node) -> bool:
    return isinstance(term, Literal) and isinstance(term.value, int) and term.value >= 0


def _text(term: Node | None) -> str | None:
    return str(term) if term is not None else None


def _name(term: Node) -> str:
    text = str(term)
    return "sh:" + text[len(str(SH)):] if text.startswith(str(SH)) else f"<{text}>"


def _unsupported(node: Node, what: str) -> UnsupportedShape:
    where = f"<{node}>" if isinstance(node, URIRef) else "a property shape"
    return UnsupportedShape(f"shape {where} uses {what}, which the SPARQL validator "
                            "does not support")


def _deactivated(graph: Graph, node: Node) -> bool:
    flag = graph.value(node, SH.deactivated)
    return isinstance(flag, Literal) and flag.value is True


def read_shapes(graph: Graph) -> list[Shape]:
    """The shapes that have targets, read with everything they refer to."""
    reader = _Reader(graph)
    roots = set(graph.subjects(SH.targetClass, None))
    for other in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        for node in graph.subjects(other, None):
            raise _unsupported(node, _name(other))
    for node in graph.subjects(RDF.type, RDFS.Class):
        if (node, RDF.type, SH.NodeShape) in graph:
            raise _unsupported(node, "rdf:type rdfs:Class (an implicit target)")
    return [reader.shape(node, is_property=False) for node in sorted(roots)
            if not _deactivated(graph, node)]
