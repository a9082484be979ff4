"""CPU per MARC record of a conversion worker, by stage: before and after the fast path.

    python -m bench.marc_convert --records 20000 --runs 3
    python -m bench.marc_convert --records 5000 --profile /tmp/convert.prof

Reads the first N records of the Library of Congress file (fetched by
bench/marc.py, or ``--file``) and runs, in this process, in batches of
``kg.convert.parallel.BATCH`` records as a worker does:

- ``before``: the worker's path as it was: every record decoded by pymarc,
  the triples made into ``Quad`` objects, written by ``pyoxigraph.serialize``;
- ``after``: ``kg.convert.parallel._convert`` as it is (the fast ISO 2709
  decoder, N-Quads written as text);

and each stage alone, without the cycle collector as the worker now runs:
ISO 2709 decode (pymarc / fast), mapping to resource fields (from pymarc's
records / the fast ones), converting to triples, writing N-Quads (Quad +
serialize / text). Figures are CPU seconds (``time.process_time``) per 1,000
records, median, min and max over the runs: the machine is shared, and CPU
time is steadier than wall time there. Both paths must give the same N-Quads
lines, or the script stops. ``--profile`` writes cProfile data of both paths
instead (``PATH.before``, ``PATH.after``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path

import pymarc
from pyoxigraph import NamedNode, Quad, RdfFormat, serialize

from bench.marc import fetch
from kg.convert import Registry, convert_records, convert_triples, parallel
from kg.convert.nquads import nquads
from kg.marc.fields import record_fields
from kg.marc.iso2709 import decode_utf8
from kg.report import Report
from kg.sources import Source
from kg.sources.marc import chunks_of, record_from_chunk

BASE = "http://127.0.0.1:5000/"
GRAPH = f"{BASE}graph/books-mrc"


def jobs(path: Path, count: int) -> list[tuple]:
    """The first ``count`` records as the jobs a build hands its workers."""
    source = Source(path, "books-mrc", "marc")
    with path.open("rb") as handle:
        chunks = list(islice(chunks_of(handle), count))
    return [(source, GRAPH, False, True, first, chunks[first:first + parallel.BATCH])
            for first in range(0, len(chunks), parallel.BATCH)]


def before(job: tuple) -> bytes:
    """One batch as the worker converted it before: pymarc, Triples, pyoxigraph.serialize
    (as N-Triples: the worker writes the graph's text, not N-Quads, since 107af45)."""
    source, graph_iri, _, _, first, chunks = job
    records = [record_from_chunk(source, first + i + 1, chunk, problem, fast=False)
               for i, (chunk, problem) in enumerate(chunks)]
    quads = convert_records(records, NamedNode(graph_iri), parallel._minter, Report(), Registry())
    return serialize([quad.triple for quad in quads], format=RdfFormat.N_TRIPLES)


def after(job: tuple) -> bytes:
    """One batch as the worker converts it now."""
    return parallel._convert(job)[0]


def stages(batch: tuple) -> dict[str, Callable[[], object]]:
    """Each stage of one batch alone, its input made beforehand."""
    source, _, _, _, first, chunks = batch
    raw = [chunk for chunk, _ in chunks]
    decoded = [pymarc.Record(data=chunk, to_unicode=True, utf8_handling="strict")
               for chunk in raw]
    fast = [decode_utf8(chunk) for chunk in raw]
    records = [record_from_chunk(source, first + i + 1, chunk, None)
               for i, chunk in enumerate(raw)]
    minter = parallel._minter
    triples = list(convert_triples(records, minter, Report(), Registry()))
    graph = NamedNode(GRAPH)
    return {
        "decode: pymarc": lambda: [pymarc.Record(data=c, to_unicode=True,
                                                 utf8_handling="strict") for c in raw],
        "decode: fast": lambda: [decode_utf8(c) for c in raw],
        "map to fields: pymarc records": lambda: [record_fields(r, []) for r in decoded],
        "map to fields: fast records": lambda: [record_fields(r, []) for r in fast],
        "convert to triples": lambda: list(convert_triples(records, minter, Report(),
                                                           Registry())),
        "write: Quad + serialize": lambda: serialize([Quad(s, p, o, graph) for s, p, o in triples],
                                                     format=RdfFormat.N_QUADS),
        "write: text": lambda: nquads(triples, graph),
    }


def cpu_per_thousand(work: Callable[[], object], records: int) -> float:
    """CPU seconds per 1,000 records of one call of ``work``."""
    started = time.process_time()
    work()
    return (time.process_time() - started) / records * 1000


def measure(batches: list[tuple], runs: int) -> dict[str, list[float]]:
    """CPU s per 1,000 records of each path and stage, one figure per run."""
    count = sum(len(job[5]) for job in batches)
    figures: dict[str, list[float]] = {}
    for _ in range(runs):
        for name, path in (("before (whole worker)", before), ("after (whole worker)", after)):
            figures.setdefault(name, []).append(
                cpu_per_thousand(lambda p=path: [p(job) for job in batches], count))
        # Stage by stage, one batch's inputs at a time (as little kept alive as in a
        # worker), without the cycle collector, as _convert now runs.
        spent: dict[str, float] = {}
        for job in batches:
            gc.disable()
            for name, work in stages(job).items():
                spent[name] = spent.get(name, 0.0) + cpu_per_thousand(work, count)
            gc.enable()
        for name, value in spent.items():
            figures.setdefault(name, []).append(value)
    return figures


def same_output(batches: list[tuple]) -> None:
    """Stop unless both paths give the same N-Quads lines."""
    for job in batches:
        if sorted(before(job).splitlines()) != sorted(after(job).splitlines()):
            sys.exit(f"the two paths differ on the batch from record {job[4] + 1}")


def table(figures: dict[str, list[float]], records: int, runs: int) -> str:
    """A Markdown table of the figures."""
    lines = [f"{records:,} records, {runs} runs, CPU s per 1,000 records; "
             f"load {os.getloadavg()[0]:.1f} at the end",
             "", "| path or stage | median | min | max |", "| --- | ---: | ---: | ---: |"]
    for name, values in figures.items():
        lines.append(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | "
                     f"{max(values):.3f} |")
    first, second = (statistics.median(figures[k])
                     for k in ("before (whole worker)", "after (whole worker)"))
    lines += ["", f"after / before: {second / first:.2f}"]
    return "\n".join(lines)


# Profile entries (file suffix, function) whose cumulative time is one stage.
PARTS = {
    "ISO 2709 decode (pymarc, in kg's wrapper)": ("kg/sources/marc.py", "_decode"),
    "ISO 2709 decode (fast)": ("kg/marc/iso2709.py", "decode_utf8"),
    "  of which UTF-8 text (bytes.decode)": ("~", "<method 'decode' of 'bytes' objects>"),
    "  of which MARC-8 text": ("pymarc/marc8.py", "marc8_to_unicode"),
    "mapping (record_fields)": ("kg/marc/fields.py", "record_fields"),
    "checks before converting (_start)": ("kg/convert/__init__.py", "_start"),
    "term building (resource.convert)": ("kg/convert/resource.py", "convert"),
    "Quad objects (convert_records' own time)": ("kg/convert/__init__.py", "convert_records"),
    "writing (pyoxigraph.serialize)": ("~", "<built-in method pyoxigraph.pyoxigraph.serialize>"),
    "writing (nquads text)": ("kg/convert/nquads.py", "nquads"),
}


def breakdown(path: str) -> str:
    """The share of a profile's time in each stage (cumulative; own time for Quads)."""
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in stats.values())
    lines = [f"{path}: {total:.2f} s under cProfile"]
    for name, (suffix, function) in PARTS.items():
        found = [(own, cumulative) for (file, _, func), (_, _, own, cumulative, _)
                 in stats.items() if file.endswith(suffix) and func == function]
        if found:
            seconds = sum(own if "own time" in name else cumulative for own, cumulative in found)
            lines.append(f"  {name}: {seconds:.2f} s ({seconds / total:.0%})")
    return "\n".join(lines)


def main() -> None:
    """Measure (or profile) the conversion of the first records of the LoC file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, help="an ISO 2709 file (default: the LoC's, "
                        "downloaded by bench/marc.py if missing)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of both paths here")
    args = parser.parse_args()
    parallel._start(BASE)
    batches = jobs(args.file or fetch(), args.records)
    print(f"load at start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    if args.profile:
        for name, path in (("before", before), ("after", after)):
            profiler = cProfile.Profile()
            profiler.runcall(lambda p=path: [p(job) for job in batches])
            profiler.dump_stats(f"{args.profile}.{name}")
            print(breakdown(f"{args.profile}.{name}"))
        return
    same_output(batches)
    print(table(measure(batches, args.runs), args.records, args.runs))


if __name__ == "__main__":
    main()
