"""Validation and build at scale, beside Oxigraph's own bulk load of the same triples.

    python -m bench.validate --triples 100000 1000000 --runs 3
    python -m bench.validate --threshold

For each size: generates the data (bench/generate.py) if missing, then, in
the same run and each ``--runs`` times,

- ``kg build`` of the sources into a new store (convert + validate + publish),
  in a child process: wall time and peak RSS;
- the baseline: the built release dumped to N-Triples and loaded into a new
  on-disk store with ``Store.bulk_load``, in a child process;
- each validator (pySHACL, SPARQL) over the built release's graphs, as a
  build runs it on the graphs that changed (all of them here).

Prints a Markdown table of medians (min-max) and ratios, with the machine's
load, for bench/README.md. ``--threshold`` times both validators on small
sources to find where ``auto`` should switch.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph
import pyshacl

from bench.generate import generate

DATA = Path(__file__).resolve().parent / "data"
BASE = "http://127.0.0.1:5000/"

BULK_LOAD = """
import sys, time
from pyoxigraph import RdfFormat, Store
started = time.monotonic()
store = Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=RdfFormat.N_TRIPLES)
store.flush()
print(time.monotonic() - started)
"""

VALIDATE = """
import sys, time
from pyoxigraph import Store
from kg.store.staging import StagingView
from kg.validate import shape_violations
view = StagingView(Store.read_only(sys.argv[1]))
graphs = [g for g in view.graphs() if not g.value.endswith("/graph/meta")]
started = time.monotonic()
found = shape_violations(view, graphs, sys.argv[2])
print(time.monotonic() - started, len(found))
"""


def child(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run a child process: (wall seconds, peak RSS in MiB, its output)."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, **(env or {})})
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output}")
    return time.monotonic() - started, usage.ru_maxrss / 1024, output


def data_for(triples: int) -> Path:
    """The generated sources for a size (made once)."""
    folder = DATA / f"lib-{triples}"
    if not (folder / "resources.csv").exists():
        generate(triples, folder)
    return folder


def build(sources: Path, store: Path, validator: str) -> tuple[float, float, float]:
    """One ``kg build`` into a new store: (seconds of the process, seconds the build
    reports, without the interpreter's start and imports; peak RSS MiB)."""
    shutil.rmtree(store, ignore_errors=True)
    seconds, rss, output = child([sys.executable, "-m", "kg", "build", str(sources), "--store",
                                  str(store), "--validator", validator])
    reported = re.search(r"([0-9.]+) s to publish", output)
    return seconds, float(reported.group(1)) if reported else seconds, rss


def dump_ntriples(store: Path, target: Path) -> int:
    """The release's triples (all graphs) as N-Triples, for the baseline."""
    db = pyoxigraph.Store.read_only(str(store / "current" / "db"))
    with target.open("wb") as handle:
        for graph in db.named_graphs():
            db.dump(handle, pyoxigraph.RdfFormat.N_TRIPLES, from_graph=graph)
    return len(db)


def bulk_load(ntriples: Path, work: Path) -> tuple[float, float]:
    """Oxigraph's own bulk load of the N-Triples into a new on-disk store."""
    target = work / "baseline"
    shutil.rmtree(target, ignore_errors=True)
    _, rss, output = child([sys.executable, "-c", BULK_LOAD, str(ntriples), str(target)])
    return float(output.strip().splitlines()[-1]), rss


def validate(store: Path, validator: str) -> tuple[float, float, int]:
    """One validator over every source graph of the release: (seconds, RSS MiB, violations)."""
    _, rss, output = child([sys.executable, "-c", VALIDATE,
                            str(store / "current" / "db"), validator])
    seconds, found = output.strip().splitlines()[-1].split()
    return float(seconds), rss, int(found)


def summary(values: list[float]) -> str:
    """Median (min-max)."""
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def measure(triples: int, runs: int, validators: list[str], work: Path) -> list[str]:
    """Rows of the results table for one size."""
    sources = data_for(triples)
    store = work / f"store-{triples}"
    times: dict[str, list[float]] = {}
    rss: dict[str, list[float]] = {}
    for _ in range(runs):
        seconds, inside, peak = build(sources, store, "auto")
        for name, value in (("build", seconds), ("build, in-process", inside)):
            times.setdefault(name, []).append(value)
            rss.setdefault(name, []).append(peak)
        ntriples = work / f"release-{triples}.nt"
        count = dump_ntriples(store, ntriples)
        seconds, peak = bulk_load(ntriples, work)
        times.setdefault("bulk_load", []).append(seconds)
        rss.setdefault("bulk_load", []).append(peak)
        for validator in validators:
            seconds, peak, found = validate(store, validator)
            times.setdefault(validator, []).append(seconds)
            rss.setdefault(validator, []).append(peak)
    base = statistics.median(times["bulk_load"])
    rows = []
    for name in ["bulk_load", "build", "build, in-process", *validators]:
        median = statistics.median(times[name])
        rows.append(f"| {count:,} | {name} | {summary(times[name])} | {median / base:.2f} | "
                    f"{max(rss[name]):.0f} | {os.getloadavg()[0]:.1f} |")
    return rows


def threshold(work: Path) -> list[str]:
    """Both validators on small sources: where pySHACL stops being the faster."""
    rows = []
    for triples in (10_000, 20_000, 50_000):
        store = work / f"store-{triples}"
        build(data_for(triples), store, "shacl")
        timings = {v: [validate(store, v)[0] for _ in range(3)] for v in ("shacl", "sparql")}
        rows.append(f"| {triples:,} | {summary(timings['shacl'])} | {summary(timings['sparql'])} |"
                    f" {os.getloadavg()[0]:.1f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--validators", nargs="+", default=["sparql", "shacl"])
    parser.add_argument("--threshold", action="store_true")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, pyshacl {pyshacl.__version__}, "
          f"load {os.getloadavg()[0]:.1f} at start")
    try:
        if args.threshold:
            print("| triples | pySHACL s | SPARQL s | load |\n| --- | --- | --- | --- |")
            print("\n".join(threshold(work)))
            return
        print("| triples | what | seconds, median (min-max) | x bulk_load | peak RSS MiB | load |")
        print("| --- | --- | --- | --- | --- | --- |")
        for triples in args.triples:
            print("\n".join(measure(triples, args.runs, args.validators, work)), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
