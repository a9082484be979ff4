"""Running a read-only SPARQL query and writing its answer in a chosen format.

Shared by ``kg query`` and the ``/sparql`` endpoint. :func:`check_query`
decides from the text alone, before anything is evaluated, whether this
service runs a request: updates are refused (the service is read-only), and
``SERVICE`` only reaches allow-listed endpoints. Syntax errors carry the
parser's line and column.

>>> check_query("SELECT * { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.errors.ServiceNotAllowed: SERVICE <http://elsewhere.example/sparql> is not allowed here; ...
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from kg.errors import QueryError, ServiceNotAllowed, TooLarge
from kg.namespaces import PREFIXES
from kg.query_text import QueryShape, inspect_query
from kg.store import QueryResult, Snapshot

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted here"


@dataclass(frozen=True)
class Answer:
    """A query's result and its form: 'select', 'ask' or 'graph' (CONSTRUCT/DESCRIBE)."""

    form: str
    result: QueryResult | Iterable


def check_query(text: str, allowed_services: Iterable[str] = (),
                max_bytes: int | None = None) -> QueryShape:
    """The query's shape, or the error that says why this service will not run it."""
    if max_bytes is not None and len(text.encode("utf-8")) > max_bytes:
        raise TooLarge(f"the query is larger than the limit of {max_bytes} bytes")
    shape = inspect_query(text, PREFIXES)
    if shape.form == "update":
        raise QueryError(READ_ONLY)
    allowed = set(allowed_services)
    for target in shape.services:
        if target is None:
            raise ServiceNotAllowed(
                "SERVICE must name its endpoint with an IRI (not a variable, and with its "
                "prefix declared) so that it can be checked against the allow-list")
        if target not in allowed:
            listed = ", ".join(sorted(allowed)) or "none"
            raise ServiceNotAllowed(f"SERVICE <{target}> is not allowed here; "
                                    f"endpoints allowed: {listed}")
    return shape


def run_query(snapshot: Snapshot, text: str, default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None,
              allowed_services: Iterable[str] = ()) -> Answer:
    """Evaluate a query on a release, in this process; QueryError for syntax and updates."""
    check_query(text, allowed_services)
    result = snapshot.query(text, default_graph=default_graph, named_graphs=named_graphs)
    return _answer(result)


def _answer(result: object) -> Answer:
    if isinstance(result, QuerySolutions):
        return Answer("select", result)
    if isinstance(result, QueryBoolean):
        return Answer("ask", result)
    return Answer("graph", result)  # type: ignore[arg-type]


def read_answer(media_type: str, data: bytes) -> Answer:
    """An answer in a serialized form (from another endpoint or a query process), parsed."""
    media_type = media_type.split(";")[0].strip().lower()
    results_format = QueryResultsFormat.from_media_type(media_type)
    rdf_format = RdfFormat.from_media_type(media_type) if results_format is None else None
    if results_format is None and rdf_format is None:
        raise QueryError(f"an answer in {media_type or 'an unknown format'} cannot be read")
    try:
        if rdf_format is not None:
            return Answer("graph", [q.triple for q in parse(data, rdf_format)])
        return _answer(parse_query_results(data, results_format))
    except SyntaxError as error:
        raise QueryError(f"the answer does not parse as {media_type}: {error}") from error


def write_answer(answer: Answer, format: QueryResultsFormat | RdfFormat) -> bytes:
    """The whole answer serialized by Oxigraph in the given format."""
    output = BytesIO()
    if answer.form == "graph":
        serialize(answer.result, output, format,  # type: ignore[arg-type]
                  prefixes=PREFIXES if format == RdfFormat.TURTLE else None)
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
