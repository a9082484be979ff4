"""Serving from a remote store: /sparql's limits, two web servers over one store, and
the kg commands with KG_STORE=URL, against a real oxigraph serve and a real Virtuoso."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from kg.store import EmbeddedSnapshot
from kg.store.releases import ReleaseStore
from kg.store.remote.snapshot import held_release
from tests.backends import (
    BASE,
    RemoteStore,
    VirtuosoServer,
    remote_client,
    serving_settings,
    settings_env,
    start_backend,
)
from tests.remote_support import publish, snapshot_of
from tests.sparql_support import PEOPLE
from tests.support import Server, kg_command

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_sparql_limits_hold_without_query_processes(remote: RemoteStore, sources: Path,
                                                    tmp_path: Path) -> None:
    from web import create_app

    folder = tmp_path / "releases"
    publish(remote, folder, sources)
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
    assert len(snapshot_of(remote, folder)) == len(EmbeddedSnapshot(
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
        first = publish(store, folder, sources)
        env = settings_env(serving_settings(folder, store))
        servers = [Server(folder, extra_env=env, workers=2), Server(folder, extra_env=env)]
        assert [_release_served(s) for s in servers] == [first, first]
        with (sources / "people.csv").open("a", encoding="utf-8") as handle:
            handle.write("le-thi-moi,Lê Thị Mới,,,,,\n")
        second = publish(store, folder, sources)
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
