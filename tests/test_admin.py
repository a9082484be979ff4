"""The write API: nothing changes without the configured token; with it, an
operator can roll back and start a build, and follow the build to its end."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store.releases import ReleaseStore
from tests.conftest import build_store
from tests.sparql_support import http
from tests.support import DEMO, Server
from web import create_app

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = [("POST", "/admin/rollback"), ("POST", "/admin/build"),
          ("GET", "/admin/builds/20261127T000000Z-0123abcd")]


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with two releases: the demo, then the demo and one more person."""
    root = tmp_path_factory.mktemp("admin")
    sources = root / "sources"
    shutil.copytree(DEMO, sources)
    store = build_store(root / "store", sources)
    (sources / "extra-people.csv").write_text("key,name\nle-van-c,Lê Văn C\n", encoding="utf-8")
    build_store(store, sources)
    return store


@pytest.fixture
def two_releases(built_twice: Path, tmp_path: Path) -> Path:
    """A copy of that store for one test to change."""
    return Path(shutil.copytree(built_twice, tmp_path / "store", symlinks=True))


def _client(store: Path, tmp_path: Path, **config):
    app = create_app({"store": str(store), "run_dir": str(tmp_path / "run"), **config})
    return app.test_client()


@pytest.mark.parametrize("method, path", WRITES)
def test_without_a_configured_token_nothing_writes(two_releases: Path, tmp_path: Path,
                                                   method: str, path: str) -> None:
    client = _client(two_releases, tmp_path)
    before = ReleaseStore(two_releases).require_current()
    response = client.open(path, method=method, headers=AUTH)
    assert response.status_code == 403
    assert "writes over HTTP are off" in response.get_data(as_text=True)
    assert ReleaseStore(two_releases).require_current() == before


@pytest.mark.parametrize("headers, status", [
    ({}, 401),
    ({"Authorization": "Basic " + TOKEN}, 401),
    ({"Authorization": "Bearer "}, 401),
    ({"Authorization": "Bearer wrong"}, 403),
    ({"Authorization": f"Bearer {TOKEN[:-1]}"}, 403),
    ({"Authorization": f"Bearer {TOKEN}x"}, 403),
    ({"Authorization": f"Bearer {TOKEN.upper()}"}, 403),
])
@pytest.mark.parametrize("method, path", WRITES)
def test_a_missing_or_wrong_token_is_refused(two_releases: Path, tmp_path: Path, headers: dict,
                                             status: int, method: str, path: str) -> None:
    client = _client(two_releases, tmp_path, write_token=TOKEN, build_sources=str(DEMO))
    before = ReleaseStore(two_releases).require_current()
    response = client.open(path, method=method, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert ReleaseStore(two_releases).require_current() == before
    assert not (tmp_path / "run" / "builds").exists()


def test_rollback_with_the_token(two_releases: Path, tmp_path: Path) -> None:
    client = _client(two_releases, tmp_path, write_token=TOKEN)
    first, second = ReleaseStore(two_releases).releases()
    assert client.get("/data/person/le-van-c.nt").status_code == 200
    response = client.post("/admin/rollback", headers=AUTH)
    assert response.status_code == 200
    assert response.get_json() == {"release": first.id, "previous": second.id}
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/data/person/le-van-c.nt").status_code == 404  # served at once
    again = client.post("/admin/rollback", headers=AUTH)
    assert again.status_code == 409 and "nothing to roll back" in again.get_data(as_text=True)
    assert client.get("/admin/rollback", headers=AUTH).status_code == 405


def test_no_write_while_a_build_holds_the_store(two_releases: Path, tmp_path: Path) -> None:
    client = _client(two_releases, tmp_path, write_token=TOKEN, build_sources=str(DEMO))
    with ReleaseStore(two_releases).lock():
        for path in ("/admin/rollback", "/admin/build"):
            response = client.post(path, headers=AUTH)
            assert response.status_code == 409, path
            assert "another build is running" in response.get_data(as_text=True)
    assert ReleaseStore(two_releases).require_current().number == 2


def test_build_needs_configured_sources_and_jobs_are_named_strictly(two_releases: Path,
                                                                    tmp_path: Path) -> None:
    client = _client(two_releases, tmp_path, write_token=TOKEN)
    response = client.post("/admin/build", headers=AUTH)
    assert response.status_code == 409 and "KG_BUILD_SOURCES" in response.get_data(as_text=True)
    for job in ("..", "..%2f..%2fetc", "20261127T000000Z-0123abcd", "x" * 300):
        assert client.get(f"/admin/builds/{job}", headers=AUTH).status_code == 404


def _follow(server: Server, location: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reply = http(server.url + location, headers=AUTH)
        assert reply.status == 200
        status = json.loads(reply.body)
        if status["state"] in ("succeeded", "failed", "lost"):
            return status
        time.sleep(0.3)
    raise TimeoutError(f"build {location} did not end in {timeout} s")


@pytest.fixture
def building_server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    sources = tmp_path / "sources"
    shutil.copytree(DEMO, sources)
    store = build_store(tmp_path / "store", sources)
    server = Server(store, {"KG_WRITE_TOKEN": TOKEN, "KG_BUILD_SOURCES": str(sources),
                            "KG_RUN_DIR": str(tmp_path / "run")})
    yield server, sources
    server.stop()


def test_a_build_over_http_publishes_and_a_bad_one_publishes_nothing(
        building_server: tuple[Server, Path]) -> None:
    server, sources = building_server
    (sources / "extra-people.csv").write_text("key,name\nle-van-c,Lê Văn C\n", encoding="utf-8")
    started = http(server.url + "/admin/build", data=b"", headers=AUTH)
    assert started.status == 202
    location = started.headers["Location"]
    assert location.startswith("/admin/builds/")
    status = _follow(server, location)
    assert status["state"] == "succeeded" and status["exit_code"] == 0, status["log"]
    assert "published release 00002" in status["log"]
    person = http(server.url + "/data/person/le-van-c.nt")
    assert person.status == 200 and "Lê Văn C" in person.text

    (sources / "extra-people.csv").write_text("key,name\nbad-person,\n", encoding="utf-8")
    status = _follow(server, http(server.url + "/admin/build", data=b"",
                                  headers=AUTH).headers["Location"])
    assert status["state"] == "failed" and status["exit_code"] == 1
    assert "'name' is required" in status["log"]
    assert "release 00002" in status["log"] and "still current" in status["log"]
    assert http(server.url + "/data/person/le-van-c.nt").status == 200
