"""Writing a release's OAI-PMH index at publish time (an artifact writer).

The parent release's index is copied and brought up to date: only records
whose content may have changed are looked at again (entities with statements
in a source loaded again or dropped in this release, in the new store or the
parent's, and the entities that link to them). A record keeps its datestamp
while its digest is the same; a changed or new record gets this release's
datestamp; a record that is gone is kept as deleted.
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
from kg.oai.records import (
    ITEM_KINDS,
    all_items,
    item_kind,
    record_state,
    referrers,
    touched,
)
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
        self.sources = {self.context.minter.graph(name).value: name
                        for name in self.context.manifest["sources"]}
        self.meta = self.context.minter.meta_graph

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
        state = record_state(view, NamedNode(iri), kind, self.meta, self.sources)
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
        if parent is not None:
            dirty = _dirty_since_parent(context)
        else:
            dirty = all_items(context.view)
            for iri, kind in _gone_items(context).items():
                if iri not in dirty:
                    update.bury(iri, kind)
        for iri in sorted(dirty):
            update.refresh(iri)
        update.name_sets()
        # Stamped as late as possible: the release goes live right after.
        db.execute("UPDATE records SET datestamp = ? WHERE datestamp = ?",
                   (datestamp(datetime.now(UTC)), _PENDING))
        db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", [
            ("version", oai_index.VERSION), ("base_iri", context.manifest["base_iri"]),
            ("release", context.manifest["id"])])
        db.commit()
    finally:
        db.close()


def _usable_parent(context: ArtifactContext) -> Path | None:
    """The parent's index, if it was made by this version for the same base IRI."""
    if context.parent_folder is None:
        return None
    path = context.parent_folder / oai_index.INDEX_FILE
    if not path.is_file():
        return None
    found = oai_index.OaiIndex(path)
    try:
        same = (found.info("version") == oai_index.VERSION
                and found.info("base_iri") == context.manifest["base_iri"])
    finally:
        found.close()
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
