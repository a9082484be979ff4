"""The queries of one node shape and target, for the focus nodes typed in one graph.

Oxigraph is fast at scanning an index range (all ``?f P ?v`` of a graph) and
at hash joins (``MINUS``), slow at looking something up for every row. So each
query first finds what fails from scans of the path's triples, and only then
joins the (few) failing rows with the focus nodes, inside a sub-select that
keeps Oxigraph from looking up every focus node first:

- constraints on the focus node itself, one query;
- per property shape, the value constraints that are tests on the value
  (datatype, node kind, pattern, or/not/node of those), one query;
- per ``sh:class`` (or ``sh:or`` of classes), one anti-join with the
  instances of the classes in every graph;
- per count (``sh:minCount``, ``sh:maxCount``, ``sh:uniqueLang``), one
  grouped scan.

Every query returns only failures: ``?f``, maybe ``?v``, and one boolean
column ``?cN`` per check it carries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from kg.validate.expressions import Writer
from kg.validate.model import COUNTS, Constraint, Shape


@dataclass(frozen=True)
class Check:
    """One constraint a query reports: the shape it belongs to and the constraint."""

    shape: Shape
    constraint: Constraint
    on_focus: bool = False


@dataclass(frozen=True)
class Query:
    """One query's text and what its boolean columns ``?c0``, ``?c1`` ... mean."""

    text: str
    checks: tuple[Check, ...]
    value: str | None  # the variable holding the value node: "v", "f" or none


WriterFactory = Callable[[], Writer]


def shape_queries(shape: Shape, target: str, writer: WriterFactory) -> Iterator[Query]:
    """Every query of a node shape for one target class (each with a fresh writer)."""
    focus = _focus_query(shape, target, writer())
    if focus is not None:
        yield focus
    for prop in shape.properties:
        yield from property_queries(prop, target, writer)


def property_queries(prop: Shape, target: str, writer: WriterFactory) -> Iterator[Query]:
    """The queries of one property shape."""
    tests = [c for c in prop.constraints if c.component not in COUNTS and not _classes(c)]
    if tests:
        yield _tests_query(prop, tests, target, writer())
    for constraint in prop.constraints:
        if _classes(constraint):
            yield _classes_query(prop, constraint, target, writer())
        elif constraint.component in COUNTS:
            query = _count_query(prop, constraint, target, writer())
            if query is not None:
                yield query


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


def _tests_query(prop: Shape, tests: list[Constraint], target: str, writer: Writer) -> Query:
    """The value constraints that test each value on its own."""
    assert prop.path is not None
    failures = [f"!{writer.ok(constraint, '?v')}" for constraint in tests]
    text = (f"SELECT ?f ?v {_columns(failures)} WHERE {{ "
            f"{{ SELECT ?f ?v WHERE {{ {writer.path('?f', prop.path, '?v')} "
            f"FILTER({' || '.join(failures)}) }} }} {writer.focus('?f', target)} }}")
    return Query(text, tuple(Check(prop, c) for c in tests), "v")


def _classes(constraint: Constraint) -> tuple[str, ...]:
    """The classes of sh:class, or of an sh:or whose members are each one sh:class."""
    if constraint.component == "ClassConstraintComponent":
        return (str(constraint.value),)
    if constraint.component != "OrConstraintComponent" or not constraint.shapes:
        return ()
    classes = []
    for member in constraint.shapes:
        only = member.constraints
        if member.properties or len(only) != 1 or only[0].component != "ClassConstraintComponent":
            return ()
        classes.append(str(only[0].value))
    return tuple(classes)


def _classes_query(prop: Shape, constraint: Constraint, target: str, writer: Writer) -> Query:
    """Values that are an instance of none of the classes, by anti-joins."""
    assert prop.path is not None
    minus = " ".join(f"MINUS {{ {writer.typed('?v', cls)} }}" for cls in _classes(constraint))
    text = (f"SELECT ?f ?v (true AS ?c0) WHERE {{ "
            f"{{ SELECT ?f ?v WHERE {{ {writer.path('?f', prop.path, '?v')} {minus} }} }} "
            f"{writer.focus('?f', target)} }}")
    return Query(text, (Check(prop, constraint),), "v")


def _count(writer: Writer, prop: Shape) -> str:
    """The number of values: one step in one graph (a set) cannot repeat a value."""
    assert prop.path is not None
    return "COUNT(?v)" if len(writer.graphs) == 1 and len(prop.path) == 1 else "COUNT(DISTINCT ?v)"


def _count_query(prop: Shape, constraint: Constraint, target: str,
                 writer: Writer) -> Query | None:
    """Focus nodes with too few or too many values, or two in one language."""
    assert prop.path is not None
    limit, focus = constraint.value, writer.focus("?f", target)
    if constraint.component == "MinCountConstraintComponent":
        if not limit:
            return None
        values = writer.path("?f", prop.path, "?v")
        having = (values if limit == 1 else f"SELECT ?f WHERE {{ {values} }} GROUP BY ?f "
                                            f"HAVING ({_count(writer, prop)} >= {int(limit)})")
        where = f"{focus} MINUS {{ {having} }}"
    elif constraint.component == "MaxCountConstraintComponent":
        where = (f"{{ SELECT ?f WHERE {{ {writer.path('?f', prop.path, '?v')} }} GROUP BY ?f "
                 f"HAVING ({_count(writer, prop)} > {int(limit)}) }} {focus}")
    else:
        if not limit:
            return None
        where = (f"{{ SELECT ?f WHERE {{ {writer.path('?f', prop.path, '?v')} "
                 f'FILTER(isLiteral(?v) && LANG(?v) != "") }} GROUP BY ?f '
                 f"HAVING (COUNT(DISTINCT ?v) > COUNT(DISTINCT LCASE(LANG(?v)))) }} {focus}")
    return Query(f"SELECT DISTINCT ?f (true AS ?c0) WHERE {{ {where} }}",
                 (Check(prop, constraint),), None)
