"""The SPARQL endpoint against ``oxigraph serve-read-only`` on the same release.

    python -m bench.generate --triples 100000 --out bench/data/lib-100k
    kg build bench/data/lib-100k --store bench/data/store-100k
    python -m bench.sparql --store bench/data/store-100k --seconds 5 --concurrency 4 --runs 3

Both servers read the same published release (Oxigraph's server opens it
read-only, with ``--union-default-graph`` like ``/sparql``) and get the same
queries from the same client. A no-op Flask route on gunicorn with the same
workers and threads, sent the cheapest query, shows the floor that any Flask
endpoint on this machine has. The client runs ``concurrency`` threads, each with one
keep-alive connection, for ``seconds`` per query kind and run. Each request
picks the next entity of a rotating list so that neither server answers the
same query over and over. Prints requests/s, p50 and p99 latency per server and
query kind, the median/min/max over runs, and the ratio kg/oxigraph.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import free_port, kg_command, wait_for_http

BASE = "http://127.0.0.1:5000/"
PREFIXES = """PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX org: <http://www.w3.org/ns/org#>
"""
OVERHEAD = "empty ASK (overhead)"
NOOP = "flask no-op"
# Each kind: a query with {n} for a varying number, and the Accept header sent.
KINDS = {
    OVERHEAD: ("ASK {{ }}", "application/sparql-results+json"),
    "point lookup": ("SELECT ?p ?o WHERE {{ <" + BASE + "id/person/p{n}> ?p ?o }}",
                     "application/sparql-results+json"),
    "two-hop join + aggregate": (
        PREFIXES + "SELECT ?unit (COUNT(DISTINCT ?person) AS ?people) WHERE {{ "
        "?unit org:unitOf <" + BASE + "id/organization/uni-{u}> . "
        "?position org:organization ?unit ; org:member ?person . }} GROUP BY ?unit",
        "application/sparql-results+json"),
    "CONSTRUCT one entity": ("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ <" + BASE +
                             "id/resource/r{n}> }} ?s ?p ?o }}", "text/turtle"),
    "label search + FILTER": (
        PREFIXES + 'SELECT ?person ?name WHERE {{ ?person a foaf:Person ; foaf:name ?name . '
        'FILTER(CONTAINS(?name, "{given}")) }} LIMIT 20', "application/sparql-results+json"),
}
GIVEN = ["Cường", "Dũng", "Hạnh", "Lan", "Phúc", "Tâm", "Thảo", "Vy"]


@dataclass
class Result:
    """One server, one query kind, one run."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        """Answered requests a second (a refusal, 429 or 503, is not an answer)."""
        return (self.requests - self.errors) / self.seconds

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def queries(kind: str) -> itertools.cycle:
    """The rotating list of query texts of a kind."""
    template = KINDS[kind][0]
    texts = [template.format(n=i * 37 % 500, u=i % 20, given=GIVEN[i % len(GIVEN)])
             for i in range(200)]
    return itertools.cycle(texts)


def hammer(port: int, path: str, kind: str, seconds: float, concurrency: int) -> Result:
    """Send the kind's queries from ``concurrency`` keep-alive connections for ``seconds``."""
    accept = KINDS[kind][1]
    texts = queries(kind)
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                text = next(texts)
            url = path + "?" + urllib.parse.urlencode({"query": text})
            started = time.perf_counter()
            connection.request("GET", url, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(latencies), errors[0], time.monotonic() - started, latencies)


def noop_app() -> Any:
    """A Flask app whose /sparql answers at once without looking at the query."""
    from flask import Flask

    app = Flask("noop")
    app.add_url_rule("/sparql", "noop", lambda: ('{"head":{},"boolean":true}', 200, {
        "Content-Type": "application/sparql-results+json"}))
    return app


def start_servers(store: Path, workers: int, threads: int,
                  concurrency: int) -> dict[str, tuple[subprocess.Popen, int, str]]:
    """kg serve, oxigraph serve-read-only (same release) and the no-op Flask app."""
    release_db = (store / "current").resolve() / "db"
    servers = {}
    port = free_port()
    env = {**os.environ, "KG_STORE": str(store), "KG_PORT": str(port), "KG_WORKERS": str(workers),
           "KG_THREADS": str(threads), "KG_QUERY_TIMEOUT": "30",
           # Every client thread comes from the loopback, one address: let it have as
           # many queries at once as it has connections (the server-wide slots still hold).
           "KG_CLIENT_QUERIES": str(max(2, concurrency))}
    process = subprocess.Popen(kg_command("serve"), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_http(f"http://127.0.0.1:{port}/", process=process)
    servers["kg"] = (process, port, "/sparql")
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    port = free_port()
    process = subprocess.Popen([oxigraph, "serve-read-only", "--location", str(release_db),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    wait_for_http(f"http://127.0.0.1:{port}/query", process=process)
    servers["oxigraph"] = (process, port, "/query")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
         "-k", "gthread", "-b", f"127.0.0.1:{port}", "bench.sparql:noop_app()"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for_http(f"http://127.0.0.1:{port}/sparql", process=process)
    servers["flask no-op"] = (process, port, "/sparql")
    return servers


def report(results: dict[tuple[str, str], list[Result]], runs: int) -> None:
    """The table of figures, one line per query kind and server, with the ratio."""
    print(f"\n{'query':28} {'server':9} {'req/s median (min-max)':>26} {'p50 ms':>8} "
          f"{'p99 ms':>8} {'errors':>6}")
    for kind in KINDS:
        rates = {}
        for server in ("kg", "oxigraph", NOOP):
            if (kind, server) not in results:
                continue
            runs_of = results[(kind, server)]
            values = [r.rate for r in runs_of]
            rates[server] = statistics.median(values)
            latencies = Result(0, 0, 1, [x for r in runs_of for x in r.latencies])
            print(f"{kind:28} {server:9} {rates[server]:10.0f} ({min(values):6.0f}-"
                  f"{max(values):6.0f}) {latencies.percentile(0.5):8.2f} "
                  f"{latencies.percentile(0.99):8.2f} {sum(r.errors for r in runs_of):6d}")
        print(f"{'':28} {'ratio':9} {rates['kg'] / rates['oxigraph']:10.2f} (kg / oxigraph)")
        if NOOP in rates:
            print(f"{'':28} {'ratio':9} {rates['kg'] / rates[NOOP]:10.2f} (kg / no-op Flask)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    print(f"load before: {os.getloadavg()}")
    servers = start_servers(args.store, args.workers, args.threads, args.concurrency)
    results: dict[tuple[str, str], list[Result]] = {}
    try:
        for _, port, path in servers.values():  # warm up
            for kind in KINDS:
                hammer(port, path, kind, 0.5, args.concurrency)
        for _ in range(args.runs):
            for kind in KINDS:
                for server, (_, port, path) in servers.items():
                    if server == NOOP and kind != OVERHEAD:
                        continue
                    results.setdefault((kind, server), []).append(
                        hammer(port, path, kind, args.seconds, args.concurrency))
    finally:
        for process, _, _ in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait()
    print(f"load after: {os.getloadavg()}")
    report(results, args.runs)


if __name__ == "__main__":
    main()
