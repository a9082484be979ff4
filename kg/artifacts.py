"""Files made at publish time beside a release's database (search index, dumps ...).

Each writer gets the release being built, after validation and before the
switch, and writes into its folder; a writer that fails fails the build, so a
release is never published without its files. Writers of ``WRITERS`` run side
by side in threads, so they must not depend on each other; those of
``FINAL_WRITERS`` run after them, one by one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.export.dumps import write_dumps
from kg.index.writer import write_entity_index
from kg.iris import Minter
from kg.oai.publish import write_oai_index
from kg.store.staging import StagingView


@dataclass
class ArtifactContext:
    """What a writer may use: the store being built, its folder and manifest."""

    view: StagingView
    folder: Path
    manifest: dict[str, Any]
    minter: Minter
    parent_folder: Path | None


ArtifactWriter = Callable[[ArtifactContext], None]

# Writers, run side by side (they only read the store and write their own files).
WRITERS: list[ArtifactWriter] = []
# Writers run after all the others, in this order.
FINAL_WRITERS: list[ArtifactWriter] = []


def write_artifacts(context: ArtifactContext) -> dict[str, float]:
    """Run every registered writer; the wall seconds each took, by name, and in all."""
    started = time.monotonic()
    timings: dict[str, float] = {}
    # Two threads: the dumps read the store without the GIL while the index works in Python.
    with ThreadPoolExecutor(2) as pool:
        running = [pool.submit(_timed, writer, context, timings) for writer in WRITERS]
        for future in running:
            future.result()
    for writer in FINAL_WRITERS:
        _timed(writer, context, timings)
    timings["artifacts"] = time.monotonic() - started
    return timings


def _timed(writer: ArtifactWriter, context: ArtifactContext, timings: dict[str, float]) -> None:
    started = time.monotonic()
    writer(context)
    timings[f"artifact:{writer.__name__}"] = time.monotonic() - started


WRITERS.append(write_entity_index)  # index.sqlite: search, lists, timelines (kg/index)
WRITERS.append(write_dumps)
# The OAI-PMH index last: its datestamps are taken as late as possible.
FINAL_WRITERS.append(write_oai_index)
