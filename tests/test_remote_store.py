"""The remote store backend, against a real ``oxigraph serve`` and a real Virtuoso:
publishing graph by graph, reading through the Snapshot interface, failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, parse, serialize

from kg.build import build
from kg.describe import describe
from kg.errors import StoreError, ValidationFailed
from kg.settings import Settings
from kg.sources import discover
from kg.store import EmbeddedSnapshot
from kg.store.releases import ReleaseStore
from kg.store.remote.publish import graphs_under
from kg.store.remote.snapshot import RemoteSnapshot, held_release, open_remote
from tests.backends import (
    BASE,
    RemoteStore,
    VirtuosoServer,
    remote_client,
    serving_settings,
    settings_env,
    start_backend,
)
from tests.sparql_support import PEOPLE
from tests.support import DEMO, Server, kg_command

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"

PERSON = NamedNode(BASE + "id/person/trinh-phi-cuong")


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def remote(request: pytest.FixtureRequest) -> Iterator[RemoteStore]:
    """A real remote store, one per backend, shared by the module's tests."""
    store = start_backend(request.param)
    assert store is not None
    yield store
    store.stop()


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A copy of the demo sources that a test may change."""
    folder = tmp_path / "sources"
    shutil.copytree(DEMO, folder)
    return folder


def _snapshot(remote: RemoteStore, folder: Path) -> RemoteSnapshot:
    return open_remote(Settings.load(serving_settings(folder, remote))).snapshot()


def _publish(remote: RemoteStore, folder: Path, sources: Path, **kwargs) -> str:
    outcome = build(discover([sources]), str(folder), BASE, remote=remote_client(remote),
                    **kwargs)
    return outcome.release.id


class Steps:
    """Records what a build tells the person waiting for it."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def step(self, message: str) -> None:
        self.messages.append(message)

    def source(self, source, index: int, total: int) -> None:
        pass

    def records(self, count: int) -> None:
        pass


def test_the_store_holds_the_release_exactly(remote: RemoteStore, sources: Path,
                                             tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    release_id = _publish(remote, folder, sources)
    remote_snap = _snapshot(remote, folder)
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
    _publish(remote, folder, sources)
    snap = _snapshot(remote, folder)
    query = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p"
    hostile = Literal('x" } } ; DROP ALL ; SELECT * WHERE { ?a ?b "')
    assert list(snap.query(query, substitutions={"o": hostile})) == []
    rows = list(snap.query(query, substitutions={"s": PERSON}))
    assert {r["p"].value for r in rows} >= {"http://xmlns.com/foaf/0.1/name"}
    assert len(snap) > 0  # the store is whole


def test_an_incremental_publish_sends_only_what_changed(remote: RemoteStore, sources: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    _publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-thi-moi,Lê Thị Mới,,,,,\n")
    steps = Steps()
    second = _publish(remote, folder, sources, progress=steps)
    sent = {m.split(" to the store")[0] for m in steps.messages if m.startswith("sending ")}
    assert sent == {"sending graph/people-csv", "sending graph/meta"}
    snap = _snapshot(remote, folder)
    assert snap.release_id == second
    new_person = NamedNode(BASE + "id/person/le-thi-moi")
    assert next(snap.quads(new_person, None, None, None), None) is not None
    names = {g.value for g in graphs_under(remote_client(remote), BASE)}
    assert BASE + "graph/resources-yaml" not in names
    assert names == set(snap.graphs)


def test_invalid_data_changes_nothing(remote: RemoteStore, sources: Path,
                                      tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    first = _publish(remote, folder, sources)
    with (sources / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("Bad Key!,Somebody,,,,,\n")
    with pytest.raises(ValidationFailed):
        _publish(remote, folder, sources)
    assert held_release(remote_client(remote), BASE) == first
    assert ReleaseStore(folder).require_current().id == first


def test_a_failed_swap_keeps_the_old_release_everywhere(remote: RemoteStore, sources: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    first = _publish(remote, folder, sources)
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
    snap = _snapshot(remote, folder)
    assert BASE + "graph/resources-yaml" in snap.graphs
    # The staging graphs the failed build left are dropped by the next publish.
    assert any("/staging/" in g.value for g in graphs_under(client, BASE))
    _publish(remote, folder, sources)
    assert not any("/staging/" in g.value for g in graphs_under(client, BASE))


def test_readers_refuse_a_release_their_folder_lacks(remote: RemoteStore, sources: Path,
                                                     tmp_path: Path) -> None:
    _publish(remote, tmp_path / "one", sources)
    other = tmp_path / "two"
    shutil.copytree(DEMO, tmp_path / "demo-again")
    for _ in range(2):  # a folder the store never saw: releases 00001 and 00002
        build(discover([tmp_path / "demo-again"]), str(other), BASE)
    shutil.rmtree(next((other / "releases").glob("00001-*")))
    with pytest.raises(StoreError, match="not in"):
        _snapshot(remote, other)


def test_rollback_puts_the_previous_release_back(remote: RemoteStore, sources: Path,
                                                 tmp_path: Path, runner) -> None:
    from kg.cli import cli

    folder = tmp_path / "releases"
    first = _publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()
    _publish(remote, folder, sources)
    env = {"KG_" + k.upper(): v for k, v in serving_settings(folder, remote).items()}
    result = runner.invoke(cli, ["rollback"], env=env)
    assert result.exit_code == 0, result.output
    snap = _snapshot(remote, folder)
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


def test_sparql_limits_hold_without_query_processes(remote: RemoteStore, sources: Path,
                                                    tmp_path: Path) -> None:
    from web import create_app

    folder = tmp_path / "releases"
    _publish(remote, folder, sources)
    client = create_app({**serving_settings(folder, remote), "query_timeout": 1.5,
                         "max_rows": 3}).test_client()
    capped = client.get("/sparql", query_string={"query": PEOPLE}, headers={"Accept": "text/csv"})
    assert capped.status_code == 200 and capped.headers["X-KG-Truncated"] == "true"
    assert capped.get_data(as_text=True).splitlines() == ["name", "Bui Tien Phong",
                                                          "Huynh Thi Dam Thanh",
                                                          "Nguyen Hong Phong"]
    refused = client.post("/sparql", data={"update": "DROP ALL"})
    assert refused.status_code == 400 and "read-only" in refused.get_data(as_text=True)
    service = client.get("/sparql", query_string={
        "query": "SELECT * { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }"})
    assert service.status_code == 403
    outside = client.get("/sparql", query_string={
        "query": "SELECT * FROM <http://www.openlinksw.com/schemas/virtrdf#> { ?s ?p ?o }"})
    assert outside.status_code == 400 and "FROM may name" in outside.get_data(as_text=True)
    started = time.monotonic()
    heavy = client.post("/sparql", data={"query": CROSS_PRODUCT})
    assert heavy.status_code == 503
    assert "stopped" in heavy.get_data(as_text=True)
    assert time.monotonic() - started < 8  # at the limit, not when the query would end
    after = client.get("/sparql", query_string={"query": "ASK { ?s a foaf:Person }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert after.status_code == 200 and after.get_json()["boolean"] is True
    assert len(_snapshot(remote, folder)) == len(EmbeddedSnapshot(
        ReleaseStore(folder).require_current()))  # nothing was written


def _release_served(server: Server) -> str:
    with urllib.request.urlopen(server.url + "/?lang=en") as response:
        html = response.read().decode("utf-8")
    return html.split("Release", 1)[1].split("<", 1)[0].strip()


def test_two_web_servers_over_one_remote_store(sources: Path, tmp_path: Path) -> None:
    """The deployment of docs/deploy.md: stateless web hosts, one store, one release folder."""
    store = start_backend("oxigraph")
    assert store is not None
    servers: list[Server] = []
    try:
        folder = tmp_path / "releases"
        first = _publish(store, folder, sources)
        env = settings_env(serving_settings(folder, store))
        servers = [Server(folder, extra_env=env, workers=2), Server(folder, extra_env=env)]
        assert [_release_served(s) for s in servers] == [first, first]
        with (sources / "people.csv").open("a", encoding="utf-8") as handle:
            handle.write("le-thi-moi,Lê Thị Mới,,,,,\n")
        second = _publish(store, folder, sources)
        for server in servers:  # both follow the new release without a restart
            assert _release_served(server) == second
            with urllib.request.urlopen(server.url + "/page/person/le-thi-moi?lang=en") as page:
                assert "Lê Thị Mới" in page.read().decode("utf-8")
    finally:
        for server in servers:
            server.stop()
        store.stop()


def _kg(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(kg_command(*args), env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=300)


def test_the_commands_with_a_remote_store(remote: RemoteStore, sources: Path,
                                          tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    env = settings_env(serving_settings(folder, remote))
    built = _kg(env, "build", str(sources))
    assert built.returncode == 0, built.stderr
    release_id = built.stdout.split("published release ", 1)[1].split()[0]
    assert release_id in _kg(env, "info").stdout
    count = _kg(env, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?p a foaf:Person }",
                "--format", "csv")
    assert count.stdout.splitlines() == ["n", "8"]
    dump = tmp_path / "all.nq"
    assert _kg(env, "export", "--format", "nq", "--out", str(dump)).returncode == 0
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert set(parse(path=str(dump), format=RdfFormat.N_QUADS)) == set(local.quads())
    # Writes that the store refuses: exit 2, a message, and the release as it was.
    if isinstance(remote, VirtuosoServer):
        broken = {**env, "KG_STORE_PASSWORD": "wrong"}
    else:
        broken = {**env, "KG_STORE": remote.url + "/query", "KG_STORE_UPDATE": remote.url
                  + "/update", "KG_STORE_GRAPHS": remote.url + "/no-such-store"}
    (sources / "resources.yaml").unlink()
    failed = _kg(broken, "build", str(sources))
    assert failed.returncode == 2
    assert failed.stderr.startswith("kg: error:") and "answered 40" in failed.stderr
    assert ReleaseStore(folder).require_current().id == release_id
    assert held_release(remote_client(remote), BASE) == release_id


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
    _publish(remote, folder, sources)
    graph = NamedNode(BASE + "graph/addresses-ttl")
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())

    def as_rdflib(snap: object) -> Graph:
        text = serialize((q.triple for q in snap.quads(graph=graph)), format=RdfFormat.N_TRIPLES)
        return Graph().parse(data=text.decode("utf-8"), format="nt")

    remote_graph = as_rdflib(_snapshot(remote, folder))
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
        _publish(store, folder, sources)
        local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
        remote_quads = list(_snapshot(store, folder).quads())
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
    first = _publish(remote, folder, sources)
    (sources / "resources.yaml").unlink()

    def killed(self: ReleaseStore, release_path: Path) -> None:
        raise KeyboardInterrupt  # where a kill -9 after the swap would stop the build

    monkeypatch.setattr(ReleaseStore, "_point_current_to", killed)
    with pytest.raises(KeyboardInterrupt):
        _publish(remote, folder, sources)
    monkeypatch.undo()
    held = held_release(remote_client(remote), BASE)
    assert held != first and ReleaseStore(folder).require_current().id == first
    # Readers follow the store, with the files of the release it holds.
    snap = _snapshot(remote, folder)
    assert snap.release_id == held and BASE + "graph/resources-yaml" not in snap.graphs
    # The next build finds the store ahead of 'current' and sends every graph again.
    steps = Steps()
    third = _publish(remote, folder, sources, progress=steps)
    sent = {m.split(" to the store")[0] for m in steps.messages if m.startswith("sending ")}
    assert sent == {f"sending graph/{name}" for name in snap.manifest["sources"]} | {
        "sending graph/meta"}
    assert held_release(remote_client(remote), BASE) == third
    assert {g.value for g in graphs_under(remote_client(remote), BASE)} == \
        set(_snapshot(remote, folder).graphs)


def test_derived_graphs_travel_with_their_sources(remote: RemoteStore, sources: Path,
                                                  tmp_path: Path) -> None:
    """MARC records name agents that the build declares in a graph of its own."""
    shutil.copy(Path(__file__).parent / "data" / "marc" / "loc-books.mrc", sources)
    folder = tmp_path / "releases"
    _publish(remote, folder, sources)
    agents = BASE + "graph/agents"
    snap = _snapshot(remote, folder)
    assert agents in snap.graphs
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert set(snap.quads()) == set(local.quads())
    (sources / "loc-books.mrc").unlink()
    _publish(remote, folder, sources)
    snap = _snapshot(remote, folder)
    local = EmbeddedSnapshot(ReleaseStore(folder).require_current())
    assert set(snap.quads()) == set(local.quads())
    # The agents graph is empty now, on both sides; no other graph is left behind.
    assert {g.value for g in graphs_under(remote_client(remote), BASE)} == \
        {q.graph_name.value for q in local.quads()}
