"""Bad input in bulk: malformed sources and odd requests never crash or half-publish.

Sources get clear per-record problems (or a clear error for the whole file);
requests get a 4xx with a message, never a 500.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.build import build, check
from kg.errors import KgError
from kg.sources import discover
from kg.store.releases import ReleaseStore
from tests.support import DEMO

BASE = "http://127.0.0.1:5000/"
FIELDS = ["key", "name", "name_vi", "name_en", "type", "parent", "person", "organization",
          "role", "rank", "start_date", "end_date", "birth_date", "title", "parties", "notes",
          "alt_name", "wikidata", "homepage", "brith_date", "", "kéy", "name_xx-YY", "#comment"]
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\u200b", "\u202eevil", "a\x00b", "x" * 200_000, "2024-13-45",
                     "31/5/80", "--12-03", "person/", "/", "organization/../x",
                     "=cmd|' /C calc'!A0",
                     "<script>alert(1)</script>", "\ufeffkey", "Đại học", "Q0", "http://",
                     "nguyen-van-a; nguyen-van-a", "aut=", "=x"]),
)
KINDS = ["people", "organizations", "positions", "agreements", "events", "resources", "concepts"]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _checked(path: Path) -> list[str]:
    """Validate one file; only the project's own errors may come out."""
    try:
        outcome = check(discover([path]), BASE)
    except KgError as error:
        assert error.message
        return [error.message]
    lines = outcome.report.lines()
    assert all(path.name in line for line in lines), lines
    return lines


@SETTINGS
@given(kind=st.sampled_from(KINDS),
       header=st.lists(st.sampled_from(FIELDS), min_size=1, max_size=6),
       rows=st.lists(st.lists(ODD_TEXT, max_size=7), max_size=6))
def test_malformed_csv_gives_problems_not_crashes(tmp_path_factory, kind, header, rows) -> None:
    path = tmp_path_factory.mktemp("csv") / f"{kind}.csv"
    path.write_text(_csv_text(header, rows), encoding="utf-8", errors="surrogatepass")
    _checked(path)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes_as_csv_yaml_json_turtle(tmp_path_factory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("bytes")
    for name in ("people.csv", "people.yaml", "people.json", "extra.ttl", "extra.rdf"):
        path = folder / name
        path.write_bytes(data)
        _checked(path)


RECORD = st.dictionaries(st.sampled_from(FIELDS), st.one_of(
    ODD_TEXT, st.integers(), st.booleans(), st.none(), st.lists(ODD_TEXT, max_size=3),
    st.dictionaries(st.text(max_size=5), ODD_TEXT, max_size=3)), max_size=6)


@SETTINGS
@given(document=st.one_of(
    st.dictionaries(st.sampled_from(KINDS + ["widgets", "1"]),
                    st.one_of(st.lists(st.one_of(RECORD, ODD_TEXT, st.integers()), max_size=4),
                              ODD_TEXT), max_size=3),
    st.lists(RECORD, max_size=4), ODD_TEXT, st.integers()))
def test_odd_yaml_and_json_structures(tmp_path_factory, document) -> None:
    folder = tmp_path_factory.mktemp("structured")
    (folder / "people.yaml").write_text(yaml.safe_dump(document, allow_unicode=True),
                                        encoding="utf-8")
    (folder / "people.json").write_text(json.dumps(document, ensure_ascii=False),
                                        encoding="utf-8")
    _checked(folder / "people.yaml")
    _checked(folder / "people.json")




@pytest.mark.parametrize("cut", [10, 50, 120, 200, 333])
def test_truncated_turtle_names_the_line(tmp_path: Path, cut: int) -> None:
    text = ('@prefix foaf: <http://xmlns.com/foaf/0.1/> .\n'
            '<http://127.0.0.1:5000/id/person/a> a foaf:Person ;\n'
            '    foaf:name "Nguyễn Văn A" .\n'
            '<http://127.0.0.1:5000/id/person/b> a foaf:Person ;\n'
            '    foaf:name """multi\nline""" ; foaf:nick "b" .\n') * 3
    path = tmp_path / "extra.ttl"
    path.write_text(text[:cut], encoding="utf-8")
    lines = _checked(path)
    assert all("line" in line or "is required" in line for line in lines), lines


def test_duplicate_keys_and_huge_values_are_reported_per_record(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("key,name\na,A\na,Again\nb," + "x" * 1_000_000 + "\n,\n", encoding="utf-8")
    lines = _checked(path)
    assert any("row 3 (a): duplicate key" in line for line in lines), lines


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.lists(ODD_TEXT, min_size=2, max_size=2), min_size=1, max_size=4))
def test_a_bad_build_never_changes_the_published_release(tmp_path_factory, rows) -> None:
    store = tmp_path_factory.mktemp("store") / "store"
    build(discover([DEMO]), str(store), BASE)
    release = ReleaseStore(store).require_current()
    extra = tmp_path_factory.mktemp("extra") / "extra-people.csv"
    extra.write_text(_csv_text(["key", "name"], rows), encoding="utf-8", errors="surrogatepass")
    try:
        outcome = build(discover([DEMO, extra]), str(store), BASE)
    except KgError:
        assert ReleaseStore(store).require_current() == release
        assert release.manifest()["triples"] == len(release.open())
    else:
        assert outcome.release.manifest()["counts"]["person"] >= 8


ACCEPT = st.one_of(st.text(max_size=60), st.sampled_from([
    "*/*;q=abc", "text/turtle;q=0", "application/ld+json;q=0.5, */*;q=0", ";;;", "text/*",
    "application/*", "*/html", "text/html;level=1;q=0.2", "\x00", "é/é"]))
PATHS = st.one_of(st.text(max_size=30), st.sampled_from([
    "person/..%2F..%2Fetc%2Fpasswd", "person/trinh-phi-cuong.ttl.nt", "person/TRINH",
    "person/trinh-phi-cuong/", "../../etc/passwd", "person/%00", "person/trinh-phi-cuong.",
    "concept/lieutenant-colonel", "person/" + "a" * 5000, "%E2%80%AE", "person/trinh%20phi"]))


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from(["/id/", "/data/", "/page/"]), path=PATHS, accept=ACCEPT,
       fmt=st.one_of(st.none(), st.text(max_size=10)))
def test_odd_requests_get_4xx_never_500(client, prefix: str, path: str, accept: str,
                                        fmt: str | None) -> None:
    query = {} if fmt is None else {"format": fmt}
    try:
        response = client.get(prefix + path, headers={"Accept": accept}, query_string=query)
    except (ValueError, UnicodeError):
        return  # the test client itself refused to build the request
    assert response.status_code < 500, (prefix + path, accept, fmt, response.status_code)
    assert response.status_code in (200, 303, 308, 404, 406, 410), response.status_code
