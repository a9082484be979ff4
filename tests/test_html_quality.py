"""Pages are valid HTML, escape everything, load nothing from elsewhere, and carry
security headers. html5lib parses them in strict mode (any parse error fails)."""

from __future__ import annotations

import json
import re
from collections import Counter

import html5lib
import pytest

from tests.pages_data import HOSTILE_NAME, store_with_hostile_labels

PAGES = [
    "/", "/people", "/events?sort=-date", "/search?q=cuong", "/search",
    "/search?q=zzz", "/page/person/trinh-phi-cuong",
    "/page/organization/ton-duc-thang-university", "/page/organization/tdtu-inspire-library",
    "/page/position/nguyen-thanh-trung-ppu-head", "/page/agreement/tdtu-ppu-cooperation-agreement",
    "/page/event/library-experience-sharing-session",
    "/page/event/presentation-digital-resource-management-systems",
    "/page/resource/article-library-experience-sharing-session",
    "/page/concept/lieutenant-colonel", "/page/person/nobody", "/nonsense",
    "/referrers/concept/representative?property=https://w3id.org/library-kg/ontology%23"
    "participantRole",
]


def parse_strict(html: str):
    """The document tree; html5lib raises on the first parse error."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(html)


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pages_are_valid_html(client, path: str, lang: str) -> None:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": lang})
    assert response.mimetype == "text/html"
    tree = parse_strict(response.get_data(as_text=True))
    ids = Counter(e.get("id") for e in tree.iter() if e.get("id"))
    assert not [i for i, n in ids.items() if n > 1], "duplicate ids"
    assert tree.tag == "html" and tree.get("lang") == lang
    assert tree.find(".//main") is not None and tree.find(".//h1") is not None
    for field in tree.iter("input"):
        if field.get("type") not in ("hidden", None) or field.get("name") == "q":
            labelled = field.get("aria-label") or tree.find(f".//label[@for='{field.get('id')}']")
            assert labelled is not None, f"input {field.get('id')} has no label"
    for element in tree.iter():  # no external assets: works offline
        for attribute in ("src", "srcset"):
            assert not element.get(attribute, "").startswith(("http:", "https:", "//"))
        if element.tag == "link" and element.get("rel") == "stylesheet":
            assert element.get("href").startswith("/static/")
        assert element.tag != "script" or element.get("type") == "application/ld+json"


def test_security_headers_on_html(client) -> None:
    response = client.get("/page/person/trinh-phi-cuong")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script" not in policy.replace("'none'", "")
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert client.get("/data/person/trinh-phi-cuong.ttl").headers["X-Content-Type-Options"] \
        == "nosniff"


def test_stylesheet_has_no_outside_urls(client) -> None:
    css = client.get("/static/style.css").get_data(as_text=True)
    assert "url(" not in css and "@import" not in css
    assert "@media (max-width" in css  # responsive


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    from web import create_app

    store = store_with_hostile_labels(tmp_path_factory.mktemp("hostile"))
    return create_app({"store": str(store)}).test_client()


@pytest.mark.parametrize("path", [
    "/page/person/evil", "/page/organization/acme?lang=en", "/page/organization/acme?lang=vi",
    "/page/position/evil-acme", "/people", "/organizations", "/search?q=nguyen",
    "/search?q=<script>alert(1)</script>", "/page/person/evil-twin", "/",
])
def test_markup_in_labels_and_queries_is_shown_as_text(hostile, path: str) -> None:
    html = hostile.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    tree = parse_strict(html)
    assert not [s for s in tree.iter("script") if s.get("type") != "application/ld+json"]
    assert tree.find(".//img") is None and tree.find(".//main//b") is None
    assert tree.find(".//main//i") is None
    assert "<script>alert" not in html and "<img src=x" not in html


def test_hostile_name_round_trips_as_text(hostile) -> None:
    html = hostile.get("/page/person/evil").get_data(as_text=True)
    tree = parse_strict(html)
    assert "".join(tree.find(".//h1").itertext()) == HOSTILE_NAME
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "</" not in block and json.loads(block)["name"] == HOSTILE_NAME
