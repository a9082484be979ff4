"""Hostile labels on every kind of page, in search, lists and query results: shown
as text, never run, never changing a query; security headers on every HTML
answer of every route."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest
from flask import Flask

from kg.store.releases import ReleaseStore
from tests.conftest import build_store
from tests.support import DEMO, REPO, Server
from tests.test_browser import browser, reader  # noqa: F401 (fixtures)
from tests.test_fuzz_routes import routes
from tests.test_html_quality import parse_strict
from web import create_app

HOSTILE = REPO / "tests" / "data" / "fuzz" / "hostile"
INJECTION = '"} ; DROP ALL ; {'
PERSON = f'{INJECTION} <script>alert("person")</script> Nguyễn'
PAGES = {  # entity page -> its title, exactly as written in the source
    "/page/person/evil-person": PERSON,
    "/page/organization/evil-university?lang=en": "<script>alert('org')</script> University",
    "/page/organization/evil-university?lang=vi": f"{INJECTION} Đại học",
    "/page/organization/evil-library?lang=en": "Library \u202eyrarbil\u202c of <b>bold</b>",
    "/page/concept/evil-role?lang=en": "<iframe src=//x.example></iframe> Head",
    "/page/concept/evil-role?lang=vi": "SELECT * WHERE { ?s ?p ?o } # Trưởng",
    "/page/concept/evil-topic": "]]> <![CDATA[ <x> ]]> &amp; &lt; &#x3C;script&#x3E;",
    "/page/agreement/evil-agreement": f"{INJECTION} Agreement <script>alert('agreement')"
                                      "</script>",
    "/page/event/evil-event": f"<script>alert('event')</script> {INJECTION} Session",
    "/page/resource/evil-resource": f"<script>alert('resource')</script> {INJECTION} Book",
}
LISTS = ["/", "/people", "/organizations", "/positions", "/concepts", "/agreements", "/events",
         "/resources", "/search?q=DROP+ALL", "/search?q=script", "/search?q=" +
         urllib.parse.quote(INJECTION), "/page/position/evil-position",
         "/referrers/person/evil-person?property=https://schema.org/performer"]
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "strict-origin-when-cross-origin"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("hostile") / "store", DEMO, HOSTILE)


@pytest.fixture(scope="module")
def app(store: Path, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return create_app({"store": str(store), "run_dir": str(tmp_path_factory.mktemp("run"))})


def _html(app: Flask, path: str) -> str:
    response = app.test_client().get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _inert(html: str) -> None:
    """Nothing in the page runs or renders as markup: only our own elements."""
    tree = parse_strict(html)
    for script in tree.iter("script"):  # JSON-LD data, or a file of ours
        assert script.get("type") == "application/ld+json" or \
            script.get("src", "").startswith("/static/"), script.attrib
        assert script.get("src") or script.get("type") == "application/ld+json"
    for tag in ("img", "iframe", "b", "x"):
        assert tree.find(f".//main//{tag}") is None, tag
    assert "<script>alert" not in html and "<iframe src" not in html


@pytest.mark.parametrize("path, title", PAGES.items())
def test_every_kind_of_page_shows_hostile_labels_as_text(app: Flask, path: str,
                                                         title: str) -> None:
    html = _html(app, path)
    _inert(html)
    assert "".join(parse_strict(html).find(".//h1").itertext()).strip() == title
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    if block:  # the schema.org JSON-LD is data, with nothing that ends its element
        assert "</" not in block.group(1)
        json.loads(block.group(1))


@pytest.mark.parametrize("path", LISTS)
def test_lists_search_and_home_show_hostile_labels_as_text(app: Flask, path: str) -> None:
    _inert(_html(app, path))


def test_labels_that_look_like_sparql_change_no_query(app: Flask, store: Path) -> None:
    client = app.test_client()
    # The search finds exactly the entities whose labels hold the text.
    found = client.get("/search", query_string={"q": INJECTION, "format": "json"}).get_json()
    assert {r["iri"].rsplit("/", 2)[-2] + "/" + r["iri"].rsplit("/", 1)[-1]
            for r in found["results"]} >= {"person/evil-person", "agreement/evil-agreement",
                                           "event/evil-event", "resource/evil-resource"}
    assert all(INJECTION in r["label"] for r in found["results"])
    # Pages whose sections are queried with these entities bound show the right links.
    event = parse_strict(_html(app, "/page/event/evil-event?lang=en"))
    linked = {a.get("href").split("?")[0] for a in event.iter("a") if a.get("href")}
    assert {"/page/person/evil-person", "/page/organization/evil-library",
            "/page/agreement/evil-agreement"} <= linked
    texts = "".join(event.find(".//main").itertext())
    assert PERSON in texts
    # The label is a value like any other: a query for it finds its entity.
    query = "SELECT ?p WHERE { ?p foaf:name ?n FILTER(STR(?n) = ?label) }".replace(
        "?label", json.dumps(PERSON))
    answer = client.get("/sparql", query_string={"query": query, "format": "json"}).get_json()
    assert [b["p"]["value"] for b in answer["results"]["bindings"]] == \
        ["http://127.0.0.1:5000/id/person/evil-person"]
    # And nothing was written.
    release = ReleaseStore(store).require_current()
    assert release.manifest()["triples"] == len(release.open())


def test_the_query_page_shows_hostile_results_as_text(app: Flask) -> None:
    query = "SELECT ?s ?label WHERE { ?s skos:prefLabel|foaf:name|dcterms:title ?label }"
    html = _html(app, "/sparql?" + urllib.parse.urlencode({"query": query}))
    _inert(html)
    cells = ["".join(td.itertext()) for td in parse_strict(html).iter("td")]
    assert PERSON in cells


def test_security_headers_on_every_html_answer_of_every_route(app: Flask) -> None:
    client = app.test_client()
    seen = set()
    for path in [*routes(app), "/nonsense", "/page/person/nobody", "/people?page=x",
                 "/sparql?query=SELECT"]:
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        if response.mimetype != "text/html":
            continue
        seen.add(path)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe" not in policy and "*" not in policy, path
        scripts = "script-src 'self'" if path.startswith("/sparql") else "script-src"
        assert (scripts in policy) == path.startswith("/sparql"), path
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (path, name)
    assert {"/", "/sparql", "/void", "/dumps/", "/page/person/trinh-phi-cuong", "/search",
            "/nonsense", "/sparql?query=SELECT"} <= seen


def test_security_headers_from_the_real_server(store: Path, tmp_path: Path) -> None:
    import urllib.request

    server = Server(store, {"KG_RUN_DIR": str(tmp_path)})
    try:
        for path in ("/", "/sparql", "/void", "/dumps/", "/page/person/evil-person"):
            request = urllib.request.Request(server.url + path, headers={"Accept": "text/html"})
            with urllib.request.urlopen(request) as response:
                for name, value in SECURITY_HEADERS.items():
                    assert response.headers[name] == value, (path, name)
                assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    finally:
        server.stop()


def test_the_query_page_script_runs_under_its_policy(live_server, reader) -> None:  # noqa: F811
    """Its one script is allowed (and nothing else): the Copy button it shows appears."""
    reader.goto(live_server.url + "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))
    reader.wait_for_selector("#copy-share", state="visible", timeout=10_000)
    assert not reader.errors, reader.errors  # a CSP violation would be reported here
