"""Other clients' latency while one client hammers /sparql with heavy queries.

    python -m bench.isolation --store bench/data/store-1m --seconds 30 --runs 3

``kg serve`` (gunicorn, 2 workers x 4 threads, trusting ``X-Forwarded-For``
from the loopback) on the store; ``--readers`` light clients, each its own
address, each sending in turn an entity page, a search and a light SPARQL
query, as fast as answers come. Three phases per run, each ``--seconds``:

1. **alone**: the light clients only (the baseline, same run);
2. **hammer, limits on**: plus one client (one address) on ``--hammer``
   connections sending a heavy query (``HEAVY``: a full scan, 1.2 s alone on 1M triples) again
   and again, waiting as ``Retry-After`` says when refused; the server has its
   default limits (4 query slots, 4 waiting, 2 queries per client);
3. **hammer, no limits**: the same against a server started with
   ``KG_QUERY_SLOTS=0 KG_CLIENT_QUERIES=0`` (what the limits are for).

Reports the light clients' p50/p99 per request kind and their errors, and
what the hammer got (answers, 429, 503), as median (min-max) over the runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from bench.pages import start
from tests.support import free_port, kg_command

HEAVY = "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }"
LIGHT = "SELECT ?name WHERE {{ <{base}id/person/p{n}> foaf:name ?name }}"
WORDS = ["cuong", "thu vien", "nguyen van", "dữ liệu", "linh", "giải pháp"]


class Clients:
    """Threads sending requests until a deadline; latencies and statuses by kind."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.latencies: dict[str, list[float]] = {}
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()

    def _send(self, connection: http.client.HTTPConnection, kind: str, path: str,
              headers: dict[str, str]) -> tuple[int, dict]:
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            status, answer_headers = response.status, dict(response.headers)
        except (OSError, http.client.HTTPException):
            connection.close()
            status, answer_headers = 599, {}  # no answer at all
        with self.lock:
            self.latencies.setdefault(kind, []).append(time.perf_counter() - started)
            self.statuses[kind, status] += 1
        return status, answer_headers

    def reader(self, number: int, deadline: float, counts: dict, base: str) -> None:
        """A light client: a page, a search, a light query, again and again."""
        rng = random.Random(number)
        headers = {"X-Forwarded-For": f"198.18.1.{number + 1}"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        while time.monotonic() < deadline:
            person = rng.randrange(counts["person"])
            query = LIGHT.format(base=base, n=person)
            for kind, path in (
                    ("entity page", f"/page/resource/r{rng.randrange(counts['resource'])}"),
                    ("search", "/search?q=" + urllib.parse.quote(rng.choice(WORDS))),
                    ("light SPARQL", "/sparql?" + urllib.parse.urlencode({"query": query}))):
                self._send(connection, kind, path, headers)
        connection.close()

    def hammer(self, deadline: float) -> None:
        """One connection of the heavy client; it waits as Retry-After says when refused."""
        headers = {"X-Forwarded-For": "198.18.9.9"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        path = "/sparql?" + urllib.parse.urlencode({"query": HEAVY})
        while time.monotonic() < deadline:
            status, answer = self._send(connection, "heavy", path, headers)
            if status in (429, 503):
                time.sleep(min(float(answer.get("Retry-After", "1")),
                               max(0.0, deadline - time.monotonic())))
        connection.close()


def phase(port: int, seconds: float, readers: int, hammers: int, counts: dict,
          base: str) -> Clients:
    """Run the readers (and the hammer's connections) until the time is up."""
    clients = Clients(port)
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=clients.reader, args=(n, deadline, counts, base))
               for n in range(readers)]
    threads += [threading.Thread(target=clients.hammer, args=(deadline,))
                for _ in range(hammers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clients


def summary(clients: Clients) -> dict:
    """p50/p99 in ms per light kind, errors of the light clients, the hammer's statuses."""
    found: dict = {}
    for kind, values in clients.latencies.items():
        ordered = sorted(values)
        found[kind] = {"p50": 1000 * ordered[len(ordered) // 2],
                       "p99": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
                       "count": len(ordered)}
    found["light errors"] = sum(n for (kind, status), n in clients.statuses.items()
                                if kind != "heavy" and status != 200)
    found["hammer"] = {status: n for (kind, status), n in clients.statuses.items()
                       if kind == "heavy"}
    return found


def serve(store: Path, run_dir: Path, limits: bool) -> tuple[object, int]:
    port = free_port()
    env = {"KG_STORE": str(store), "KG_PORT": str(port), "KG_HOST": "127.0.0.1",
           "KG_TRUSTED_PROXIES": "127.0.0.1", "KG_RUN_DIR": str(run_dir)}
    if not limits:
        env.update(KG_QUERY_SLOTS="0", KG_CLIENT_QUERIES="0")
    return start(kg_command("serve"), port, env), port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--hammer", type=int, default=16, help="the heavy client's connections")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "work" / "isolation")
    args = parser.parse_args()
    manifest = json.loads((args.store / "current" / "manifest.json").read_text())
    counts, base = manifest["counts"], manifest["base_iri"]
    results: dict[str, list[dict]] = {}
    loads = [os.getloadavg()[0]]
    for run in range(args.runs):
        for limits in (True, False):
            server, port = serve(args.store, args.out / f"run-{run}-{limits}", limits)
            try:
                phase(port, 5, args.readers, 0, counts, base)  # warm up: not recorded
                names = ["alone", "hammer, limits on"] if limits else ["hammer, no limits"]
                for name in names:
                    hammers = 0 if name == "alone" else args.hammer
                    clients = phase(port, args.seconds, args.readers, hammers, counts, base)
                    results.setdefault(name, []).append(summary(clients))
                    loads.append(os.getloadavg()[0])
            finally:
                os.killpg(server.pid, 15)  # type: ignore[attr-defined]
                server.wait(timeout=60)  # type: ignore[attr-defined]
    report(results, args, loads)


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"


def report(results: dict[str, list[dict]], args: argparse.Namespace, loads: list[float]) -> None:
    print(f"{args.runs} runs of {args.seconds:g} s per phase, {args.readers} light clients, "
          f"a heavy client on {args.hammer} connections; load average {min(loads):.1f} to "
          f"{max(loads):.1f} (1 min)\n")
    kinds = ("entity page", "search", "light SPARQL")
    print("| phase | " + " | ".join(f"{k} p50 / p99 ms" for k in kinds) +
          " | light requests | light requests/s | light errors"
          " | heavy client: answered / 429 / 503 / other |")
    print("| --- " * (len(kinds) + 5) + "|")
    for name, runs in results.items():
        cells = [f"{_median([r[k]['p50'] for r in runs])} / {_median([r[k]['p99'] for r in runs])}"
                 for k in kinds]
        light = sum(r[k]["count"] for r in runs for k in kinds)
        errors = sum(r["light errors"] for r in runs)
        statuses = Counter()
        for r in runs:
            statuses.update(r["hammer"])
        other = sum(n for s, n in statuses.items() if s not in (200, 429, 503))
        hammer = f"{statuses[200]} / {statuses[429]} / {statuses[503]} / {other}" \
            if name != "alone" else "-"
        rate = light / (len(runs) * args.seconds)
        print(f"| {name} | {' | '.join(cells)} | {light:,} | {rate:.0f} | {errors} | {hammer} |")


if __name__ == "__main__":
    main()
