"""bench/build.py end to end on a small generated library: both baselines and the table.

Benchmarks are not tests; this checks that the build bench runs, that its
like-for-like baseline loads the release's own triples into the release's
own named graphs (no more, no fewer, none in the default graph), and that
the table reports the build against both baselines.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Quad, Store

from bench.build import GRAPHS_LIST, child_load_graphs, dump_triples
from kg.store.releases import ReleaseStore

ROOT = Path(__file__).resolve().parent.parent
META = "http://127.0.0.1:5000/graph/meta"


def _quads(store: Store) -> set[Quad]:
    """Every quad but the release's metadata (the baselines leave it out)."""
    return {quad for quad in store
            if not (isinstance(quad.graph_name, NamedNode) and quad.graph_name.value == META)}


def test_the_bench_loads_the_release_into_its_own_graphs_beside_the_issue_baseline(
        tmp_path: Path) -> None:
    work, figures = tmp_path / "work", tmp_path / "runs.json"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.build", "--triples", "20000", "--runs", "2",
         "--work", str(work), "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]

    runs = json.loads(figures.read_text(encoding="utf-8"))["generated 20,000"]
    assert len(runs) == 2 and "bulk_load_before" in runs[1]
    for run in runs:
        same = run["same_graphs"]
        assert same["seconds"] > 0 and same["cpu_seconds"] > 0
        assert same["load_seconds"] + same["optimize_seconds"] == pytest.approx(same["seconds"])
    # The table: the issue's ratio and the like-for-like one, each run's too.
    assert "| bulk_load (baseline) |" in finished.stdout
    row = next(line for line in finished.stdout.splitlines()
               if "**build / like-for-like load**" in line)
    ratios = row.split("|")[4].replace(";", ",").split(",")
    assert len(ratios) == 3 and all(float(r) > 0 for r in ratios)
    throughput = next(line for line in finished.stdout.splitlines()
                      if "records/s; triples/s" in line).split("|")[4]
    records_per_second, triples_per_second = (float(x.replace(",", ""))
                                              for x in throughput.split(";"))
    assert 0 < records_per_second < triples_per_second
    # The files of the graphs are removed with the triples' file once the set is done.
    assert not (work / "generated-20000" / "graphs").exists()

    store = work / "generated-20000" / "store"
    folder, whole = tmp_path / "graphs", tmp_path / "all.nt"
    total = dump_triples(store, whole, folder)
    listed = json.loads((folder / GRAPHS_LIST).read_text(encoding="utf-8"))
    sizes = [graph["triples"] for graph in listed]
    assert sizes == sorted(sizes, reverse=True) and sum(sizes) == total > 20_000
    pieces = b"".join((folder / graph["file"]).read_bytes() for graph in listed)
    assert sorted(pieces.splitlines()) == sorted(whole.read_bytes().splitlines())

    loaded = child_load_graphs(str(folder), str(tmp_path / "loaded"))
    assert loaded["seconds"] >= loaded["load_seconds"] > 0
    release = Store.read_only(str(ReleaseStore(store).require_current().path / "db"))
    expected = _quads(release)
    got = _quads(Store.read_only(str(tmp_path / "loaded")))
    # The same quads in the same named graphs: none in the default graph, none lost.
    assert got == expected and len({quad.graph_name for quad in got}) > 3
    assert all(isinstance(quad.graph_name, NamedNode) for quad in got)
