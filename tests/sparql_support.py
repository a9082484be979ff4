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

from pyoxigraph import NamedNode

from kg.store.releases import ReleaseStore
from tests.conftest import BASE

W3C = Path(__file__).parent / "data" / "w3c"
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
