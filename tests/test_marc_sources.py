"""Reading MARC 21 files: ISO 2709 and MARCXML, record by record, with their problems."""

from __future__ import annotations

import tracemalloc
import unicodedata
from pathlib import Path

import pytest

from kg.errors import SourceError, SourceSyntaxError
from kg.sources import discover, read_records
from tests.marc_support import (
    BATCH_XML,
    ISO2709,
    MARC8,
    MARCXML,
    SAMPLE,
    broken_directory,
    invalid_utf8,
    raw_records,
    sample_records,
    without_title,
)


def records(path: Path) -> list:
    return list(read_records(discover([path])[0]))


def test_iso2709_records_become_resources_keyed_by_control_number() -> None:
    found = records(ISO2709)
    originals = [r for r in sample_records().values() if r.get("003")]
    assert len(found) == 14
    assert all(r.kind == "resource" and r.problem is None for r in found)
    assert found[0].fields["key"] == "dlc-00000002"
    assert found[0].origin.file == "loc-books.mrc"
    assert found[0].origin.location == "record 1 (001 00000002)"
    assert {r.fields["control_number"] for r in found} <= {o["001"].data.strip() for o in originals}


def test_fields_of_a_record_say_what_the_record_says() -> None:
    first = records(ISO2709)[0].fields
    assert first["title"] == "Botanical materia medica and pharmacology"
    assert first["subtitle"].startswith("drugs considered from a botanical")
    assert first["responsibility"] == "By S. H. Aurand"
    assert first["primary_contributor"]["agent"] == "person/aurand-samuel-herbert-1854"
    assert first["primary_contributor"]["marc"] == "1001 $aAurand, Samuel Herbert,$d1854-"
    assert (first["place"], first["publisher"], first["date"]) == (
        "Chicago", "P. H. Mallen Company", "1899")
    assert first["lcc"] == [{"number": "RX671", "item": ".A92"}]
    assert first["language"] == ["eng"] and first["country"] == "ilu"
    assert first["extent"] == "406 p." and first["dimensions"] == "24 cm."
    assert [h["label"] for h in first["subject_headings"]] == [
        "Botany, Medical", "Homeopathy--Materia medica and therapeutics"]
    assert first["notes"] == [{"type": "general", "text": "Homeopathic formulae."}]


def test_marcxml_and_the_xml_suffix_are_read_alike() -> None:
    found = records(MARCXML)
    assert [r.fields["key"] for r in found][:2] == ["dlc-00000018", "dlc-00000043"]
    assert found[0].origin.location == "record 1 (001 00000018)"
    batch = records(BATCH_XML)  # a .xml file is a source when its root is MARCXML
    assert [r.fields["title"] for r in batch] == ["The Great Ray Charles", "The White House"]


def test_xml_that_is_not_marc_is_not_a_source(tmp_path: Path) -> None:
    other = tmp_path / "notes.xml"
    other.write_text("<html><body/></html>", encoding="utf-8")
    assert discover([tmp_path]) == []
    with pytest.raises(SourceError, match="unknown kind of file"):
        discover([other])


def test_vietnamese_text_keeps_its_diacritics_in_nfc() -> None:
    fields = {r.fields["key"]: r.fields for r in records(ISO2709)}["dlc-00236597"]
    assert fields["title"] == "Ngôi chùa, một vùng tâm thức, một vùng thi ca"
    assert fields["publisher"] == "Nhà xuất bản Tôn giáo"
    assert fields["contributors"][0]["name"] == "Nguyễn, Khắc Mai"
    assert fields["contributors"][0]["agent"] == "person/nguyen-khac-mai"
    for text in (fields["title"], fields["publisher"]):
        assert unicodedata.is_normalized("NFC", text)


def test_marc8_record_is_converted_to_unicode() -> None:
    (record,) = records(MARC8)
    assert record.problem is None
    assert record.fields["title"] == "Escape from loneliness"
    original = sample_records()["2"]
    assert original.leader[9] == " "  # MARC-8, not UTF-8
    notes = " ".join(n["text"] for n in record.fields.get("notes", []))
    texts = [record.fields["responsibility"], notes, record.fields["title"]]
    assert any(any(ord(c) > 127 for c in t) for t in texts), texts
    assert all(unicodedata.is_normalized("NFC", t) for t in texts)


def test_bad_records_are_reported_with_number_and_control_number(tmp_path: Path) -> None:
    chunks = raw_records(ISO2709)
    bad = tmp_path / "bad.mrc"
    bad.write_bytes(chunks[0] + without_title(chunks[1]) + invalid_utf8(chunks[2])
                    + broken_directory(chunks[3]) + chunks[4])
    found = records(bad)
    assert [r.problem is None for r in found] == [True, False, False, False, True]
    assert found[1].origin.location == "record 2 (001 00000004)"
    assert "no title (245" in found[1].problem
    assert found[2].origin.location == "record 3 (001 00000006)"
    assert "not valid UTF-8" in found[2].problem
    assert found[3].origin.location == "record 4 (001 00000007)"
    assert "broken directory" in found[3].problem
    assert found[4].fields["key"] == "dlc-00000009"


def test_invalid_marc8_text_is_a_bad_record(tmp_path: Path) -> None:
    chunk = MARC8.read_bytes()
    at = chunk.index(b"Escape")
    bad = tmp_path / "bad-marc8.mrc"
    bad.write_bytes(chunk[:at] + b"\xff" + chunk[at + 1:])  # 0xff is no MARC-8 character
    (record,) = records(bad)
    assert record.problem and "not valid MARC-8" in record.problem
    assert record.origin.location == "record 1 (001 2)"


def test_marcxml_record_without_title_and_broken_xml(tmp_path: Path) -> None:
    text = MARCXML.read_text(encoding="utf-8")
    first_title = text.index('tag="245"')
    start = text.rindex("<datafield", 0, first_title)
    end = text.index("</datafield>", first_title) + len("</datafield>")
    no_title = tmp_path / "no-title.marcxml"
    no_title.write_text(text[:start] + text[end:], encoding="utf-8")
    found = records(no_title)
    assert found[0].problem == "has no title (245 $a)"
    assert found[0].origin.location == "record 1 (001 00000018)"
    assert found[1].problem is None
    broken = tmp_path / "broken.marcxml"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as caught:
        records(broken)
    assert caught.value.location.startswith("line ")


def _peak_while_reading(path: Path) -> int:
    tracemalloc.start()
    count = sum(1 for _ in read_records(discover([path])[0]))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert count > 0
    return peak


def test_reading_is_streamed_memory_stays_flat(tmp_path: Path) -> None:
    chunks = raw_records(ISO2709)
    small, large = tmp_path / "small.mrc", tmp_path / "large.mrc"
    small.write_bytes(b"".join(chunks) * 5)    # 70 records, 64 KB
    large.write_bytes(b"".join(chunks) * 60)   # 840 records, 770 KB
    assert _peak_while_reading(large) < 2 * _peak_while_reading(small) + 200_000
    xml_small, xml_large = tmp_path / "small.marcxml", tmp_path / "large.marcxml"
    body = MARCXML.read_text(encoding="utf-8")
    head, _, rest = body.partition("<record>")
    inner = "<record>" + rest.rpartition("</collection>")[0]
    xml_small.write_text(head + inner * 5 + "</collection>", encoding="utf-8")
    xml_large.write_text(head + inner * 60 + "</collection>", encoding="utf-8")
    assert _peak_while_reading(xml_large) < 2 * _peak_while_reading(xml_small) + 200_000


def test_sample_folder_is_discovered_whole() -> None:
    names = sorted(s.name for s in discover([SAMPLE]))
    assert names == ["loc-books-marcxml", "loc-books-mrc", "loc-marc8-mrc", "pymarc-batch-xml"]
