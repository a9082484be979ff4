"""``/sparql``: the SPARQL 1.1 Protocol, read-only, over the union of all graphs."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from pyoxigraph import NamedNode

from kg.errors import QueryError, TooLarge
from kg.formats import rdf_format, result_format
from kg.query import run_query, write_answer
from web.negotiation import RDF_REPRESENTATIONS, TURTLE, Representation, negotiate
from web.state import settings, snapshot

blueprint = Blueprint("sparql", __name__)

SPARQL_JSON = Representation("json", "application/sparql-results+json",
                             ("application/sparql-results+json", "application/json"))
SPARQL_XML = Representation("xml", "application/sparql-results+xml",
                            ("application/sparql-results+xml", "application/xml", "text/xml"))
SPARQL_CSV = Representation("csv", "text/csv; charset=utf-8", ("text/csv",))
SPARQL_TSV = Representation("tsv", "text/tab-separated-values; charset=utf-8",
                            ("text/tab-separated-values",))
RESULT_REPRESENTATIONS = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)


def _query_text() -> str | None:
    """The query of a GET, a form POST or a direct POST (SPARQL 1.1 Protocol 2.1)."""
    if request.method == "GET":
        return request.args.get("query")
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        return request.form.get("query")
    if content_type == "application/sparql-query":
        return request.get_data(as_text=True)
    raise QueryError("POST a query as application/x-www-form-urlencoded (query=...) "
                     "or as application/sparql-query")


def _graphs(name: str) -> list[NamedNode] | None:
    source = request.args if request.method == "GET" or request.mimetype != \
        "application/x-www-form-urlencoded" else request.form
    values = source.getlist(name) or request.args.getlist(name)
    try:
        return [NamedNode(v) for v in values] or None
    except ValueError as error:
        raise QueryError(f"{name} must be an IRI: {error}") from None


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a query; without one, show the query page."""
    text = _query_text()
    if text is None:
        return Response(render_template("sparql.html"), content_type="text/html; charset=utf-8")
    if len(text.encode("utf-8")) > settings().max_query_bytes:
        raise TooLarge(f"the query is larger than {settings().max_query_bytes} bytes")
    answer = run_query(snapshot(), text, _graphs("default-graph-uri"), _graphs("named-graph-uri"))
    if answer.form == "graph":
        chosen = negotiate(RDF_REPRESENTATIONS, default=TURTLE)
        body = write_answer(answer, rdf_format(chosen.name))
    else:
        chosen = negotiate(RESULT_REPRESENTATIONS, default=SPARQL_JSON)
        body = write_answer(answer, result_format(chosen.name))
    response = Response(body, content_type=chosen.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
