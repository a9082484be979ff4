"""The remote store backend, against a real ``oxigraph serve`` and a real Virtuoso:
publishing graph by graph, reading through the Snapshot interface, failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, serialize

from kg.build import build
from kg.describe import describe
from kg.errors import StoreError, ValidationFailed
from kg.settings import Settings
from kg.sources import discover
from kg.store import EmbeddedSnapshot
from kg.store.releases import ReleaseStore
from kg.store.remote.publish import graphs_under
from kg.store.remote.snapshot import held_release, open_remote
from tests.backends import (
    BASE,
    RemoteStore,
    remote_client,
    serving_settings,
    start_backend,
)
from tests.remote_support import Steps, publish, snapshot_of
from tests.support import DEMO

PERSON = NamedNode(BASE + "id/person/trinh-phi-cuong")


def test_the_store_holds_the_release_exactly(remote: RemoteStore, sources: Path,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    release_id = publish(remote, folder, sources)
    remote_snap = snapshot_of(remote, folder)
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert remote_snap.release_id == release_id
    assert set(remote_snap.quads()) == set(local.quads())
    assert len(remote_snap) == len(local)
    assert set(describe(remote_snap, PERSON)) == set(describe(local, PERSON))
    # Nothing but the release's graphs is left in the store (no staging graphs).
    names = {g.value for g in graphs_under(remote_client(remote), BASE)}
    assert names == set(remote_snap.graphs)


def test_bound_terms_are_never_query_text(remote: RemoteStore, sources: Path,
                                          tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    publish(remote, folder, sources)
    snap = snapshot_of(remote, folder)
    query = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
    hostile = Literal('x" } } ; DROP ALL ; SELECT * WHERE { ?a ?b "')
    assert list(snap.query(query, substitutions={"o": hostile})) == []
    rows = list(snap.query(query, substitutions={"s": PERSON}))
    assert {r["p"].value for r in rows} >= {"http://xmlns.com/foaf/0.1/name"}
    assert len(snap) > 0  # the store is whole


def test_an_incremental_publish_sends_only_what_changed(remote: RemoteStore, sources: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-thi-moi,Lê Thị Mới,,,,,\n")
    steps = Steps()
    second = publish(remote, folder, sources, progress=steps)
    assert steps.sent() == {"graph/people-csv", "graph/meta"}
    snap = snapshot_of(remote, folder)
    assert snap.release_id == second
    new_person = NamedNode(BASE + "id/person/le-thi-moi")
    assert next(snap.quads(new_person, None, None, None), None) is not None
    names = {g.value for g in graphs_under(remote_client(remote), BASE)}
    assert BASE + "graph/resources-yaml" not in names
    assert names == set(snap.graphs)


def test_invalid_data_changes_nothing(remote: RemoteStore, sources: Path,
                                      tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    first = publish(remote, folder, sources)
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("Bad Key!,Somebody,,,,,\n")
    with pytest.raises(ValidationFailed):
        publish(remote, folder, sources)
    assert held_release(remote_client(remote), BASE) == first
    assert ReleaseStore(folder).require_current().id == first


def test_a_failed_swap_keeps_the_old_release_everywhere(remote: RemoteStore, sources: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    first = publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()
    client = remote_client(remote)
    # Graphs go through the Graph Store endpoint; the update endpoint that swaps is wrong.
    broken = type(client)(type(client.endpoints)(
        client.endpoints.query, client.endpoints.query.rsplit("/", 1)[0] + "/no-such-update",
        client.endpoints.graphs, client.endpoints.user, client.endpoints.password))
    with pytest.raises(StoreError, match="no-such-update"):
        build(discover([sources]), str(folder), BASE, remote=broken)
    assert held_release(client, BASE) == first
    releases = ReleaseStore(folder)
    assert releases.require_current().id == first
    assert [r.id for r in releases.releases()] == [first]
    snap = snapshot_of(remote, folder)
    assert BASE + "graph/resources-yaml" in snap.graphs
    # The staging graphs the failed build left are dropped by the next publish.
    assert any("/staging/" in g.value for g in graphs_under(client, BASE))
    publish(remote, folder, sources)
    assert not any("/staging/" in g.value for g in graphs_under(client, BASE))


def test_readers_refuse_a_release_their_folder_lacks(remote: RemoteStore, sources: Path,
                                                     tmp_path: Path) -> None:
    publish(remote, tmp_path / "one", sources)
    other = tmp_path / "two"
    shutil.copytree(DEMO, tmp_path / "demo-again")
    for _ in range(2):  # a folder the store never saw: releases 00001 and 00002
        build(discover([tmp_path / "demo-again"]), str(other), BASE)
    shutil.rmtree(next((other / "releases").glob("00001-*")))
    with pytest.raises(StoreError, match="not in"):
        snapshot_of(remote, other)


def test_rollback_puts_the_previous_release_back(remote: RemoteStore, sources: Path,
                                                 tmp_path: Path, runner) -> None:
    from kg.cli import cli

    folder = tmp_path / "releases"
    first = publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()
    publish(remote, folder, sources)
    env = {"KG_" + k.upper(): v for k, v in serving_settings(folder, remote).items()}
    result = runner.invoke(cli, ["rollback"], env=env)
    assert result.exit_code == 0, result.output
    snap = snapshot_of(remote, folder)
    assert snap.release_id == first
    assert BASE + "graph/resources-yaml" in snap.graphs
    assert next(snap.quads(None, None, None, NamedNode(BASE + "graph/resources-yaml")), None)


def test_an_empty_store_holds_no_release(remote: RemoteStore) -> None:
    assert held_release(remote_client(remote), "http://empty.example/") is None


def test_a_store_nobody_answers_is_a_clear_error(tmp_path: Path) -> None:
    from tests.support import free_port

    build(discover([DEMO]), str(tmp_path / "releases"), BASE)
    settings = Settings.load({"store": f"http://127.0.0.1:{free_port()}",
                              "releases": str(tmp_path / "releases")})
    with pytest.raises(StoreError, match="cannot reach"):
        open_remote(settings).snapshot()


def test_without_a_release_folder_serving_is_refused() -> None:
    with pytest.raises(StoreError, match="KG_RELEASES"):
        open_remote(Settings.load({"store": "http://127.0.0.1:9/"}))


TREE = f"""\
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix schema: <http://schema.org/> .
<{BASE}id/person/an-author> a foaf:Person ; foaf:name "An Author" ;
    schema:address [ schema:streetAddress "19 Nguyen Huu Tho" ;
                     schema:addressLocality [ schema:name "Ho Chi Minh City" ] ] .
"""


def test_blank_nodes_travel_whole_across_batches(remote: RemoteStore, sources: Path,
                                                 tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    (sources / "addresses.ttl").write_text(TREE, encoding="utf-8")
    monkeypatch.setattr("kg.store.remote.publish.BATCH", 2)  # many batches per graph
    folder = tmp_path / "releases"
    publish(remote, folder, sources)
    graph = NamedNode(BASE + "graph/addresses-ttl")
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())

    def as_rdflib(snap: object) -> Graph:
        text = serialize((q.triple for q in snap.quads(graph=graph)), format=RdfFormat.N_TRIPLES)
        return Graph().parse(data=text.decode("utf-8"), format="nt")

    remote_graph = as_rdflib(snapshot_of(remote, folder))
    assert len(remote_graph) == 6
    assert isomorphic(remote_graph, as_rdflib(local))


def test_virtuoso_blank_node_labels_are_read_whatever_the_chunks() -> None:
    from io import BytesIO

    from pyoxigraph import BlankNode, QueryResultsFormat, parse_query_results

    from kg.store.remote.client import _BlankNodeLabels

    answer = (b'{ "head": { "vars": ["s"] }, "results": { "bindings": [\n'
              b'{ "s": { "type": "bnode", "value": "nodeID://b10000" }},\n'
              b'{ "s": { "type": "literal", "value": "nodeID://b1 is kept" }} ] } }')

    class Chunks:
        def __init__(self, size: int) -> None:
            self.data, self.size = BytesIO(answer), size

        def read(self, size: int = -1) -> bytes:
            return self.data.read(self.size)

    for size in (1, 5, 37, 4096):
        rows = list(parse_query_results(_BlankNodeLabels(Chunks(size)), QueryResultsFormat.JSON))
        assert [r["s"] for r in rows] == [BlankNode("b10000"), Literal("nodeID://b1 is kept")]


def test_without_a_graph_store_endpoint_graphs_go_by_update(sources: Path,
                                                            tmp_path: Path) -> None:
    store = start_backend("oxigraph")
    assert store is not None
    try:
        store.settings = {"store": store.url + "/query", "store_update": store.url + "/update"}
        client = remote_client(store)
        assert client.endpoints.graphs == ""
        (sources / "addresses.ttl").write_text(TREE, encoding="utf-8")
        folder = tmp_path / "releases"
        publish(store, folder, sources)
        local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
        remote_quads = list(snapshot_of(store, folder).quads())
        assert len(remote_quads) == len(local)
        named = {q for q in remote_quads if not any(
            isinstance(t, BlankNode) for t in (q.subject, q.object))}
        assert named == {q for q in local.quads() if not any(
            isinstance(t, BlankNode) for t in (q.subject, q.object))}
    finally:
        store.stop()


def test_a_crash_between_swap_and_switch_is_served_then_repaired(
        remote: RemoteStore, sources: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "releases"
    first = publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()

    def killed(self: ReleaseStore, release_path: Path) -> None:
        raise KeyboardInterrupt  # where a kill -9 after the swap would stop the build

    monkeypatch.setattr(ReleaseStore, "_point_current_to", killed)
    with pytest.raises(KeyboardInterrupt):
        publish(remote, folder, sources)
    monkeypatch.undo()
    held = held_release(remote_client(remote), BASE)
    assert held != first and ReleaseStore(folder).require_current().id == first
    # Readers follow the store, with the files of the release it holds.
    snap = snapshot_of(remote, folder)
    assert snap.release_id == held and BASE + "graph/resources-yaml" not in snap.graphs
    # The next build finds the store ahead of 'current' and sends every graph again.
    steps = Steps()
    third = publish(remote, folder, sources, progress=steps)
    assert steps.sent() == {f"graph/{name}" for name in snap.manifest["sources"]} | {
        "graph/meta"}
    assert held_release(remote_client(remote), BASE) == third
    assert {g.value for g in graphs_under(remote_client(remote), BASE)} == \
        set(snapshot_of(remote, folder).graphs)


def test_derived_graphs_travel_with_their_sources(remote: RemoteStore, sources: Path,
                                                  tmp_path: Path) -> None:
    """MARC records name agents that the build declares in a graph of its own."""
    shutil.copy(Path(__file__).parent / "data" / "marc" / "loc-books.mrc", sources)
    folder = tmp_path / "releases"
    publish(remote, folder, sources)
    agents = BASE + "graph/agents"
    snap = snapshot_of(remote, folder)
    assert agents in snap.graphs
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert set(snap.quads()) == set(local.quads())
    (sources / "loc-books.mrc").unlink()
    publish(remote, folder, sources)
    snap = snapshot_of(remote, folder)
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert set(snap.quads()) == set(local.quads())
    # The agents graph is empty now, on both sides; no other graph is left behind.
    assert {g.value for g in graphs_under(remote_client(remote), BASE)} == \
        {q.graph_name.value for q in local.quads()}
