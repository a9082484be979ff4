"""SHACL constraints as SPARQL graph patterns and boolean expressions.

A :class:`Writer` writes the text of one query. Data values are read from the
graphs being validated (one graph, named as a constant, or several, through
``GRAPH ?g`` limited to them by the query's dataset), while ``rdf:type`` for
``sh:class`` is looked up in the union of all graphs, so references across
sources resolve. Terms enter the text only through pyoxigraph's own
serialization of :class:`NamedNode` and :class:`Literal` (built from terms,
escaped by Oxigraph); they come from the shapes files and the build's graph
names, never from a request.

>>> from pyoxigraph import NamedNode
>>> people = NamedNode("http://example.org/graph/people-csv")
>>> writer = Writer(people, [people], {})
>>> writer.path("?f", (Step("http://xmlns.com/foaf/0.1/name"),), "?v")
'GRAPH <http://example.org/graph/people-csv> { ?f <http://xmlns.com/foaf/0.1/name> ?v }'
>>> writer.ok(Constraint("NodeKindConstraintComponent", str(SH.IRI)), "?v")
'isIRI(?v)'
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from pyoxigraph import Literal, NamedNode
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from kg.errors import UnsupportedShape
from kg.validate.model import COUNTS, Constraint, Shape, Step
from kg.validate.shapes import SH

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
WELL_TYPED = NamedNode("https://w3id.org/library-kg/validate#wellTyped")
NODE_KIND_TESTS = {
    str(SH.IRI): "isIRI({0})",
    str(SH.Literal): "isLiteral({0})",
    str(SH.BlankNode): "isBlank({0})",
    str(SH.BlankNodeOrIRI): "!isLiteral({0})",
    str(SH.BlankNodeOrLiteral): "!isIRI({0})",
    str(SH.IRIOrLiteral): "!isBlank({0})",
}
# The value types pySHACL checks a well-formed literal against (the others pass).
PYTHON_TYPES = {XSD + "integer": int, XSD + "float": float, XSD + "decimal": Decimal,
                XSD + "boolean": bool, XSD + "date": date, XSD + "time": time,
                XSD + "dateTime": datetime}


@lru_cache(maxsize=65536)
def well_typed(lexical: str, datatype: str) -> bool:
    """True if a typed literal is well formed, judged as pySHACL judges it (by rdflib)."""
    literal = RdfLiteral(lexical, datatype=URIRef(datatype))
    if literal.ill_typed is True:
        return False
    wanted = PYTHON_TYPES.get(datatype)
    return wanted is None or isinstance(literal.value, wanted)


def _well_typed_function(term: Literal) -> Literal:
    return Literal(well_typed(term.value, term.datatype.value))


# Custom functions the queries call, by name.
FUNCTIONS = {WELL_TYPED: _well_typed_function}
# rdflib logs every ill-typed literal it parses; reports name them properly.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def all_of(parts: list[str]) -> str:
    """Conjunction that stops at the first false part.

    Oxigraph evaluates both sides of ``&&`` (unless one is a constant), so a
    costly test (EXISTS, a Python function) is guarded with ``IF`` instead.
    """
    if not parts:
        return "true"
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = f"IF({part}, {text}, false)"
    return text


def any_of(parts: list[str]) -> str:
    """Disjunction that stops at the first true part (see :func:`all_of`)."""
    if not parts:
        return "false"
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = f"IF({part}, true, {text})"
    return text


def iri(value: str) -> str:
    """An IRI as SPARQL text (checked and written by pyoxigraph)."""
    return str(NamedNode(value))


def string(value: str) -> str:
    """A string as a SPARQL literal (escaped by pyoxigraph)."""
    return str(Literal(value))


class Writer:
    """Writes patterns and expressions for one query, with fresh variable names.

    Focus nodes are those typed in one validated graph (a constant: fastest
    for Oxigraph); their values may be in any validated graph, as pySHACL sees
    the union of them.
    """

    def __init__(self, focus_graph: NamedNode, graphs: list[NamedNode],
                 subclasses: dict[str, tuple[str, ...]], every_graph: bool = False) -> None:
        self.focus_graph = str(focus_graph)
        self.graphs = [str(g) for g in graphs]
        self.subclasses = subclasses
        self.every_graph = every_graph  # the graphs are all the store holds
        self.count = 0

    def var(self, stem: str) -> str:
        """A variable name not used before in this query."""
        self.count += 1
        return f"?{stem}{self.count}"

    def data(self, subject: str, predicate: str, obj: str) -> str:
        """A triple pattern in any of the validated graphs."""
        if len(self.graphs) == 1:
            return f"GRAPH {self.graphs[0]} {{ {subject} {predicate} {obj} }}"
        graph = self.var("g")
        pattern = f"GRAPH {graph} {{ {subject} {predicate} {obj} }}"
        if self.every_graph:
            return pattern
        # A filter on the graph: Oxigraph is slower with the query's dataset
        # limited to some named graphs, and slower still with this filter than
        # without, hence the case above.
        return f"{pattern} FILTER({graph} IN ({', '.join(self.graphs)}))"

    def path(self, subject: str, steps: tuple[Step, ...], obj: str) -> str:
        """A pattern linking subject to obj along the steps, in the validated graphs."""
        patterns, current = [], subject
        for number, step in enumerate(steps, start=1):
            following = obj if number == len(steps) else self.var("x")
            s, o = (following, current) if step.inverse else (current, following)
            patterns.append(self.data(s, iri(step.predicate), o))
            current = following
        return " ".join(patterns)

    def classes(self, cls: str) -> tuple[str, ...]:
        """A class and its subclasses (rdfs:subClassOf in any graph)."""
        return self.subclasses.get(cls, (cls,))

    def typed(self, term: str, cls: str) -> str:
        """A pattern: term has the class (or a subclass) as rdf:type, in any graph."""
        classes = self.classes(cls)
        if len(classes) == 1:
            return f"{term} {RDF_TYPE} {iri(cls)} ."
        found = self.var("t")
        return (f"{term} {RDF_TYPE} {found} . "
                f"FILTER({found} IN ({', '.join(iri(c) for c in classes)}))")

    def focus(self, term: str, cls: str) -> str:
        """A pattern: the focus nodes of a class target, typed in the focus graph."""
        return f"GRAPH {self.focus_graph} {{ {self.typed(term, cls)} }}"

    def ok(self, constraint: Constraint, term: str) -> str:
        """An expression: term satisfies one value constraint."""
        component, value = constraint.component, constraint.value
        if component == "DatatypeConstraintComponent":
            return self._datatype(str(value), term)
        if component == "NodeKindConstraintComponent":
            return NODE_KIND_TESTS[str(value)].format(term)
        if component == "ClassConstraintComponent":
            return all_of([f"!isLiteral({term})", f"EXISTS {{ {self.typed(term, str(value))} }}"])
        if component == "PatternConstraintComponent":
            pattern, flags = value  # type: ignore[misc]
            arguments = string(pattern) + (f", {string(flags)}" if flags else "")
            return all_of([f"!isBlank({term})", f"REGEX(STR({term}), {arguments})"])
        members = [self.conforms(shape, term) for shape in constraint.shapes]
        if component == "OrConstraintComponent":
            return any_of(members)
        if component == "AndConstraintComponent":
            return all_of(members)
        if component == "XoneConstraintComponent":
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1)"
        if component == "NotConstraintComponent":
            return f"(!{members[0]})"
        if component == "NodeConstraintComponent":
            return members[0]
        raise UnsupportedShape(f"{component} cannot be checked on a single value")

    def _datatype(self, datatype: str, term: str) -> str:
        if datatype == LANG_STRING:
            return f'(isLiteral({term}) && LANG({term}) != "")'
        test = f"(isLiteral({term}) && sameTerm(DATATYPE({term}), {iri(datatype)}))"
        if datatype == XSD + "string":
            return test
        return all_of([test, f"{iri(WELL_TYPED.value)}({term})"])

    def conforms(self, shape: Shape, term: str) -> str:
        """An expression: term conforms to a whole shape (used by or, and, not, node)."""
        parts = [self.ok(constraint, term) for constraint in shape.constraints]
        parts += [self.property_ok(prop, term) for prop in shape.properties]
        return all_of(parts)

    def property_ok(self, shape: Shape, term: str) -> str:
        """An expression: the values of term along a property shape's path conform."""
        assert shape.path is not None
        parts = []
        for constraint in shape.constraints:
            if constraint.component in COUNTS:
                part = self.count_ok(shape, constraint, term)
                if part:
                    parts.append(part)
        values = [c for c in shape.constraints if c.component not in COUNTS]
        if values:
            value = self.var("y")
            test = all_of([self.ok(c, value) for c in values])
            parts.append(f"NOT EXISTS {{ {self.path(term, shape.path, value)} "
                         f"FILTER(!{test}) }}")
        return all_of(parts)

    def count_ok(self, shape: Shape, constraint: Constraint, term: str) -> str | None:
        """An expression for a count or uniqueLang constraint on term's values."""
        assert shape.path is not None
        value, limit = self.var("y"), constraint.value
        if constraint.component == "UniqueLangConstraintComponent":
            if not limit:
                return None
            other = self.var("y")
            return (f"NOT EXISTS {{ {self.path(term, shape.path, value)} "
                    f"{self.path(term, shape.path, other)} "
                    f"FILTER(!sameTerm({value}, {other}) && isLiteral({value}) && "
                    f'isLiteral({other}) && LANG({value}) != "" && '
                    f"LCASE(LANG({value})) = LCASE(LANG({other}))) }}")
        if constraint.component == "MinCountConstraintComponent":
            if limit == 0:
                return None
            if limit == 1:
                return f"EXISTS {{ {self.path(term, shape.path, value)} }}"
            having, negate = f"COUNT(DISTINCT {value}) >= {int(limit)}", ""
        else:
            having, negate = f"COUNT(DISTINCT {value}) > {int(limit)}", "NOT "
        return (f"{negate}EXISTS {{ SELECT {term} WHERE {{ {self.path(term, shape.path, value)} }} "
                f"GROUP BY {term} HAVING ({having}) }}")
