"""Latency of entity pages and label search under 8 concurrent clients.

    python -m bench.pages --store bench/work/pages-250k/store --runs 3

Starts ``kg serve`` (gunicorn, as in production) on the store and, as the
baseline in the same run, ``oxigraph serve-read-only`` (PyPI package
``oxigraph``) on the same release's database. Each workload sends
``--requests`` requests from 8 client threads with keep-alive connections to
random entities or search words (seeded), and reports p50 and p99 latency;
runs are repeated and summarized as median (min-max). Loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from tests.support import free_port, kg_command, wait_for_http

CLIENTS = 8
SEARCH_WORDS = ["cuong", "Cường", "nguyen van", "Nguyễn Thị", "thu vien", "dữ liệu so",
                "he thong thong tin", "tri thuc", "phạm", "dai hoc kinh te", "linh", "quan ly du",
                "Trần Minh", "giải pháp", "mo hinh", "an", "Thư viện", "cong nghe", "hai", "vy"]
# oxigraph serve's default graph is its own (not the union): name the graphs.
DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<{iri}> AS ?s) GRAPH ?g { ?s ?p ?o } }"
SCAN = ('SELECT ?s ?l WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/title> ?l '
        'FILTER(CONTAINS(LCASE(STR(?l)), "{word}")) } } LIMIT 20')


def _client(port: int, paths: list[str], latencies: list[float], failures: list[str],
            headers: dict[str, str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for path in paths:
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            failures.append(f"{response.status} {path}")
    connection.close()


def load(port: int, paths: list[str], headers: dict[str, str] | None = None,
         clients: int = CLIENTS) -> dict:
    """Send the paths from ``clients`` threads; latency percentiles in milliseconds."""
    latencies: list[float] = []
    failures: list[str] = []
    shares = [paths[i::clients] for i in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, share, latencies, failures,
                                                      headers or {})) for share in shares]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    ordered = sorted(latencies)
    return {"p50": 1000 * ordered[len(ordered) // 2],
            "p99": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "rps": len(ordered) / elapsed}


def in_process(store: Path, paths: list[str]) -> dict:
    """The same requests through Flask's test client: service time, no HTTP, no queue."""
    from web import create_app

    client = create_app({"store": str(store)}).test_client()
    client.get(paths[0])
    latencies = []
    for path in paths:
        started = time.perf_counter()
        if client.get(path).status_code != 200:
            raise RuntimeError(f"failed: {path}")
        latencies.append(time.perf_counter() - started)
    ordered = sorted(latencies)
    return {"p50": 1000 * ordered[len(ordered) // 2],
            "p99": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
            "rps": len(ordered) / sum(ordered)}


def _keys(store: Path, kind: str, count: int, rng: random.Random) -> list[str]:
    """Keys of random entities of a kind, from the release's entity index (any store)."""
    with sqlite3.connect(f"file:{store / 'current' / 'index.sqlite'}?mode=ro", uri=True) as db:
        keys = [row[0] for row in db.execute("SELECT key FROM entity WHERE kind = ? ORDER BY key",
                                             (kind,))]
    return [rng.choice(keys) for _ in range(count)]


def workloads(store: Path, requests: int, rng: random.Random) -> dict[str, Callable]:
    """Name -> a function of (kg port, oxigraph port) that runs one workload."""
    manifest = json.loads((store / "current" / "manifest.json").read_text())
    base = manifest["base_iri"]
    pages = [f"/page/resource/{key}" for key in _keys(store, "resource", requests, rng)]
    person_pages = [f"/page/person/{key}" for key in _keys(store, "person", requests, rng)]
    searches = [f"/search?q={urllib.parse.quote(rng.choice(SEARCH_WORDS))}"
                for _ in range(requests)]
    described = [f"/query?query={urllib.parse.quote(DESCRIBE.replace('{iri}', base + p[6:]))}"
                 for p in pages]
    scans = [f"/query?query={urllib.parse.quote(SCAN.replace('{word}', 'cuong'))}"] * CLIENTS
    return {
        "resource page, in-process (test client)": lambda kg, ox: in_process(store, pages),
        "search, in-process (test client)": lambda kg, ox: in_process(store, searches),
        "resource page, 1 client (kg serve)":
            lambda kg, ox: load(kg, pages[:requests // 4], {"Accept-Language": "vi"}, clients=1),
        "search, 1 client (kg serve)": lambda kg, ox: load(kg, searches[:requests // 4],
                                                           clients=1),
        "resource page (kg serve)": lambda kg, ox: load(kg, pages, {"Accept-Language": "vi"}),
        "person page (kg serve)": lambda kg, ox: load(kg, person_pages),
        "search (kg serve, index)": lambda kg, ox: load(kg, searches),
        "baseline: entity CONSTRUCT (oxigraph serve)":
            lambda kg, ox: load(ox, described, {"Accept": "text/turtle"}),
        "baseline: label scan, 8 requests (oxigraph serve)":
            lambda kg, ox: load(ox, scans, {"Accept": "application/sparql-results+json"}),
    }


def start(command: list[str], port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    process = subprocess.Popen(command, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               start_new_session=True)
    wait_for_http(f"http://127.0.0.1:{port}/", timeout=120, process=process)
    return process


def _serve_env(args: argparse.Namespace, port: int) -> dict[str, str]:
    """kg serve's environment: the store, the port, and workers/threads when given."""
    env = {"KG_STORE": str(args.store), "KG_PORT": str(port)}
    for name in ("workers", "threads"):
        if getattr(args, name) is not None:
            env[f"KG_{name.upper()}"] = str(getattr(args, name))
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, help="KG_WORKERS of kg serve (else its default)")
    parser.add_argument("--threads", type=int, help="KG_THREADS of kg serve (else its default)")
    parser.add_argument("--only", nargs="*", default=[],
                        help="run only workloads whose names contain one of these words")
    args = parser.parse_args()
    kg_port, ox_port = free_port(), free_port()
    db = (args.store / "current").resolve() / "db"
    servers = [
        start(kg_command("serve"), kg_port, _serve_env(args, kg_port)),
        start([str(Path(sys.executable).parent / "oxigraph"), "serve-read-only", "--location",
               str(db), "--bind", f"127.0.0.1:{ox_port}"], ox_port),
    ]
    try:
        results: dict[str, list[dict]] = {}
        for run in range(args.runs):
            for name, work in workloads(args.store, args.requests, random.Random(run)).items():
                if args.only and not any(word in name for word in args.only):
                    continue
                results.setdefault(name, []).append(work(kg_port, ox_port))
        report(results, args)
    finally:
        for server in servers:
            os.killpg(server.pid, 15)
            server.wait(timeout=30)


def report(results: dict[str, list[dict]], args: argparse.Namespace) -> None:
    """A Markdown table: median (min-max) over the runs."""
    print(f"load: {os.getloadavg()}; {args.runs} runs of {args.requests} requests, 8 clients; "
          f"kg serve workers x threads: {args.workers or 'default'} x {args.threads or 'default'}")
    print("| workload | p50 ms | p99 ms | requests/s |\n| --- | --- | --- | --- |")
    for name, runs in results.items():
        cells = []
        for key in ("p50", "p99", "rps"):
            values = [r[key] for r in runs]
            cells.append(f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})")
        print(f"| {name} | {' | '.join(cells)} |")
    ours, theirs = "resource page (kg serve)", "baseline: entity CONSTRUCT (oxigraph serve)"
    if ours in results and theirs in results:
        page = statistics.median(r["p50"] for r in results[ours])
        baseline = statistics.median(r["p50"] for r in results[theirs])
        print(f"resource page p50 / oxigraph CONSTRUCT p50 = {page / baseline:.1f}")


if __name__ == "__main__":
    main()
