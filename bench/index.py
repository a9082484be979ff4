"""The entity index at publish time: written from scratch, and updated from the parent's.

    python -m bench.index --store /tmp/mb/work/MARC-250000/store --runs 3 --check

On a published store whose current release was made from its parent with a
small source changed (as ``python -m bench.build --marc 250000`` leaves it),
each run, each step in a fresh process, the databases opened read-only:

- ``read``: the terms the full write reads (its patterns, graph by graph),
  read from the current release and thrown away: the baseline, what the
  store reads alone cost;
- ``full``: the current release's index written from scratch;
- ``update``: the same index made from the parent's (written once, from
  scratch, in the current format, into ``--out``) for the graphs the current
  release changed: the sources it loaded or removed, and the metadata graph.

``--search OLD NEW`` instead times label searches (in-process, one client)
on index files, to compare two formats of the index on the same data.

Prints a Markdown table (median, min and max seconds; ratio to ``read``; peak
RSS of the step's process) and the load average. ``--check`` compares the
updated index with the full one, table by table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

BASE = "http://127.0.0.1:5000/"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _view(release: Path):
    from pyoxigraph import Store

    from kg.store.staging import StagingView

    return StagingView(Store.read_only(str(release / "db")))


def child(step: str, release: Path, parent: Path, out: Path) -> dict:
    """One step in this process; its figures."""
    from kg.artifacts import ArtifactContext
    from kg.index.update import update_index
    from kg.index.writer import write_full
    from kg.iris import Minter

    view = _view(release)
    opened = _peak_mib()
    started, cpu = time.monotonic(), _cpu_seconds()
    if step == "read":
        figures = {"quads": _read_patterns(view)}
    elif step == "full":
        write_full(view, BASE, out / "index.sqlite")
        figures = {}
    else:
        manifest = json.loads((release / "manifest.json").read_text())
        context = ArtifactContext(view, out, manifest, Minter(BASE), parent,
                                  changed_graphs=changed_graphs(manifest))
        figures = {"updated": update_index(context, out / "index.sqlite")}
    return figures | {"seconds": round(time.monotonic() - started, 2), "peak_mib": _peak_mib(),
                      "opened_mib": opened, "cpu": round(_cpu_seconds() - cpu, 2)}


def _read_patterns(view) -> int:
    """Read every term the full write reads, as it reads them, doing nothing with them."""
    from kg.index.rows import FACT_PREDICATES, TYPE
    from kg.index.writer import PAIRS, SUBJECTS
    from kg.kinds import KINDS
    from kg.store.staging import ViewQueries

    queries, count = ViewQueries(view), 0
    for graph in view.graphs():
        for kind in KINDS.values():
            sparql = SUBJECTS.format(graph=graph, predicate=FACT_PREDICATES[TYPE],
                                     object=kind.rdf_type)
            count += sum(1 for row in queries.select(sparql) if row["s"].value)
        for predicate in FACT_PREDICATES[TYPE + 1:]:
            sparql = PAIRS.format(graph=graph, predicate=predicate)
            count += sum(1 for row in queries.select(sparql) if row["s"].value and row["o"])
    return count


def changed_graphs(manifest: dict) -> frozenset[str]:
    """Graphs of the sources this release loaded or removed, and the metadata graph."""
    from kg.iris import Minter

    minter = Minter(BASE)
    names = [name for name, entry in manifest["sources"].items()
             if entry.get("loaded_in") == manifest["id"]] + manifest.get("removed_sources", [])
    return frozenset({minter.graph(name).value for name in names} | {minter.meta_graph.value})


def run_child(step: str, release: Path, parent: Path, out: Path) -> dict:
    """A step in a fresh process."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.sqlite").unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "bench.index", "--child", step, "--release", str(release),
         "--parent", str(parent), "--out", str(out)],
        check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
    return json.loads(result.stdout.strip().splitlines()[-1])


def prepare_parent(parent_release: Path, out: Path) -> Path:
    """The parent release's index in the current format (written once into ``out``)."""
    folder = out / "parent"
    if not (folder / "index.sqlite").is_file():
        figures = run_child("full", parent_release, folder, folder)
        print(f"parent index written in {figures['seconds']} s", file=sys.stderr)
    return folder


def same_tables(one: Path, other: Path) -> bool:
    """True if two indexes hold the same rows in every table but the full-text one."""
    import sqlite3

    connection = sqlite3.connect(one)
    connection.execute("ATTACH DATABASE ? AS other", (str(other),))
    tables = ("meta", "entity", "name", "ordering", "graph", "entity_graph")
    try:
        return all(connection.execute(
            f"SELECT count(*) FROM (SELECT * FROM main.{t} EXCEPT SELECT * FROM other.{t} "
            f"UNION ALL SELECT * FROM other.{t} EXCEPT SELECT * FROM main.{t})").fetchone()[0] == 0
            for t in tables)
    finally:
        connection.close()


SEARCH_WORDS = ["history", "the", "united states", "john", "smith", "a", "war", "poems",
                "american", "science", "new york", "report", "law", "introduction to", "ch",
                "washington", "music", "de", "catalog", "cuong"]


def compare_search(paths: list[Path], rounds: int = 20) -> None:
    """Median and p99 milliseconds of label searches (page 1 and page 5) on each index.

    One round on each first, untimed (to read the files into the page cache),
    then the indexes take turns round by round, so the machine's load falls
    on both alike.
    """
    from kg.index import EntityIndex

    indexes = [EntityIndex(path) for path in paths]
    times: list[list[float]] = [[] for _ in paths]
    for round_number in range(rounds + 1):
        for index, timed in zip(indexes, times, strict=True):
            for word in SEARCH_WORDS:
                for offset in (0, 80):
                    started = time.perf_counter()
                    index.search(word, offset=offset)
                    if round_number:
                        timed.append((time.perf_counter() - started) * 1000)
    for path, timed in zip(paths, times, strict=True):
        timed.sort()
        print(f"| {path} | {statistics.median(timed):.2f} | {timed[int(len(timed) * .99)]:.2f} |")


def _row(step: str, runs: list[dict], base: float, cpu_base: float) -> str:
    seconds = [r["seconds"] for r in runs]
    median = statistics.median(seconds)
    cpu = statistics.median(r["cpu"] for r in runs)
    return (f"| {step} | {median:.1f} ({min(seconds):.1f}-{max(seconds):.1f}) | "
            f"{median / base:.2f} | {cpu:.1f} | {cpu / cpu_base:.2f} | "
            f"{max(r['peak_mib'] for r in runs):.0f} ({max(r['opened_mib'] for r in runs):.0f}) |")


def _report(results: dict[str, list[dict]], loads: list[float], release: str,
            parent: str) -> None:
    """Print the Markdown table of the runs."""
    baseline = results.get("read") or next(iter(results.values()))
    base = statistics.median(r["seconds"] for r in baseline)
    cpu_base = statistics.median(r["cpu"] for r in baseline)
    print(f"{release} (parent {parent}); load average {min(loads):.1f}-{max(loads):.1f}\n")
    print("| step | seconds: median (min-max) | x read | CPU s | x read (CPU) "
          "| peak RSS MiB (after opening) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for step, runs in results.items():
        print(_row(step, runs, base, cpu_base))


def main() -> None:
    """Run the steps (or one step, as a child process) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store with two releases or more")
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-index"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--steps", nargs="+", default=["read", "full", "update"])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--search", type=Path, nargs="+",
                        help="only time label searches on these index files")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--release", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.release, args.parent, args.out)))
        return
    if args.search:
        print("| index | search ms: median | p99 |\n| --- | --- | --- |")
        compare_search(args.search)
        return
    if args.store is None:
        parser.error("--store is required")
    releases = sorted((args.store / "releases").iterdir())
    release, parent_release = releases[-1], releases[-2]
    parent = prepare_parent(parent_release, args.out)
    results: dict[str, list[dict]] = {step: [] for step in args.steps}
    loads = [os.getloadavg()[0]]
    for _ in range(args.runs):
        for step in args.steps:
            results[step].append(run_child(step, release, parent, args.out / step))
            loads.append(os.getloadavg()[0])
            print(step, results[step][-1], file=sys.stderr)
    _report(results, loads, release.name, parent_release.name)
    if args.check and {"full", "update"} <= set(args.steps):
        same = same_tables(args.out / "full" / "index.sqlite", args.out / "update" / "index.sqlite")
        print(f"\nupdated index equals the full one, table by table: {same}")


if __name__ == "__main__":
    main()
