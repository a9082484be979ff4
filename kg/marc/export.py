"""MARC 21 out: a resource of a release as a pymarc :class:`~pymarc.Record`.

A resource imported from MARC gets back the fields it was mapped from
(``docs/marc.md``): headings come back from their ``bflc:marcKey`` subfield by
subfield, other fields are rebuilt with ISBD punctuation. A resource from CSV,
YAML or RDF gets a record made from what the graph says: leader, 008, 245,
260/264, 856, and 506/540 when a licence covers it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pymarc import Field, Indicators, Leader, Record
from pyoxigraph import NamedNode

from kg.marc.codes import LEADER_18, NOTE_TAGS, leader_for
from kg.marc.description import Description
from kg.marc.headings import heading_field
from kg.marc.parts import add_field, isbd, subfields_of
from kg.namespaces import BF, BFLC, DCTERMS, ODRL, RDF, RDFS
from kg.store import Snapshot

_ARTICLES = {"eng": ("the ", "a ", "an "), "fre": ("le ", "la ", "les ", "l'"),
             "ger": ("der ", "die ", "das ")}
_TYPE_WORDS = {"Book": "book", "Periodical": "journal", "Article": "article",
               "Dataset": "database", "WebPage": "webpage", "Thesis": "thesis"}


def marc_record(snapshot: Snapshot, iri: str) -> Record:
    """The MARC 21 bibliographic record of one resource of a release."""
    doc = Description(snapshot, NamedNode(iri))
    record = Record(force_utf8=True, leader=_leader(doc))
    _control(doc, record, iri, snapshot)
    _identifiers(doc, record)
    main = _contributions(doc, record)
    _title(doc, record, main)
    _publication(doc, record)
    _description(doc, record)
    _notes(doc, record)
    _subjects(doc, record)
    _links(doc, record, snapshot)
    record.fields.sort(key=lambda f: f.tag)
    return record


def _words(doc: Description, predicate: NamedNode,
           subject: NamedNode | None = None) -> list[str]:
    """The last segment of each IRI value (``.../relators/aut`` -> ``aut``)."""
    return [v.value.rpartition("/")[2] for v in doc.values(predicate, subject)]


def _leader(doc: Description) -> Leader:
    types = {t.rpartition("/")[2] for t in doc.types()}
    kind = next((w for t, w in _TYPE_WORDS.items() if t in types), "other")
    if kind == "book" and "Electronic" in types:
        kind = "ebook"
    work = next(iter(doc.linked(BF.instanceOf)), None)
    work_types = {t.rpartition("/")[2] for t in doc.types(work)} - {"Work"}
    work_word = re.sub(r"(?<!^)([A-Z])", r"-\1", next(iter(sorted(work_types)), "")).lower()
    if "Manuscript" in types and work_word:
        work_word = "manuscript-" + work_word
    issuance = next(iter(_words(doc, BF.issuance)), "")
    code_06, code_07 = leader_for(kind, work_word, issuance)
    admin = next(iter(doc.linked(BF.adminMetadata)), None)
    rules = _words(doc, BF.descriptionConventions, admin) if admin else []
    code_18 = next((LEADER_18[r] for r in ("rda", "isbd", "aacr") if r in rules), " ")
    level = " " if admin is not None else "u"
    return Leader(f"00000n{code_06}{code_07} a2200000{level}{code_18} 4500")


def _control(doc: Description, record: Record, iri: str, snapshot: Snapshot) -> None:
    """001/003 (the control number, or the resource's key), 008 and 040."""
    admin = next(iter(doc.linked(BF.adminMetadata)), None)
    local = next(iter(doc.linked(BF.identifiedBy, admin)), None) if admin else None
    number = doc.text(RDF.value, local) if local else iri.rpartition("/")[2]
    record.add_field(Field(tag="001", data=number))
    assigner = _words(doc, BF.assigner, local) if local else []
    if assigner:
        record.add_field(Field(tag="003", data=assigner[0].upper()))
    record.add_field(Field(tag="008", data=_fixed(doc, snapshot)))
    rules = _words(doc, BF.descriptionConventions, admin) if admin else []
    if "rda" in rules:
        add_field(record, "040", "  ", [("e", "rda")])


def _fixed(doc: Description, snapshot: Snapshot) -> str:
    """008 for books: entered, dates, place, form of item, language."""
    created = str(snapshot.manifest.get("created", "")) or datetime.now(UTC).isoformat()
    entered = created[2:4] + created[5:7] + created[8:10]
    issued = doc.text(DCTERMS.issued)[:4]
    date1 = issued if re.fullmatch(r"\d{4}", issued) else "    "
    publication = next(iter(doc.linked(BF.provisionActivity)), None)
    places = _words(doc, BF.place, publication) if publication else []
    country = (places[0] if places else "xx").ljust(3)[:3]
    form = "o" if "Electronic" in {t.rpartition("/")[2] for t in doc.types()} else " "
    languages = _words(doc, DCTERMS.language)
    language = (languages[0] if languages else "und")[:3].ljust(3)
    body = f"{'s' if date1.strip() else 'n'}{date1}    {country}" + " " * 5 + form + " " * 11
    return f"{entered}{body}{language} d"


def _identifiers(doc: Description, record: Record) -> None:
    tags = {"Lccn": "010", "Isbn": "020", "Issn": "022", "Doi": "024"}
    for node in doc.linked(BF.identifiedBy):
        kind = next((t.rpartition("/")[2] for t in doc.types(node)
                     if t.rpartition("/")[2] in tags), None)
        if kind is None:
            continue
        parts = [("a", doc.text(RDF.value, node))]
        qualifier = doc.text(BF.qualifier, node)
        if qualifier:
            parts.append(("q", qualifier))
        if kind == "Doi":
            parts.append(("2", "doi"))
        add_field(record, tags[kind], "7 " if kind == "Doi" else "  ", parts)
    work = next(iter(doc.linked(BF.instanceOf)), None)
    for node in doc.linked(BF.classification, work):
        types = {t.rpartition("/")[2] for t in doc.types(node)}
        number, item = doc.text(BF.classificationPortion, node), doc.text(BF.itemPortion, node)
        if "ClassificationLcc" in types:
            add_field(record, "050", "00", [("a", number)] + ([("b", item)] if item else []))
        elif "ClassificationDdc" in types:
            edition = doc.text(BF.edition, node)
            add_field(record, "082", "0 ", [("a", number)] + ([("2", edition)] if edition else []))
    languages = _words(doc, DCTERMS.language)
    if len(languages) > 1:
        add_field(record, "041", "0 ", [("a", code) for code in languages])


def _contributions(doc: Description, record: Record) -> bool:
    """1XX for the primary contribution, 7XX for the others; True if there is a 1XX."""
    work = next(iter(doc.linked(BF.instanceOf)), None)
    main = False
    for node in doc.linked(BF.contribution, work):
        primary = BFLC.PrimaryContribution.value in doc.types(node) and not main
        field = heading_field(doc, node, primary)
        if field is not None:
            record.add_field(field)
            main = main or primary
    return main


def _title(doc: Description, record: Record, main: bool) -> None:
    node = next(iter(doc.linked(BF.title)), None)
    title = doc.text(BF.mainTitle, node) if node else doc.text(DCTERMS.title)
    parts = [("a", title or "[Untitled]")]
    if node:
        parts += [("b", v) for v in doc.texts(BF.subtitle, node)]
        parts += [("n", v) for v in doc.texts(BF.partNumber, node)]
        parts += [("p", v) for v in doc.texts(BF.partName, node)]
    parts += [("c", v) for v in doc.texts(BF.responsibilityStatement)]
    languages = _words(doc, DCTERMS.language)
    lowered = (title or "").lower()
    skip = next((len(a) for a in _ARTICLES.get(languages[0] if languages else "", ())
                 if lowered.startswith(a)), 0)
    record.add_field(Field(tag="245", indicators=Indicators("1" if main else "0", str(skip)),
                           subfields=isbd(parts, {"b": " :", "c": " /", "n": ".", "p": ","})))


def _publication(doc: Description, record: Record) -> None:
    node = next(iter(doc.linked(BF.provisionActivity)), None)
    if node is None:
        return
    parts = [("a", p) for v in doc.texts(BF.simplePlace, node) for p in v.split("; ")]
    parts += [("b", p) for v in doc.texts(BF.simpleAgent, node) for p in v.split("; ")]
    parts += [("c", v) for v in doc.texts(BF.simpleDate, node)]
    if not parts:
        return
    admin = next(iter(doc.linked(BF.adminMetadata)), None)
    rda = admin is not None and "rda" in _words(doc, BF.descriptionConventions, admin)
    tag, indicators = ("264", " 1") if rda or admin is None else ("260", "  ")
    record.add_field(Field(tag=tag, indicators=Indicators(*indicators),
                           subfields=isbd(parts, {"b": " :", "c": ","}, repeat={"a": " ;"})))


def _description(doc: Description, record: Record) -> None:
    for edition in doc.texts(BF.editionStatement):
        add_field(record, "250", "  ", isbd([("a", edition)], {}))
    extents = [doc.text(RDFS.label, n) for n in doc.linked(BF.extent)]
    dimensions = doc.texts(BF.dimensions)
    if extents or dimensions:
        extent, _, details = (extents[0] if extents else "").partition(" : ")
        parts = [(c, v) for c, v in (("a", extent), ("b", details)) if v]
        parts += [("c", v) for v in dimensions]
        add_field(record, "300", "  ", isbd(parts, {"b": " :", "c": " ;"}))
    uniform = [doc.text(RDFS.label, n) for n in doc.linked(BF.hasSeries)]
    numbers = doc.texts(BF.seriesEnumeration)
    for index, statement in enumerate(doc.texts(BF.seriesStatement)):
        parts = [("a", statement)] + [("v", n) for n in (numbers if index == 0 else [])]
        add_field(record, "490", "1 " if uniform else "0 ", isbd(parts, {"v": " ;"}, end=""))
    for title in uniform:
        add_field(record, "830", " 0", isbd([("a", title)], {}))


def _notes(doc: Description, record: Record) -> None:
    for node in doc.linked(BF.note):
        kind = doc.text(BF.noteType, node) or "general"
        tag = NOTE_TAGS.get(kind, "500")
        add_field(record, tag, "0 " if tag == "505" else "  ", [("a", doc.text(RDFS.label, node))])
    for text in doc.texts(DCTERMS.abstract):
        add_field(record, "520", "  ", [("a", text)])
    for node in doc.linked(BF.usageAndAccessPolicy):
        use = BF.UsePolicy.value in doc.types(node)
        add_field(record, "540" if use else "506", "  ", [("a", doc.text(RDFS.label, node))])


def _subjects(doc: Description, record: Record) -> None:
    work = next(iter(doc.linked(BF.instanceOf)), None)
    for node in doc.linked(BF.subject, work):
        marc = doc.text(BFLC.marcKey, node)
        if marc:
            tag, indicators, parts = subfields_of(marc)
        else:
            place = BF.Place.value in doc.types(node)
            label = doc.text(RDFS.label, node)
            tag, indicators = ("651" if place else "650"), " 4"
            head, *rest = label.split("--")
            parts = [("a", head)] + [("x", r) for r in rest]
        add_field(record, tag, indicators, parts)


def _links(doc: Description, record: Record, snapshot: Snapshot) -> None:
    for url in doc.texts(BF.electronicLocator):
        add_field(record, "856", "40", [("u", url)])
    for licence in doc.texts(DCTERMS.license):
        add_field(record, "540", "  ", [("a", "Licence"), ("u", licence)])
    for quad in snapshot.quads(None, ODRL.target, doc.iri, None):
        title = next((q.object.value for q in snapshot.quads(quad.subject, DCTERMS.title, None,
                                                              None)), quad.subject.value)
        add_field(record, "506", "1 ", [("a", "Access restricted to users covered by the "
                                              f"licence: {title}"), ("u", quad.subject.value)])
        add_field(record, "540", "  ", [("a", f"Use governed by the licence: {title}"),
                                        ("u", quad.subject.value)])

