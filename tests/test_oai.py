"""The OAI-PMH provider, in-process: verbs, errors, selective harvesting, deletions.

Every response these tests get is validated against the OAI-PMH schema and
its metadata against the oai_dc schema (tests/schemas.py).
"""

from __future__ import annotations

import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.oai import metadata
from tests.conftest import BASE, build_store
from tests.schemas import assert_valid
from tests.support import DEMO

OAI = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
SESSION = BASE + "id/event/library-experience-sharing-session"
ARTICLE = BASE + "id/resource/article-library-experience-sharing-session"
PRESENTATION = BASE + "id/event/presentation-digital-resource-management-systems"
ITEMS = """
SELECT (COUNT(DISTINCT ?item) AS ?n) WHERE {
  VALUES ?class { bf:Instance kg:Agreement schema:Event }
  ?item a ?class
}"""


def oai_app(store: Path, page_size: int = 2, serving: dict[str, str] | None = None):
    from web import create_app

    app = create_app({**(serving or {"store": str(store)}), "oai_page_size": page_size})
    app.config["TESTING"] = True
    return app.test_client()


def ask(client, query: str = "", method: str = "GET", **args: str) -> ET.Element:
    """One OAI-PMH request; the response is checked against the schemas first."""
    if method == "POST":
        response = client.post("/oai", data=args)
    else:
        response = client.get("/oai", query_string=query or args)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    body = response.get_data()
    assert_valid(body)
    return ET.fromstring(body)


def error_code(root: ET.Element) -> str | None:
    found = root.find(f"{OAI}error")
    return None if found is None else found.get("code")


def harvest(client, verb: str = "ListIdentifiers", **args: str) -> list[ET.Element]:
    """Every header of a list, following resumption tokens."""
    headers: list[ET.Element] = []
    root = ask(client, verb=verb, **args)
    while True:
        if error_code(root) == "noRecordsMatch":
            return headers
        assert error_code(root) is None, ET.tostring(root)
        headers += root.iter(f"{OAI}header")
        token = root.find(f".//{OAI}resumptionToken")
        if token is None or not token.text:
            return headers
        root = ask(client, verb=verb, resumptionToken=token.text)


def identifiers(headers: list[ET.Element]) -> list[str]:
    return [h.findtext(f"{OAI}identifier") for h in headers]


@pytest.fixture(scope="module")
def client(demo_store: Path, serving: dict[str, str]):
    return oai_app(demo_store, serving=serving)


def item_count(store: Path) -> int:
    from kg.store import open_live

    rows = list(open_live(str(store)).snapshot().query(ITEMS))
    return int(rows[0]["n"].value)


def test_identify_describes_the_repository(client) -> None:
    root = ask(client, verb="Identify")
    identify = root.find(f"{OAI}Identify")
    assert identify.findtext(f"{OAI}baseURL") == BASE + "oai"
    assert identify.findtext(f"{OAI}deletedRecord") == "persistent"
    assert identify.findtext(f"{OAI}granularity") == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find(f"{OAI}request").get("verb") == "Identify"


def test_list_sets_has_kinds_and_sources(client) -> None:
    specs = [s.findtext(f"{OAI}setSpec") for s in ask(client, verb="ListSets").iter(f"{OAI}set")]
    assert {"kind:resource", "kind:event", "kind:agreement", "source:events-yaml"} <= set(specs)


def test_list_metadata_formats(client) -> None:
    root = ask(client, verb="ListMetadataFormats", identifier=SESSION)
    assert [p.text for p in root.iter(f"{OAI}metadataPrefix")] == ["oai_dc"]


def test_every_item_is_harvested_through_tokens(client, demo_store: Path) -> None:
    headers = harvest(client, metadataPrefix="oai_dc")
    found = identifiers(headers)
    assert len(found) == len(set(found)) == item_count(demo_store) == 9
    assert found == sorted(found)


def test_pages_carry_cursor_and_list_size(client) -> None:
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(f".//{OAI}resumptionToken")
    assert (token.get("cursor"), token.get("completeListSize")) == ("0", "9")
    cursors = []
    while token is not None and token.text:
        root = ask(client, verb="ListIdentifiers", resumptionToken=token.text)
        token = root.find(f".//{OAI}resumptionToken")
        cursors.append(token.get("cursor"))
    assert cursors == ["2", "4", "6", "8"]
    assert token.text is None and len(list(root.iter(f"{OAI}header"))) == 1


def test_get_record_in_dublin_core(client) -> None:
    root = ask(client, verb="GetRecord", identifier=SESSION, metadataPrefix="oai_dc")
    dc = root.find(f".//{OAI}metadata")[0]
    assert dc.findtext(f"{DC}title").startswith("Experience-sharing session")
    assert dc.findtext(f"{DC}creator") == "TDTU INSPiRE Library"
    assert "Trịnh Phi Cường" in [e.text for e in dc.iter(f"{DC}contributor")]
    assert dc.findtext(f"{DC}date") == "--12-03"
    assert [e.text for e in dc.iter(f"{DC}type")] == ["Event"]
    header = root.find(f".//{OAI}header")
    assert [s.text for s in header.iter(f"{OAI}setSpec")] == ["kind:event", "source:events-yaml"]


def test_selective_harvest_by_set(client) -> None:
    found = identifiers(harvest(client, metadataPrefix="oai_dc", set="kind:agreement"))
    assert found == [BASE + "id/agreement/tdtu-ppu-cooperation-agreement",
                     BASE + "id/agreement/tdtu-psu-cooperation-agreement"]
    assert identifiers(harvest(client, metadataPrefix="oai_dc", set="source:resources-yaml")) \
        == [ARTICLE]
    assert len(harvest(client, metadataPrefix="oai_dc", set="kind")) == 9


def test_post_answers_as_get(client) -> None:
    got = ask(client, verb="GetRecord", identifier=ARTICLE, metadataPrefix="oai_dc")
    posted = ask(client, method="POST", verb="GetRecord", identifier=ARTICLE,
                 metadataPrefix="oai_dc")
    assert ET.tostring(got.find(f"{OAI}GetRecord")) == ET.tostring(posted.find(f"{OAI}GetRecord"))


@pytest.mark.parametrize("query, code", [
    ("", "badVerb"),
    ("verb=Nope", "badVerb"),
    ("verb=Identify&verb=Identify", "badVerb"),
    ("verb=Identify&extra=1", "badArgument"),
    (f"verb=GetRecord&identifier={ARTICLE}", "badArgument"),
    ("verb=ListRecords", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-13-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-02-01T00:00:00Z",
     "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-01&until=2024-01-01", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=not%20a%20set", "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc", "badArgument"),
    ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
    ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
    ("verb=ListRecords&metadataPrefix=mods", "cannotDisseminateFormat"),
    (f"verb=GetRecord&identifier={ARTICLE}&metadataPrefix=mods", "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=http://example.org/nothing&metadataPrefix=oai_dc",
     "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=http://example.org/nothing", "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&until=2000-01-01", "noRecordsMatch"),
    ("verb=ListIdentifiers&metadataPrefix=oai_dc&set=source:no-such-file", "noRecordsMatch"),
])
def test_protocol_errors(client, query: str, code: str) -> None:
    root = ask(client, query)
    assert error_code(root) == code
    request = root.find(f"{OAI}request")
    # badVerb and badArgument echo the request without its arguments (section 3.2).
    assert (request.attrib == {}) == (code in ("badVerb", "badArgument"))


ARGUMENT_NAMES = st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until",
                                  "set", "resumptionToken", "other"])
ARGUMENT_VALUES = st.one_of(
    st.sampled_from(["Identify", "ListRecords", "ListIdentifiers", "GetRecord", "ListSets",
                     "ListMetadataFormats", "oai_dc", "kind:event", "kind", SESSION,
                     "2026-01-01", "2026-01-01T00:00:00Z", "9999-12-31"]),
    st.text(max_size=40))


@settings(max_examples=150, deadline=None)
@given(arguments=st.lists(st.tuples(ARGUMENT_NAMES, ARGUMENT_VALUES), max_size=5))
def test_any_arguments_get_a_valid_response(client, arguments) -> None:
    response = client.get("/oai", query_string=arguments)
    assert response.status_code == 200
    assert_valid(response.get_data())


def test_a_bad_date_with_an_unknown_format_is_a_bad_argument(client) -> None:
    """Found by the test above: the unknown format was reported first, echoing the bad date."""
    root = ask(client, verb="ListRecords", metadataPrefix="Identify", **{"from": "Identify"})
    assert error_code(root) == "badArgument"
    assert root.find(f"{OAI}request").attrib == {}


def test_control_characters_are_not_echoed_into_the_xml(client) -> None:
    root = ask(client, verb="GetRecord", identifier="x\x01y", metadataPrefix="oai_dc")
    assert error_code(root) == "idDoesNotExist"
    assert root.find(f"{OAI}request").get("identifier") == "xy"


def test_a_token_of_one_verb_is_refused_by_another(client) -> None:
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = root.find(f".//{OAI}resumptionToken").text
    assert error_code(ask(client, verb="ListRecords", resumptionToken=token)) == \
        "badResumptionToken"


def test_no_metadata_formats_for_an_item_no_format_covers(client, monkeypatch) -> None:
    # Every item has oai_dc, so the condition cannot arise in real data: take
    # the format out of the registry to reach it.
    monkeypatch.delitem(metadata.METADATA_FORMATS, "oai_dc")
    root = ask(client, verb="ListMetadataFormats", identifier=SESSION)
    assert error_code(root) == "noMetadataFormats"


def test_no_set_hierarchy_without_records(tmp_path: Path) -> None:
    store = build_store(tmp_path / "store", DEMO / "organizations.csv")
    client = oai_app(store)
    assert error_code(ask(client, verb="ListSets")) == "noSetHierarchy"
    assert error_code(ask(client, verb="ListRecords", metadataPrefix="oai_dc",
                          set="kind:resource")) == "noSetHierarchy"
    assert error_code(ask(client, verb="ListRecords", metadataPrefix="oai_dc")) == \
        "noRecordsMatch"


# Rebuilds: datestamps, deletions and tokens across releases ---------------------------


def demo_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "demo"
    shutil.copytree(DEMO, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def latest_datestamp(client) -> str:
    headers = harvest(client, metadataPrefix="oai_dc")
    return max(h.findtext(f"{OAI}datestamp") for h in headers)


def rebuild(store: Path, *sources: Path) -> None:
    time.sleep(1.1)  # datestamps have a granularity of one second
    build_store(store, *sources)


def test_harvest_from_gets_exactly_what_changed(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    first = {identifiers([h])[0]: h.findtext(f"{OAI}datestamp")
             for h in harvest(client, metadataPrefix="oai_dc")}
    edit(demo / "events.yaml", "name_en: Digital resource management systems",
         "name_en: Digital resource management systems for libraries")
    rebuild(store, demo)
    since = latest_datestamp(client)
    assert since > max(first.values())
    assert identifiers(harvest(client, metadataPrefix="oai_dc", **{"from": since})) == \
        [PRESENTATION]
    record = ask(client, verb="GetRecord", identifier=PRESENTATION, metadataPrefix="oai_dc")
    assert record.findtext(f".//{DC}title") == "Digital resource management systems for libraries"
    # Everything else kept its datestamp.
    again = {identifiers([h])[0]: h.findtext(f"{OAI}datestamp")
             for h in harvest(client, metadataPrefix="oai_dc")}
    assert {k: v for k, v in again.items() if k != PRESENTATION} == \
        {k: v for k, v in first.items() if k != PRESENTATION}


def test_renaming_a_person_changes_the_records_that_name_them(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    edit(demo / "people.csv", "pham-dang-phuc,Pham Dang Phuc,", "pham-dang-phuc,Phạm Đăng Phúc,")
    rebuild(store, demo)
    changed = identifiers(harvest(client, metadataPrefix="oai_dc",
                                  **{"from": latest_datestamp(client)}))
    assert SESSION in changed and ARTICLE not in changed
    for identifier in changed:
        record = ask(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
        assert "Phạm Đăng Phúc" in ET.tostring(record, encoding="unicode")


def test_a_dropped_entity_comes_back_as_deleted(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    events = demo / "events.yaml"
    original = events.read_text(encoding="utf-8")
    start = original.index("  - key: presentation-digital-resource-management-systems")
    end = original.index("  - key: presentation-unified-search-for-licensed-e-resources")
    events.write_text(original[:start] + original[end:], encoding="utf-8")
    rebuild(store, demo)
    record = ask(client, verb="GetRecord", identifier=PRESENTATION, metadataPrefix="oai_dc")
    header = record.find(f".//{OAI}header")
    assert header.get("status") == "deleted"
    assert record.find(f".//{OAI}metadata") is None
    changed = harvest(client, metadataPrefix="oai_dc", **{"from": latest_datestamp(client)})
    assert [(identifiers([h])[0], h.get("status")) for h in changed
            if h.get("status")] == [(PRESENTATION, "deleted")]
    assert len(harvest(client, metadataPrefix="oai_dc")) == 9  # deleted ones stay listed
    events.write_text(original, encoding="utf-8")
    rebuild(store, demo)
    header = ask(client, verb="GetRecord", identifier=PRESENTATION,
                 metadataPrefix="oai_dc").find(f".//{OAI}header")
    assert header.get("status") is None


def test_a_dropped_source_leaves_deleted_records_in_its_set(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    (demo / "resources.yaml").unlink()
    rebuild(store, demo)
    headers = harvest(client, metadataPrefix="oai_dc", set="source:resources-yaml")
    assert [(identifiers([h])[0], h.get("status")) for h in headers] == [(ARTICLE, "deleted")]


def test_tokens_stay_valid_across_a_new_release(tmp_path: Path) -> None:
    demo = demo_copy(tmp_path)
    store = build_store(tmp_path / "store", demo)
    client = oai_app(store)
    root = ask(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    seen = identifiers(list(root.iter(f"{OAI}header")))
    token = root.find(f".//{OAI}resumptionToken").text
    with (demo / "resources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - key: zz-new-book\n    type: book\n    title: A new book\n")
    rebuild(store, demo)
    while token:
        root = ask(client, verb="ListIdentifiers", resumptionToken=token)
        assert error_code(root) is None
        seen += identifiers(list(root.iter(f"{OAI}header")))
        token = root.find(f".//{OAI}resumptionToken").text
    assert len(seen) == len(set(seen)) == 10
    assert seen[-1] == BASE + "id/resource/zz-new-book"
