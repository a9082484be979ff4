"""A query process: evaluates one SPARQL query at a time on a release, read-only.

Started by :mod:`kg.store.query_pool` as ``python -m kg.store.query_worker``;
jobs arrive on standard input and answers leave on standard output, as
pickled messages of :mod:`multiprocessing.connection`:

- ``("whole", form, truncated, bytes)`` for an answer that fits in one chunk;
- or ``("head", form, truncated)``, then ``("data", bytes)`` chunks, then ``("end",)``;
- or ``("error", kind, message)`` with kind ``syntax``, ``query`` or ``store``.

pyoxigraph cannot interrupt a query, so the pool kills this process when a
query runs past its limit. Started with ``--no-network`` (no SERVICE endpoint
is allow-listed), it first cuts itself off from every network. Answers are
capped at ``max_rows`` rows or triples; the cap is applied while Oxigraph
serializes (see :class:`_CappedTsv`), so that Oxigraph's own writers do all
the serializing.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import sys
import threading
import time
from itertools import islice
from multiprocessing.connection import Connection
from typing import Any

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    parse_query_results,
    serialize,
)

from kg.formats import rdf_format, result_format
from kg.namespaces import PREFIXES

CHUNK = 64 * 1024
CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000  # from <sched.h>
NETWORK_ERRORS = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.ETIMEDOUT,
                  errno.EADDRNOTAVAIL}


class _Enough(Exception):
    """Raised from a writer to stop Oxigraph's serializer once the cap is reached."""


class _Sender:
    """A binary writer that sends what Oxigraph writes to the pool.

    A small answer goes in one message with its head (one wake-up of the web
    worker); a large one as the head, then chunks as they are written, then the end.
    """

    def __init__(self, outbox: Connection) -> None:
        self.outbox = outbox
        self.buffer = bytearray()
        self.head: tuple[str, bool] = ("select", False)
        self.streaming = False

    def begin(self, form: str, truncated: bool) -> None:
        self.head = (form, truncated)

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            if not self.streaming:
                self.outbox.send(("head", *self.head))
                self.streaming = True
            self.outbox.send(("data", bytes(self.buffer)))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass  # chunks leave when they are full, the rest at finish()

    def finish(self) -> None:
        if not self.streaming:
            self.outbox.send(("whole", *self.head, bytes(self.buffer)))
            return
        if self.buffer:
            self.outbox.send(("data", bytes(self.buffer)))
        self.outbox.send(("end",))


class _CappedTsv:
    """Collects SPARQL TSV (one line per solution) up to a number of rows.

    TSV writes each solution on one line with its terms in Turtle syntax, so it
    is a lossless intermediate: counting lines counts rows, and Oxigraph parses
    the kept lines back into solutions to write any other format.
    """

    def __init__(self, max_rows: int) -> None:
        self.lines_allowed = max_rows + 1  # the header line, then the rows
        self.parts: list[bytes] = []
        self.lines = 0
        self.truncated = False

    def write(self, data: bytes) -> int:
        if self.truncated:  # Oxigraph may flush once more after _Enough
            return len(data)
        newlines = data.count(b"\n")
        if self.lines + newlines > self.lines_allowed:
            end = -1
            for _ in range(self.lines_allowed - self.lines):
                end = data.index(b"\n", end + 1)
            self.parts.append(bytes(data[:end + 1]))
            self.truncated = True
            raise _Enough
        self.lines += newlines
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def value(self) -> bytes:
        return b"".join(self.parts)


def _solutions(result: QuerySolutions, fmt: str, max_rows: int, sender: _Sender) -> None:
    capped = _CappedTsv(max_rows)
    try:
        result.serialize(capped, QueryResultsFormat.TSV)
    except _Enough:
        pass
    sender.begin("select", capped.truncated)
    if fmt == "tsv":
        sender.write(capped.value())
    else:
        kept = parse_query_results(capped.value(), QueryResultsFormat.TSV)
        kept.serialize(sender, result_format(fmt))  # type: ignore[union-attr]


def _graph(result: Any, fmt: str, max_rows: int, sender: _Sender) -> None:
    triples = list(islice(result, max_rows + 1))
    sender.begin("graph", len(triples) > max_rows)
    format = rdf_format(fmt)
    serialize(triples[:max_rows], sender, format,
              prefixes=PREFIXES if format in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)
              else None)


def answer(store: Store, job: dict[str, Any], outbox: Connection) -> None:
    """Evaluate a job's query and send its answer (head, data chunks, end)."""
    default_graph = [NamedNode(g) for g in job["default_graph"]] \
        if job["default_graph"] is not None else None
    named_graphs = [NamedNode(g) for g in job["named_graphs"]] \
        if job["named_graphs"] is not None else None
    result = store.query(job["query"], prefixes=PREFIXES, base_iri=job["base_iri"],
                         use_default_graph_as_union=default_graph is None and named_graphs is None,
                         default_graph=default_graph, named_graphs=named_graphs)
    sender = _Sender(outbox)
    formats = job["formats"]
    if isinstance(result, QueryBoolean):
        sender.begin("ask", False)
        result.serialize(sender, result_format(formats["ask"]))
    elif isinstance(result, QuerySolutions):
        _solutions(result, formats["select"], job["max_rows"], sender)
    else:
        _graph(result, formats["graph"], job["max_rows"], sender)
    sender.finish()


class _Stores:
    """The release opened last (a new release replaces it: releases are immutable)."""

    def __init__(self) -> None:
        self.path: str | None = None
        self.store: Store | None = None

    def open(self, path: str) -> Store:
        if path != self.path or self.store is None:
            self.store = None
            self.store = Store.read_only(path)
            self.path = path
        return self.store


def _watch_parent(parent: int) -> None:
    """Exit when the web worker that started this process is gone.

    pyoxigraph releases the GIL while it evaluates, so this thread runs even
    during a long query.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _errno(error: OSError) -> int | None:
    """The error number, also from the "(os error N)" that Oxigraph's messages end with."""
    if error.errno is not None:
        return error.errno
    found = re.search(r"\(os error (\d+)\)", str(error))
    return int(found.group(1)) if found else None


def serve(inbox: Connection, outbox: Connection) -> None:
    """Answer jobs until the pool closes the pipe."""
    stores = _Stores()
    while True:
        try:
            job = inbox.recv()
        except (EOFError, OSError):
            return
        try:
            answer(stores.open(job["db"]), job, outbox)
        except SyntaxError as error:
            outbox.send(("error", "syntax", f"query syntax error: {error}"))
        except OSError as error:
            if isinstance(error, ConnectionError) or _errno(error) in NETWORK_ERRORS:
                # a SERVICE call that failed (or that the cut-off network stopped)
                outbox.send(("error", "query", f"the query failed: {error}"))
            else:
                outbox.send(("error", "store", f"reading the store failed: {error}"))
        except (RuntimeError, ValueError) as error:
            # What Oxigraph raises when evaluation itself fails (an unbound
            # SERVICE name, an unsupported feature): a problem of the query.
            outbox.send(("error", "query", f"the query failed: {error}"))


def _cut_off_network() -> None:
    """Move into new user and network namespaces: no interface, no connection possible.

    A second wall behind the SERVICE check of the query text, for when no
    endpoint is allow-listed. Needs a single thread and user namespaces; where
    the kernel refuses, the process goes on (the text check still holds).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        error = ctypes.get_errno()
        print(f"kg query process: network left on ({os.strerror(error)})", file=sys.stderr)


def main() -> None:
    """Run as a query process: jobs on stdin, answers on stdout."""
    if "--no-network" in sys.argv[1:]:
        _cut_off_network()  # before any thread starts
    inbox = Connection(os.dup(0), writable=False)
    outbox = Connection(os.dup(1), readable=False)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the protocol
    _watch_parent(os.getppid())
    serve(inbox, outbox)


if __name__ == "__main__":
    main()
