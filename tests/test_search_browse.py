"""Label search, paged lists, the home page and the sitemap, from the entity index."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from kg.index import INDEX_FILE, EntityIndex
from kg.store.releases import ReleaseStore
from tests.pages_data import store_with_many_referrers


def index_of(store) -> EntityIndex:
    return EntityIndex(ReleaseStore(store).require_current().path / INDEX_FILE)


@pytest.mark.parametrize("query, label", [
    ("cuong", "Trịnh Phi Cường"),
    ("CUONG", "Trịnh Phi Cường"),
    ("Trinh Phi Cuong", "Trịnh Phi Cường"),
    ("trịnh phi cường", "Trịnh Phi Cường"),
    ("phi cu", "Trịnh Phi Cường"),
    ("dai hoc ton duc", "Trường Đại học Tôn Đức Thắng"),
    ("Đại học", "Trường Đại học Cảnh sát nhân dân"),
    ("tdtu", "Ton Duc Thang University"),  # an alternative label
    ("trung ta", "Trung tá"),
])
def test_search_ignores_case_and_diacritics(demo_store, query: str, label: str) -> None:
    found = index_of(demo_store).search(query).items
    assert label in [e.label(["vi", "en"]) for e in found] + \
        [e.label(["en", "vi"]) for e in found]


def test_exact_matches_rank_first(tmp_path) -> None:
    from tests.conftest import build_store

    sources = tmp_path / "s"
    sources.mkdir()
    (sources / "people.csv").write_text(
        "key,name\nan-binh,An Bình\nbinh-an-long,Bình An Long\nbinh-an,Bình An\n"
        "binh,Bình\n", encoding="utf-8")
    index = index_of(build_store(tmp_path / "store", sources))
    assert [e.key for e in index.search("binh an").items] == ["binh-an", "binh-an-long",
                                                              "an-binh"]
    assert [e.key for e in index.search("binh").items][0] == "binh"
    assert index.search("binh", kind="organization").total == 0
    assert index.search("   ").total == 0 and index.search("!!!").items == []


def test_search_page_and_json(client) -> None:
    html = client.get("/search?q=cuong&lang=en").get_data(as_text=True)
    assert 'href="/page/person/trinh-phi-cuong?lang=en"' in html
    assert "1 results for “cuong”" in html
    answer = client.get("/search?q=dai+hoc", headers={"Accept": "application/json"}).get_json()
    assert answer["total"] == 3
    assert {r["kind"] for r in answer["results"]} == {"organization"}
    assert answer["results"][0]["page"].startswith("http://localhost/page/organization/")
    nothing = client.get("/search?q=zzzz&lang=vi").get_data(as_text=True)
    assert "Không tìm thấy gì cho “zzzz”." in nothing


@pytest.mark.parametrize("query, status", [
    ("/search?q=" + "a" * 201, 400), ("/search?q=a&kind=nonsense", 400),
    ("/search?q=a&page=0", 400), ("/search?q=a&page=x", 400), ("/people?page=-1", 400),
    ("/people?sort=date", 400), ("/people?sort=nonsense", 400), ("/people?page=99", 404),
    ("/browse/nonsense", 404),
])
def test_bad_list_and_search_requests_are_4xx(client, query: str, status: int) -> None:
    response = client.get(query)
    assert response.status_code == status
    assert response.get_data(as_text=True).strip()


def test_lists_by_plural_and_browse(client) -> None:
    plural = client.get("/people?lang=en").get_data(as_text=True)
    browse = client.get("/browse/person?lang=en").get_data(as_text=True)
    assert "8 in all" in plural and plural == browse.replace("/browse/person", "/people")
    names = [line for line in plural.splitlines() if 'href="/page/person/' in line]
    assert len(names) == 8 and "Bui Tien Phong" in names[0] and "Trịnh Phi Cường" in names[-1]
    reverse = client.get("/people?sort=-name&lang=en").get_data(as_text=True)
    assert reverse.index("Trịnh Phi Cường") < reverse.index("Bui Tien Phong")


def test_lists_sort_by_language_and_page(tmp_path_factory) -> None:
    from web import create_app

    store = store_with_many_referrers(tmp_path_factory.mktemp("lists"), 120)
    client = create_app({"store": str(store)}).test_client()
    first = client.get("/resources?lang=en").get_data(as_text=True)
    assert "120 in all" in first and "Page 1 of 3" in first
    assert first.count('href="/page/resource/') == 50
    last = client.get("/resources?page=3&lang=en").get_data(as_text=True)
    assert last.count('href="/page/resource/') == 20 and "Sách số 0119" in last
    orgs_vi = client.get("/organizations?lang=vi").get_data(as_text=True)
    assert orgs_vi.index("Đại học A") < orgs_vi.index("Thư viện A")
    orgs_en = client.get("/organizations?lang=en").get_data(as_text=True)
    assert orgs_en.index("Library of A") < orgs_en.index("University A")
    events = client.get("/events?sort=-date&lang=en").get_data(as_text=True)
    assert events.index("Second talk") < events.index("First talk") < events.index("Older")
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "Events per year" in home and ">2018<" in home and ">2022<" in home


def test_home_counts_and_timeline(client) -> None:
    html = client.get("/?lang=en").get_data(as_text=True)
    assert '<a href="/people?lang=en"><g class="bar">' in html
    assert "Events whose year is not known" in html and "December 3" in html


def test_sitemap_lists_every_entity_page(client) -> None:
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    urls = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "http://localhost/page/person/trinh-phi-cuong" in urls
    assert "http://localhost/people" in urls
    assert len([u for u in urls if "/page/" in u]) == 9 + 8 + 8 + 2 + 6 + 1 + 16
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http://localhost/sitemap.xml" in robots


def test_sitemap_index_when_large(client, monkeypatch) -> None:
    from web.pages import sitemap

    monkeypatch.setattr(sitemap, "PER_FILE", 20)
    root = ET.fromstring(client.get("/sitemap.xml").data)
    assert root.tag.endswith("sitemapindex")
    parts = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert parts == [f"http://localhost/sitemap-{n}.xml" for n in (1, 2, 3)]
    third = ET.fromstring(client.get("/sitemap-3.xml").data)
    assert len(list(third)) == 50 - 40
    assert client.get("/sitemap-4.xml").status_code == 404
