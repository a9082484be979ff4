"""Writing a release's OAI-PMH index at publish time (an artifact writer).

The parent release's index is copied and brought up to date: only records
whose content may have changed are digested again (entities with statements
in a source loaded again or dropped in this release, in the new store or the
parent's, the entities that link to those whose label changed, and resources
whose licences changed). A record keeps its datestamp while its digest is the
same; a changed or new record gets this release's datestamp; a record that is
gone is kept as deleted.

Digests are taken lazily: a new record gets none (its datestamp is new
anyway), so a first build digests nothing; when a record may have changed and
has no digest yet, its digest in the parent release is taken then, from the
parent's store, to compare with.

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
from kg.oai.records import (
    CLASS_KIND,
    all_items,
    face,
    item_kind,
    item_sets,
    licensed,
    record_state,
    referrers,
    touched,
    undated,
)
from kg.store import EmbeddedSnapshot
from kg.store.releases import Release
from kg.store.staging import StagingView, ViewQueries
from kg.tombstones import read_gone

if TYPE_CHECKING:  # kg.artifacts imports this module to register its writer
    from kg.artifacts import ArtifactContext

_PENDING = "pending"
# The instances of a class ($cls) that a graph ($g) says something about. Asked
# graph by graph: EXISTS stops at a subject's first statement in the graph,
# where GRAPH ?g { ?s ?p ?o } would read all of them (250,000 MARC records:
# 17 s against 22 s).
ITEM_GRAPHS = ("SELECT DISTINCT ?s ?g ?cls WHERE { ?s a ?cls . "
               "FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }")


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
        self.languages = context.languages
        release = Release(context.manifest["id"], context.folder)
        self.snapshot = EmbeddedSnapshot(release, context.view.store, undated(context.manifest))
        self.parent: _Parent | None = None

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
        if row is not None and not row[1] and (row[0] or self._parent_digest(iri)) == state.digest:
            if not row[0]:
                self.db.execute("UPDATE records SET digest = ? WHERE identifier = ?",
                                (state.digest, iri))
            return
        self.add(iri, kind, state.digest, state.sets)

    def add(self, iri: str, kind: str, digest: str, sets: tuple[str, ...]) -> None:
        """A new or changed record: this release's datestamp, its sets."""
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, 0)",
                        (iri, kind, digest, _PENDING))
        self.db.execute("DELETE FROM memberships WHERE identifier = ?", (iri,))
        self.db.executemany("INSERT INTO memberships VALUES (?, ?)",
                            [(spec, iri) for spec in sets])

    def _parent_digest(self, iri: str) -> str:
        """The record's digest in the parent release ('' if it was no item there)."""
        parent = self.parent
        if parent is None:
            return ""
        kind = item_kind(parent.snapshot, NamedNode(iri))
        if kind is None:
            return ""
        return record_state(parent.snapshot, NamedNode(iri), kind, parent.sources,
                            parent.languages).digest

    def add_all(self) -> None:
        """Every item of the release as a new record (no digests: they are taken lazily)."""
        prepared = self.context.prepared.get(prepare_oai_index.__name__)
        found = prepared.result() if prepared is not None else None
        if found is None:
            found = item_graphs(self.context.view)
        for iri, (kind, graphs) in sorted(found.items()):
            self.add(iri, kind, "", item_sets(kind, graphs, self.sources))

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


def prepare_oai_index(context: ArtifactContext) -> dict[str, tuple[str, set[str]]] | None:
    """The artifact preparer: the items and their graphs, for an index made anew."""
    return item_graphs(context.view) if _usable_parent(context) is None else None


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
            update.add_all()
            for iri, kind in _gone_items(context).items():
                update.bury(iri, kind)
        else:
            update.parent = _Parent.of(context, parent)
            if update.parent.languages != update.languages:
                # Records would name linked entities in other languages: look at all.
                dirty = all_items(context.view) | {row[0] for row in db.execute(
                    "SELECT identifier FROM records WHERE deleted = 0")}
            else:
                dirty = _dirty_since_parent(context, update)
            for iri in sorted(dirty):
                update.refresh(iri)
        update.name_sets()
        db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", [
            ("version", oai_index.VERSION), ("base_iri", context.manifest["base_iri"]),
            ("release", context.manifest["id"]), ("languages", " ".join(update.languages))])
        db.commit()
    finally:
        db.close()


def write_oai_datestamps(context: ArtifactContext) -> None:
    """The artifact writer run last: new and changed records get this moment as their
    datestamp (the release goes live right after).

    Apart from :func:`write_oai_index` so that the index can be written earlier,
    while the dumps' helper processes are still at work, and the datestamps
    still be as late as possible: a harvester that asks ``from`` its last
    visit must not miss a record stamped before it went live.
    """
    db = sqlite3.connect(context.folder / oai_index.INDEX_FILE)
    try:
        db.execute("UPDATE records SET datestamp = ? WHERE datestamp = ?",
                   (datestamp(datetime.now(UTC)), _PENDING))
        db.commit()
    finally:
        db.close()


@dataclass
class _Parent:
    """The parent release as its records were digested: store, sources, languages."""

    snapshot: EmbeddedSnapshot
    sources: dict[str, str]
    languages: list[str]

    @classmethod
    def of(cls, context: ArtifactContext, index: Path) -> _Parent:
        """The parent release of the one being built, with its index's languages."""
        assert context.parent_folder is not None
        release = Release(context.parent_folder.name, context.parent_folder)
        snapshot = EmbeddedSnapshot(release, None, undated(release.manifest()))
        names = [*snapshot.manifest["sources"], *context.manifest.get("removed_sources", [])]
        sources = {context.minter.graph(name).value: name for name in names}
        return cls(snapshot, sources, (_info(index, "languages") or "").split())


def item_graphs(view: StagingView) -> dict[str, tuple[str, set[str]]]:
    """Every item of a store being built: its kind and the graphs that describe it."""
    access = ViewQueries(view)
    found: dict[str, tuple[str, set[str]]] = {}
    several: set[str] = set()
    graphs = view.graphs()
    for cls, kind in CLASS_KIND.items():
        for graph in graphs:
            for iri in access.first_iris(ITEM_GRAPHS, cls=cls, g=graph):
                entry = found.setdefault(iri, (kind, set()))
                if entry[0] != kind:
                    several.add(iri)
                entry[1].add(graph.value)
    for iri in several:  # typed with two item classes: the kind item_kind gives
        kind = item_kind(view, NamedNode(iri))
        found[iri] = (kind or found[iri][0], found[iri][1])
    return found


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


def _dirty_since_parent(context: ArtifactContext, update: _Update) -> set[str]:
    """Entities whose records may differ from the parent release's."""
    manifest = context.manifest
    minter: Minter = context.minter
    graphs = [minter.graph(name) for name, entry in manifest["sources"].items()
              if entry.get("loaded_in") == manifest["id"]]
    graphs += [minter.graph(name) for name in manifest.get("removed_sources", [])]
    if not graphs:
        return set()
    assert update.parent is not None
    parent = update.parent.snapshot
    found = touched([context.view, parent], graphs)
    shown = {iri for iri in found if face(update.snapshot, iri, update.languages)
             != face(parent, iri, update.languages)}
    return (found | referrers(context.view, shown, minter.meta_graph)
            | licensed(update.snapshot, found) | licensed(parent, found))


def _gone_items(context: ArtifactContext) -> dict[str, str]:
    """Dropped entities of item kinds, from the release's list of dropped entities."""
    found = {}
    for iri in read_gone(context.folder):
        ref = context.minter.parse(iri)
        if ref is not None and ref.kind in ITEM_KINDS and ref.fragment is None:
            found[iri] = ref.kind
    return found
