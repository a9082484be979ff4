"""Running a query against any SPARQL endpoint, for ``kg query --endpoint``.

SPARQLWrapper sends the query (GET, or POST when it is long); the answer is
parsed by Oxigraph into the same :class:`~kg.query.Answer` that a local query
gives, so both are written out by the same code in the same formats.
"""

from __future__ import annotations

import urllib.error

from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import QueryError, StoreError
from kg.namespaces import PREFIXES
from kg.query import Answer, read_answer
from kg.query_text import inspect_query

LONG_QUERY = 2000  # characters past which the query is POSTed rather than put in the URL


def query_endpoint(endpoint: str, text: str, timeout: float | None = None) -> Answer:
    """Send a read-only query to an endpoint; its answer, or a QueryError/StoreError."""
    form = inspect_query(text, PREFIXES).form
    if form == "update":
        raise QueryError("kg query only reads: send updates with the store's own tools")
    client = SPARQLWrapper(endpoint)
    client.setQuery(text)
    client.setOnlyConneg(True)  # Accept only; some endpoints reject format=
    client.setReturnFormat(TURTLE if form == "graph" else JSON)
    if len(text) > LONG_QUERY:
        client.setMethod(POST)
    if timeout:
        client.setTimeout(int(timeout))
    try:
        response = client.query().response
        data = response.read()
    except SPARQLWrapperException as error:
        raise QueryError(f"{endpoint} refused the query: {_detail(error)}") from None
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace").strip()
        raise QueryError(f"{endpoint} answered {error.code}: {body or error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise StoreError(f"cannot reach {endpoint}: {getattr(error, 'reason', error)}") from None
    media_type = response.headers.get("Content-Type", "")
    return read_answer(media_type, data)


def _detail(error: SPARQLWrapperException) -> str:
    """The endpoint's own message if it sent one, else SPARQLWrapper's."""
    text = str(error)
    _, _, response = text.partition("Response:\n")
    if response.startswith(("b'", 'b"')):
        response = response[2:-1].encode("latin-1", "replace").decode("unicode_escape")
    return response.strip() or text
