"""The triple store, behind one small interface. Nothing else touches Oxigraph.

Readers (the web app, exports, ``kg query``) take a :class:`Snapshot`: one
published release, consistent for as long as they hold it. :class:`LiveStore`
hands out the snapshot of whatever release is current, switching to a new one
without a restart when a build publishes. Builds write through
:mod:`kg.store.releases`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    QueryTriples,
    Store,
    Variable,
)

from kg.errors import QueryError, StoreError
from kg.namespaces import PREFIXES
from kg.store.releases import Release, ReleaseStore

if TYPE_CHECKING:
    from kg.settings import Settings
    from kg.store.remote.snapshot import RemoteLiveStore

QueryResult = QuerySolutions | QueryBoolean | QueryTriples
Term = NamedNode | BlankNode | Literal


class Snapshot(Protocol):
    """Read access to one published release."""

    release_id: str
    manifest: dict[str, Any]

    @property
    def base_iri(self) -> str: ...

    def query(self, sparql: str, *, substitutions: dict[str, Term] | None = None,
              default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None) -> QueryResult: ...

    def quads(self, subject: Term | None = None, predicate: NamedNode | None = None,
              obj: Term | None = None, graph: NamedNode | None = None) -> Iterator[Quad]: ...


class EmbeddedSnapshot:
    """A release of the embedded Oxigraph store, opened read-only."""

    def __init__(self, release: Release, store: Store | None = None,
                 manifest: dict[str, Any] | None = None) -> None:
        self.release = release
        self.release_id = release.id
        self.db = str(release.db_path)  # what each query process job names
        # A release being built has no manifest file yet; its writers pass it.
        self.manifest = manifest if manifest is not None else release.manifest()
        self._store = store if store is not None else release.open()

    @property
    def base_iri(self) -> str:
        """The base IRI the release was built with."""
        return self.manifest["base_iri"]

    def query(self, sparql: str, *, substitutions: dict[str, Term] | None = None,
              default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None) -> QueryResult:
        """Run a SPARQL query; the default graph is the union of all graphs unless given.

        ``substitutions`` binds variables to terms (never formatted into the text).
        """
        bound = {Variable(k): v for k, v in (substitutions or {}).items()}
        try:
            return self._store.query(
                sparql, prefixes=PREFIXES, substitutions=bound or None,
                use_default_graph_as_union=default_graph is None,
                default_graph=default_graph, named_graphs=named_graphs)
        except SyntaxError as error:
            raise QueryError(f"query syntax error: {error}") from error
        except OSError as error:
            raise StoreError(f"store read failed: {error}") from error

    def quads(self, subject: Term | None = None, predicate: NamedNode | None = None,
              obj: Term | None = None, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything)."""
        return self._store.quads_for_pattern(subject, predicate, obj, graph)

    def dump(self, output: Any, format: Any, graph: NamedNode | DefaultGraph | None = None,
             ) -> None:
        """Serialize the whole release (or one graph) with Oxigraph's own writer."""
        if graph is None:
            self._store.dump(output, format)
        else:
            self._store.dump(output, format, from_graph=graph)

    def __len__(self) -> int:
        return len(self._store)


class LiveStore:
    """Hands out the snapshot of the current release; follows new publishes."""

    def __init__(self, releases: ReleaseStore) -> None:
        self.releases = releases
        self._lock = threading.Lock()
        self._target: str | None = None
        self._snapshot: EmbeddedSnapshot | None = None
        self._link = str(releases.path / "current")  # read on every request: a str, once

    def snapshot(self) -> EmbeddedSnapshot:
        """The current release (reopened only when the ``current`` link moved)."""
        try:
            target = os.readlink(self._link)
        except OSError:
            target = None
        if target is not None and target == self._target and self._snapshot is not None:
            return self._snapshot
        with self._lock:
            if target != self._target or self._snapshot is None:
                release = self.releases.require_current()
                # The old snapshot stays valid for requests that still hold it.
                self._snapshot = EmbeddedSnapshot(release)
                self._target = target
            return self._snapshot


def open_live(store: str, keep_releases: int = 3) -> LiveStore:
    """The live store a setting names (a directory of releases)."""
    if store.startswith(("http://", "https://")):
        raise StoreError("a remote SPARQL store is opened with open_store(settings)")
    return LiveStore(ReleaseStore(store, keep_releases))


def open_store(settings: Settings) -> LiveStore | RemoteLiveStore:
    """The live store the settings name: the embedded one, or a remote SPARQL store."""
    if settings.store_is_remote:
        from kg.store.remote.snapshot import open_remote

        return open_remote(settings)
    return open_live(settings.store, settings.keep_releases)
