"""Records become the triples the docs promise (checked in a real Oxigraph store)."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Literal, NamedNode, Store

from kg.convert import Registry, convert_records
from kg.iris import Minter
from kg.namespaces import BF, DCTERMS, FOAF, KG, ORG, RDF, SCHEMA, SKOS, TIME, XSD
from kg.report import Report
from kg.sources import discover, read_records

BASE = "https://kg.example.org/"
MINTER = Minter(BASE)


def convert(tmp_path: Path, name: str, text: str) -> tuple[Store, Report]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    store, report = Store(), Report()
    source = discover([path])[0]
    store.extend(convert_records(read_records(source), MINTER.graph(source.name), MINTER,
                                 report, Registry()))
    return store, report


def has(store: Store, s: NamedNode, p: NamedNode, o) -> bool:
    return any(True for _ in store.quads_for_pattern(s, p, o, None))


def test_organization_unit_and_labels(tmp_path: Path) -> None:
    store, report = convert(tmp_path, "organizations.csv",
                            "key,type,name_vi,name_en,parent,wikidata\n"
                            "lib,library,Thư viện,The Library,uni,Q42\n")
    lib = MINTER.entity("organization", "lib")
    assert report.conforms
    assert has(store, lib, RDF.type, ORG.Organization)
    assert has(store, lib, RDF.type, ORG.OrganizationalUnit)
    assert has(store, lib, RDF.type, SCHEMA.Library)
    assert has(store, lib, SKOS.prefLabel, Literal("Thư viện", language="vi"))
    assert has(store, lib, ORG.unitOf, MINTER.entity("organization", "uni"))
    assert has(store, lib, NamedNode("http://www.w3.org/2002/07/owl#sameAs"),
               NamedNode("http://www.wikidata.org/entity/Q42"))


def test_position_dates_on_an_owl_time_interval(tmp_path: Path) -> None:
    store, _ = convert(tmp_path, "positions.csv",
                       "key,person,organization,role,rank,start_date,end_date\n"
                       "p1,a,lib,head,lt-col,2019-09-01,2024\n")
    position = MINTER.entity("position", "p1")
    period = MINTER.entity("position", "p1", "period")
    assert has(store, position, ORG.member, MINTER.entity("person", "a"))
    assert has(store, position, KG.rank, MINTER.entity("concept", "lt-col"))
    assert has(store, position, ORG.memberDuring, period)
    start = MINTER.entity("position", "p1", "start")
    assert has(store, start, TIME.inXSDDate, Literal("2019-09-01", datatype=XSD.date))
    end = MINTER.entity("position", "p1", "end")
    assert has(store, end, TIME.inXSDgYear, Literal("2024", datatype=XSD.gYear))


def test_event_programme_and_participants(tmp_path: Path) -> None:
    store, report = convert(tmp_path, "events.yaml", """
events:
  - key: s
    type: session
    name_en: Session
    start_date: "--12-03"
  - key: t
    type: presentation
    name_en: Talk
    part_of: s
    order: 2
    participants: ["presenter=bui-tien-phong", {agent: organization/ebsco, role: sponsor}]
""")
    assert report.conforms, report.lines()
    session, talk = MINTER.entity("event", "s"), MINTER.entity("event", "t")
    assert has(store, session, SCHEMA.startDate, Literal("--12-03", datatype=XSD.gMonthDay))
    assert has(store, session, SCHEMA.subEvent, talk)
    assert has(store, talk, SCHEMA.position, Literal("2", datatype=XSD.integer))
    first = MINTER.entity("event", "t", "participation-1")
    assert has(store, first, KG.agent, MINTER.entity("person", "bui-tien-phong"))
    assert has(store, first, KG.participantRole, MINTER.entity("concept", "presenter"))
    second = MINTER.entity("event", "t", "participation-2")
    assert has(store, second, KG.agent, MINTER.entity("organization", "ebsco"))


def test_resource_bibframe_and_plain_properties(tmp_path: Path) -> None:
    store, report = convert(tmp_path, "resources.yaml", """
resources:
  - key: b1
    type: book
    title: Thư viện số
    language: vi
    isbn: ["978-604-0-00000-0"]
    ddc: "025.04"
    contributors: ["aut=nguyen-van-a", "edt=tran-thi-b"]
    date: "2020"
""")
    assert report.conforms, report.lines()
    book = MINTER.entity("resource", "b1")
    work = MINTER.entity("resource", "b1", "work")
    assert has(store, book, RDF.type, BF.Instance)
    assert has(store, book, BF.instanceOf, work)
    assert has(store, book, DCTERMS.title, Literal("Thư viện số", language="vi"))
    assert has(store, book, DCTERMS.creator, MINTER.entity("person", "nguyen-van-a"))
    assert has(store, book, DCTERMS.contributor, MINTER.entity("person", "tran-thi-b"))
    assert has(store, book, DCTERMS.issued, Literal("2020", datatype=XSD.gYear))
    ddc = MINTER.entity("resource", "b1", "ddc-1")
    assert has(store, work, BF.classification, ddc)
    assert has(store, ddc, BF.classificationPortion, Literal("025.04"))


def test_key_derived_from_name_when_absent(tmp_path: Path) -> None:
    store, report = convert(tmp_path, "people.csv", "name\nTrịnh Phi Cường\n")
    assert report.conforms
    assert has(store, MINTER.entity("person", "trinh-phi-cuong"), FOAF.name,
               Literal("Trịnh Phi Cường"))


def test_conversion_problems_name_row_and_field(tmp_path: Path) -> None:
    _, report = convert(tmp_path, "people.csv",
                        "key,name,brith_date\n"
                        "Nguyen Van A,A,\n"
                        "b,B,1990-01-01\n"
                        "b,B again,\n")
    lines = report.lines()
    assert any(line.startswith("people.csv row 2: 'key' must be lower-case") for line in lines)
    assert "people.csv row 3 (b): unknown field 'brith_date' for people; see docs/sources.md " \
           "for the fields of each kind" in lines
    assert any(line.startswith("people.csv row 4 (b): duplicate key: person 'b' is already "
                               "defined at people.csv row 3") for line in lines)
