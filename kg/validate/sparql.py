"""The SPARQL validator: the shapes compiled to queries run inside the staging store.

For each node shape and target class, at most a few queries, each one pass
over the focus nodes in the validated graphs:

- the constraints on the focus node itself (``sh:nodeKind``, the key
  ``sh:or`` of patterns);
- the value constraints of every property shape with a one-predicate path,
  in one scan of the focus nodes' triples (``?f ?p ?v``);
- the counts (``sh:minCount``, ``sh:maxCount``, ``sh:uniqueLang``) of those,
  in one grouped scan;
- the same two for each property shape with a longer path.

Each query returns only what fails, with one boolean column per constraint,
and each failure becomes the :class:`Violation` pySHACL would report (same
focus, component, shape, path and value), so report lines are identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import BlankNode, NamedNode, QuerySolution
from rdflib import Graph

from kg.errors import UnsupportedShape
from kg.store.staging import StagingView
from kg.validate.expressions import COUNTS, FUNCTIONS, Writer, iri
from kg.validate.messages import Violation
from kg.validate.model import Constraint, Shape, read_shapes
from kg.validate.shapes import shapes_graph


@dataclass(frozen=True)
class Check:
    """One constraint a query column reports: the shape it belongs to and the constraint."""

    shape: Shape
    constraint: Constraint
    on_focus: bool = False


@dataclass(frozen=True)
class Query:
    """One query's text and what its boolean columns ``?c0``, ``?c1`` ... mean."""

    text: str
    checks: tuple[Check, ...]
    value: str | None  # the variable holding the value node: "v", "f" or none


class Program:
    """The shapes compiled for the SPARQL validator (checked when made)."""

    def __init__(self, graph: Graph) -> None:
        self.shapes = read_shapes(graph)
        for shape in self.shapes:
            for prop in shape.properties:
                if prop.properties:
                    raise UnsupportedShape("a property shape with sh:property of its own")
        # Write every query once now, so that a construct that cannot be
        # written fails when the shapes are loaded rather than during a build.
        for _ in self.queries([NamedNode("urn:kg:check")], {}):
            pass

    def queries(self, graphs: list[NamedNode],
                subclasses: dict[str, tuple[str, ...]]) -> Iterator[Query]:
        """The queries that validate the graphs, given the class hierarchy in the store."""
        for shape in self.shapes:
            for target in shape.targets:
                yield from _shape_queries(shape, target, graphs, subclasses)

    def violations(self, view: StagingView, graphs: list[NamedNode]) -> list[Violation]:
        """Every failed constraint of the focus nodes typed in the graphs."""
        if not graphs:
            return []
        found: list[Violation] = []
        for query in self.queries(graphs, view.subclasses()):
            for row in view.validation_rows(query.text, graphs, FUNCTIONS):
                found.extend(_violations(query, row))
        return found


@lru_cache(maxsize=1)
def program() -> Program:
    """The bundled shapes, compiled once per process."""
    return Program(shapes_graph())


def _shape_queries(shape: Shape, target: str, graphs: list[NamedNode],
                   subclasses: dict[str, tuple[str, ...]]) -> Iterator[Query]:
    simple = [p for p in shape.properties if p.path and len(p.path) == 1 and not p.path[0].inverse]
    longer = [p for p in shape.properties if p not in simple]
    yield from _nonempty(
        _focus_query(shape, target, Writer(graphs, subclasses)),
        _values_query(simple, target, Writer(graphs, subclasses), merged=True),
        _counts_query(simple, target, Writer(graphs, subclasses), merged=True))
    for prop in longer:
        yield from _nonempty(
            _values_query([prop], target, Writer(graphs, subclasses), merged=False),
            _counts_query([prop], target, Writer(graphs, subclasses), merged=False))


def _nonempty(*queries: Query | None) -> Iterable[Query]:
    return [q for q in queries if q is not None]


def _columns(failures: list[str]) -> str:
    return " ".join(f"({failure} AS ?c{number})" for number, failure in enumerate(failures))


def _focus_query(shape: Shape, target: str, writer: Writer) -> Query | None:
    """The constraints on the focus node itself."""
    checks = tuple(Check(shape, c, on_focus=True) for c in shape.constraints)
    if not checks:
        return None
    failures = [f"!{writer.ok(check.constraint, '?f')}" for check in checks]
    text = (f"SELECT DISTINCT ?f {_columns(failures)} WHERE {{ {writer.focus('?f', target)} "
            f"FILTER({' || '.join(failures)}) }}")
    return Query(text, checks, "f")


def _values_query(props: list[Shape], target: str, writer: Writer,
                  merged: bool) -> Query | None:
    """Value constraints of property shapes: one scan of the focus nodes' values."""
    checks, failures = [], []
    for prop in props:
        match = f"?p = {iri(prop.path[0].predicate)} && " if merged else ""
        for constraint in prop.constraints:
            if constraint.component not in COUNTS:
                checks.append(Check(prop, constraint))
                failures.append(f"({match}!{writer.ok(constraint, '?v')})")
    if not checks:
        return None
    values = (f"GRAPH {writer.graph()} {{ ?f ?p ?v }}" if merged
              else writer.path("?f", props[0].path, "?v"))
    text = (f"SELECT ?f ?v {_columns(failures)} WHERE {{ {writer.focus('?f', target)} "
            f"{values} FILTER({' || '.join(failures)}) }}")
    return Query(text, tuple(checks), "v")


def _counts_query(props: list[Shape], target: str, writer: Writer,
                  merged: bool) -> Query | None:
    """Count and uniqueLang constraints: one grouped scan of the focus nodes' values."""
    checks, failures = [], []
    for prop in props:
        match = f"?p = {iri(prop.path[0].predicate)}" if merged else "true"
        for constraint in prop.constraints:
            failure = _count_failure(constraint, match)
            if failure:
                checks.append(Check(prop, constraint))
                failures.append(failure)
    if not checks:
        return None
    values = (f"GRAPH {writer.graph()} {{ ?f ?p ?v }}" if merged
              else writer.path("?f", props[0].path, "?v"))
    text = (f"SELECT ?f {_columns(failures)} WHERE {{ {writer.focus('?f', target)} "
            f"OPTIONAL {{ {values} }} }} GROUP BY ?f HAVING ({' || '.join(failures)})")
    return Query(text, tuple(checks), None)


def _count_failure(constraint: Constraint, match: str) -> str | None:
    """An aggregate expression that is true when a count constraint fails."""
    limit = constraint.value
    if constraint.component == "MinCountConstraintComponent" and limit:
        return f"(COUNT(DISTINCT IF({match}, ?v, ?none)) < {int(limit)})"
    if constraint.component == "MaxCountConstraintComponent":
        return f"(COUNT(DISTINCT IF({match}, ?v, ?none)) > {int(limit)})"
    if constraint.component == "UniqueLangConstraintComponent" and limit:
        tagged = f'{match} && isLiteral(?v) && LANG(?v) != ""'
        return (f"(COUNT(DISTINCT IF({tagged}, ?v, ?none)) > "
                f"COUNT(DISTINCT IF({tagged}, LCASE(LANG(?v)), ?none)))")
    return None


def _violations(query: Query, row: QuerySolution) -> Iterator[Violation]:
    focus = row["f"]
    value = row[query.value] if query.value else None
    for number, check in enumerate(query.checks):
        flag = row[f"c{number}"]
        if flag is None or flag.value != "true":
            continue
        shape = check.shape
        yield Violation(
            focus=focus.value,
            component=check.constraint.component,
            shape=shape.node,
            path=None if check.on_focus else shape.simple_path,
            value=_text(value),
            value_is_iri=isinstance(value, NamedNode),
            engine_message=shape.message,
            severity=shape.severity,
        )


def _text(term: object) -> str | None:
    """A value as pySHACL's report gives it: IRIs and literals as text, blank nodes not."""
    if term is None or isinstance(term, BlankNode):
        return None
    return term.value  # type: ignore[attr-defined]
