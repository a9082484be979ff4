"""schema.org JSON-LD for an entity page, for search engines and harvesters.

Made from the entity's description: each property with a schema.org
equivalent becomes that property; links carry the linked entity's IRI and
name. Dates are given only when ISO 8601 can say them (a day of an unknown
year cannot be a schema.org Date).
"""

from __future__ import annotations

from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.describe import pick_literal
from kg.namespaces import BF, DCTERMS, FOAF, KG, ORG, OWL, SCHEMA, SKOS
from web.entity_view import EntityView

KIND_TYPES = {"organization": "Organization", "person": "Person", "event": "Event",
              "resource": "CreativeWork", "agreement": "CreativeWork",
              "concept": "DefinedTerm", "position": "OrganizationRole"}
PROPERTIES = {
    SKOS.prefLabel: "name", FOAF.name: "name", SCHEMA.name: "name", DCTERMS.title: "name",
    SKOS.altLabel: "alternateName", SCHEMA.familyName: "familyName",
    SCHEMA.givenName: "givenName", SCHEMA.honorificPrefix: "honorificPrefix",
    DCTERMS.description: "description", SCHEMA.description: "description",
    DCTERMS.abstract: "abstract", KG.scope: "description", SKOS.definition: "description",
    OWL.sameAs: "sameAs", FOAF.homepage: "url", FOAF.page: "sameAs",
    ORG.unitOf: "parentOrganization", SCHEMA.startDate: "startDate",
    SCHEMA.endDate: "endDate", SCHEMA.location: "location", SCHEMA.organizer: "organizer",
    SCHEMA.performer: "performer", SCHEMA.attendee: "attendee", SCHEMA.subEvent: "subEvent",
    SCHEMA.superEvent: "superEvent", DCTERMS.subject: "about", SCHEMA.about: "about",
    DCTERMS.creator: "author", DCTERMS.contributor: "contributor",
    DCTERMS.publisher: "publisher", DCTERMS.issued: "datePublished",
    DCTERMS.license: "license", DCTERMS.identifier: "identifier",
    DCTERMS.isPartOf: "isPartOf", BF.electronicLocator: "url", KG.party: "sourceOrganization",
    DCTERMS.dateAccepted: "dateCreated", SCHEMA.validFrom: "temporalCoverage",
    ORG.member: "member", ORG.organization: "memberOf", ORG.role: "roleName",
    BF.editionStatement: "bookEdition",
}
_BY_IRI = {p.value: name for p, name in PROPERTIES.items()}
_ISO_DATE_TYPES = {"date", "dateTime", "gYear", "gYearMonth"}


def schema_org(view: EntityView, page_url: str, names: dict[str, str]) -> dict[str, Any]:
    """The JSON-LD object describing the entity with schema.org terms."""
    types = [iri.removeprefix(SCHEMA.iri) for iri in view.type_iris
             if iri.startswith(SCHEMA.iri)] or [KIND_TYPES.get(view.kind, "Thing")]
    document: dict[str, Any] = {"@context": "https://schema.org/", "@id": view.iri,
                                "@type": types[0] if len(types) == 1 else types,
                                "name": view.title, "url": page_url}
    literals: dict[str, list[Literal]] = {}
    for triple in view.triples:
        if triple.subject.value != view.iri:
            continue
        name = _BY_IRI.get(triple.predicate.value)
        if name is None or name == "name":
            continue
        value = triple.object
        if isinstance(value, Literal):
            literals.setdefault(name, []).append(value)
        elif isinstance(value, NamedNode) and "#" not in value.value:
            linked: Any = {"@id": value.value}
            if value.value in names:
                linked["name"] = names[value.value]
            present = document.setdefault(name, [])
            if not isinstance(present, list):  # "url" is the page's own: an 856 link joins it
                present = document[name] = [present]
            present.append(linked)
    for name, values in literals.items():
        text = _literal(values, view.languages)
        if text is not None:
            document[name] = text
    return {k: (v[0] if isinstance(v, list) and len(v) == 1 else v) for k, v in document.items()}


def _literal(values: list[Literal], languages: list[str]) -> str | None:
    chosen = pick_literal(values, languages)
    if chosen is None:
        return None
    datatype = chosen.datatype.value.rsplit("#", 1)[-1] if chosen.datatype else ""
    if datatype.startswith("g") and datatype not in _ISO_DATE_TYPES:
        return None  # gMonthDay, gDay ...: not a date schema.org can carry
    return chosen.value
