"""The query page of ``/sparql`` for browsers: editor, examples, results as a table.

Everything works without JavaScript: the form is a GET, so the page's URL
is the shareable URL of the query, and the results are rendered on the
server (IRIs of this dataset link to their entity pages). The example
queries are the ``.rq`` files in ``web/examples/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask import Response, render_template, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions

from kg.errors import KgError
from kg.namespaces import PREFIXES
from kg.query import Answer
from web.sparql_formats import GRAPHS, RESULTS
from web.sparql_request import QueryRequest

EXAMPLES = Path(__file__).parent / "examples"
EDITOR_PREFIXES = ("rdf", "rdfs", "xsd", "skos", "org", "schema", "foaf", "dcterms", "prov",
                   "bf", "kg")


@dataclass(frozen=True)
class Example:
    """An example query: its title (the file's first comment) and text."""

    title: str
    text: str


@dataclass
class Cell:
    """A term shown in a table: its text, a link for IRIs, its full form as a tooltip."""

    text: str
    href: str | None = None
    title: str = ""
    lang: str = ""


@dataclass
class Table:
    """A result shown as a table (SELECT solutions, or CONSTRUCT triples)."""

    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


@cache
def examples() -> tuple[Example, ...]:
    """The example queries, in file name order."""
    found = []
    for path in sorted(EXAMPLES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        found.append(Example(first.lstrip("# ").strip() or path.stem, text))
    return tuple(found)


def starting_query() -> str:
    """What the editor shows first: the usual prefixes and a simple query."""
    lines = [f"PREFIX {name}: <{PREFIXES[name]}>" for name in EDITOR_PREFIXES]
    lines += ["", "SELECT ?person ?name WHERE {", "  ?person a foaf:Person ;",
              "          foaf:name ?name .", "}", "ORDER BY ?name", "LIMIT 100"]
    return "\n".join(lines)


def cell(term: object, base_iri: str) -> Cell:
    """A term as a table cell; IRIs of this dataset link to their entity pages."""
    if term is None:
        return Cell("")
    if isinstance(term, NamedNode):
        iri = term.value
        if iri.startswith(base_iri + "id/"):
            local = iri[len(base_iri) + 3:]
            kind, _, key = local.split("#")[0].partition("/")
            if kind and key and "/" not in key:
                return Cell(local, url_for("pages.page", kind=kind, key=key), iri)
        return Cell(_compact(iri), iri, iri)
    if isinstance(term, BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, Literal):
        return Cell(term.value, None, str(term), term.language or "")
    return Cell(str(term))


def _compact(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def table(answer: Answer, base_iri: str) -> Table:
    """An answer (read back from the query process) as a table."""
    if answer.form == "select":
        result: QuerySolutions = answer.result  # type: ignore[assignment]
        names = [v.value for v in result.variables]
        shown = Table(names)
        shown.rows = [[cell(solution[name], base_iri) for name in names] for solution in result]
        return shown
    shown = Table(["subject", "predicate", "object"])
    shown.rows = [[cell(t.subject, base_iri), cell(t.predicate, base_iri),
                   cell(t.object, base_iri)] for t in answer.result]  # type: ignore[union-attr]
    return shown


def downloads(request: QueryRequest, form: str) -> list[tuple[str, str]]:
    """(format name, URL) of the same query in every format its form has."""
    offered = GRAPHS if form == "graph" else RESULTS
    return [(r.name, _url(request, r.name)) for r in offered]


def _url(request: QueryRequest, format: str | None = None) -> str:
    params: dict[str, object] = {"query": request.query, **request.dataset_params}
    if format:
        params["format"] = format
    return url_for("sparql.endpoint", _external=True, **params)


def render_page(request: QueryRequest | None, *, answer: Answer | None = None,
                truncated: bool = False, max_rows: int = 0, base_iri: str = "",
                error: KgError | None = None) -> Response:
    """The query page, with a query's results or error when there is one."""
    query = request.query if request is not None and request.query else starting_query()
    context = {"query": query, "examples": examples(), "error": error,
               "endpoint": url_for("sparql.endpoint", _external=True)}
    if request is not None and request.query:
        context["share_url"] = _url(request)
    if answer is not None and request is not None:
        context.update(form=answer.form, truncated=truncated, max_rows=max_rows,
                       downloads=downloads(request, answer.form))
        if answer.form == "ask":
            context["boolean"] = bool(answer.result)
        else:
            context["table"] = table(answer, base_iri)
    status = error.http_status if error is not None else 200
    body = render_template("sparql.html", **context)
    return Response(body, status, content_type="text/html; charset=utf-8")
