"""What each kind's page shows, in Vietnamese and English (Flask's test client)."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import BASE
from tests.pages_data import store_with_many_referrers

EN = {"Accept-Language": "en"}


def page(client, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    """The HTML of the section whose heading has this id."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def test_organization_shows_network_units_people_agreements(client) -> None:
    html = page(client, "/page/organization/ton-duc-thang-university?lang=en")
    assert "<h1>Ton Duc Thang University</h1>" in html
    network = section(html, "network")
    assert "<svg" in network and "People&#39;s Police University" in network
    assert 'href="/page/organization/peoples-security-university?lang=en"' in network
    assert "TDTU INSPiRE Library" in section(html, "units")
    people = section(html, "people")
    assert "Trịnh Phi Cường" in people and "Acting Director" in people
    agreements = section(html, "agreements")
    assert "Cooperation Agreement between Ton Duc Thang University and the People&#39;s " \
           "Police University" in agreements
    assert "with People&#39;s Police University" in agreements


def test_unit_page_shows_its_parent_and_the_parents_network(client) -> None:
    html = page(client, "/page/organization/ppu-archives-and-library-department", **EN)
    assert "People&#39;s Police University" in section(html, "network")
    people = section(html, "people")
    assert "Nguyen Thanh Trung" in people and "Lieutenant Colonel" in people
    assert "Head of Department" in people
    assert "unit of" in html  # the parent, labelled from the ontology


def test_person_shows_posts_with_rank_and_unit_and_events_with_roles(client) -> None:
    html = page(client, "/page/person/nguyen-thanh-trung?lang=en")
    posts = section(html, "posts")
    assert "Head of Department" in posts and "Lieutenant Colonel" in posts
    assert 'href="/page/organization/ppu-archives-and-library-department?lang=en"' in posts
    events = section(html, "events")
    assert "Experience-sharing session" in events
    assert "Representative" in events and "Attendee" in events
    assert "December 3" in events


def test_person_in_vietnamese(client) -> None:
    html = page(client, "/page/person/nguyen-thanh-trung?lang=vi")
    assert '<html lang="vi">' in html
    posts = section(html, "posts")
    assert "Trưởng phòng" in posts and "Trung tá" in posts and "Chức vụ" in posts
    assert "3 tháng 12" in section(html, "events")


def test_agreement_shows_parties_and_missing_validity_gracefully(client) -> None:
    html = page(client, "/page/agreement/tdtu-ppu-cooperation-agreement?lang=en")
    assert "not recorded" in section(html, "validity")
    assert 'href="/page/organization/ton-duc-thang-university?lang=en"' in html
    assert "party" in html
    assert "Experience-sharing session" in section(html, "events")


def test_event_shows_programme_in_order_with_timeline_and_roles(client) -> None:
    html = page(client, "/page/event/library-experience-sharing-session?lang=en")
    programme = section(html, "programme")
    order = ["Digital transformation in the library sector",
             "Connection models for libraries in specialized fields",
             "Digital resource management systems",
             "Unified search solutions for licensed electronic resources", "Discussion"]
    listed = programme[programme.index("<ol"):]
    assert [listed.index(t) for t in order] == sorted(listed.index(t) for t in order)
    assert programme.count("<circle") == 5  # the timeline draws each part
    roles = section(html, "roles")
    assert "Presenter" in roles and "Bui Tien Phong" in roles
    for who in ("organizer", "speaker", "attendee"):
        assert f"<dt>{who}</dt>" in html
    assert "December 3" in html


def test_event_date_of_unknown_year_in_both_languages(client) -> None:
    vi = page(client, "/page/event/library-experience-sharing-session?lang=vi")
    assert "<dd><ul>\n  <li><span>3 tháng 12</span></li>" in vi
    en = page(client, "/page/event/library-experience-sharing-session?lang=en")
    assert "<span>December 3</span>" in en


def test_resource_shows_description_identifiers_and_licence(client) -> None:
    html = page(client, "/page/resource/article-library-experience-sharing-session", **EN)
    description = section(html, "description")
    assert "[Experience-sharing session on university library management" in description
    assert "No identifiers recorded." in description
    assert "No licence or access terms recorded." in description
    assert "English" in html  # dcterms:language, named rather than an id.loc.gov IRI


def test_position_is_labelled_by_person_post_and_unit(client) -> None:
    html = page(client, "/page/position/nguyen-thanh-trung-ppu-head?lang=en")
    assert "<h1>Nguyen Thanh Trung – Head of Department, Archives and Library Department</h1>" \
        in html


def test_groups_follow_the_shapes_order(client) -> None:
    html = page(client, "/page/person/trinh-phi-cuong?lang=en")
    details = html[html.index('id="details"'):html.index('id="backlinks"')]
    assert details.index(">Names<") < details.index(">name<") < details.index(">also known as<")
    assert details.index(">also known as<") < details.index(">honorific<") < \
        details.index(">family name<") < details.index(">given name<")


@pytest.mark.parametrize("headers, query, expected", [
    ({"Accept-Language": "en-GB,en;q=0.9"}, "", "Referred to by"),
    ({"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}, "", "Được nhắc đến bởi"),
    ({"Accept-Language": "fr"}, "", "Được nhắc đến bởi"),  # the default language
    ({"Accept-Language": "en"}, "?lang=vi", "Được nhắc đến bởi"),
    ({"Accept-Language": "vi"}, "?lang=en", "Referred to by"),
])
def test_language_from_lang_then_accept_language(client, headers, query, expected) -> None:
    assert expected in page(client, "/page/person/trinh-phi-cuong" + query, **headers)


def test_labels_fall_back_to_the_other_language(client) -> None:
    """The INSPiRE Library has only an English name; Vietnamese pages still name it."""
    html = page(client, "/page/person/trinh-phi-cuong?lang=vi")
    assert "TDTU INSPiRE Library" in html
    university = page(client, "/page/organization/ton-duc-thang-university?lang=vi")
    assert "<h1>Trường Đại học Tôn Đức Thắng</h1>" in university


def test_chosen_language_is_kept_on_links(client) -> None:
    html = page(client, "/page/person/trinh-phi-cuong?lang=en")
    assert 'href="/page/organization/tdtu-inspire-library?lang=en"' in html
    assert 'href="/page/person/trinh-phi-cuong?lang=vi"' in html  # the switch


def test_jsonld_is_schema_org(client) -> None:
    html = page(client, "/page/event/library-experience-sharing-session?lang=en")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block.group(1))
    assert data["@context"] == "https://schema.org/"
    assert data["@id"] == BASE + "id/event/library-experience-sharing-session"
    assert data["name"].startswith("Experience-sharing session")
    assert "startDate" not in data  # --12-03 is no schema.org Date
    organizers = data["organizer"] if isinstance(data["organizer"], list) else [data["organizer"]]
    assert organizers[0]["name"] == "TDTU INSPiRE Library"
    person = json.loads(re.search(r'ld\+json">(.*?)</script>', page(
        client, "/page/person/trinh-phi-cuong"), re.S).group(1))
    assert person["@type"] == "Person" and person["alternateName"] == "Trinh Phi Cuong"


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory):
    from web import create_app

    store = store_with_many_referrers(tmp_path_factory.mktemp("many"), 130)
    return create_app({"store": str(store)}).test_client()


def test_backlinks_are_grouped_counted_and_paged(many) -> None:
    html = page(many, "/page/concept/popular?lang=en")
    backlinks = section(html, "backlinks")
    # dcterms:subject on each book and bf:subject on its work: two groups of 130.
    assert backlinks.count("subject <span class=\"count\">(130)</span>") == 2
    assert backlinks.count('href="/page/resource/') == 2 * 20
    link = re.search(r'href="(/referrers/concept/popular\?[^"]+)"', backlinks).group(1)
    first = page(many, link.replace("&amp;", "&"))
    assert first.count('href="/page/resource/') == 100
    second = page(many, link.replace("&amp;", "&") + "&page=2")
    assert second.count('href="/page/resource/') == 30
    assert many.get(link.replace("&amp;", "&") + "&page=3").status_code == 404
    assert many.get("/referrers/concept/popular?property=not%20an%20iri").status_code == 400


def test_agreement_validity_and_status(many) -> None:
    old = page(many, "/page/agreement/ab?lang=en")
    assert "March 1, 2019" in section(old, "validity") and "expired" in old
    current = page(many, "/page/agreement/ac?lang=vi")
    assert "đang có hiệu lực" in section(current, "validity")
    assert "tháng 5 năm 2023" in current  # signed: a month, written as one


def test_programme_with_times_and_network_with_unit(many) -> None:
    html = page(many, "/page/event/conf?lang=en")
    programme = section(html, "programme")
    assert programme.index("First talk") < programme.index("Second talk")
    assert ">09:00<" in programme and ">14:30<" in programme
    network = section(page(many, "/page/organization/uni-a?lang=en"), "network")
    assert "University B" in network and "University C" in network
    assert "Library of A" in network and 'class="edge unit"' in network


def test_resource_identifiers_classification_licence(many) -> None:
    html = page(many, "/page/resource/book-0007?lang=en")
    description = section(html, "description")
    assert "ISBN" in description and "978-0-00-000007-0" in description
    assert "025.7" in description and "Dewey" in description
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in description
    assert "Sách số 0007" in description


def test_conditional_requests_get_304(client) -> None:
    first = client.get("/page/person/trinh-phi-cuong?lang=en")
    tag = first.headers["ETag"]
    again = client.get("/page/person/trinh-phi-cuong?lang=en", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.headers["ETag"] == tag and not again.data
    other_language = client.get("/page/person/trinh-phi-cuong?lang=vi",
                                headers={"If-None-Match": tag})
    assert other_language.status_code == 200
    data = client.get("/data/person/trinh-phi-cuong.ttl")
    assert client.get("/data/person/trinh-phi-cuong.ttl", headers={
        "If-None-Match": data.headers["ETag"]}).status_code == 304


def test_backlinks_past_one_read_are_counted_by_sparql(many, monkeypatch) -> None:
    """Entities with many referrers are counted with a SPARQL aggregate: same page."""
    from web import backlinks

    direct = section(page(many, "/page/concept/popular?lang=en"), "backlinks")
    monkeypatch.setattr(backlinks, "READ_DIRECTLY", 10)
    counted = section(page(many, "/page/concept/popular?lang=en"), "backlinks")
    assert counted.count("(130)") == 2 and counted.count('href="/page/resource/') == 40
    assert sorted(re.findall(r'href="(/page/resource/[^"]+)"', counted)) == \
        sorted(re.findall(r'href="(/page/resource/[^"]+)"', direct))
