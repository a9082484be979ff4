"""A large store for the page benchmarks: many resources, published without SHACL.

    python -m bench.pages_store --resources 250000 --out bench/work/pages-250k

Writes CSV sources with :mod:`bench.generate`'s generators (resources, with
the people, organizations and concepts they refer to), converts them with
the real converters and publishes a release with its artifacts (the entity
index among them), timing each step. Validation is skipped: the data is
generated valid, and SHACL at this size is measured elsewhere.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

from bench import generate
from kg.artifacts import ArtifactContext, write_artifacts
from kg.convert import Registry, convert_records
from kg.iris import Minter
from kg.report import Report
from kg.sources import discover, read_records
from kg.store.releases import ReleaseStore

BASE = "http://127.0.0.1:5000/"


def write_sources(resources: int, out: Path, seed: int = 42) -> dict[str, int]:
    """CSV sources: ``resources`` books, people (one for ten books), universities and units."""
    rng = random.Random(seed)
    people = max(10, resources // 10)
    universities = max(2, resources // 2500)
    out.mkdir(parents=True, exist_ok=True)
    write = generate._write  # noqa: SLF001 (the generator's own CSV writer)
    return {
        "concepts": write(out / "concepts.csv", ["key", "scheme", "label_vi", "label_en"],
                          generate._concepts()),
        "organizations": write(out / "organizations.csv",
                               ["key", "type", "name_vi", "name_en", "parent"],
                               generate._organizations(universities)),
        "people": write(out / "people.csv",
                        ["key", "name", "family_name", "given_name", "birth_date"],
                        generate._people(rng, people)),
        "resources": write(out / "resources.csv",
                           ["key", "type", "title", "language", "contributors", "publisher",
                            "place", "date", "isbn", "ddc", "subjects", "extent"],
                           generate._resources(rng, resources, people)),
    }


def publish(sources: Path, store: Path) -> dict[str, float]:
    """Convert and publish the sources as one release; seconds per step."""
    minter, releases = Minter(BASE), ReleaseStore(store)
    seconds: dict[str, float] = {}
    with releases.lock():
        staging = releases.stage(fresh=True)
        started = time.monotonic()
        triples = 0
        for source in discover([sources]):
            quads = convert_records(read_records(source), minter.graph(source.name), minter,
                                    Report(), Registry())
            triples += staging.view.replace_graph(minter.graph(source.name), quads)
        seconds["convert and load"] = time.monotonic() - started
        manifest = {"id": staging.id, "base_iri": BASE, "triples": triples,
                    "counts": staging.view.count_by_kind(), "sources": {}}
        started = time.monotonic()
        write_artifacts(ArtifactContext(staging.view, staging.path, manifest, minter, None))
        seconds["artifacts (entity index)"] = time.monotonic() - started
        releases.publish(staging, manifest)
    seconds["triples"] = triples
    return seconds


def reindex(store: Path) -> float:
    """Write the current release's entity index again (after the index format changed)."""
    from pyoxigraph import Store

    from kg.index.writer import write_entity_index
    from kg.store.staging import StagingView

    release = ReleaseStore(store).require_current()
    started = time.monotonic()
    view = StagingView(Store.read_only(str(release.db_path)))
    write_entity_index(ArtifactContext(view, release.path, release.manifest(), Minter(BASE), None))
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=250_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--reindex", action="store_true",
                        help="only write the entity index of the published store again")
    args = parser.parse_args()
    if args.reindex:
        print(f"entity index: {reindex(args.out / 'store'):,.1f} s")
        return
    written = write_sources(args.resources, args.out / "sources")
    print(", ".join(f"{kind} {n:,}" for kind, n in written.items()))
    for step, value in publish(args.out / "sources", args.out / "store").items():
        print(f"{step}: {value:,.1f}")


if __name__ == "__main__":
    main()
