"""MARC 21 out: the round trip on the real sample, the writers, and records made from scratch."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pymarc
import pytest

from kg.build import build
from kg.marc import marc_record, marc_records, record_xml, write_iso2709, write_marcxml
from kg.marc.codes import NOTE_TYPES
from kg.marc.headings import NAME_CODES, TAGS
from kg.marc.text import clean, nfc, relator_code
from kg.sources import discover
from kg.store import EmbeddedSnapshot
from kg.store.releases import ReleaseStore
from tests.marc_support import SAMPLE, sample_records
from tests.marcxml_structure import problems
from tests.support import DEMO

BASE = "http://127.0.0.1:5000/"
RESOURCE = BASE + "id/resource/"


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedSnapshot:
    store = tmp_path_factory.mktemp("marc-out") / "store"
    build(discover([DEMO, SAMPLE]), str(store), BASE)
    return EmbeddedSnapshot(ReleaseStore(store).require_current())


def iri_of(record: pymarc.Record) -> str:
    control = record["001"].data.strip()
    return RESOURCE + ("dlc-" if record.get("003") else "") + control


def norm(text: str) -> str:
    """Text compared without the punctuation that ends it (ISBD or not)."""
    return " ".join(clean(nfc(text)).split()).rstrip(".")


def subfields(record: pymarc.Record, tags: str, codes: str) -> Counter:
    return Counter(norm(v) for f in record.get_fields(*tags.split())
                   for v in f.get_subfields(*codes))


def headings(record: pymarc.Record, tags: str) -> list[tuple]:
    found = []
    for field in record.get_fields(*tags.split()):
        if field.get("t"):
            continue
        codes = NAME_CODES[TAGS["1" + field.tag[1:] if field.tag[0] == "7" else field.tag]]
        name = tuple(norm(s.value) for s in field.subfields if s.code in codes)
        roles = {relator_code(v) for v in field.get_subfields("e", "4")} - {None}
        found.append((field.tag, field.indicator1, name, frozenset(roles)))
    return sorted(found)


def notes(record: pymarc.Record) -> Counter:
    return Counter((f.tag, " ".join(nfc(" ".join(
        s.value for s in f.subfields if s.code in "abcdgrt3")).split()))
        for f in record.get_fields(*NOTE_TYPES))


@pytest.mark.parametrize("control", sorted(sample_records()))
def test_round_trip_keeps_the_mapped_fields(release: EmbeddedSnapshot, control: str) -> None:
    original = sample_records()[control]
    out = marc_record(release, iri_of(original))
    assert out.leader[6:8] == original.leader[6:8]
    assert out["001"].data == control
    assert (out.get("003") and out["003"].data) == (original.get("003") and
                                                    original["003"].data.strip())
    fixed_in, fixed_out = original["008"].data, out["008"].data
    assert len(fixed_out) == 40
    for part in (slice(7, 11), slice(35, 38)):
        assert fixed_out[part] == fixed_in[part]
    assert fixed_out[15:18].strip() == fixed_in[15:18].strip(" |\\")
    for tags, codes in (("010", "a"), ("050", "ab"), ("082", "a"), ("245", "abcnp"),
                        ("250", "ab"), ("260 264", "abc"), ("300", "abc"), ("490 440", "a"),
                        ("856", "u")):
        got, want = subfields(out, tags, codes), subfields(original, tags, codes)
        if tags == "050":  # the first class number and item number of each 050
            want = Counter(norm(v) for f in original.get_fields("050")
                           for v in (f.get("a"), f.get("b")) if v)
        if tags == "260 264":  # the first statement of publication
            first = (original.get_fields("260") or [
                f for f in original.get_fields("264") if f.indicator2 in " 1"])[:1]
            want = Counter(norm(v) for f in first for v in f.get_subfields(*codes))
        assert got == want, (tags, got, want)
    isbns = Counter(v.split()[0] for f in original.get_fields("020") for v in f.get_subfields("a"))
    assert Counter(v for f in out.get_fields("020") for v in f.get_subfields("a")) == isbns
    assert headings(out, "100 110 700 710") == headings(original, "100 110 700 710")
    for tag in ("650", "651"):
        want = [(f.indicators, [(s.code, nfc(s.value)) for s in f.subfields if s.code in "avxyz"])
                for f in original.get_fields(tag)]
        assert [(f.indicators, [(s.code, s.value) for s in f.subfields])
                for f in out.get_fields(tag)] == want
    assert notes(out) == notes(original)
    for tag in ("506", "540"):
        assert [norm(f.format_field()) for f in out.get_fields(tag)] == [
            norm(f.format_field()) for f in original.get_fields(tag)]


def test_vietnamese_record_comes_back_with_its_diacritics(release: EmbeddedSnapshot) -> None:
    out = marc_record(release, RESOURCE + "dlc-00280618")
    assert out["245"]["a"] == "Vượt lên số phận :"
    assert out["710"]["a"] == "Quỹ hỗ trợ tài năng trẻ Việt Nam."
    assert out["008"].data[35:38] == "vie"
    data = io.BytesIO()
    write_iso2709([out], data)
    back = next(iter(pymarc.MARCReader(io.BytesIO(data.getvalue()), to_unicode=True)))
    assert back.leader[9] == "a" and back["710"]["a"] == "Quỹ hỗ trợ tài năng trẻ Việt Nam."


def _all_sample(release: EmbeddedSnapshot) -> list[pymarc.Record]:
    return list(marc_records(release, [iri_of(r) for r in sample_records().values()]))


def test_iso2709_writer_reads_back_equal(release: EmbeddedSnapshot, tmp_path: Path) -> None:
    records = _all_sample(release)
    path = tmp_path / "out.mrc"
    with path.open("wb") as out:
        assert write_iso2709(records, out) == len(records) == 24
    with path.open("rb") as handle:
        back = list(pymarc.MARCReader(handle, to_unicode=True))
    assert [r.as_marc21() for r in back] == [r.as_marc21() for r in records]


def test_marcxml_writer_is_valid_and_reads_back_equal(release: EmbeddedSnapshot,
                                                      tmp_path: Path) -> None:
    records = _all_sample(release)
    path = tmp_path / "out.marcxml"
    with path.open("wb") as out:
        assert write_marcxml(records, out) == 24
    assert problems(path.read_bytes()) == []
    back = pymarc.parse_xml_to_array(str(path))
    assert [str(r) for r in back] == [str(r) for r in records]
    single = record_xml(records[0])
    assert single.startswith(b'<record xmlns="http://www.loc.gov/MARC21/slim"')
    assert problems(single) == []


def test_structure_check_catches_what_the_schema_forbids() -> None:
    good = (b'<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500'
            b'</leader><controlfield tag="001">1</controlfield><datafield tag="245" ind1="0" '
            b'ind2="0"><subfield code="a">T</subfield></datafield></record>')
    assert problems(good) == []
    for bad, fragment in ((b'tag="245"', b'tag="24"'), (b'ind1="0"', b'ind1="A"'),
                          (b'code="a"', b'code="ab"'), (b"00000nam", b"0000nam"),
                          (b'<controlfield tag="001">1</controlfield>', b""),
                          (b'tag="001"', b'tag="010"')):
        broken = good.replace(bad, fragment) if fragment else good.replace(bad, b"") \
            .replace(b"</record>", b'<controlfield tag="001">1</controlfield></record>')
        assert problems(broken), broken


LICENSED = """
organizations:
  - {key: tdtu-library, name_en: TDTU INSPiRE Library, type: library}
  - {key: ebsco, name_en: EBSCO Information Services, type: company}
resources:
  - key: ebscohost-research-databases
    type: database
    title: EBSCOhost Research Databases
    language: en
    publisher: EBSCO Information Services
    place: Ipswich, MA
    date: "2024"
    url: https://search.ebscohost.com/
    licence: https://www.ebsco.com/terms-of-use
    access: Campus network and VPN for TDTU students and staff.
    terms_of_use: Personal, non-commercial research and teaching only.
agreements:
  - key: tdtu-ebsco-licence
    type: licence
    title_en: EBSCO database licence for TDTU
    licensor: ebsco
    licensee: tdtu-library
    resources: [ebscohost-research-databases]
"""


def test_resources_not_from_marc_get_a_sensible_record(tmp_path: Path) -> None:
    source = tmp_path / "licensed.yaml"
    source.write_text(LICENSED, encoding="utf-8")
    outcome = build(discover([DEMO, source]), str(tmp_path / "store"), BASE)
    snapshot = EmbeddedSnapshot(outcome.release)
    out = marc_record(snapshot, RESOURCE + "ebscohost-research-databases")
    assert out.leader[6:8] == "mi" and len(out["008"].data) == 40
    assert out["008"].data[7:11] == "2024" and out["008"].data[35:38] == "eng"
    assert out["008"].data[23] == "o"  # online
    assert out["001"].data == "ebscohost-research-databases"
    assert out["245"]["a"] == "EBSCOhost Research Databases."
    assert [out["264"][c] for c in "abc"] == [
        "Ipswich, MA :", "EBSCO Information Services,", "2024."]
    assert out["856"]["u"] == "https://search.ebscohost.com/" and out["856"].indicators == \
        pymarc.Indicators("4", "0")
    access = [f.format_field() for f in out.get_fields("506")]
    assert "Campus network and VPN for TDTU students and staff." in access
    assert any("EBSCO database licence for TDTU" in a for a in access)
    use = [f for f in out.get_fields("540")]
    assert any(f.get("u") == "https://www.ebsco.com/terms-of-use" for f in use)
    assert any(f.get("a") == "Personal, non-commercial research and teaching only." for f in use)
    article = marc_record(snapshot, RESOURCE + "article-library-experience-sharing-session")
    assert article.leader[6:8] == "aa" and article["245"]["a"].startswith("[Experience-sharing")
    assert len(article.get_fields("500")) == 2
    buffer = io.BytesIO()
    write_marcxml([out, article], buffer)
    assert problems(buffer.getvalue()) == []
