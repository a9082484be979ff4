"""Dump export rate against Oxigraph's own Store.dump of the same release.

    python -m bench.dumps --store bench/work/store-1m --runs 3

Each measurement runs in a fresh process (time and peak RSS of that process):

- ``ours``: the publish-time writer (kg/export/dumps.py), all four gzip
  files (N-Triples, N-Quads, Turtle, JSON-LD) from scratch;
- ``store.dump``: Store.dump of the same four formats to plain files (N-Quads
  and JSON-LD whole; N-Triples and Turtle graph by graph, as they need one);
- ``store.dump+gzip``: the same, each file through gzip (the dumps' compressor and level);
- ``ours, one graph changed``: the writer with a parent release whose dumps it
  may copy, all sources but the smallest unchanged.

Ratios are baseline time / our time: 1.0 means as fast as Store.dump.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

from isal import isal_zlib
from pyoxigraph import RdfFormat, Store

from kg.export.gzipped import LEVEL

FORMATS = {"nt": RdfFormat.N_TRIPLES, "nq": RdfFormat.N_QUADS, "ttl": RdfFormat.TURTLE,
           "jsonld": RdfFormat.JSON_LD}


class _Gzip:
    def __init__(self, handle) -> None:
        self.handle = handle
        self.zip = isal_zlib.compressobj(LEVEL, zlib.DEFLATED, 31)

    def write(self, data: bytes) -> int:
        self.handle.write(self.zip.compress(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.handle.write(self.zip.flush())


def _baseline(release: Path, out: Path, compress: bool) -> None:
    store = Store.read_only(str(release / "db"))
    graphs = list(store.named_graphs())
    for name, fmt in FORMATS.items():
        with (out / f"baseline.{name}").open("wb") as handle:
            sink = _Gzip(handle) if compress else handle
            if fmt.supports_datasets:
                store.dump(sink, fmt)
            else:
                for graph in graphs:
                    store.dump(sink, fmt, from_graph=graph)
            if compress:
                sink.close()


def _ours(release: Path, out: Path, parent: Path | None) -> None:
    from kg.artifacts import ArtifactContext
    from kg.export.dumps import write_dumps
    from kg.iris import Minter
    from kg.store.releases import Release
    from kg.store.staging import StagingView

    manifest = Release(release.name, release).manifest()
    if parent is not None:
        # As if only the smallest source had been loaded again in this release.
        smallest = min(manifest["sources"], key=lambda n: manifest["sources"][n]["triples"])
        manifest = {**manifest, "id": "99999-20990101T000000Z",
                    "sources": {n: {**e, "loaded_in": "99999-20990101T000000Z" if n == smallest
                                    else e["loaded_in"]}
                                for n, e in manifest["sources"].items()}}
    view = StagingView(Store.read_only(str(release / "db")))
    write_dumps(ArtifactContext(view, out, manifest, Minter(manifest["base_iri"]), parent))


def one(kind: str, release: Path, out: Path) -> dict:
    """Run one measurement in this process."""
    started = time.perf_counter()
    if kind == "ours":
        _ours(release, out, None)
    elif kind == "incremental":
        (out / "child").mkdir(exist_ok=True)
        _ours(release, out / "child", out / "ours")
    else:
        _baseline(release, out, compress=kind == "store.dump+gzip")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak}


def _measure(kind: str, release: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "bench.dumps", "--one", kind,
                             "--release", str(release), "--out", str(out)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("bench/work/store-1m"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--release", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        args.out.mkdir(parents=True, exist_ok=True)
        print(json.dumps(one(args.one, args.release, args.out)))
        return
    release = (args.store / "current").resolve()
    quads = json.loads((release / "manifest.json").read_text())["triples"]
    print(f"release {release.name}: {quads:,} quads; load: {Path('/proc/loadavg').read_text()}")
    results: dict[str, list[dict]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(dir="bench/work") as scratch:
            for kind in ("store.dump", "store.dump+gzip", "ours", "incremental"):
                target = Path(scratch) if kind == "incremental" else Path(scratch) / kind
                results.setdefault(kind, []).append(_measure(kind, release, target))
    ours = statistics.median(r["seconds"] for r in results["ours"])
    for kind, runs in results.items():
        times = [r["seconds"] for r in runs]
        median = statistics.median(times)
        print(f"{kind:18} median {median:6.1f} s (min {min(times):.1f}, max {max(times):.1f})"
              f"  {4 * quads / median:>10,.0f} quads/s over 4 formats"
              f"  peak {max(r['peak_mib'] for r in runs):6.0f} MiB"
              f"  ratio {median / ours if kind.startswith('store') else ours / median:.2f}")


if __name__ == "__main__":
    main()
