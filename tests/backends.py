"""Real remote SPARQL stores for the tests, on free loopback ports.

- :class:`OxigraphServer`: ``oxigraph serve`` from the PyPI package ``oxigraph``;
- :class:`VirtuosoServer`: Debian's ``virtuoso-t`` with a ``virtuoso.ini``
  written into a temporary folder (a new database each time), writes through
  ``/sparql-auth`` and ``/sparql-graph-crud-auth`` with Digest credentials.

``KG_TEST_BACKEND`` (or ``pytest --backend``) chooses the store that the web
suites' demo fixtures publish to and serve from: ``embedded`` (the default),
``oxigraph`` or ``virtuoso``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kg.build import build
from kg.settings import Settings
from kg.sources import discover
from kg.store.remote.client import SparqlClient
from kg.store.remote.endpoints import RemoteEndpoints
from tests.support import DEMO, free_port, require_tool, wait_for_http

BASE = "http://127.0.0.1:5000/"

BACKENDS = ("embedded", "oxigraph", "virtuoso")

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
CaseMode = 2
ThreadsPerQuery = 1
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {timeout}
"""


class RemoteStore:
    """A running SPARQL store: the settings that point ``kg`` at it, and how to stop it."""

    process: subprocess.Popen
    settings: dict[str, str]
    log_path: Path

    def stop(self) -> None:
        """Stop the server (and anything it started)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def _start(self, command: list[str], url: str, timeout: float, cwd: str | None = None,
               ) -> None:
        log = tempfile.NamedTemporaryFile(prefix="kg-store-", suffix=".log", delete=False)
        self.log_path = Path(log.name)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=cwd,
                                        start_new_session=True)
        log.close()
        self.process.log_path = self.log_path  # type: ignore[attr-defined]
        wait_for_http(url, timeout=timeout, process=self.process)


class OxigraphServer(RemoteStore):
    """``oxigraph serve`` in memory (or on a folder), its union default graph left off."""

    def __init__(self, location: Path | None = None, timeout_s: int | None = None) -> None:
        oxigraph = str(Path(sys.executable).with_name("oxigraph"))
        if not Path(oxigraph).exists():
            oxigraph = require_tool("oxigraph")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [oxigraph, "serve", "--bind", f"127.0.0.1:{self.port}"]
        if location is not None:
            command += ["--location", str(location)]
        if timeout_s is not None:
            command += ["--timeout-s", str(timeout_s)]
        self._start(command, self.url + "/query?query=ASK%7B%7D", 30)
        self.settings = {"store": self.url}

    def load(self, graph: str | None, ntriples: bytes) -> None:
        """Put triples into a graph (None: the default graph) with the Graph Store Protocol."""
        where = "default" if graph is None else "graph=" + urllib.parse.quote(graph, safe="")
        request = urllib.request.Request(
            f"{self.url}/store?{where}", data=ntriples,
            method="POST", headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(request, timeout=30).close()


class VirtuosoServer(RemoteStore):
    """Virtuoso with a fresh database in a temporary folder."""

    USER, PASSWORD = "dba", "dba"  # a new database's administrator

    def __init__(self, timeout_s: int = 60) -> None:
        virtuoso = require_tool("virtuoso-t")
        self.folder = Path(tempfile.mkdtemp(prefix="kg-virtuoso-"))
        self.port = free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(VIRTUOSO_INI.format(dir=self.folder, sql_port=free_port(),
                                           http_port=self.port, timeout=timeout_s))
        self.url = f"http://127.0.0.1:{self.port}"
        self._start([virtuoso, "-c", str(ini), "+foreground"],
                    self.url + "/sparql?query=ASK%7B%7D", 120, cwd=str(self.folder))
        self._wait_for_sparql()
        self.settings = {"store": self.url + "/sparql",
                         "store_update": self.url + "/sparql-auth",
                         "store_graphs": self.url + "/sparql-graph-crud-auth",
                         "store_user": self.USER, "store_password": self.PASSWORD}

    def _wait_for_sparql(self) -> None:
        """The HTTP port opens before SPARQL answers; wait for a real answer."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/sparql?query=ASK%7B%7D", timeout=5).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise TimeoutError("Virtuoso's SPARQL endpoint did not answer")


def start_backend(name: str, timeout_s: int = 10) -> RemoteStore | None:
    """A running store for a backend's name (None for the embedded store).

    The store's own query time limit is set too, as docs/deploy.md asks: the
    web tier drops a query at ``KG_QUERY_TIMEOUT``, and the store then stops it.
    """
    if name == "oxigraph":
        return OxigraphServer(timeout_s=timeout_s)
    if name == "virtuoso":
        return VirtuosoServer(timeout_s=timeout_s)
    if name != "embedded":
        raise ValueError(f"unknown backend {name!r}; one of {', '.join(BACKENDS)}")
    return None


def settings_env(settings: dict[str, str]) -> dict[str, str]:
    """Settings as ``KG_*`` environment variables."""
    return {"KG_" + name.upper(): value for name, value in settings.items()}


def remote_client(store: RemoteStore) -> SparqlClient:
    """A client that writes to the store (what ``kg build --store URL`` makes)."""
    return SparqlClient(RemoteEndpoints.from_settings(Settings.load(store.settings)))


def publish_demo(folder: Path, store: RemoteStore | None, *sources: Path | str) -> Path:
    """Build sources (the demo by default) into a release folder, and into the store if any."""
    remote = remote_client(store) if store is not None else None
    build(discover(sources or [DEMO]), str(folder), BASE, remote=remote)
    return folder


def serving_settings(folder: Path, store: RemoteStore | None) -> dict[str, str]:
    """The settings that serve a release folder, from the store if there is one."""
    if store is None:
        return {"store": str(folder)}
    return {**store.settings, "releases": str(folder)}
