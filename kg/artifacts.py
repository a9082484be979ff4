"""Files made at publish time beside a release's database (search index, dumps ...).

Each writer gets the release being built, after validation and before the
switch, and writes into its folder; a writer that fails fails the build, so a
release is never published without its files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.iris import Minter
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

# Writers in the order they run; features register theirs here.
WRITERS: list[ArtifactWriter] = []


def write_artifacts(context: ArtifactContext) -> None:
    """Run every registered writer."""
    for writer in WRITERS:
        writer(context)


# Registered after the definitions above, which the writers' modules use.
from kg.export.dumps import write_dumps  # noqa: E402
from kg.oai.publish import write_oai_index  # noqa: E402

WRITERS += [write_dumps, write_oai_index]
