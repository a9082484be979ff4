"""Resources: books, articles, web pages, e-resources and licensed databases.

Described twice on purpose: BIBFRAME for catalogue fidelity (an Instance,
``id/resource/{key}``, of a Work, ``<...#work>``, with titles, contributions,
identifiers and classifications as nodes inside the description) and plain
DCTERMS / schema.org properties on the Instance for simple queries and the web
view. MARC records map onto the same fields (``docs/marc.md``).
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.convert import Entity, bibliographic
from kg.convert.values import as_date, as_text
from kg.namespaces import BF, BFLC, DCAT, DCTERMS, LANGUAGES, RDF, RDFS, RELATORS, SCHEMA, Namespace

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
# work_type -> the Work's BIBFRAME class (MARC leader/06; see kg.marc.codes).
WORK_TYPES: dict[str, NamedNode] = {
    "text": BF.Text, "notated-music": BF.NotatedMusic, "cartography": BF.Cartography,
    "moving-image": BF.MovingImage, "audio": BF.Audio, "music-audio": BF.MusicAudio,
    "still-image": BF.StillImage, "multimedia": BF.Multimedia, "kit": BF.Kit,
    "mixed-material": BF.MixedMaterial, "object": BF.Object, "dataset": BF.Dataset,
}
ISSUANCE = Namespace("http://id.loc.gov/vocabulary/issuance/")
COUNTRIES = Namespace("http://id.loc.gov/vocabulary/countries/")
# ISO 639-1 codes people write, to the ISO 639-2 codes of id.loc.gov.
LANGUAGE_CODES = {"vi": "vie", "en": "eng", "fr": "fre", "de": "ger", "zh": "chi",
                  "ja": "jpn", "ko": "kor", "ru": "rus", "es": "spa", "th": "tha",
                  "lo": "lao", "km": "khm"}
_TAGS = {v: k for k, v in LANGUAGE_CODES.items()}
_CODE = re.compile(r"^[a-z]{2,3}$")


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
    _work_class(entity, work, work_class)
    tag = _language(entity, work)
    _title(entity, work, tag)
    _contributions(entity, work)
    _publication(entity)
    entity.text("edition", BF.editionStatement)
    _labelled_nodes(entity, "extent", BF.extent, BF.Extent)
    entity.text("dimensions", BF.dimensions)
    bibliographic.identifiers(entity)
    bibliographic.classifications(entity, work)
    bibliographic.subjects(entity, work)
    entity.iri_field("url", BF.electronicLocator)
    entity.iri_field("licence", DCTERMS.license)
    _labelled_nodes(entity, "access", BF.usageAndAccessPolicy, BF.AccessPolicy)
    _labelled_nodes(entity, "terms_of_use", BF.usageAndAccessPolicy, BF.UsePolicy)
    bibliographic.series(entity)
    entity.refs("part_of", DCTERMS.isPartOf, "resource")
    entity.refs("about", SCHEMA.about, "event")
    entity.lang_text("description", DCTERMS.abstract)
    bibliographic.notes(entity)
    bibliographic.admin(entity)


def _work_class(entity: Entity, work: NamedNode, default: NamedNode) -> None:
    """The Work's class (from ``work_type`` when given) and the Instance's issuance."""
    word = (entity.value("work_type") or "").lower()
    if word.startswith("manuscript-"):
        entity.add(RDF.type, BF.Manuscript)
        word = word.removeprefix("manuscript-")
    if word and word not in WORK_TYPES:
        entity.problem("work_type", f"'work_type' must be one of {', '.join(WORK_TYPES)}, "
                                    f"got {word!r}")
    work_class = WORK_TYPES.get(word, default)
    if work_class != BF.Work:
        entity.add(RDF.type, work_class, work)
    issuance = (entity.value("issuance") or "").lower()
    if issuance:
        entity.add(BF.issuance, ISSUANCE[issuance] if issuance.isalpha() else Literal(issuance))


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
    for value in entity.values("part_number"):
        entity.add(BF.partNumber, as_text(str(value), tag), node)
    for value in entity.values("part_name"):
        entity.add(BF.partName, as_text(str(value), tag), node)
    statement = entity.value("responsibility")
    if statement:
        entity.add(BF.responsibilityStatement, as_text(statement))


def _contributions(entity: Entity, work: NamedNode) -> None:
    """The main contributor (``bflc:PrimaryContribution``), then the others."""
    entries = [(True, v) for v in entity.values("primary_contributor")]
    entries += [(False, v) for v in entity.values("contributors")]
    for number, (primary, value) in enumerate(entries, 1):
        parsed = _contributor(entity, value)
        if parsed is None:
            continue
        roles, agent, details = parsed
        node = entity.node(f"contribution-{number}")
        entity.add(BF.contribution, node, work)
        entity.add(RDF.type, BF.Contribution, node)
        if primary:
            entity.add(RDF.type, BFLC.PrimaryContribution, node)
        entity.add(BF.agent, agent, node)
        for code in roles:
            entity.add(BF.role, RELATORS[code] if _CODE.match(code) else Literal(code), node)
        if details.get("name"):
            # The agent named inline: see kg.convert.agents for how it is declared.
            entity.add(RDFS.label, as_text(str(details["name"])), node)
        if details.get("marc"):
            entity.add(BFLC.marcKey, Literal(str(details["marc"])), node)
        creator = any(code in ("aut", "cre") for code in roles) or (primary and not roles)
        entity.add(DCTERMS.creator if creator else DCTERMS.contributor, agent)


def _contributor(entity: Entity, value: Any) -> tuple[list[str], Any, dict] | None:
    """(roles, agent, details) of ``role=key``, or of ``{agent, role, name, marc}``."""
    if isinstance(value, dict):
        target = value.get("agent") or value.get("who")
        if target is None:
            entity.problem("contributors", f"each contributor needs an 'agent', got {value!r}")
            return None
        raw = value.get("role", "aut")  # present but empty: the role is not stated
        roles = [str(r).strip().lower() for r in (raw if isinstance(raw, list) else [raw]) if r]
        return roles, entity.ref(target, "person"), value
    role, sep, target = str(value).rpartition("=")
    return [(role.strip() if sep and role.strip() else "aut").lower()], \
        entity.ref(target, "person"), {}


def _publication(entity: Entity) -> None:
    publisher, place = entity.value("publisher"), entity.value("place")
    date, statement = entity.value("date"), entity.value("date_statement")
    country = entity.value("country")
    if not (publisher or place or date or statement or country):
        return
    node = entity.node("publication")
    entity.add(BF.provisionActivity, node)
    entity.add(RDF.type, BF.Publication, node)
    if publisher:
        entity.add(BF.simpleAgent, as_text(publisher), node)
        entity.add(DCTERMS.publisher, as_text(publisher))
    if place:
        entity.add(BF.simplePlace, as_text(place), node)
    if country:
        entity.add(BF.place, COUNTRIES[country.lower()] if country.isalpha()
                   else Literal(country), node)
    if statement or date:
        entity.add(BF.simpleDate, as_text(statement or date), node)
    if date:
        entity.add(DCTERMS.issued, as_date(date))


def _labelled_nodes(entity: Entity, name: str, link: NamedNode, cls: NamedNode) -> None:
    """Free-text statements as labelled BIBFRAME nodes (extent, policies)."""
    for number, value in enumerate(entity.values(name), 1):
        node = entity.node(f"{name.replace('_', '-')}-{number}")
        entity.add(link, node)
        entity.add(RDF.type, cls, node)
        entity.add(RDFS.label, as_text(value), node)
