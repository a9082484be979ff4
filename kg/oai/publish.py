"""Writing a release's OAI-PMH index at publish time (an artifact writer).

The parent release's index is copied and brought up to date: only records
whose content may have changed are rendered again (entities with statements
in a source loaded again or dropped in this release, in the new store or the
parent's, and the entities that link to them). A record keeps its datestamp
while its digest is the same; a changed or new record gets this release's
datestamp; a record that is gone is kept as deleted.

Records name linked entities in the languages of ``KG_LANGUAGES`` at build
time, in that order; the index keeps the order so that the provider serves
what was digested.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode

from kg.iris import Minter
from kg.kinds import KINDS
from kg.oai import index as oai_index
from kg.oai.metadata import ITEM_KINDS
from kg.oai.records import all_items, item_kind, record_state, referrers, touched
from kg.settings import Settings
from kg.store import EmbeddedSnapshot
from kg.store.releases import Release
from kg.tombstones import read_gone

if TYPE_CHECKING:  # kg.artifacts imports this module to register its writer
    from kg.artifacts import ArtifactContext

_PENDING = "pending"


def datestamp(moment: datetime) -> str:
    """A datestamp in the repository's granularity (seconds, UTC).

    >>> datestamp(datetime(2026, 11, 27, 1, 30, 5, 120, tzinfo=UTC))
    '2026-11-27T01:30:05Z'
    """
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Update:
    """One publish's work on the index."""

    db: sqlite3.Connection
    context: ArtifactContext
    sources: dict[str, str] = field(default_factory=dict)  # graph IRI -> source name

    def __post_init__(self) -> None:
        context = self.context
        self.sources = {context.minter.graph(name).value: name
                        for name in context.manifest["sources"]}
        self.languages = Settings.load().language_list
        release = Release(context.manifest["id"], context.folder)
        self.snapshot = EmbeddedSnapshot(release, context.view.store, context.manifest)

    def refresh(self, iri: str) -> None:
        """Bring one record up to date (new, changed, unchanged or gone)."""
        view = self.context.view
        row = self.db.execute("SELECT digest, deleted FROM records WHERE identifier = ?",
                              (iri,)).fetchone()
        kind = item_kind(view, NamedNode(iri))
        if kind is None:
            if row is not None and not row[1]:
                self.db.execute("UPDATE records SET deleted = 1, digest = '', datestamp = ? "
                                "WHERE identifier = ?", (_PENDING, iri))
            return
        state = record_state(self.snapshot, NamedNode(iri), kind, self.sources, self.languages)
        if row is not None and row[0] == state.digest and not row[1]:
            return
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, 0)",
                        (iri, kind, state.digest, _PENDING))
        self.db.execute("DELETE FROM memberships WHERE identifier = ?", (iri,))
        self.db.executemany("INSERT INTO memberships VALUES (?, ?)",
                            [(spec, iri) for spec in state.sets])

    def bury(self, iri: str, kind: str) -> None:
        """A record dropped before this index existed (from gone.tsv): deleted."""
        self.db.execute("INSERT OR IGNORE INTO records VALUES (?, ?, '', ?, 1)",
                        (iri, kind, _PENDING))
        self.db.execute("INSERT OR IGNORE INTO memberships VALUES (?, ?)", (f"kind:{kind}", iri))

    def name_sets(self) -> None:
        """Names of the sets (sources keep their name after they leave)."""
        manifest = self.context.manifest
        names = dict(oai_index.TOP_SETS)
        names |= {f"kind:{kind}": KINDS[kind].plural.capitalize() for kind in ITEM_KINDS}
        names |= {f"source:{name}": entry["file"] for name, entry in manifest["sources"].items()}
        used = {spec for (spec,) in self.db.execute("SELECT DISTINCT set_spec FROM memberships")}
        known = {spec for (spec,) in self.db.execute("SELECT set_spec FROM sets")}
        for spec in sorted(used | ({"kind", "source"} if used else set())):
            if spec in names or spec not in known:
                self.db.execute("INSERT OR REPLACE INTO sets VALUES (?, ?)",
                                (spec, names.get(spec, spec)))


def write_oai_index(context: ArtifactContext) -> None:
    """The artifact writer: the release's OAI-PMH index."""
    path = context.folder / oai_index.INDEX_FILE
    parent = _usable_parent(context)
    if parent is not None:
        shutil.copyfile(parent, path)
        db = sqlite3.connect(path)
    else:
        db = oai_index.create(path)
    update = _Update(db, context)
    try:
        if parent is None:
            dirty = all_items(context.view)
            for iri, kind in _gone_items(context).items():
                if iri not in dirty:
                    update.bury(iri, kind)
        elif _info(parent, "languages") != " ".join(update.languages):
            # Records would name linked entities in other languages: look at all.
            dirty = all_items(context.view) | {row[0] for row in db.execute(
                "SELECT identifier FROM records WHERE deleted = 0")}
        else:
            dirty = _dirty_since_parent(context)
        for iri in sorted(dirty):
            update.refresh(iri)
        update.name_sets()
        # Stamped as late as possible: the release goes live right after.
        db.execute("UPDATE records SET datestamp = ? WHERE datestamp = ?",
                   (datestamp(datetime.now(UTC)), _PENDING))
        db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", [
            ("version", oai_index.VERSION), ("base_iri", context.manifest["base_iri"]),
            ("release", context.manifest["id"]), ("languages", " ".join(update.languages))])
        db.commit()
    finally:
        db.close()


def _info(path: Path, name: str) -> str | None:
    found = oai_index.OaiIndex(path)
    try:
        return found.info(name)
    finally:
        found.close()


def _usable_parent(context: ArtifactContext) -> Path | None:
    """The parent's index, if it was made by this version for the same base IRI."""
    if context.parent_folder is None:
        return None
    path = context.parent_folder / oai_index.INDEX_FILE
    if not path.is_file():
        return None
    same = (_info(path, "version") == oai_index.VERSION
            and _info(path, "base_iri") == context.manifest["base_iri"])
    return path if same else None


def _dirty_since_parent(context: ArtifactContext) -> set[str]:
    """Entities whose records may differ from the parent release's."""
    manifest = context.manifest
    minter: Minter = context.minter
    graphs = [minter.graph(name) for name, entry in manifest["sources"].items()
              if entry.get("loaded_in") == manifest["id"]]
    graphs += [minter.graph(name) for name in manifest.get("removed_sources", [])]
    if not graphs:
        return set()
    assert context.parent_folder is not None
    parent = EmbeddedSnapshot(Release(context.parent_folder.name, context.parent_folder))
    found = touched([context.view, parent], graphs)
    return found | referrers(context.view, found, minter.meta_graph)


def _gone_items(context: ArtifactContext) -> dict[str, str]:
    """Dropped entities of item kinds, from the release's list of dropped entities."""
    found = {}
    for iri in read_gone(context.folder):
        ref = context.minter.parse(iri)
        if ref is not None and ref.kind in ITEM_KINDS and ref.fragment is None:
            found[iri] = ref.kind
    return found
