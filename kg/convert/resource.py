"""Resources: books, articles, web pages, e-resources and licensed databases.

Described twice on purpose: BIBFRAME for catalogue fidelity (an Instance,
``id/resource/{key}``, of a Work, ``<...#work>``, with titles, contributions,
identifiers and classifications as nodes inside the description) and plain
DCTERMS / schema.org properties on the Instance for simple queries and the web
view. MARC records map onto the same fields (``docs/marc.md``).
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from kg.convert import Entity
from kg.convert.values import as_date, as_text
from kg.namespaces import BF, DCAT, DCTERMS, LANGUAGES, RDF, RDFS, RELATORS, SCHEMA

# type -> (schema.org class, BIBFRAME Instance class or None, Work class)
TYPES: dict[str, tuple[NamedNode, NamedNode | None, NamedNode]] = {
    "book": (SCHEMA.Book, BF.Print, BF.Text),
    "ebook": (SCHEMA.Book, BF.Electronic, BF.Text),
    "article": (SCHEMA.Article, None, BF.Text),
    "webpage": (SCHEMA.WebPage, BF.Electronic, BF.Text),
    "journal": (SCHEMA.Periodical, None, BF.Text),
    "thesis": (SCHEMA.Thesis, None, BF.Text),
    "eresource": (SCHEMA.CreativeWork, BF.Electronic, BF.Work),
    "database": (SCHEMA.Dataset, BF.Electronic, BF.Dataset),
    "other": (SCHEMA.CreativeWork, None, BF.Work),
}
# ISO 639-1 codes people write, to the ISO 639-2 codes of id.loc.gov.
LANGUAGE_CODES = {"vi": "vie", "en": "eng", "fr": "fre", "de": "ger", "zh": "chi",
                  "ja": "jpn", "ko": "kor", "ru": "rus", "es": "spa", "th": "tha",
                  "lo": "lao", "km": "khm"}
_TAGS = {v: k for k, v in LANGUAGE_CODES.items()}
IDENTIFIERS = {"isbn": BF.Isbn, "issn": BF.Issn, "lccn": BF.Lccn, "doi": BF.Doi}
CLASSIFICATIONS = {"ddc": BF.ClassificationDdc, "lcc": BF.ClassificationLcc}


def convert(entity: Entity) -> None:
    """Triples of one resource record."""
    kind = (entity.value("type") or "other").lower()
    if kind not in TYPES:
        entity.problem("type", f"'type' must be one of {', '.join(TYPES)}, got {kind!r}")
    schema_class, instance_class, work_class = TYPES.get(kind, TYPES["other"])
    work = entity.node("work")
    entity.add(RDF.type, schema_class)
    if instance_class is not None:
        entity.add(RDF.type, instance_class)
    if kind == "database":
        entity.add(RDF.type, DCAT.Dataset)
    entity.add(BF.instanceOf, work)
    entity.add(RDF.type, BF.Work, work)
    if work_class != BF.Work:
        entity.add(RDF.type, work_class, work)
    tag = _language(entity, work)
    _title(entity, work, tag)
    _contributions(entity, work)
    _publication(entity)
    entity.text("edition", BF.editionStatement)
    _labelled_nodes(entity, "extent", BF.extent, BF.Extent)
    _identifiers(entity)
    _classifications(entity, work)
    _subjects(entity, work)
    entity.iri_field("url", BF.electronicLocator)
    entity.iri_field("licence", DCTERMS.license)
    _labelled_nodes(entity, "access", BF.usageAndAccessPolicy, BF.AccessPolicy)
    _labelled_nodes(entity, "terms_of_use", BF.usageAndAccessPolicy, BF.UsePolicy)
    entity.text("series", BF.seriesStatement)
    entity.refs("part_of", DCTERMS.isPartOf, "resource")
    entity.refs("about", SCHEMA.about, "event")
    entity.lang_text("description", DCTERMS.abstract)
    _labelled_nodes(entity, "notes", BF.note, BF.Note)


def _language(entity: Entity, work: NamedNode) -> str | None:
    """Languages of the work; returns the tag for the title's literal."""
    tag = None
    for code in entity.values("language"):
        code = str(code).strip().lower()
        code3 = LANGUAGE_CODES.get(code, code)
        if len(code3) == 3 and code3.isalpha():
            entity.add(DCTERMS.language, LANGUAGES[code3])
            entity.add(BF.language, LANGUAGES[code3], work)
            tag = tag or _TAGS.get(code3)
        else:
            entity.add(DCTERMS.language, Literal(code))
    return tag


def _title(entity: Entity, work: NamedNode, tag: str | None) -> None:
    title = entity.value("title")
    if not title:
        return
    literal = as_text(title, tag)
    node = entity.node("title")
    entity.add(DCTERMS.title, literal)
    entity.add(BF.title, node)
    entity.add(BF.title, node, work)
    entity.add(RDF.type, BF.Title, node)
    entity.add(BF.mainTitle, literal, node)
    subtitle = entity.value("subtitle")
    if subtitle:
        entity.add(BF.subtitle, as_text(subtitle, tag), node)
    statement = entity.value("responsibility")
    if statement:
        entity.add(BF.responsibilityStatement, as_text(statement))


def _contributions(entity: Entity, work: NamedNode) -> None:
    for number, (role, agent) in enumerate(entity.qualified_refs("contributors", "person"), 1):
        node = entity.node(f"contribution-{number}")
        code = (role or "aut").lower()
        entity.add(BF.contribution, node, work)
        entity.add(RDF.type, BF.Contribution, node)
        entity.add(BF.agent, agent, node)
        entity.add(BF.role, RELATORS[code] if code.isalpha() else Literal(code), node)
        entity.add(DCTERMS.creator if code in ("aut", "cre") else DCTERMS.contributor, agent)


def _publication(entity: Entity) -> None:
    publisher, place = entity.value("publisher"), entity.value("place")
    date = entity.value("date")
    if not (publisher or place or date):
        return
    node = entity.node("publication")
    entity.add(BF.provisionActivity, node)
    entity.add(RDF.type, BF.Publication, node)
    if publisher:
        entity.add(BF.simpleAgent, as_text(publisher), node)
        entity.add(DCTERMS.publisher, as_text(publisher))
    if place:
        entity.add(BF.simplePlace, as_text(place), node)
    if date:
        entity.add(BF.simpleDate, as_text(date), node)
        entity.add(DCTERMS.issued, as_date(date))


def _identifiers(entity: Entity) -> None:
    for name, cls in IDENTIFIERS.items():
        for number, value in enumerate(entity.values(name), 1):
            node = entity.node(f"{name}-{number}")
            entity.add(BF.identifiedBy, node)
            entity.add(RDF.type, cls, node)
            entity.add(RDF.value, as_text(value), node)
            entity.add(DCTERMS.identifier, as_text(f"{name.upper()} {value}"))


def _classifications(entity: Entity, work: NamedNode) -> None:
    for name, cls in CLASSIFICATIONS.items():
        for number, value in enumerate(entity.values(name), 1):
            node = entity.node(f"{name}-{number}")
            entity.add(BF.classification, node, work)
            entity.add(RDF.type, cls, node)
            entity.add(BF.classificationPortion, as_text(value), node)


def _subjects(entity: Entity, work: NamedNode) -> None:
    for concept in entity.refs("subjects", DCTERMS.subject, "concept"):
        entity.add(BF.subject, concept, work)
    for number, heading in enumerate(entity.values("subject_headings"), 1):
        node = entity.node(f"subject-{number}")
        entity.add(BF.subject, node, work)
        entity.add(RDF.type, BF.Topic, node)
        entity.add(RDFS.label, as_text(heading), node)
        entity.add(DCTERMS.subject, node)


def _labelled_nodes(entity: Entity, name: str, link: NamedNode, cls: NamedNode) -> None:
    """Free-text statements as labelled BIBFRAME nodes (extent, notes, policies)."""
    for number, value in enumerate(entity.values(name), 1):
        node = entity.node(f"{name.replace('_', '-')}-{number}")
        entity.add(link, node)
        entity.add(RDF.type, cls, node)
        entity.add(RDFS.label, as_text(value), node)
