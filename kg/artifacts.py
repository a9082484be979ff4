"""Files made at publish time beside a release's database (search index, dumps ...).

Each writer gets the release being built, after validation and before the
switch, and writes into its folder; a writer that fails fails the build, so a
release is never published without its files.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.export.dumps import EarlyMembers, write_dumps
from kg.index.writer import write_entity_index
from kg.iris import Minter
from kg.oai.publish import prepare_oai_index, write_oai_datestamps, write_oai_index
from kg.settings import Settings
from kg.store.staging import StagingView


@dataclass
class ArtifactContext:
    """What a writer may use: the store being built, its folder and manifest."""

    view: StagingView
    folder: Path
    manifest: dict[str, Any]
    minter: Minter
    parent_folder: Path | None
    # Graphs whose triples differ from the parent release's (sources loaded again or
    # removed, derived graphs that changed, metadata); None: unknown, treat all as new.
    changed_graphs: frozenset[str] | None = None
    # For a derived graph among them: the only subjects whose triples changed in it.
    changed_subjects: dict[str, frozenset[str]] = field(default_factory=dict)
    # The interface's languages (KG_LANGUAGES) at build time, preferred first:
    # what the entity index sorts lists in and OAI-PMH records name entities in.
    languages: list[str] = field(default_factory=lambda: Settings.load().language_list)
    # Dump members of converted graphs started right after the load, if any.
    early_members: EarlyMembers | None = None
    # What each preparer returns, by its name (see PREPARERS), once it is done.
    prepared: dict[str, Future[Any]] = field(default_factory=dict)


ArtifactWriter = Callable[[ArtifactContext], None]

# Store reads that a writer wants, begun in a thread before the writers run:
# Oxigraph answers them without the GIL while the writers before it work. A
# writer finds what its preparer returned in ``context.prepared``.
ArtifactPreparer = Callable[[ArtifactContext], Any]
PREPARERS: list[ArtifactPreparer] = []

# Writers in the order they run; features register theirs here.
WRITERS: list[ArtifactWriter] = []


def write_artifacts(context: ArtifactContext,
                    step: Callable[[str], AbstractContextManager[None]] = lambda _: nullcontext(),
                    announce: Callable[[str], None] = lambda _: None) -> None:
    """Run every registered writer, each as a step of the build (``step`` times it,
    ``announce`` tells the person waiting)."""
    with ThreadPoolExecutor(1, thread_name_prefix="artifact-reads") as reads:
        context.prepared = {prepare.__name__: reads.submit(prepare, context)
                            for prepare in PREPARERS}
        try:
            for writer in WRITERS:
                announce(f"writing the {_label(writer.__name__)}")
                with step(f"artifact:{writer.__name__}"):
                    writer(context)
        finally:
            for prepared in context.prepared.values():
                prepared.cancel()


def _label(name: str) -> str:
    """What a writer writes, for messages.

    >>> _label("write_oai_index")
    'OAI-PMH index'
    """
    return name.removeprefix("write_").replace("_", " ").replace("oai", "OAI-PMH")


WRITERS.append(write_entity_index)  # index.sqlite: search, lists, timelines (kg/index)
# The OAI-PMH index before the dumps (which may wait for members begun after the
# load: the more the build does before, the less they wait); its datestamps last,
# as late as possible.
WRITERS += [write_oai_index, write_dumps, write_oai_datestamps]
# The OAI-PMH index's items and their graphs: read while the entity index is written.
PREPARERS.append(prepare_oai_index)
