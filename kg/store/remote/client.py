"""Talking to a remote SPARQL store: queries through SPARQLWrapper, updates and
Graph Store requests as plain HTTP (with Basic or Digest credentials).

Answers are parsed by Oxigraph as they stream in, so a reader gets the same
pyoxigraph terms from a remote store as from the embedded one.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import IO, Any

from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    QueryBadFormed,
    SPARQLWrapperException,
)

from kg.errors import QueryError, QueryTimeout, StoreError
from kg.store.remote.endpoints import RemoteEndpoints

RESULTS = "application/sparql-results+json"
GRAPHS = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
# Virtuoso answers a query stopped by its own time limit with what it had so
# far, marked only by this header ("anytime" queries): that is a timeout here.
PARTIAL_STATE = ("X-SQL-State", "S1TAT")


@dataclass(frozen=True)
class Dataset:
    """The graphs a query reads: protocol ``default-graph-uri`` and ``named-graph-uri``."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


class _DeadlineReader:
    """A response body that stops being readable when the query's time is up."""

    def __init__(self, response: Any, deadline: float, seconds: float) -> None:
        self.response = response
        self.deadline = deadline
        self.seconds = seconds

    def read(self, size: int = -1) -> bytes:
        if time.monotonic() > self.deadline:
            self.response.close()
            raise QueryTimeout(f"the query ran longer than the limit of {self.seconds:g} s "
                               "and was stopped")
        try:
            # http.client only undoes chunked transfer coding for read() and read(n >= 0).
            return self.response.read() if size is None or size < 0 else self.response.read(size)
        except TimeoutError:
            raise QueryTimeout(f"the store sent nothing for {self.seconds:g} s; the query "
                               "was stopped") from None

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.response.close()


class _BlankNodeLabels:
    """Virtuoso writes blank nodes as ``"value": "nodeID://b1"`` in JSON results, which
    is not a blank node label; the prefix is dropped as the answer streams by.

    The rewritten bytes cannot occur inside a JSON string (its quotes would be
    escaped), so only blank node labels are touched.
    """

    VIRTUOSO = b'"type": "bnode", "value": "nodeID://'
    PLAIN = b'"type": "bnode", "value": "'

    def __init__(self, body: IO[bytes]) -> None:
        self.body = body
        self.pending = b""

    def read(self, size: int = -1) -> bytes:
        while True:
            data = self.body.read(size)
            if not data:
                rest, self.pending = self.pending, b""
                return rest
            merged = (self.pending + data).replace(self.VIRTUOSO, self.PLAIN)
            cut = max(0, len(merged) - len(self.VIRTUOSO) + 1)  # a label may be cut in two
            ready, self.pending = merged[:cut], merged[cut:]
            if ready:
                return ready

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.body.close()


class SparqlClient:
    """One remote store's query, update and Graph Store endpoints."""

    def __init__(self, endpoints: RemoteEndpoints, timeout: float = 60.0) -> None:
        self.endpoints = endpoints
        self.timeout = timeout
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in (endpoints.update, endpoints.graphs):
            if url and endpoints.user:
                passwords.add_password(None, url, endpoints.user, endpoints.password)
        # Whichever scheme the store asks for (Virtuoso: Digest; others: Basic).
        self._writer = urllib.request.build_opener(
            urllib.request.HTTPBasicAuthHandler(passwords),
            urllib.request.HTTPDigestAuthHandler(passwords))

    # Reading --------------------------------------------------------------------------

    def open_query(self, text: str, dataset: Dataset, form: str,
                   timeout: float | None = None) -> tuple[IO[bytes], str]:
        """Send a query; the answer's body (read it before the deadline) and media type."""
        seconds = timeout or self.timeout
        client = SPARQLWrapper(self.endpoints.query)
        client.setQuery(text)
        client.setMethod(POST)  # graph lists and long queries do not fit in a URL
        client.setOnlyConneg(True)
        client.addCustomHttpHeader("Accept", GRAPHS if form == "graph" else RESULTS)
        for graph in dataset.default:
            client.addDefaultGraph(graph)
        for graph in dataset.named:
            client.addNamedGraph(graph)
        client.setTimeout(max(1, round(seconds)))
        try:
            response = client.query().response
        except (QueryBadFormed, EndPointInternalError) as error:
            raise QueryError(f"the store refused the query: {_detail(error)}") from None
        except SPARQLWrapperException as error:
            raise StoreError(f"the store at {self.endpoints.query} failed: "
                             f"{_detail(error)}") from None
        except urllib.error.HTTPError as error:
            raise _http_error(self.endpoints.query, error) from None
        except TimeoutError:
            raise QueryTimeout(f"the store did not answer within {seconds:g} s; the query "
                               "was stopped") from None
        except (urllib.error.URLError, OSError) as error:
            raise StoreError(f"cannot reach the store at {self.endpoints.query}: "
                             f"{getattr(error, 'reason', error)}") from None
        if response.headers.get(PARTIAL_STATE[0], "") == PARTIAL_STATE[1]:
            response.close()
            raise QueryTimeout("the store stopped the query at its own time limit")
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return _DeadlineReader(response, time.monotonic() + seconds, seconds), media_type

    def solutions(self, text: str, dataset: Dataset, timeout: float | None = None) -> Any:
        """The solutions (or boolean) of a SELECT or ASK query, parsed as they arrive."""
        body, media_type = self.open_query(text, dataset, "select", timeout)
        results_format = QueryResultsFormat.from_media_type(media_type) or QueryResultsFormat.JSON
        if results_format == QueryResultsFormat.JSON:
            body = _BlankNodeLabels(body)
        try:
            return parse_query_results(body, results_format)
        except SyntaxError as error:
            raise StoreError(f"the store's answer does not parse: {error}") from None

    def triples(self, text: str, dataset: Dataset, timeout: float | None = None) -> Any:
        """The triples of a CONSTRUCT or DESCRIBE query, parsed as they arrive."""
        body, media_type = self.open_query(text, dataset, "graph", timeout)
        rdf_format = RdfFormat.from_media_type(media_type)
        if rdf_format is None:
            body.close()
            raise StoreError(f"the store answered a CONSTRUCT in {media_type or 'no format'}")
        return (quad.triple for quad in parse(body, rdf_format))

    # Writing --------------------------------------------------------------------------

    def update(self, text: str) -> None:
        """Run a SPARQL Update request (one request: one transaction on the stores we know)."""
        body = urllib.parse.urlencode({"update": text}).encode("utf-8")
        self._send(self.endpoints.update, body, "application/x-www-form-urlencoded", "POST")

    def add_to_graph(self, graph: str, ntriples: bytes) -> None:
        """Add N-Triples to a graph with the Graph Store Protocol (POST merges)."""
        url = self.endpoints.graphs + "?" + urllib.parse.urlencode({"graph": graph})
        self._send(url, ntriples, "application/n-triples", "POST")

    def _send(self, url: str, body: bytes, media_type: str, method: str) -> None:
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Content-Type": media_type})
        try:
            with self._writer.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise _http_error(url, error) from None
        except TimeoutError:
            raise StoreError(f"{url} did not answer within {self.timeout:g} s") from None
        except (urllib.error.URLError, OSError) as error:
            raise StoreError(f"cannot reach the store at {url}: "
                             f"{getattr(error, 'reason', error)}") from None


def _http_error(url: str, error: urllib.error.HTTPError) -> StoreError:
    body = error.read().decode("utf-8", "replace").strip()
    hint = " (check KG_STORE_USER and KG_STORE_PASSWORD)" if error.code in (401, 403) else ""
    return StoreError(f"{url} answered {error.code}{hint}: {body[:500] or error.reason}")


def _detail(error: SPARQLWrapperException) -> str:
    """The store's own message if it sent one, else SPARQLWrapper's."""
    text = str(error)
    _, _, response = text.partition("Response:\n")
    if response.startswith(("b'", 'b"')):
        response = response[2:-1].encode("latin-1", "replace").decode("unicode_escape")
    return (response.strip() or text)[:1000]
