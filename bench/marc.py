"""Building the Library of Congress's 250,000 records, beside Oxigraph's own bulk load.

    python -m bench.marc --records 250000 --repeat 1
    python -m bench.marc --records 20000 --repeat 3 --validation shacl

Downloads the source distribution of pymarc 5.4.0 with pip (it holds
``BooksAll.2016.part01.utf8``, 250,000 real records) into ``bench/data/marc``,
takes the first N records as one MARC source beside a small people CSV, and
for each run, in fresh processes: builds a new store (convert + validate +
publish, with the build's progress bar), dumps the release's triples as
N-Triples, bulk-loads them into an empty store with Oxigraph's ``bulk_load``
(the baseline), then changes the small CSV and builds again (the rebuild must
leave the MARC graph untouched). Prints the figures as JSON and a table.

``--validation`` picks the build's validator (``auto``, the default, as
``kg build`` does; ``sparql``; ``shacl``, pySHACL, which cannot run on 250,000
records here), or ``none`` to measure the build without validation.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "marc"
WORK = HERE / "work" / "marc"
BOOKS = "BooksAll.2016.part01.utf8"
BASE = "http://127.0.0.1:5000/"
PEOPLE = "key,name\nbench-person-1,Nguyễn Văn A\nbench-person-2,Trần Thị B\n"


def fetch() -> Path:
    """The 250,000 records, downloaded once with pip."""
    target = DATA / BOOKS
    if target.exists():
        return target
    DATA.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
                    "pymarc==5.4.0", "-d", str(DATA)], check=True)
    with tarfile.open(DATA / "pymarc-5.4.0.tar.gz") as archive:
        member = archive.getmember(f"pymarc-5.4.0/{BOOKS}")
        with archive.extractfile(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    return target


def prepare(books: Path, count: int) -> Path:
    """A folder with the first ``count`` records and a small people CSV."""
    folder = WORK / f"sources-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with books.open("rb") as source, (folder / "books.mrc").open("wb") as out:
        for _ in range(count):
            head = source.read(5)
            if len(head) < 5:
                break
            out.write(head + source.read(int(head) - 5))
    (folder / "bench-people.csv").write_text(PEOPLE, encoding="utf-8")
    return folder


def child_build(store: str, folder: str, validation: str) -> dict:
    """One build in this process, with the build's progress bar; figures as a dict."""
    import kg.build
    from kg.cli.output import BuildProgress
    from kg.errors import ValidationFailed
    from kg.sources import discover

    timing = {"validation_s": 0.0}
    real = kg.build.validate_graphs

    def timed(*args, **kwargs):
        started = time.monotonic()
        problems = real(*args, **kwargs) if validation != "none" else []
        timing["validation_s"] += time.monotonic() - started
        return problems

    kg.build.validate_graphs = timed
    started = time.monotonic()
    try:
        with BuildProgress() as progress:
            # Real catalogues hold a few records that cannot be read: skip and count them.
            outcome = kg.build.build(discover([folder]), store, BASE, progress=progress,
                                     validator="auto" if validation == "none" else validation,
                                     on_error="skip")
    except ValidationFailed as failure:
        (WORK / "problems.txt").write_text("\n".join(failure.report.report.lines()),
                                           encoding="utf-8")
        raise
    seconds = time.monotonic() - started
    (WORK / "problems.txt").write_text("\n".join(outcome.report.lines()), encoding="utf-8")
    status = {s.file: s.status for s in outcome.sources}
    return {"seconds": seconds, "records": outcome.records, "triples": outcome.triples,
            "store_triples": outcome.release.manifest()["triples"], "status": status,
            "errors": len(outcome.report.errors), "skipped": outcome.report.skipped, **timing,
            "peak_rss_mib": _peak_mib()}


def child_bulk_load(path: str, store: str) -> dict:
    """Oxigraph's own bulk load of an N-Triples file into an empty store."""
    from pyoxigraph import RdfFormat, Store

    started = time.monotonic()
    Store(store).bulk_load(path=path, format=RdfFormat.N_TRIPLES)
    return {"seconds": time.monotonic() - started, "peak_rss_mib": _peak_mib()}


def dump_triples(store: Path, out: Path) -> int:
    """The release's triples (every graph but the metadata) as one N-Triples file."""
    from pyoxigraph import NamedNode, RdfFormat

    from kg.store.releases import ReleaseStore

    release = ReleaseStore(store).require_current()
    db = release.open()
    with out.open("wb") as handle:
        for graph in db.named_graphs():
            if isinstance(graph, NamedNode) and graph.value != BASE + "graph/meta":
                db.dump(handle, RdfFormat.N_TRIPLES, from_graph=graph)
    return sum(1 for _ in out.open("rb"))


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, workers) / 1024, 1)


def _child(*args: str) -> dict:
    output = subprocess.run([sys.executable, "-m", "bench.marc", "--child", *args],
                            check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_once(folder: Path, validation: str) -> dict:
    """Build, baseline, rebuild; the figures of one run."""
    store, loaded, triples = WORK / "store", WORK / "bulk", WORK / "triples.nt"
    for path in (store, loaded):
        shutil.rmtree(path, ignore_errors=True)
    build = _child("build", str(store), str(folder), validation)
    lines = dump_triples(store, triples)
    baseline = _child("bulk", str(triples), str(loaded))
    people = folder / "bench-people.csv"
    people.write_text(people.read_text(encoding="utf-8") + f"bench-{time.time_ns()},X\n",
                      encoding="utf-8")
    rebuild = _child("build", str(store), str(folder), validation)
    assert rebuild["status"]["books.mrc"] == "unchanged", rebuild["status"]
    return {"build": build, "bulk_load": baseline, "nt_triples": lines, "rebuild": rebuild,
            "ratio": build["seconds"] / baseline["seconds"], "load": os.getloadavg()}


def summary(runs: list[dict], validation: str) -> dict:
    """Median, min and max of each figure over the runs."""
    def stats(values: list[float]) -> dict:
        return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
                "max": round(max(values), 2)}
    build = [r["build"] for r in runs]
    return {
        "validation": validation, "records": build[0]["records"],
        "skipped": build[0]["skipped"],
        "triples": build[0]["triples"], "runs": len(runs),
        "build_s": stats([b["seconds"] for b in build]),
        "records_per_s": stats([b["records"] / b["seconds"] for b in build]),
        "triples_per_s": stats([b["triples"] / b["seconds"] for b in build]),
        "validation_s": stats([b["validation_s"] for b in build]),
        "peak_rss_mib": stats([b["peak_rss_mib"] for b in build]),
        "bulk_load_s": stats([r["bulk_load"]["seconds"] for r in runs]),
        "ratio": stats([r["ratio"] for r in runs]),
        "rebuild_s": stats([r["rebuild"]["seconds"] for r in runs]),
        "load_average": [round(x, 2) for r in runs for x in r["load"][:1]],
    }


def main() -> None:
    """Run the benchmark (or, with --child, one measured step of it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--validation", choices=["auto", "sparql", "shacl", "none"],
                        default="auto")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        step, *rest = args.child
        result = child_build(*rest) if step == "build" else child_bulk_load(*rest)
        print(json.dumps(result))
        return
    folder = prepare(fetch(), args.records)
    runs = [run_once(folder, args.validation) for _ in range(args.repeat)]
    result = summary(runs, args.validation)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
