"""MARC 21 out through the exports: `kg export --format marc|marcxml` and OAI-PMH marc21.

A store holding the demo and the real LoC sample is exported and harvested;
records come back with the fields their MARC source had.
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pymarc
import pytest
from sickle import Sickle
from sickle.iterator import OAIResponseIterator

from tests.conftest import build_store
from tests.marcxml_structure import problems
from tests.schemas import assert_valid
from tests.support import DEMO, REPO, Server, kg_command

SAMPLE = REPO / "tests" / "data" / "marc" / "loc-books.mrc"
MARC = "http://www.loc.gov/MARC21/slim"


@pytest.fixture(scope="module")
def marc_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("marc") / "store", DEMO, SAMPLE)


@pytest.fixture(scope="module")
def server(marc_store: Path):
    live = Server(marc_store, extra_env={"KG_OAI_PAGE_SIZE": "4"})
    yield live
    live.stop()


def bare(title: str) -> str:
    """A title in NFC without the ISBD punctuation that ends it (' :', ' ;', ' /', '.')."""
    return unicodedata.normalize("NFC", title).rstrip(" :;/.,=")


def source_records() -> list[pymarc.Record]:
    with SAMPLE.open("rb") as handle:
        return list(pymarc.MARCReader(handle, to_unicode=True))


def export(store: Path, fmt: str, out: Path) -> bytes:
    result = subprocess.run(kg_command("export", "--store", str(store), "--format", fmt,
                                       "--out", str(out)), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def test_export_iso2709_and_marcxml_keep_the_records(marc_store: Path, tmp_path: Path) -> None:
    source = source_records()
    iso = list(pymarc.MARCReader(export(marc_store, "marc", tmp_path / "out.mrc"),
                                 to_unicode=True))
    xml = pymarc.parse_xml_to_array(io.BytesIO(export(marc_store, "marcxml",
                                                      tmp_path / "out.xml")))
    assert len(iso) == len(xml) == len(source) + 1  # the demo's article too
    expected = sorted(bare(r["245"]["a"]) for r in source)
    for exported in (iso, xml):
        got = sorted(bare(r["245"]["a"]) for r in exported)
        assert set(expected) <= set(got)
        isbns = {f.value().split()[0] for r in exported for f in r.get_fields("020")}
        assert {f["a"].split()[0] for r in source for f in r.get_fields("020") if f["a"]} <= isbns
    assert not problems((tmp_path / "out.xml").read_bytes())


def test_export_marc_refuses_other_kinds(marc_store: Path, tmp_path: Path) -> None:
    result = subprocess.run(kg_command("export", "--store", str(marc_store), "--format", "marc",
                                       "--kind", "event", "--out", str(tmp_path / "x.mrc")),
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "does not describe event" in result.stderr


def test_sickle_harvests_every_resource_in_marc21(server: Server, marc_store: Path) -> None:
    harvester = Sickle(server.url + "/oai", max_retries=0)
    records = list(harvester.ListRecords(metadataPrefix="marc21"))
    identifiers = [r.header.identifier for r in records]
    assert len(identifiers) == len(set(identifiers)) == len(source_records()) + 1
    assert all("/id/resource/" in i for i in identifiers)
    pages = list(Sickle(server.url + "/oai", iterator=OAIResponseIterator, max_retries=0)
                 .ListRecords(metadataPrefix="marc21"))
    assert len(pages) == 4  # 15 records, 4 a page
    for page in pages:
        assert_valid(page.raw.encode("utf-8"))


def test_marc21_record_carries_the_source_fields(server: Server) -> None:
    source = next(r for r in source_records() if r.get_fields("020") and r.get_fields("100"))
    harvester = Sickle(server.url + "/oai", max_retries=0)
    records = {r.header.identifier: r for r in harvester.ListRecords(metadataPrefix="marc21")}
    xml = next(r.raw for r in records.values() if bare(source["245"]["a"]) in r.raw)
    element = ET.fromstring(xml.encode("utf-8")).find(f".//{{{MARC}}}record")
    parsed = pymarc.parse_xml_to_array(io.BytesIO(ET.tostring(element)))
    (record,) = parsed
    assert bare(record["245"]["a"]) == bare(source["245"]["a"])
    assert record["020"]["a"].split()[0] == source["020"]["a"].split()[0]
    assert record["100"]["a"].rstrip(",.") == source["100"]["a"].rstrip(",.")


def test_marc21_only_for_resources(server: Server) -> None:
    harvester = Sickle(server.url + "/oai", max_retries=0)
    event = "http://127.0.0.1:5000/id/event/library-experience-sharing-session"
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats(identifier=event)]
    assert formats == ["oai_dc"]
    resource = "http://127.0.0.1:5000/id/resource/article-library-experience-sharing-session"
    formats = [f.metadataPrefix for f in harvester.ListMetadataFormats(identifier=resource)]
    assert formats == ["oai_dc", "marc21"]
    from sickle.oaiexceptions import CannotDisseminateFormat
    with pytest.raises(CannotDisseminateFormat):
        harvester.GetRecord(identifier=event, metadataPrefix="marc21")
