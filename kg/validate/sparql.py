"""The SPARQL validator: the shapes compiled to queries run inside the staging store.

:class:`Program` holds the shapes read from ``shapes/``
(:mod:`kg.validate.model`); for each validated graph, node shape and target
class found in it, it runs the queries of :mod:`kg.validate.queries`. Each
row they return is a failure, turned into the :class:`Violation` pySHACL would
report (same focus, component, shape, path and value), so report lines are
identical whichever validator found them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from pyoxigraph import BlankNode, NamedNode, QuerySolution
from rdflib import Graph

from kg.errors import UnsupportedShape
from kg.store.staging import StagingView
from kg.validate.expressions import FUNCTIONS, Writer
from kg.validate.messages import Violation
from kg.validate.model import read_shapes
from kg.validate.queries import Query, shape_queries
from kg.validate.shapes import shapes_graph

# Queries run at once (each on a core of its own while Oxigraph evaluates it).
_THREADS = min(4, os.cpu_count() or 1)


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
        check = NamedNode("urn:kg:check")
        for shape in self.shapes:
            for target in shape.targets:
                for _ in shape_queries(shape, target, lambda: Writer(check, [check], {})):
                    pass

    def violations(self, view: StagingView, graphs: list[NamedNode]) -> list[Violation]:
        """Every failed constraint of the focus nodes typed in the graphs.

        The queries are independent, and Oxigraph evaluates a query without the
        GIL, so they run on every core; the violations come back in the queries'
        order, as from one thread.
        """
        subclasses = view.subclasses()
        every = set(graphs) >= set(view.graphs())
        queries: list[Query] = []
        for graph in graphs:
            for shape in self.shapes:
                for target in shape.targets:
                    if not view.has_instances(graph, subclasses.get(target, (target,))):
                        continue
                    writer = lambda g=graph: Writer(g, graphs, subclasses, every)  # noqa: E731
                    queries.extend(shape_queries(shape, target, writer))

        def run(query: Query) -> list[Violation]:
            return [violation for row in view.validation_rows(query.text, FUNCTIONS)
                    for violation in _violations(query, row)]

        with ThreadPoolExecutor(_THREADS, thread_name_prefix="validate") as pool:
            return [violation for found in pool.map(run, queries) for violation in found]


@lru_cache(maxsize=1)
def program() -> Program:
    """The bundled shapes, compiled once per process."""
    return Program(shapes_graph())


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
