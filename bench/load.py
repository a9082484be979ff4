"""Load test of the production server: many clients at once, for a bounded time.

    python -m bench.load --store bench/data/store-1m --users 50 --seconds 60 --runs 3

Starts ``kg serve`` (gunicorn, the default 2 workers x 4 threads and the
default limits, trusting ``X-Forwarded-For`` from the loopback so that each
simulated client is told apart) and, as the baseline in the same run,
``oxigraph serve-read-only --union-default-graph`` on the same release's
database, and drives them with locust in headless mode (``bench/locustfile.py``).
After a warm-up that is not recorded (10 s of each server), each run:

1. ``--users`` readers on kg serve, each its own address: entity pages, RDF
   by content negotiation, search, SPARQL, OAI-PMH harvests;
2. the same number of SPARQL partners on kg serve (``/sparql``);
3. the same partners on Oxigraph's own server (``/query``).

Reports, per request kind: requests, failures, requests/s, p50 and p99, as
median (min-max) over the runs, and the SPARQL ratio kg / Oxigraph. Loopback
only; every run ends by itself.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.pages import start
from tests.support import free_port, kg_command

BENCH = Path(__file__).resolve().parent
COLUMNS = {"requests": "Request Count", "failures": "Failure Count", "rps": "Requests/s",
           "p50": "50%", "p99": "99%"}


def locust(user: str, host: str, users: int, seconds: int, out: Path, env: dict) -> dict:
    """One headless locust run; its stats by request name (and 'all')."""
    command = [str(Path(sys.executable).parent / "locust"), "-f", str(BENCH / "locustfile.py"),
               user, "--headless", "--host", host, "--users", str(users),
               "--spawn-rate", str(max(1, users // 5)), "--run-time", f"{seconds}s",
               "--csv", str(out), "--only-summary", "--stop-timeout", "10",
               "--exit-code-on-error", "0"]
    subprocess.run(command, env={**os.environ, **env}, check=True, capture_output=True,
                   timeout=seconds + 120)
    stats = {}
    with open(f"{out}_stats.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = "all" if row["Name"] == "Aggregated" else row["Name"]
            stats[name] = {key: float(row[column] or 0) for key, column in COLUMNS.items()}
    return stats


def servers(store: Path, run_dir: Path) -> tuple[list[subprocess.Popen], int, int]:
    """kg serve and oxigraph serve-read-only on the store's current release."""
    kg_port, ox_port = free_port(), free_port()
    db = (store / "current").resolve() / "db"
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or "oxigraph"
    started = [
        start(kg_command("serve"), kg_port, {
            "KG_STORE": str(store), "KG_PORT": str(kg_port), "KG_HOST": "127.0.0.1",
            "KG_TRUSTED_PROXIES": "127.0.0.1", "KG_RUN_DIR": str(run_dir)}),
        start([oxigraph, "serve-read-only", "--location", str(db), "--bind",
               f"127.0.0.1:{ox_port}", "--union-default-graph"], ox_port),
    ]
    return started, kg_port, ox_port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=BENCH / "work" / "load")
    args = parser.parse_args()
    manifest = json.loads((args.store / "current" / "manifest.json").read_text())
    env = {"KG_BENCH_COUNTS": json.dumps(manifest["counts"]),
           "KG_BENCH_BASE": manifest["base_iri"]}
    args.out.mkdir(parents=True, exist_ok=True)
    processes, kg_port, ox_port = servers(args.store, args.out / "run")
    results: dict[str, list[dict]] = {"mixed": [], "kg": [], "oxigraph": []}
    loads = [os.getloadavg()[0]]
    try:
        # Warm up (query processes started, files in the page cache); not recorded.
        for user, port, path in (("Reader", kg_port, "/sparql"),
                                 ("SparqlPartner", ox_port, "/query")):
            locust(user, f"http://127.0.0.1:{port}", args.users, 10, args.out / "warmup",
                   {**env, "KG_BENCH_SPARQL_PATH": path})
        for run in range(args.runs):
            for phase, user, port, path in (("mixed", "Reader", kg_port, "/sparql"),
                                            ("kg", "SparqlPartner", kg_port, "/sparql"),
                                            ("oxigraph", "SparqlPartner", ox_port, "/query")):
                results[phase].append(locust(
                    user, f"http://127.0.0.1:{port}", args.users, args.seconds,
                    args.out / f"{phase}-{run}", {**env, "KG_BENCH_SPARQL_PATH": path}))
                loads.append(os.getloadavg()[0])
                time.sleep(2)
    finally:
        for process in processes:
            os.killpg(process.pid, 15)
            process.wait(timeout=30)
    report(results, args, loads)


def _cell(runs: list[dict], name: str, key: str) -> str:
    values = [r[name][key] for r in runs if name in r]
    if not values:
        return "-"
    if key in ("requests", "failures"):
        return f"{int(sum(values)):,}"
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def report(results: dict[str, list[dict]], args: argparse.Namespace, loads: list[float]) -> None:
    """Markdown tables: requests and failures summed over runs; the rest median (min-max)."""
    print(f"{args.runs} runs of {args.seconds} s, {args.users} clients; load average "
          f"{min(loads):.1f} to {max(loads):.1f} (1 min)")
    for phase, title in (("mixed", "readers on kg serve"), ("kg", "SPARQL partners, kg serve"),
                         ("oxigraph", "SPARQL partners, oxigraph serve (baseline)")):
        print(f"\n{title}\n\n| request | requests | failures | requests/s | p50 ms | p99 ms |\n"
              "| --- | --- | --- | --- | --- | --- |")
        names = sorted({n for r in results[phase] for n in r} - {"all"}) + ["all"]
        for name in names:
            cells = [_cell(results[phase], name, key) for key in COLUMNS]
            print(f"| {name} | {' | '.join(cells)} |")
    kg = statistics.median(r["all"]["p50"] for r in results["kg"])
    ox = statistics.median(r["all"]["p50"] for r in results["oxigraph"])
    kg_rps = statistics.median(r["all"]["rps"] for r in results["kg"])
    ox_rps = statistics.median(r["all"]["rps"] for r in results["oxigraph"])
    print(f"\nSPARQL mix: kg / oxigraph p50 = {kg / max(ox, 0.1):.1f}, "
          f"requests/s ratio = {kg_rps / max(ox_rps, 0.1):.2f}")


if __name__ == "__main__":
    main()
