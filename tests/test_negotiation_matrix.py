"""Content negotiation, as a table: every path kind against every format, suffix
and Accept form, with the 303, 404, 406 and 410 answers (W3C Cool URIs).

The store is the demo published twice, the second time without its resource,
so the resource's IRI answers 410 Gone.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

from tests.conftest import BASE
from tests.pages_data import store_with_dropped_resource

PERSON = "person/trinh-phi-cuong"
GONE = "resource/article-library-experience-sharing-session"
RDF_MEDIA = {"ttl": "text/turtle", "nt": "application/n-triples",
             "jsonld": "application/ld+json", "rdf": "application/rdf+xml"}
RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    from web import create_app

    store = store_with_dropped_resource(tmp_path_factory.mktemp("matrix"))
    return create_app({"store": str(store)}).test_client()


# (path, Accept header or None, expected status, expected format or redirect target)
ID_CASES = [
    (f"/id/{PERSON}", None, 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", "*/*", 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", BROWSER, 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", "text/html", 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", "application/xhtml+xml", 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", "text/turtle", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "application/x-turtle", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "application/n-triples", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "application/ld+json", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "application/rdf+xml", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "text/turtle;q=0.5, text/html;q=0.9", 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}", "text/html;q=0.5, application/ld+json", 303, f"/data/{PERSON}"),
    (f"/id/{PERSON}", "image/png", 406, None),
    (f"/id/{PERSON}?format=ttl", BROWSER, 303, f"/data/{PERSON}.ttl"),
    (f"/id/{PERSON}?format=jsonld", None, 303, f"/data/{PERSON}.jsonld"),
    (f"/id/{PERSON}?format=html", "text/turtle", 303, f"/page/{PERSON}"),
    (f"/id/{PERSON}?format=docx", None, 406, None),
    ("/id/person/nobody", "text/turtle", 404, None),
    ("/id/person/nobody", BROWSER, 404, None),
    ("/id/nonsense/trinh-phi-cuong", None, 404, None),
    ("/id/person/Not_A_Key", None, 404, None),
    (f"/id/{GONE}", "text/turtle", 410, None),
    (f"/id/{GONE}", BROWSER, 410, None),
]


@pytest.mark.parametrize("path, accept, status, target", ID_CASES)
def test_id(client, path: str, accept: str | None, status: int, target: str | None) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status, response.get_data(as_text=True)
    if status == 303:
        assert response.headers["Location"].endswith(target)
        assert "Accept" in response.headers["Vary"]
        assert 'rel="alternate"' in response.headers["Link"]


DATA_CASES = [(f"/data/{PERSON}.{name}", accept, name)
              for name in RDF_MEDIA for accept in (None, BROWSER, "text/turtle", "image/png")]
DATA_CASES += [(f"/data/{PERSON}?format={name}", accept, name)
               for name in RDF_MEDIA for accept in (None, "application/ld+json")]
DATA_CASES += [(f"/data/{PERSON}?format={alias}", None, name) for alias, name in (
    ("turtle", "ttl"), ("ntriples", "nt"), ("json-ld", "jsonld"), ("rdfxml", "rdf"),
    ("text/turtle", "ttl"), ("application/ld%2Bjson", "jsonld"))]
DATA_CASES += [(f"/data/{PERSON}", media, name) for name, media in RDF_MEDIA.items()]
DATA_CASES += [(f"/data/{PERSON}", None, "ttl"), (f"/data/{PERSON}", "*/*", "ttl"),
               # A browser's Accept names application/xml (q=0.9) before */*.
               (f"/data/{PERSON}", BROWSER, "rdf"),
               (f"/data/{PERSON}", "application/json", "jsonld"),
               (f"/data/{PERSON}", "text/turtle;q=0.2, application/rdf+xml;q=0.8", "rdf"),
               (f"/data/{PERSON}", "text/*", "ttl")]


@pytest.mark.parametrize("path, accept, name", DATA_CASES)
def test_data_formats(client, path: str, accept: str | None, name: str) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == RDF_MEDIA[name]
    assert "Accept" in response.headers["Vary"]
    links = response.headers["Link"]
    for suffix, media in RDF_MEDIA.items():
        assert f'/data/{PERSON}.{suffix}>; rel="alternate"; type="{media}"' in links
    assert f'</page/{PERSON}>; rel="alternate"; type="text/html"' in links
    graph = Graph().parse(data=response.get_data(as_text=True), format=RDFLIB_FORMAT[name])
    assert (URIRef(BASE + "id/" + PERSON), None, None) in graph


@pytest.mark.parametrize("path, accept, status", [
    (f"/data/{PERSON}.docx", None, 406),
    (f"/data/{PERSON}.html", None, 406),
    (f"/data/{PERSON}?format=csv", None, 406),
    (f"/data/{PERSON}", "text/html", 406),
    (f"/data/{PERSON}", "image/png, text/csv", 406),
    ("/data/person/nobody.ttl", None, 404),
    ("/data/person/nobody", "text/turtle", 404),
    ("/data/nonsense/x", None, 404),
    (f"/data/{GONE}", "text/turtle", 410),
    (f"/data/{GONE}.nt", None, 410),
    (f"/data/{GONE}?format=jsonld", None, 410),
])
def test_data_errors(client, path: str, accept: str | None, status: int) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    assert response.get_data(as_text=True).strip()  # a message, not an empty answer


@pytest.mark.parametrize("path, accept, status", [
    (f"/page/{PERSON}", None, 200),
    (f"/page/{PERSON}", BROWSER, 200),
    (f"/page/{PERSON}", "text/html", 200),
    (f"/page/{PERSON}", "application/xhtml+xml", 200),
    (f"/page/{PERSON}", "*/*", 200),
    (f"/page/{PERSON}.html", None, 200),
    (f"/page/{PERSON}.html", "text/turtle", 200),
    (f"/page/{PERSON}?format=html", "text/turtle", 200),
    (f"/page/{PERSON}", "text/turtle", 406),
    (f"/page/{PERSON}.ttl", None, 406),
    (f"/page/{PERSON}?format=ttl", None, 406),
    ("/page/person/nobody", BROWSER, 404),
    ("/page/person/nobody.html", None, 404),
    ("/page/nonsense/x", BROWSER, 404),
    (f"/page/{GONE}", BROWSER, 410),
    (f"/page/{GONE}", "text/plain", 410),
])
def test_page(client, path: str, accept: str | None, status: int) -> None:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "text/html"
        assert "Accept" in response.headers["Vary"]
        assert "Accept-Language" in response.headers["Vary"]
        assert f'</data/{PERSON}.ttl>; rel="alternate"' in response.headers["Link"]
        html = response.get_data(as_text=True)
        for suffix, media in RDF_MEDIA.items():
            assert f'<link rel="alternate" type="{media}" href="/data/{PERSON}.{suffix}">' in html


def test_gone_names_the_release_that_dropped_it(client) -> None:
    response = client.get(f"/page/{GONE}", headers={"Accept": "text/html"})
    assert response.status_code == 410
    assert "removed in release 00002" in response.get_data(as_text=True)


def test_not_found_page_suggests_similar_names(client) -> None:
    response = client.get("/page/person/trinh-cuong", headers={"Accept": BROWSER})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert 'href="/page/person/trinh-phi-cuong"' in html
    assert 'name="q" value="trinh cuong"' in html


def test_not_found_for_scripts_is_plain_text(client) -> None:
    response = client.get("/page/person/trinh-cuong", headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert response.mimetype == "text/plain"
    assert "there is no person 'trinh-cuong' here" in response.get_data(as_text=True)


def test_data_served_in_place_says_where_the_format_lives(client) -> None:
    response = client.get(f"/data/{PERSON}", headers={"Accept": "application/n-triples"})
    assert response.headers["Content-Location"] == f"/data/{PERSON}.nt"


def test_head_answers_like_get(client) -> None:
    assert client.head(f"/id/{PERSON}").status_code == 303
    assert client.head(f"/data/{PERSON}.ttl").status_code == 200
    assert client.head(f"/page/{GONE}").status_code == 410
