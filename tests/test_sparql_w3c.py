"""The W3C SPARQL 1.1 Protocol test suite, driven from its manifest, against ``kg serve``.

Each test's requests are sent as the manifest writes them (method, path,
headers, body in its character encoding) with ``http.client`` to a live
server over the suite's dataset. The ``update_*`` tests need an update
service: this one is read-only, so for them the update must be refused with a
4xx that says so, and the requests that would check its effect are not sent.
"""

from __future__ import annotations

import http.client
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from tests.sparql_support import W3C, w3c_store
from tests.support import Server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")
BOOLEAN = ("application/sparql-results+json", "application/sparql-results+xml")
RDF_TYPES = ("application/rdf+xml", "text/turtle", "application/n-triples")


@dataclass
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]  # the first digit of acceptable status codes
    format: str | None
    boolean: bool | None


def _exchange(graph: Graph, node) -> Exchange:
    path = str(graph.value(node, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            value = graph.value(header, HT.fieldValue)
            headers[str(graph.value(header, HT.fieldName))] = str(value)
    body = None
    content = graph.value(node, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = {int(str(code).rsplit("StatusCode", 1)[1][0])
                for code in graph.objects(response, MF.expectedStatus)}
    expected_format = graph.value(response, MF.expectedFormat)
    expected_boolean = graph.value(response, MF.expectedBoolean)
    return Exchange(str(graph.value(node, HT.methodName)), path, headers, body, statuses,
                    str(expected_format) if expected_format is not None else None,
                    expected_boolean.toPython() if expected_boolean is not None else None)


def manifest_tests() -> Iterator[tuple[str, list[Exchange]]]:
    """(name, requests) of every test in the manifest, in its order."""
    graph = Graph().parse(W3C / "sparql11-protocol-manifest.ttl", format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(test, MF.action)
        requests = Collection(graph, graph.value(action, HT.requests))
        yield str(test).rsplit("#", 1)[1], [_exchange(graph, node) for node in requests]


TESTS = list(manifest_tests())


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(w3c_store(tmp_path_factory.mktemp("w3c") / "store"))
    yield server
    server.stop()


def _send(server: Server, exchange: Exchange) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        # skip_accept_encoding/host: only the manifest's headers, plus Host.
        connection.putrequest(exchange.method, exchange.path, skip_accept_encoding=True)
        for name, value in exchange.headers.items():
            connection.putheader(name, value)
        if exchange.body is not None:
            connection.putheader("Content-Length", str(len(exchange.body)))
        connection.endheaders(exchange.body)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def _boolean(media_type: str, body: bytes) -> bool:
    if media_type == "application/sparql-results+json":
        return json.loads(body)["boolean"]
    element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None
    return element.text == "true"


def test_the_manifest_is_read_whole() -> None:
    assert len(TESTS) == 34
    assert sum(name.startswith("bad_") for name, _ in TESTS) == 14


@pytest.mark.parametrize("name, exchanges", TESTS, ids=[name for name, _ in TESTS])
def test_w3c_protocol(w3c_server: Server, name: str, exchanges: list[Exchange]) -> None:
    if name.startswith("update_"):
        status, _, body = _send(w3c_server, exchanges[0])
        assert 400 <= status < 500 and b"read-only" in body, (status, body)
        return
    for exchange in exchanges:
        status, content_type, body = _send(w3c_server, exchange)
        assert status // 100 in exchange.statuses, (status, body)
        media_type = content_type.split(";")[0].strip()
        if exchange.format == "boolean":
            assert media_type in BOOLEAN
        elif exchange.format == "tabular":
            assert media_type in TABULAR
        elif exchange.format == "RDF":
            assert media_type in RDF_TYPES
            Graph().parse(data=body, format={"text/turtle": "turtle", "application/rdf+xml":
                                             "xml"}.get(media_type, "nt"))
        if exchange.boolean is not None:
            assert _boolean(media_type, body) is exchange.boolean


def test_dataset_parameters_pick_the_graphs(w3c_server: Server) -> None:
    """The suite's ASKs are all true; a false one shows the dataset really is restricted."""
    query = ("ASK%20%7B%20%3Chttp%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata3.rdf%3E"
             "%20a%20%3Ftype%20%7D")
    only_1 = "&default-graph-uri=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf"
    for suffix, expected in (("", True), (only_1, False)):
        status, content_type, body = _send(w3c_server, Exchange(
            "GET", f"/sparql?query={query}{suffix}", {}, None, {2}, None, None))
        assert status == 200
        assert _boolean(content_type.split(";")[0], body) is expected


def test_store_has_the_suite_graphs(tmp_path: Path) -> None:
    from kg.store.releases import ReleaseStore

    store = w3c_store(tmp_path / "store")
    release = ReleaseStore(store).require_current()
    assert release.manifest()["triples"] == 3
