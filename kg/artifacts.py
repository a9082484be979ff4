"""Files made at publish time beside a release's database (search index, dumps ...).

Each writer gets the release being built, after validation and before the
switch, and writes into its folder; a writer that fails fails the build, so a
release is never published without its files. Writers in :data:`APART` run
in a process of their own (:mod:`kg.artifact_child`) while the others run in
the build's: the two cores then share the work.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.artifact_child import Child
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
    # Graphs whose triples differ from the parent release's (sources loaded again or
    # removed, derived graphs that changed, metadata); None: unknown, treat all as new.
    changed_graphs: frozenset[str] | None = None
    # For a derived graph among them: the only subjects whose triples changed in it.
    changed_subjects: dict[str, frozenset[str]] = field(default_factory=dict)
    # The database of ``view`` on disk, which a child process may open read-only;
    # None (an in-memory store): every writer runs in this process.
    database: Path | None = None


ArtifactWriter = Callable[[ArtifactContext], None]

# Writers in the order they run; features register theirs here.
WRITERS: list[ArtifactWriter] = []


class Artifacts:
    """The writers of one release: those in :data:`APART` started early, each in a
    child process (for a release of :data:`APART_FROM_TRIPLES` or more), the
    others run in this one, then the children waited for.

    Used as a context manager: leaving it stops children still running (the
    build failed meanwhile), so that the release's folder can be discarded.
    """

    def __init__(self, context: ArtifactContext,
                 step: Callable[[str], AbstractContextManager[None]] = lambda _: nullcontext(),
                 announce: Callable[[str], None] = lambda _: None) -> None:
        self.context = context
        self.step = step  # times each writer (a child: the wait for it)
        self.announce = announce  # tells the person waiting
        self.children: list[Child] = []

    def __enter__(self) -> Artifacts:
        return self

    def __exit__(self, *exc: object) -> None:
        for child in self.children:
            child.stop()

    def start(self) -> None:
        """Start the writers that run in processes of their own, if the release is large."""
        context = self.context
        if context.database is None or context.manifest["triples"] < APART_FROM_TRIPLES:
            return
        for writer in WRITERS:
            if writer in APART:
                self.announce(f"writing the {_label(writer.__name__)} in a process of its own")
                self.children.append(Child(writer, context))

    def write(self) -> dict[str, dict[str, float]]:
        """Run the other writers, then wait for the children; their own figures
        (seconds, CPU seconds, peak RSS in MiB) by writer name."""
        apart = {child.name for child in self.children}
        for writer in WRITERS:
            if writer.__name__ not in apart:
                self.announce(f"writing the {_label(writer.__name__)}")
                with self.step(f"artifact:{writer.__name__}"):
                    writer(self.context)
        figures: dict[str, dict[str, float]] = {}
        for child in self.children:
            self.announce(f"waiting for the {_label(child.name)}")
            with self.step(f"artifact:{child.name}"):
                figures[child.name] = child.wait()
        return figures


def write_artifacts(context: ArtifactContext,
                    step: Callable[[str], AbstractContextManager[None]] = lambda _: nullcontext(),
                    announce: Callable[[str], None] = lambda _: None,
                    ) -> dict[str, dict[str, float]]:
    """Run every registered writer (see :class:`Artifacts`); the figures of those apart."""
    with Artifacts(context, step, announce) as artifacts:
        artifacts.start()
        return artifacts.write()


def _label(name: str) -> str:
    """``write_oai_index`` -> ``OAI index``: what a writer writes, for messages."""
    return name.removeprefix("write_").replace("_", " ").replace("oai", "OAI-PMH")


WRITERS.append(write_entity_index)  # index.sqlite: search, lists, timelines (kg/index)
# Dumps, then the OAI-PMH index last: its datestamps are taken as late as possible.
WRITERS += [write_dumps, write_oai_index]
# One core reads the store into SQLite for the index while the dumps use the other.
APART: set[ArtifactWriter] = {write_entity_index}
# Below this size, starting a process (about half a second) costs more than it saves.
APART_FROM_TRIPLES = 1_000_000
