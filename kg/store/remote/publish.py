"""Publishing a validated release to a remote SPARQL store, graph by graph.

The release is built, validated and given its files in the release folder
exactly as for the embedded store; then:

1. the graphs of new and changed sources, and the metadata graph, are sent
   into staging graphs (``{BASE}staging/{release}/graph/{source}``) in
   batches, with the Graph Store Protocol (or ``INSERT DATA``);
2. the release folder is renamed into ``releases/`` (not yet current);
3. one update request swaps them in (``DROP`` + ``MOVE`` for each, ``DROP``
   for removed sources), so readers see a source whole or not at all; the
   metadata graph names the release, which is how readers find its folder;
4. the ``current`` link moves to it.

A failure before the swap drops the staging graphs and leaves the store and
the folder as they were (exit 2). When the store does not hold the release
the folder's ``current`` names (a crash between 3 and 4, a rollback), every
graph is sent again and any other graph under ``{BASE}graph/`` is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from kg.errors import KgError, StoreError
from kg.iris import Minter
from kg.store.releases import Release, ReleaseStore
from kg.store.remote.client import Dataset, SparqlClient
from kg.store.remote.snapshot import held_release, release_graphs
from kg.store.staging import StagingView

BATCH = 10_000  # triples in one request
GRAPHS_UNDER = """SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), {prefix})) }}"""


class Progress(Protocol):
    """What a publish tells the person waiting (a build's progress display)."""

    def step(self, message: str) -> None: ...


def batches(triples: Iterable[Triple], size: int) -> Iterator[list[Triple]]:
    """Triples in batches; those with blank nodes all in the last one.

    A blank node's label means the same node only within one request, so
    its triples travel together.
    """
    batch: list[Triple] = []
    linked: list[Triple] = []
    for triple in triples:
        if isinstance(triple.subject, BlankNode) or isinstance(triple.object, BlankNode):
            linked.append(triple)
            continue
        batch.append(triple)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
    if linked:
        yield linked


@dataclass
class Upload:
    """A release's graphs sent to staging graphs, waiting to be swapped in."""

    client: SparqlClient
    minter: Minter
    release_id: str
    progress: Progress
    replace: list[NamedNode] = field(default_factory=list)
    drop: list[NamedNode] = field(default_factory=list)
    sent: list[NamedNode] = field(default_factory=list)

    def staging(self, graph: NamedNode) -> NamedNode:
        """Where a graph waits before the swap."""
        return NamedNode(f"{self.minter.base}staging/{self.release_id}/"
                         f"{graph.value[len(self.minter.base):]}")

    def send(self, view: StagingView, graph: NamedNode, total: int) -> None:
        """Send one graph's triples into its staging graph, a batch per request."""
        target = self.staging(graph)
        self.sent.append(target)
        name = graph.value[len(self.minter.base):]
        done = 0
        for batch in batches((q.triple for q in view.quads(graph=graph)), BATCH):
            data = serialize(batch, format=RdfFormat.N_TRIPLES)
            if self.client.endpoints.graphs:
                self.client.add_to_graph(target.value, data)
            else:
                self.client.update(f"INSERT DATA {{ GRAPH {target} {{ {data.decode()} }} }}")
            done += len(batch)
            self.progress.step(f"sending {name} to the store: {done:,} of {total:,} triples")
        self.replace.append(graph)

    def swap(self) -> None:
        """Put every sent graph in place and drop removed ones, in one update request."""
        operations = [f"DROP SILENT GRAPH {g}" for g in self.drop]
        for graph in self.replace:
            operations += [f"DROP SILENT GRAPH {graph}",
                           f"MOVE SILENT GRAPH {self.staging(graph)} TO GRAPH {graph}"]
        self.progress.step("swapping the new graphs in")
        try:
            self.client.update(" ;\n".join(operations))
        except KgError:
            # The answer may be lost after the store did it: then it is done.
            if self._held() != self.release_id:
                raise
        self.sent = []

    def abort(self) -> None:
        """Drop the staging graphs (after a failure); never raises."""
        if not self.sent:
            return
        try:
            self.client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in self.sent))
        except KgError:
            pass  # the next publish drops leftovers under {BASE}staging/
        self.sent = []

    def _held(self) -> str | None:
        try:
            return held_release(self.client, self.minter.base)
        except KgError:
            return None


def graphs_under(client: SparqlClient, prefix: str) -> list[NamedNode]:
    """The store's named graphs whose IRI starts with a prefix."""
    query = GRAPHS_UNDER.format(prefix=Literal(prefix))
    return [row["g"] for row in client.solutions(query, Dataset())
            if isinstance(row["g"], NamedNode)]


def upload(client: SparqlClient, view: StagingView, minter: Minter, release_id: str,
           parent_id: str | None, changed: list[NamedNode], kept: list[NamedNode],
           progress: Progress) -> Upload:
    """Send a release's new graphs to the store (all of them when it holds another parent)."""
    progress.step("asking the store which release it holds")
    held = held_release(client, minter.base)
    full = held is None or held != parent_id
    job = Upload(client, minter, release_id, progress)
    wanted = {g.value for g in [*changed, *kept, minter.meta_graph]}
    existing = graphs_under(client, minter.base)
    leftovers = [g for g in existing if g.value.startswith(minter.base + "staging/")]
    if leftovers:  # from a build that crashed before its swap
        client.update(" ;\n".join(f"DROP SILENT GRAPH {g}" for g in leftovers))
    job.drop = [g for g in existing if g.value.startswith(minter.base + "graph/")
                and g.value not in wanted]
    to_send = [*changed, *(kept if full else []), minter.meta_graph]
    try:
        for graph in to_send:
            job.send(view, graph, view.count(graph))
    except BaseException:
        job.abort()
        raise
    return job


def check_reachable(client: SparqlClient, minter: Minter) -> None:
    """Fail early, before a build does any work, if the store cannot be read."""
    try:
        held_release(client, minter.base)
    except KgError as error:
        raise StoreError(f"the remote store cannot be read: {error.message}") from None


def restore(client: SparqlClient, releases: ReleaseStore, release: Release,
            progress: Progress) -> None:
    """Put a kept release back into the store (``kg rollback``): every graph, then the swap."""
    manifest = release.manifest()
    minter = Minter(manifest["base_iri"])
    view = StagingView(release.open())
    graphs = [NamedNode(g) for g in release_graphs(manifest) if g != minter.meta_graph.value]
    job = upload(client, view, minter, release.id, None, graphs, [], progress)
    try:
        job.swap()
    except BaseException:
        job.abort()
        raise
