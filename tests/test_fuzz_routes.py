"""Every route against the request corpus (tests/data/fuzz/requests, sparql) and
hypothesis: odd Accept headers and arguments, path tricks sent raw, random and
truncated SPARQL, oversized bodies. A 4xx with a message, never a 5xx; only
/admin writes, and nothing answers a write method elsewhere."""

from __future__ import annotations

import http.client
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import REPO, Server
from web import create_app

FUZZ = REPO / "tests" / "data" / "fuzz"
SAMPLES = {"kind": "person", "key": "trinh-phi-cuong", "word": "people", "number": "1",
           "suffix": "nt", "filename": "style.css", "job_id": "20261127T000000Z-0123abcd"}
READ_ONLY_POSTS = {"/sparql", "/oai"}  # POST carries a query or harvest arguments there


def corpus(name: str) -> list[str]:
    """The lines of a corpus file, without comments."""
    lines = (FUZZ / "requests" / name).read_text(encoding="utf-8").splitlines()
    return ["" if line == "<empty>" else line for line in lines
            if line and not line.startswith("#")]


@pytest.fixture(scope="module")
def app(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    app = create_app({"store": str(demo_store), "client_queries": 0, "query_timeout": 5,
                      "run_dir": str(tmp_path_factory.mktemp("run"))})
    app.config["TESTING"] = True
    return app


def routes(app: Flask, method: str = "GET") -> list[str]:
    """A concrete path for every route that answers the method."""
    client = app.test_client()
    dump = client.get("/dumps/?format=json").get_json()["files"][0]["name"]
    values = {**SAMPLES, "name": dump}
    found = []
    for rule in app.url_map.iter_rules():
        if method in (rule.methods or ()):
            found.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule))
    return sorted(set(found))


def test_the_routes_are_all_covered(app: Flask) -> None:
    paths = routes(app)
    assert {"/", "/sparql", "/oai", "/dumps/", "/void", "/page/person/trinh-phi-cuong",
            "/admin/builds/20261127T000000Z-0123abcd"} <= set(paths)
    assert len(paths) >= 25


def test_odd_accept_headers_on_every_route(app: Flask) -> None:
    client = app.test_client()
    for path in routes(app):
        for accept in corpus("accept.txt"):
            response = client.get(path, headers={"Accept": accept})
            assert response.status_code < 500, (path, accept, response.status_code)
            response.close()


def test_odd_arguments_on_every_route(app: Flask) -> None:
    client = app.test_client()
    for path in routes(app):
        for arguments in corpus("arguments.txt"):
            response = client.get(path + arguments)
            assert response.status_code < 500, (path + arguments, response.status_code)
            response.close()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(min_value=0), accept=st.text(max_size=60),
       language=st.text(max_size=20), arguments=st.dictionaries(
           st.sampled_from(["format", "lang", "page", "q", "sort", "kind", "query", "verb",
                            "property"]), st.text(max_size=20), max_size=3))
def test_random_headers_and_arguments_on_random_routes(app: Flask, index: int, accept: str,
                                                       language: str, arguments: dict) -> None:
    paths = routes(app)
    path = paths[index % len(paths)]
    try:
        response = app.test_client().get(path, query_string=arguments, headers={
            "Accept": accept, "Accept-Language": language})
    except (ValueError, UnicodeError):
        return  # the test client itself refused to build the request
    assert response.status_code < 500, (path, accept, language, arguments)


def _sparql_corpus() -> list[tuple[str, int]]:
    lines = (FUZZ / "sparql" / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()
    return [(name, int(status)) for name, status in
            (line.split("\t") for line in lines if line and not line.startswith("#"))]


def test_the_sparql_corpus_and_its_expectations_match() -> None:
    assert {p.name for p in (FUZZ / "sparql").glob("*.rq")} == \
        {name for name, _ in _sparql_corpus()}


@pytest.mark.parametrize("name, status", _sparql_corpus())
def test_sparql_corpus(app: Flask, name: str, status: int) -> None:
    body = (FUZZ / "sparql" / name).read_bytes()
    response = app.test_client().post("/sparql", data=body, headers={
        "Content-Type": "application/sparql-query", "Accept": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if status >= 400:
        assert len(response.get_data(as_text=True).strip()) > 20  # a message, not a bare code


EXAMPLES = sorted((REPO / "web" / "examples").glob("*.rq"))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=st.sampled_from(EXAMPLES), cut=st.floats(min_value=0, max_value=1),
       method=st.sampled_from(["GET", "POST"]))
def test_truncated_example_queries(app: Flask, example: Path, cut: float, method: str) -> None:
    text = example.read_text(encoding="utf-8")
    query = text[: int(len(text) * cut)]
    client = app.test_client()
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query})
    else:
        response = client.post("/sparql", data=query.encode(), headers={
            "Content-Type": "application/sparql-query"})
    assert response.status_code in (200, 400), (query, response.get_data(as_text=True)[:300])


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded", "application/sparql-query", "text/plain",
    "multipart/form-data; boundary=x", None])
def test_oversized_bodies_on_every_post_route_get_413(app: Flask, content_type: str | None,
                                                      ) -> None:
    limit = app.config["MAX_CONTENT_LENGTH"]
    client = app.test_client()
    posts = routes(app, "POST")
    assert set(posts) >= READ_ONLY_POSTS | {"/admin/rollback", "/admin/build"}
    headers = {"Content-Type": content_type} if content_type else {}
    for path in posts:
        response = client.post(path, data=b"q" * (limit + 1), headers=headers)
        assert response.status_code == 413, (path, response.status_code)
        assert f"larger than the limit of {limit} bytes" in response.get_data(as_text=True)


def test_only_admin_routes_write(app: Flask) -> None:
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        methods = set(rule.methods or ()) - {"GET", "HEAD", "OPTIONS"}
        if rule.rule.startswith("/admin/"):
            continue
        assert methods <= ({"POST"} if rule.rule in READ_ONLY_POSTS else set()), rule.rule
    for path in routes(app):
        for method in ("PUT", "DELETE", "PATCH"):
            assert client.open(path, method=method).status_code == 405, (method, path)


@pytest.fixture(scope="module")
def live(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(demo_store, {"KG_RUN_DIR": str(tmp_path_factory.mktemp("live-run"))})
    yield server
    server.stop()


def _raw(server: Server, method: str, target: str, body: bytes | None = None,
         headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPMessage]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def test_path_tricks_sent_raw(live: Server) -> None:
    outside = (b"root:", b"base_iri", b"[project]", b"KG_")
    for target in corpus("paths.txt"):
        status, body, headers = _raw(live, "GET", target)
        assert status < 500, (target, status)
        assert not any(secret in body for secret in outside), target
        assert "Set-Cookie" not in headers, target  # no header made from the path
        if target.startswith(("/dumps/", "/static/", "/admin/", "//", "/%2e")):
            assert 400 <= status < 500, (target, status)


def test_oversized_and_chunked_bodies_over_http(live: Server) -> None:
    big = b"query=" + b"x" * (1 << 20)
    for path in ("/sparql", "/oai"):
        status, body, _ = _raw(live, "POST", path, big, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(big))})
        assert status == 413 and b"larger than the limit" in body, (path, status)
    # Chunked: no Content-Length announces the size; reading past the cap stops it.
    chunks = b"".join(b"%x\r\n%s\r\n" % (1 << 16, b"x" * (1 << 16)) for _ in range(40))
    status, body, _ = _raw(live, "POST", "/sparql", chunks + b"0\r\n\r\n", {
        "Content-Type": "application/sparql-query", "Transfer-Encoding": "chunked"})
    assert status == 413, (status, body[:200])
    query = urllib.parse.quote("ASK { ?s ?p ?o }")
    assert _raw(live, "GET", f"/sparql?query={query}")[0] == 200  # still serving
