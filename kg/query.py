"""Running a read-only SPARQL query and writing its answer in a chosen format.

Shared by ``kg query`` and the ``/sparql`` endpoint. Updates are refused with
a message that says so (the service is read-only); syntax errors carry the
parser's line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    serialize,
)

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.store import QueryResult, Snapshot


@dataclass(frozen=True)
class Answer:
    """A query's result and its form: 'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE)."""

    form: str
    result: QueryResult


def is_update(text: str) -> bool:
    """True if the text parses as a SPARQL Update (checked only after a query failed)."""
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001 (any parse failure means: not an update)
        return False
    return True


def run_query(snapshot: Snapshot, text: str, default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None) -> Answer:
    """Evaluate a query on a release; QueryError for syntax errors and updates."""
    try:
        result = snapshot.query(text, default_graph=default_graph, named_graphs=named_graphs)
    except QueryError as error:
        if is_update(text):
            raise QueryError("this endpoint is read-only: SPARQL Update is not accepted "
                             "here") from error
        raise
    if isinstance(result, QuerySolutions):
        return Answer("select", result)
    if isinstance(result, QueryBoolean):
        return Answer("ask", result)
    return Answer("graph", result)


def write_answer(answer: Answer, format: QueryResultsFormat | RdfFormat) -> bytes:
    """The whole answer serialized by Oxigraph in the given format."""
    output = BytesIO()
    if answer.form == "graph":
        result: QueryTriples = answer.result  # type: ignore[assignment]
        serialize(result, output, format, prefixes=PREFIXES if format == RdfFormat.TURTLE else None)
    else:
        answer.result.serialize(output, format)  # type: ignore[union-attr]
    return output.getvalue()


def rows(answer: Answer) -> tuple[list[str], Iterator[list[str]]]:
    """Variables and rows of a SELECT answer as compact text, for tables."""
    result: QuerySolutions = answer.result  # type: ignore[assignment]
    names = [v.value for v in result.variables]

    def generate() -> Iterator[list[str]]:
        for solution in result:
            yield [_compact(solution[name]) for name in names]

    return names, generate()


def _compact(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace) and "/" not in term.value[len(namespace):]:
                return f"{prefix}:{term.value[len(namespace):]}"
        return term.value
    return getattr(term, "value", str(term))
