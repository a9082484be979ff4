"""The build's ``agents`` step on a published store, before and after the pattern-scan rewrite.

    python -m bench.agents --db /tmp/copy/db --graph books-mrc --runs 3 \\
        --marc bench/work/marc/sources-250000/books.mrc

``--db`` is a writable copy of a release's store (``cp -a .../releases/ID/db``;
this benchmark rewrites its agents graph). For each run and each code (``before``:
``kg/convert/agents.py`` as it is at ``--before``, run as ``_Run`` ran it;
``after``: this tree's), in fresh processes:

- ``full``: the agents graph removed (not timed), then the step as on a first
  build: the changed graph is ``--graph``. ``after`` gets the names the
  conversion workers would hand it, made once beforehand by
  ``names_in_graph`` (a read-back of the graph, timed on its own: what a
  graph not converted by the workers costs);
- ``rebuild``: the step with nothing changed.

Prints seconds (median, min-max), peak RSS, the number of agents declared, and
whether ``before`` and ``after`` returned the same IRIs and made the same
agents graph. With ``--marc``, also what collecting names costs the workers:
``names_in_triples`` beside converting the first ``--records`` records.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import pickle
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from kg.iris import Minter
from kg.store.staging import StagingView, ViewQueries

HERE = Path(__file__).resolve().parent
BASE = "http://127.0.0.1:5000/"


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _old_agents(rev: str):
    """The agents module as it was at a git revision."""
    text = subprocess.run(["git", "show", f"{rev}:kg/convert/agents.py"], cwd=HERE.parent,
                          check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("agents_before", loader=None)
    module = importlib.util.module_from_spec(spec)
    exec(compile(text, "agents_before.py", "exec"), module.__dict__)  # noqa: S102
    return module


def _open(db: str) -> tuple[StagingView, Minter]:
    return StagingView(Store(db)), Minter(BASE)


def child_step(db: str, graph_name: str, code: str, case: str, names_file: str, rev: str) -> dict:
    """One run of the step in this process; its seconds, peak RSS and result."""
    view, minter = _open(db)
    graphs = [minter.graph(graph_name)] if case == "full" else []
    names = pickle.loads(Path(names_file).read_bytes()) if graphs and code == "after" else {}
    from kg.convert.agents import declared_in, refresh_agents

    old = _old_agents(rev) if code == "before" else None
    started = time.monotonic()
    if old is not None:  # as _Run._refresh_agents called it on a first build
        candidates = old.named_agents(view, graphs) | view.entities(graphs)
        changed = old.refresh_agents(view, minter, candidates)
    else:
        changed = refresh_agents(view, minter, declared_in(view, graphs),
                                 {g.value: names for g in graphs})
    seconds = time.monotonic() - started
    view.store.flush()
    digest = hashlib.sha256("\n".join(sorted(changed)).encode()).hexdigest()[:16]
    return {"seconds": seconds, "peak_rss_mib": _peak_mib(), "changed": len(changed),
            "changed_digest": digest}


def child_names(db: str, graph_name: str, out: str) -> dict:
    """The names a graph gives agents, read back from the store (timed), pickled to ``out``."""
    from kg.convert.agent_names import names_in_graph

    view, minter = _open(db)
    started = time.monotonic()
    names = names_in_graph(ViewQueries(view), minter.graph(graph_name))
    seconds = time.monotonic() - started
    Path(out).write_bytes(pickle.dumps(names))
    return {"seconds": seconds, "agents": len(names), "peak_rss_mib": _peak_mib()}


def child_drop(db: str) -> dict:
    """Remove the agents graph, as a first build starts without one."""
    view, minter = _open(db)
    view.remove_graph(minter.graph("agents"))
    view.store.flush()
    return {}


def child_digest(db: str) -> dict:
    """A digest of the agents graph's quads, sorted, to compare two codes' results."""
    view, minter = _open(db)
    data = view.store.dump(format=RdfFormat.N_QUADS, from_graph=minter.graph("agents"))
    lines = sorted(data.splitlines())
    return {"quads": len(lines), "digest": hashlib.sha256(b"\n".join(lines)).hexdigest()[:16]}


def child_workers(marc: str, records: int) -> dict:
    """Seconds converting the first records in batches, and collecting their names."""
    from kg.convert import Registry, convert_triples
    from kg.convert.agent_names import names_in_triples
    from kg.convert.parallel import BATCH
    from kg.report import Report
    from kg.sources import discover
    from kg.sources.marc import chunks_of, record_from_chunk

    source, minter = discover([Path(marc)])[0], Minter(BASE)
    convert, collect = 0.0, 0.0
    with open(marc, "rb") as handle:
        chunks = chunks_of(handle)
        for first in range(0, records, BATCH):
            batch = [record_from_chunk(source, first + i + 1, chunk, problem)
                     for i, (chunk, problem) in zip(range(BATCH), chunks, strict=False)]
            started = time.monotonic()
            triples = list(convert_triples(batch, minter, Report(), Registry()))
            middle = time.monotonic()
            names_in_triples(triples)
            convert, collect = convert + middle - started, collect + time.monotonic() - middle
    return {"convert": convert, "collect": collect}


def _child(*args: str) -> dict:
    output = subprocess.run([sys.executable, "-m", "bench.agents", "--child", *args],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _median(runs: list[dict]) -> float:
    return statistics.median(r["seconds"] for r in runs)


def _stats(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def measure(args: argparse.Namespace) -> None:
    """Every run of both codes, then the table."""
    names_file = str(Path(args.db).parent / "agent-names.pickle")
    fallback = _child("names", args.db, args.graph, names_file)
    print(f"names_in_graph (read-back): {fallback}", flush=True)
    results: dict[tuple[str, str], list[dict]] = {}
    digests: dict[str, dict] = {}
    for run in range(args.runs):
        for code in args.codes:
            _child("drop", args.db)
            for case in ("full", "rebuild"):
                load = os.getloadavg()[0]
                figures = _child("step", args.db, args.graph, code, case, names_file, args.before)
                figures["load"] = load
                print(f"run {run + 1} {code} {case}: {figures}", flush=True)
                results.setdefault((case, code), []).append(figures)
                if case == "full" and run == 0:
                    digests[code] = _child("digest", args.db)
                    print(f"agents graph after {code}: {digests[code]}", flush=True)
    print("| case | code | seconds: median (min-max) | x before | peak RSS MiB | agents declared "
          "| load |\n| --- | --- | --- | --- | --- | --- | --- |")
    for (case, code), runs in results.items():
        before = results.get((case, "before"))
        ratio = (f"{_median(runs) / _median(before):.3f}" if before else "")
        loads = [r["load"] for r in runs]
        print(f"| {case} | {code} | {_stats([r['seconds'] for r in runs])} | {ratio} "
              f"| {max(r['peak_rss_mib'] for r in runs):,.0f} | {runs[0]['changed']:,} "
              f"| {min(loads):.1f}-{max(loads):.1f} |")
    print(f"same agents graph: {len({d['digest'] for d in digests.values()}) == 1}; same IRIs: "
          f"{len({r[0]['changed_digest'] for k, r in results.items() if k[0] == 'full'}) == 1}")
    if args.marc:
        workers = _child("workers", args.marc, str(args.records))
        print(f"workers, first {args.records} records: {workers}")


def main() -> None:
    """Run the benchmark (or, with --child, one measured step of it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a writable copy of a release's store")
    parser.add_argument("--graph", default="books-mrc", help="the MARC source's graph name")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--codes", nargs="+", default=["before", "after"])
    parser.add_argument("--before", default="main", help="git revision of the 'before' code")
    parser.add_argument("--marc", help="the MARC file, to time the workers' share")
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        work = {"step": child_step, "names": child_names, "drop": child_drop,
                "digest": child_digest, "workers": lambda m, n: child_workers(m, int(n))}[step]
        print(json.dumps(work(*rest)))
        return
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start", flush=True)
    measure(args)


if __name__ == "__main__":
    main()
