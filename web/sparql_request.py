"""Reading a SPARQL 1.1 Protocol query request (https://www.w3.org/TR/sparql11-protocol/#query-operation).

Three ways to send a query: GET with ``query=``, POST of an HTML form
(``application/x-www-form-urlencoded``), and POST of the query itself
(``application/sparql-query``, UTF-8). The dataset comes from
``default-graph-uri`` and ``named-graph-uri``, in the URL or in the form.
Anything else is a 4xx with a message: another media type 415, an update 400
(the service is read-only), several queries 400, a body over the size limit 413.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from pyoxigraph import NamedNode
from werkzeug.datastructures import MultiDict

from kg.errors import QueryError, TooLarge, UnsupportedMediaType
from kg.query import READ_ONLY

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    """The query of a request (None: none was sent) and the dataset it names."""

    query: str | None
    default_graphs: list[str] | None
    named_graphs: list[str] | None

    @property
    def dataset_params(self) -> dict[str, list[str]]:
        """The dataset as URL parameters, to rebuild the request's URL."""
        params = {}
        if self.default_graphs is not None:
            params["default-graph-uri"] = self.default_graphs
        if self.named_graphs is not None:
            params["named-graph-uri"] = self.named_graphs
        return params


def read_query_request(max_bytes: int) -> QueryRequest:
    """The request's query and dataset, or the error that says what is wrong with it."""
    if request.method == "GET":
        params: MultiDict = request.args
        _refuse_updates(params)
        query = _one_query(params)
    else:
        params, query = _post(max_bytes)
    return QueryRequest(query, _graphs(params, "default-graph-uri"),
                        _graphs(params, "named-graph-uri"))


def _post(max_bytes: int) -> tuple[MultiDict, str | None]:
    mimetype = (request.mimetype or "").lower()
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if mimetype == UPDATE:
        raise QueryError(READ_ONLY)
    if mimetype not in (FORM, DIRECT):
        got = f"'{mimetype}'" if mimetype else "a body without Content-Type"
        raise UnsupportedMediaType(
            f"POST a query as {FORM} (query=...) or as {DIRECT}; got {got}")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"a query must be sent in UTF-8, not {charset}")
    # A form encodes each byte in up to three characters.
    limit = max_bytes * 3 + 4096 if mimetype == FORM else max_bytes
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"the request body is larger than the limit of {limit} bytes")
    if mimetype == FORM:
        params = MultiDict(request.args)
        params.update(request.form)
        _refuse_updates(params)
        query = _one_query(request.form)
        if query is None:
            raise QueryError("a POSTed form must carry the query in its body (query=...)")
        return params, query
    try:
        text = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as error:
        raise QueryError(f"the query is not valid UTF-8 (byte {error.start})") from None
    _refuse_updates(request.args)
    if "query" in request.args:
        raise QueryError(f"send the query either in the body ({DIRECT}) or as query=, "
                         "not both")
    return request.args, text


def _refuse_updates(params: MultiDict) -> None:
    """The parameters of the SPARQL Update protocol get the read-only refusal."""
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise QueryError(READ_ONLY)


def _one_query(params: MultiDict) -> str | None:
    queries = params.getlist("query")
    if len(queries) > 1:
        raise QueryError(f"send one query per request, not {len(queries)}")
    return queries[0] if queries else None


def _graphs(params: MultiDict, name: str) -> list[str] | None:
    values = params.getlist(name)
    if not values:
        return None
    for value in values:
        try:
            NamedNode(value)
        except ValueError as error:
            raise QueryError(f"{name} must be an absolute IRI: {error}") from None
    return values
