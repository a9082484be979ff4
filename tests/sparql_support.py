"""Helpers of the SPARQL endpoint's tests: stores of given graphs, listeners, processes."""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, parse, parse_query_results

from kg.store.releases import ReleaseStore
from tests.conftest import BASE

W3C = Path(__file__).parent / "data" / "w3c"
PEOPLE = "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name"
CONSTRUCT = "CONSTRUCT { ?p foaf:name ?name } WHERE { ?p a foaf:Person ; foaf:name ?name }"
# (query, Accept, the media type answered) on the demo
CONNEG = [
    (PEOPLE, None, "application/sparql-results+json"),
    (PEOPLE, "*/*", "application/sparql-results+json"),
    (PEOPLE, "application/sparql-results+xml", "application/sparql-results+xml"),
    (PEOPLE, "application/xml", "application/sparql-results+xml"),
    (PEOPLE, "text/csv", "text/csv"),
    (PEOPLE, "text/tab-separated-values", "text/tab-separated-values"),
    (PEOPLE, "text/csv;q=0.5, application/sparql-results+json;q=0.9",
     "application/sparql-results+json"),
    (PEOPLE, "text/*", "application/sparql-results+xml"),  # as text/xml
    (PEOPLE, "application/json", "application/sparql-results+json"),
    (PEOPLE, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("ASK { ?s a foaf:Person }", "application/sparql-results+xml",
     "application/sparql-results+xml"),
    ("ASK { ?s a foaf:Person }", None, "application/sparql-results+json"),
    (CONSTRUCT, None, "text/turtle"),
    (CONSTRUCT, "*/*", "text/turtle"),
    (CONSTRUCT, "application/n-triples", "application/n-triples"),
    (CONSTRUCT, "application/ld+json", "application/ld+json"),
    (CONSTRUCT, "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "application/xml", "application/rdf+xml"),
    (CONSTRUCT, "application/trig", "application/trig"),
    (CONSTRUCT, "application/n-quads", "application/n-quads"),
    (CONSTRUCT, "text/plain;q=0.1, application/n-triples;q=0.2", "application/n-triples"),
    ("DESCRIBE <http://127.0.0.1:5000/id/person/trinh-phi-cuong>", "text/turtle", "text/turtle"),
]

KASEI = "http://kasei.us/2009/09/sparql/data/"


def make_release(store: Path, graphs: dict[str, Path]) -> Path:
    """A store with one release holding each N-Triples file in the named graph given."""
    releases = ReleaseStore(store)
    with releases.lock():
        staging = releases.stage(fresh=True)
        triples = sum(staging.view.load_rdf(NamedNode(name), path, "ntriples", path.name)
                      for name, path in graphs.items())
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        releases.publish(staging, {"id": staging.id, "created": now, "base_iri": BASE,
                                   "sources": {}, "triples": triples, "counts": {}})
    return store


def w3c_store(store: Path) -> Path:
    """The W3C protocol tests' dataset: data1..3.nt in the kasei graphs."""
    return make_release(store, {f"{KASEI}data{n}.rdf": W3C / f"sparql11-protocol-data{n}.nt"
                                for n in (1, 2, 3)})


class Listener:
    """A TCP socket on a free loopback port that counts the connections it gets.

    Each connection is closed at once, so that a client that did connect
    fails fast instead of waiting for an answer.
    """

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self._count = 0
        self._open = True
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while self._open:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self._count += 1
            connection.close()

    def connections(self) -> int:
        """How many connections arrived so far."""
        time.sleep(0.2)  # let the accepting thread take what is in the backlog
        return self._count

    def close(self) -> None:
        self._open = False
        self._thread.join()
        self.socket.close()


@dataclass
class Reply:
    """An HTTP answer: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None, timeout: float = 60) -> Reply:
    """One request with urllib; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, dict(error.headers), error.read())


def query_processes(session: int) -> dict[int, float]:
    """CPU seconds used so far by each query process of a server's session."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command name: state, ppid, pgrp, session, ..., utime (12), stime (13).
        if b"kg.store.query_worker" in cmdline and int(stat[3]) == session:
            found[int(entry.name)] = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
    return found


def check_body(body: bytes, media_type: str) -> None:
    """The body parses in the format its media type names."""
    if media_type == "text/html":
        assert "Trịnh Phi Cường" in body.decode()
    elif media_type.startswith("application/sparql-results") or media_type in (
            "text/csv", "text/tab-separated-values"):
        fmt = QueryResultsFormat.from_media_type(media_type)
        if fmt != QueryResultsFormat.CSV:
            parse_query_results(body, fmt)
    else:
        assert len(list(parse(body, RdfFormat.from_media_type(media_type)))) > 0
