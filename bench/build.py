"""The whole build, step by step, beside Oxigraph's own bulk load of the same triples.

    python -m bench.build --triples 1000000 5000000 --marc 250000 --runs 3

For each data set (generated library data of about N triples, made by
bench/generate.py, and/or the first R of the Library of Congress's MARC
records, fetched by bench/marc.py) and each of ``--runs`` runs, in fresh
processes:

- ``build``: a first build into an empty store (convert + validate + publish
  with every artifact), with the wall time of each step as the build reports
  it (``BuildOutcome.timings``) and the peak RSS of the build and its workers
  (per step, in parentheses: the build process's peak so far when the step
  ended, so the step where it grows is the one that took the memory), and
  the largest sum of RSS of all its processes at one time (sampled);
- ``bulk_load``: the release's triples (every graph but the metadata) as
  N-Triples, loaded into an empty on-disk store by ``Store.bulk_load`` (the
  baseline; the N-Triples file is written once per data set, from the first
  run's build). From the second run on, it is also loaded just before the
  build, so that the build is bracketed by two baselines: the machine's
  speed drifts (other tenants), and each run's ratio is taken against the
  mean of the baselines around it. Its processes' memory is sampled as the
  build's is;
- ``same graphs`` (like for like): the same triples, each graph's loaded by
  ``Store.bulk_load`` into that named graph (as the release holds them; the
  largest first, as the build loads its catalogue graph before the others),
  then ``Store.optimize()``, so that the store ends compacted as a published
  release does. Oxigraph keeps a named graph's quads in six indexes, the
  default graph's in three: the issue's baseline above is the cheaper layout,
  this one is the release's (bench/README.md, "The thirteenth round");
- after each step, ``sync``: the disk's writeback of what the step wrote is
  finished before the next step starts, so that no step pays for the one
  before it; its time is reported apart (``writeback``), not in the step's;
- ``rebuild``: one small source changed (a row added to a small CSV) and the
  build run again on that store (the big sources must stay ``unchanged``),
  then the row taken out again for the next run.

Prints a Markdown table (median, min, max over the runs; ratio of medians to
the bulk load's, over every baseline load; each run's own ratio; peak RSS;
the load average; the CPU seconds of the build and of the bulk load, steadier
than wall time on a shared machine; the CPU seconds the hypervisor gave other
guests meanwhile, and the writeback after each step) for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

HERE = Path(__file__).resolve().parent
BASE = "http://127.0.0.1:5000/"
EXTRA_CONCEPT = "bench-extra-topic,topics,Chủ đề thêm,Extra topic\n"
EXTRA_PERSON = "bench-extra-person,Lê Văn Thêm\n"


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished workers."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime, 2)


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, workers) / 1024, 1)


def child_build(sources: str, store: str) -> dict:
    """One build in this process; its figures."""
    from kg.build import build
    from kg.sources import discover

    started = time.monotonic()
    outcome = build(discover([sources]), store, BASE, on_error="skip")
    return {"seconds": time.monotonic() - started, "timings": outcome.timings,
            "step_peak_rss_mib": outcome.peak_rss_mib,
            "records": outcome.records, "triples": outcome.triples,
            "status": {s.file: s.status for s in outcome.sources}, "peak_rss_mib": _peak_mib(),
            "cpu_seconds": _cpu_seconds()}


class TreeMemory:
    """The largest sum of RSS of a process and all its descendants at one time.

    Sampled from /proc every 0.2 s: the build's workers and writers run side by
    side, and the peak of each (``ru_maxrss``) says nothing about their sum.
    The sampling thread runs in the bench's own process, not in the measured
    one: there it would take the measured process's GIL 5 times a second
    (some 2.4 ms each). Every step is sampled alike, the baseline too.
    """

    def __init__(self, root: int) -> None:
        self.root = root
        self.peak_mib = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak_mib = max(self.peak_mib, _tree_rss_kib(self.root) / 1024)


def _tree_rss_kib(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields["PPid"])
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total = 0
    for pid in rss:
        ancestor = pid
        while ancestor and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        total += rss[pid] if ancestor == root else 0
    return total


def child_bulk_load(ntriples: str, store: str) -> dict:
    """Oxigraph's own bulk load of an N-Triples file into an empty on-disk store."""
    from pyoxigraph import RdfFormat, Store

    started = time.monotonic()
    db = Store(store)
    db.bulk_load(path=ntriples, format=RdfFormat.N_TRIPLES)
    db.flush()
    return {"seconds": time.monotonic() - started, "peak_rss_mib": _peak_mib(),
            "cpu_seconds": _cpu_seconds()}


def child_load_graphs(folder: str, store: str) -> dict:
    """Oxigraph's own bulk load of each graph's N-Triples into that named graph of an
    empty on-disk store (the files :func:`dump_triples` wrote), then compacted."""
    from pyoxigraph import NamedNode, RdfFormat, Store

    graphs = json.loads((Path(folder) / GRAPHS_LIST).read_text(encoding="utf-8"))
    started = time.monotonic()
    db = Store(store)
    for graph in graphs:
        db.bulk_load(path=Path(folder) / graph["file"], format=RdfFormat.N_TRIPLES,
                     to_graph=NamedNode(graph["graph"]))
    db.flush()
    loaded = time.monotonic()
    # What RocksDB has not merged yet (a load under its limit of level-0 files
    # returns before): a release is published compacted.
    db.optimize()
    ended = time.monotonic()
    return {"seconds": ended - started, "load_seconds": loaded - started,
            "optimize_seconds": ended - loaded, "peak_rss_mib": _peak_mib(),
            "cpu_seconds": _cpu_seconds()}


def _stolen_seconds() -> float:
    """CPU seconds stolen from this virtual machine so far (/proc/stat's ``steal``)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def _child(*args: str) -> dict:
    """One measured step in a fresh process; then the disk's writeback of what it wrote.

    The kernel may write a step's files back to disk after the step has
    returned (up to a fifth of the memory may wait, dirty); unless that is
    finished here, the next step would pay for it. ``sync`` is timed apart and
    reported (``writeback_seconds``), outside the step's own time. (It was a
    guess for why baseline loads drift; on the reference machine it finds
    nothing left to write: bench/README.md, "The eleventh round".)
    """
    stolen = _stolen_seconds()
    command = [sys.executable, "-m", "bench.build", "--child", *args]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as child, \
            TreeMemory(child.pid) as tree:
        output, _ = child.communicate()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, command, output)
    figures = json.loads(output.strip().splitlines()[-1])
    # Sampled, so a short peak of one process may fall between samples.
    figures["tree_peak_rss_mib"] = max(tree.peak_mib, figures["peak_rss_mib"])
    # CPU time the hypervisor gave other guests while the step ran (all cores).
    figures["stolen_seconds"] = round(_stolen_seconds() - stolen, 1)
    started = time.monotonic()
    os.sync()
    figures["writeback_seconds"] = round(time.monotonic() - started, 1)
    return figures


GRAPHS_LIST = "graphs.json"


def dump_triples(store: Path, out: Path, folder: Path) -> int:
    """The release's triples (every named graph but the metadata) as one N-Triples file,
    ``out``, and graph by graph in ``folder`` (listed in its ``graphs.json``, the
    largest graph first); their lines.

    Taken from the release's N-Triples dump, whose index says where each graph's
    gzip member lies: the same triples as ``Store.dump`` of each graph gives
    (tests/test_dumps.py), without reading 18M triples back out of the store.
    Each member is unzipped once, for both files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    graphs = []
    with out.open("wb") as whole:
        for number, (graph, text) in enumerate(_graph_texts(store)):
            name, lines = f"graph-{number}.nt", 0
            with (folder / name).open("wb") as alone:
                for data in text:
                    lines += data.count(b"\n")
                    whole.write(data)
                    alone.write(data)
            graphs.append({"graph": graph, "file": name, "triples": lines})
    graphs.sort(key=lambda g: -g["triples"])
    (folder / GRAPHS_LIST).write_text(json.dumps(graphs, indent=1), encoding="utf-8")
    return sum(g["triples"] for g in graphs)


def _graph_texts(store: Path) -> Iterator[tuple[str, Iterator[bytes]]]:
    """Each graph of the current release but the metadata: (IRI, its N-Triples in
    pieces), from the release's N-Triples dump; each text is read before the next."""
    from kg.export.dumps import DUMPS, read_index
    from kg.store.releases import ReleaseStore

    release = ReleaseStore(store).require_current().path
    entry = read_index(release)["files"]["nt"]
    with (release / DUMPS / entry["name"]).open("rb") as dump:
        for graph, (offset, length) in entry["graphs"].items():
            if graph not in ("", BASE + "graph/meta"):
                yield graph, _member(dump, offset, length)


def _member(dump: BinaryIO, offset: int, length: int) -> Iterator[bytes]:
    """One gzip member of a dump, unzipped, in pieces."""
    dump.seek(offset)
    member = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while length > 0:
        data = member.decompress(dump.read(min(length, 1 << 20)))
        length -= 1 << 20
        yield data
    yield member.flush()


def datasets(args: argparse.Namespace, work: Path) -> list[tuple[str, Path, Path, str]]:
    """(name, sources folder, small source to change, line to add) of each data set."""
    found = []
    for triples in args.triples:
        from bench.validate import data_for

        folder = data_for(triples)
        found.append((f"generated {triples:,}", folder, folder / "concepts.csv", EXTRA_CONCEPT))
    for records in args.marc:
        from bench import marc

        folder = marc.prepare(marc.fetch(), records)
        found.append((f"MARC {records:,}", folder, folder / "bench-people.csv", EXTRA_PERSON))
    return found


def run_once(sources: Path, small: Path, extra: str, work: Path, ntriples: Path,
             graphs: Path) -> dict:
    """Build, baselines, rebuild; the figures of one run."""
    store, loaded = work / "store", work / "bulk"
    for path in (store, loaded):
        shutil.rmtree(path, ignore_errors=True)
    before = None
    if ntriples.exists():  # from the second run on: a baseline on each side of the build
        before = _child("bulk", str(ntriples), str(loaded))
        shutil.rmtree(loaded, ignore_errors=True)
    built = _child("build", str(sources), str(store))
    if not ntriples.exists():
        built["nt_triples"] = dump_triples(store, ntriples, graphs)
        os.sync()  # the baseline does not pay for writing its own input either
    baseline = _child("bulk", str(ntriples), str(loaded))
    shutil.rmtree(loaded, ignore_errors=True)
    same_graphs = _child("graphs", str(graphs), str(loaded))
    shutil.rmtree(loaded, ignore_errors=True)
    original = small.read_bytes()
    try:
        small.write_bytes(original + extra.encode("utf-8"))
        rebuilt = _child("build", str(sources), str(store))
    finally:
        small.write_bytes(original)
    unchanged = [name for name, status in rebuilt["status"].items() if name != small.name]
    assert all(rebuilt["status"][n] == "unchanged" for n in unchanged), rebuilt["status"]
    return {"build": built, "bulk_load": baseline, "same_graphs": same_graphs,
            "rebuild": rebuilt,
            "load": os.getloadavg()[0], **({"bulk_load_before": before} if before else {})}


def baselines(run: dict) -> list[dict]:
    """A run's baseline loads: the one after its build, and the one before it if any."""
    return [run["bulk_load"], *([run["bulk_load_before"]] if "bulk_load_before" in run else [])]


def run_ratio(run: dict) -> float:
    """A run's build time over the mean of the baseline loads around it."""
    return run["build"]["seconds"] / statistics.mean(b["seconds"] for b in baselines(run))


def _stats(values: list[float]) -> str:
    median = statistics.median(values)
    return f"{median:.1f} ({min(values):.1f}-{max(values):.1f})"


def table(name: str, runs: list[dict]) -> list[str]:
    """Markdown rows of one data set."""
    base = statistics.median(b["seconds"] for r in runs for b in baselines(r))
    load = f"{min(r['load'] for r in runs):.1f}-{max(r['load'] for r in runs):.1f}"
    triples = runs[0]["build"]["triples"]

    def row(what: str, values: list[float], rss: str = "") -> str:
        ratio = statistics.median(values) / base
        return (f"| {name} | {triples:,} | {what} | {_stats(values)} | {ratio:.2f} | {rss} "
                f"| {load} |")

    rows = [row("bulk_load (baseline)", [b["seconds"] for r in runs for b in baselines(r)],
                f"{max(r['bulk_load']['peak_rss_mib'] for r in runs):,.0f}"),
            row("**build**", [r["build"]["seconds"] for r in runs], _build_rss(runs)),
            f"| {name} | {triples:,} | build / bulk_load, each run (against the baselines "
            f"around it) | {', '.join(f'{run_ratio(r):.2f}' for r in runs)} | | | {load} |"]
    rows += _like_for_like(name, triples, load, runs, base)
    build = statistics.median(r["build"]["seconds"] for r in runs)
    rows.append(f"| {name} | {triples:,} | build throughput at its median time: records/s; "
                f"triples/s | {runs[0]['build']['records'] / build:,.0f}; {triples / build:,.0f} "
                f"| | | {load} |")
    for step in runs[0]["build"]["timings"]:
        # The build process's peak RSS so far when the step ended (the workers' apart).
        peaks = [r["build"].get("step_peak_rss_mib", {}).get(step) for r in runs]
        rss = f"({max(peaks):,.0f})" if None not in peaks else ""
        rows.append(row(f"- {step}", [r["build"]["timings"].get(step, 0.0) for r in runs], rss))
    # On a shared machine, CPU time is steadier than wall time (x: of bulk_load's CPU).
    rows += _side_by_side(name, triples, load, runs, "cpu_seconds", "CPU s, {}", ratio=True)
    # Not in the times above: the disk's writeback of each step's files once it returned.
    rows += _side_by_side(name, triples, load, runs, "writeback_seconds",
                          "writeback after, {} (not in the times)")
    # A shared machine: CPU the hypervisor gave other guests during each step.
    rows += _side_by_side(name, triples, load, runs, "stolen_seconds", "CPU s stolen, {}")
    rows.append(row("rebuild, one small source changed", [r["rebuild"]["seconds"] for r in runs],
                    f"{max(r['rebuild']['peak_rss_mib'] for r in runs):,.0f}"))
    return rows


def _like_for_like(name: str, triples: int, load: str, runs: list[dict],
                   base: float) -> list[str]:
    """Rows of the same triples loaded into the release's named graphs and compacted:
    its time (x: of the issue's baseline), and the build's ratio to it."""
    if not all("same_graphs" in r for r in runs):
        return []
    loads = [r["same_graphs"] for r in runs]
    seconds = [s["seconds"] for s in loads]
    median = statistics.median(seconds)
    builds = statistics.median(r["build"]["seconds"] for r in runs)
    parts = (f"load {_stats([s['load_seconds'] for s in loads])}, optimize "
             f"{_stats([s['optimize_seconds'] for s in loads])}")
    rss = f"{max(s['peak_rss_mib'] for s in loads):,.0f}"
    each = [f"{r['build']['seconds'] / r['same_graphs']['seconds']:.2f}" for r in runs]
    return [f"| {name} | {triples:,} | bulk_load into the same named graphs, then optimize "
            f"(like for like: {parts}) | {_stats(seconds)} | {median / base:.2f} | {rss} "
            f"| {load} |",
            f"| {name} | {triples:,} | **build / like-for-like load**: ratio of the medians; "
            f"each run | {builds / median:.2f}; {', '.join(each)} | | | {load} |"]


def _side_by_side(name: str, triples: int, load: str, runs: list[dict], figure: str,
                  what: str, ratio: bool = False) -> list[str]:
    """A row for the baseline loads' ``figure`` and one for the builds' (none if a run
    lacks it); ``ratio``: each with its median over the loads' median."""
    if not all(figure in r["build"] for r in runs):
        return []
    sides = {"bulk_load": [b[figure] for r in runs for b in baselines(r)],
             "build": [r["build"][figure] for r in runs]}
    base = statistics.median(sides["bulk_load"])
    return [f"| {name} | {triples:,} | {what.format(side)} | {_stats(values)} "
            f"| {f'{statistics.median(values) / base:.2f}' if ratio else ''} | | {load} |"
            for side, values in sides.items()]


def _build_rss(runs: list[dict]) -> str:
    """The build process's peak RSS, and that of all its processes at one time."""
    own = f"{max(r['build']['peak_rss_mib'] for r in runs):,.0f}"
    if all("tree_peak_rss_mib" in r["build"] for r in runs):
        own += f" (all processes: {max(r['build']['tree_peak_rss_mib'] for r in runs):,.0f})"
    return own


def main() -> None:
    """Run the benchmark (or, with --child, one measured step of it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="*", default=[])
    parser.add_argument("--marc", type=int, nargs="*", default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "work" / "build")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        steps = {"build": child_build, "bulk": child_bulk_load, "graphs": child_load_graphs}
        print(json.dumps(steps[step](*rest)))
        return
    import pyoxigraph

    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"pyoxigraph {pyoxigraph.__version__}, load {os.getloadavg()[0]:.1f} at start",
          flush=True)
    print("| data | triples | what | seconds: median (min-max) | x bulk_load | peak RSS MiB "
          "| load |\n| --- | --- | --- | --- | --- | --- | --- |", flush=True)
    everything = {}
    for name, sources, small, extra in datasets(args, args.work):
        work = args.work / name.replace(" ", "-").replace(",", "")
        work.mkdir(parents=True, exist_ok=True)
        ntriples, graphs = work / "triples.nt", work / "graphs"
        ntriples.unlink(missing_ok=True)
        shutil.rmtree(graphs, ignore_errors=True)
        runs = [run_once(sources, small, extra, work, ntriples, graphs)
                for _ in range(args.runs)]
        everything[name] = runs
        print("\n".join(table(name, runs)), flush=True)
        ntriples.unlink(missing_ok=True)
        shutil.rmtree(graphs, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
