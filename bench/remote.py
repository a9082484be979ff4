"""Publishing to and reading from a remote store, against the store's own ways.

    python -m bench.remote --triples 100000 --runs 3 --stores oxigraph virtuoso

For each store (a fresh ``oxigraph serve``, a fresh Virtuoso, on loopback):

- **publish**: ``kg build`` of generated sources into a new release folder and
  the store (conversion, validation, files, sending in batches, the swap);
  beside it the same build without a store (the embedded build alone), and as
  the store's own baseline, the release's N-Quads loaded into a fresh store
  in one request (Oxigraph: ``POST /store`` of the N-Quads; Virtuoso: one
  Graph Store ``POST`` per graph). "send" is publish minus the embedded build.
- **pages**: median latency of entity pages served in-process (Flask's test
  client, one at a time) from the store, against the same pages from the
  embedded release.
- **sparql**: median latency of one small SELECT through ``/sparql`` on the
  store, against the same query sent straight to the store.

Repeated ``--runs`` times; median (min-max). Loopback only.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.generate import generate
from kg.build import build
from kg.iris import Minter
from kg.sources import discover
from kg.store.releases import ReleaseStore
from tests.backends import BASE, RemoteStore, remote_client, serving_settings, start_backend

QUERY = "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } LIMIT 20"
DIRECT = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/> "
          "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } LIMIT 20")
PAGES = 30


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _baseline_load(name: str, store: RemoteStore, folder: Path) -> float:
    """The store's own load of the release's quads (what a publish is measured against)."""
    release = ReleaseStore(folder).require_current()
    dump = next((release.path / "dumps").glob("*.nq.gz"))
    quads = gzip.decompress(dump.read_bytes())
    if name == "oxigraph":
        request = urllib.request.Request(store.url + "/store", data=quads, method="POST",
                                         headers={"Content-Type": "application/n-quads"})
        return _timed(lambda: urllib.request.urlopen(request, timeout=600).read())
    client = remote_client(store)
    by_graph: dict[str, list[bytes]] = {}
    for line in quads.splitlines():
        graph = line.rsplit(b" ", 2)[-2].strip(b"<>").decode()
        by_graph.setdefault(graph, []).append(line.rsplit(b" ", 2)[0] + b" .")
    return _timed(lambda: [client.add_to_graph("urn:baseline:" + g, b"\n".join(lines) + b"\n")
                           for g, lines in by_graph.items()])


def _pages(settings: dict[str, str], iris: list[str]) -> float:
    from web import create_app

    client = create_app(settings).test_client()
    times = []
    for iri in iris:
        path = "/page/" + iri.split("/id/", 1)[1] + "?lang=en"
        times.append(_timed(lambda p=path: client.get(p).get_data()))
    return statistics.median(times)


def _sparql(settings: dict[str, str]) -> float:
    from web import create_app

    client = create_app(settings).test_client()
    return statistics.median(_timed(lambda: client.get(
        "/sparql", query_string={"query": QUERY}, headers={"Accept": "text/csv"}).get_data())
        for _ in range(20))


def _direct(store: RemoteStore) -> float:
    endpoint = remote_client(store).endpoints.query
    body = urllib.parse.urlencode({"query": DIRECT}).encode()

    def once() -> None:
        request = urllib.request.Request(endpoint, data=body, headers={
            "Accept": "application/sparql-results+json"})
        urllib.request.urlopen(request, timeout=60).read()
    return statistics.median(_timed(once) for _ in range(20))


def one_run(name: str, sources: Path, work: Path) -> dict[str, float]:
    """One run against a fresh store."""
    found = discover([sources])
    embedded = work / "embedded"
    local = _timed(lambda: build(found, str(embedded), BASE))
    store = start_backend(name, timeout_s=600)
    assert store is not None
    try:
        folder = work / "remote"
        publish = _timed(lambda: build(found, str(folder), BASE, remote=remote_client(store)))
        baseline = _baseline_load(name, store, folder)
        minter = Minter(BASE)
        people = sorted(q.subject.value for q in ReleaseStore(embedded).require_current()
                        .open().quads_for_pattern(None, None, None, minter.graph("people-csv")))
        iris = list(dict.fromkeys(i for i in people if "#" not in i))[:PAGES]
        figures = {"build": local, "publish": publish, "send": publish - local,
                   "store load": baseline,
                   "page embedded": _pages({"store": str(embedded)}, iris),
                   "page remote": _pages(serving_settings(folder, store), iris),
                   "sparql remote": _sparql(serving_settings(folder, store)),
                   "sparql direct": _direct(store)}
    finally:
        store.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", nargs="+", default=["oxigraph", "virtuoso"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    sources = work / "sources"
    generate(args.triples, sources)
    for name in args.stores:
        runs = [one_run(name, sources, work / f"{name}-{i}") for i in range(args.runs)]
        print(f"\n{name}, {args.triples:,} triples asked, {args.runs} runs")
        for key in runs[0]:
            values = [r[key] for r in runs]
            unit, scale = ("ms", 1000) if key.startswith(("page", "sparql")) else ("s", 1)
            print(f"  {key:14} {statistics.median(values) * scale:9.2f} {unit} "
                  f"({min(values) * scale:.2f}-{max(values) * scale:.2f})")


if __name__ == "__main__":
    main()
