"""Reading a release from a remote SPARQL store, behind the :class:`Snapshot` interface.

The triples come from the store; everything else a release has (manifest,
entity index, dumps, OAI-PMH index, list of dropped entities) from its folder
in ``KG_RELEASES``, a directory the build host writes and web hosts read.
Which release is served is what the store's metadata graph says it holds
(checked on every request), so the triples and the files always belong to
the same release, and a disagreement is an error, never silent.

Every read names its graphs (the release's source graphs and the metadata
graph) as the protocol's dataset, so a store's own graphs (Virtuoso's system
graphs) and the staging graphs of a build in progress are never seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import IO, Any

from pyoxigraph import (
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    serialize,
)

from kg.errors import NoRelease, StoreError
from kg.iris import Minter
from kg.namespaces import DCTERMS, PROV
from kg.query_text import inspect_query
from kg.settings import Settings
from kg.store.releases import Release, ReleaseStore
from kg.store.remote.client import Dataset, SparqlClient
from kg.store.remote.endpoints import RemoteEndpoints
from kg.store.remote.texts import bind_values, quad_pattern, with_prologue

# The release the store holds: the one activity of the metadata graph with an identifier.
RELEASE_HELD = f"""SELECT ?id WHERE {{
  GRAPH ?meta {{ ?release a {PROV.Activity} ; {DCTERMS.identifier} ?id }} }}"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def release_graphs(manifest: dict[str, Any]) -> tuple[str, ...]:
    """The graphs of a release: one per source, derived ones (agents), the metadata graph."""
    if "graphs" in manifest:
        return tuple(manifest["graphs"])
    minter = Minter(manifest["base_iri"])  # a release made before manifests listed them
    return (*(minter.graph(name).value for name in manifest["sources"]),
            minter.meta_graph.value)


def held_release(client: SparqlClient, base_iri: str) -> str | None:
    """The id of the release the store holds (None before the first publish)."""
    meta = Minter(base_iri).meta_graph.value
    for row in client.solutions(with_prologue(RELEASE_HELD), Dataset(named=(meta,))):
        return row["id"].value
    return None


class RemoteSnapshot:
    """One release: triples from the remote store, files from its folder."""

    def __init__(self, client: SparqlClient, release: Release,
                 manifest: dict[str, Any] | None = None) -> None:
        self.client = client
        self.release = release
        self.release_id = release.id
        self.manifest = manifest if manifest is not None else release.manifest()
        self.graphs = release_graphs(self.manifest)
        self.everything = Dataset(self.graphs, self.graphs)

    @property
    def base_iri(self) -> str:
        """The base IRI the release was built with."""
        return self.manifest["base_iri"]

    def dataset(self, default_graph: list[NamedNode] | None,
                named_graphs: list[NamedNode] | None) -> Dataset:
        """The graphs a query reads: the release's, unless the caller names others."""
        if default_graph is None and named_graphs is None:
            return self.everything
        default = tuple(g.value for g in default_graph) if default_graph is not None \
            else self.graphs
        named = tuple(g.value for g in named_graphs) if named_graphs is not None else self.graphs
        # An empty list means "no graph", which the protocol cannot say: name none that exists.
        return Dataset(default or (self.base_iri + "graph/none",),
                       named or (self.base_iri + "graph/none",))

    def query(self, sparql: str, *, substitutions: dict[str, Any] | None = None,
              default_graph: list[NamedNode] | None = None,
              named_graphs: list[NamedNode] | None = None, timeout: float | None = None,
              ) -> Any:
        """Run a SPARQL query over the release's graphs (their union is the default graph)."""
        text = with_prologue(bind_values(sparql, substitutions or {}))
        dataset = self.dataset(default_graph, named_graphs)
        if inspect_query(sparql).form == "graph":
            return self.client.triples(text, dataset, timeout)
        return self.client.solutions(text, dataset, timeout)

    def quads(self, subject: Any = None, predicate: NamedNode | None = None,
              obj: Any = None, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything), read as they arrive.

        Blank nodes cannot be named across requests to a remote store: a
        pattern with one matches nothing (sources use IRIs; see docs/deploy.md).
        """
        if any(t is not None and not isinstance(t, NamedNode | Literal)
               for t in (subject, predicate, obj)):
            return iter(())
        if isinstance(graph, DefaultGraph) or (graph is not None and graph.value
                                               not in self.graphs):
            return iter(())  # a release keeps everything in its named graphs
        named = (graph.value,) if graph is not None else self.graphs
        rows = self.client.solutions(quad_pattern(subject, predicate, obj), Dataset(named, named))
        return (Quad(subject or row["s"], predicate or row["p"],
                     obj if obj is not None else row["o"], row["g"]) for row in rows)

    def dump(self, output: IO[bytes], format: RdfFormat,
             graph: NamedNode | DefaultGraph | None = None) -> None:
        """Serialize the release (or one graph) as it streams from the store."""
        quads = self.quads(graph=graph) if graph is not None else self.quads()
        if format.supports_datasets:
            serialize(quads, output, format)
        else:
            serialize((q.triple for q in quads), output, format)

    def __len__(self) -> int:
        for row in self.client.solutions(COUNT, self.everything):
            return int(row["n"].value)
        return 0


class RemoteLiveStore:
    """Hands out the snapshot of the release the remote store holds."""

    def __init__(self, client: SparqlClient, releases: ReleaseStore) -> None:
        self.client = client
        self.releases = releases
        self._lock = threading.Lock()
        self._snapshot: RemoteSnapshot | None = None

    def _base_iri(self) -> str:
        if self._snapshot is not None:
            return self._snapshot.base_iri
        release = self.releases.current() or next(iter(reversed(self.releases.releases())), None)
        if release is None:
            raise NoRelease(f"{self.releases.path} has no release yet; run 'kg build' first")
        return release.manifest()["base_iri"]

    def snapshot(self) -> RemoteSnapshot:
        """The release the store holds now (one small query), with its folder's files."""
        held = held_release(self.client, self._base_iri())
        if held is None:
            raise NoRelease(f"the store at {self.client.endpoints.query} holds no release yet; "
                            "run 'kg build' first")
        current = self._snapshot
        if current is not None and current.release_id == held:
            return current
        with self._lock:
            path = self.releases.releases_dir / held
            if not path.is_dir():
                raise StoreError(f"the store at {self.client.endpoints.query} holds release "
                                 f"{held}, which is not in {self.releases.releases_dir} (not "
                                 "synced yet, or pruned); serving it would mix two releases")
            self._snapshot = RemoteSnapshot(self.client, Release(held, path))
            return self._snapshot


def open_remote(settings: Settings) -> RemoteLiveStore:
    """The live view of the remote store that ``KG_STORE`` names."""
    if not settings.releases:
        raise StoreError("a remote store (KG_STORE=URL) needs KG_RELEASES, the folder of "
                         "release files written by 'kg build'")
    client = SparqlClient(RemoteEndpoints.from_settings(settings), settings.query_timeout)
    return RemoteLiveStore(client, ReleaseStore(settings.releases, settings.keep_releases))
