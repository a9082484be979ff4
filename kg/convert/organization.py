"""Organizations: institutions and their units (departments, libraries, companies).

An organization with a ``parent`` is an ``org:OrganizationalUnit`` of it;
one without is an ``org:FormalOrganization``.
"""

from __future__ import annotations

from kg.convert import Entity
from kg.convert.values import as_iri, as_wikidata
from kg.namespaces import DCTERMS, FOAF, ORG, OWL, RDF, SCHEMA, SKOS

TYPES = {
    "university": SCHEMA.CollegeOrUniversity,
    "library": SCHEMA.Library,
    "department": SCHEMA.Organization,
    "institute": SCHEMA.ResearchOrganization,
    "company": SCHEMA.Corporation,
    "government": SCHEMA.GovernmentOrganization,
    "organization": SCHEMA.Organization,
}


def convert(entity: Entity) -> None:
    """Triples of one organization record."""
    kind = (entity.value("type") or "organization").lower()
    if kind not in TYPES:
        entity.problem("type", f"'type' must be one of {', '.join(TYPES)}, got {kind!r}")
    entity.add(RDF.type, TYPES.get(kind, SCHEMA.Organization))
    entity.lang_text("name", SKOS.prefLabel)
    entity.lang_text("alt_name", SKOS.altLabel)
    parents = entity.refs("parent", ORG.unitOf, "organization")
    for parent in parents:
        entity.add(ORG.subOrganizationOf, parent)
    entity.add(RDF.type, ORG.OrganizationalUnit if parents else ORG.FormalOrganization)
    entity.iri_field("homepage", FOAF.homepage)
    entity.iri_field("wikidata", OWL.sameAs, as_wikidata)
    entity.iri_field("ror", OWL.sameAs, lambda v: as_iri(_ror(v)))
    entity.iri_field("isni", OWL.sameAs, lambda v: as_iri(_isni(v)))
    entity.lang_text("description", DCTERMS.description)
    entity.text("notes", SKOS.note)


def _ror(value: str) -> str:
    value = value.strip()
    return value if value.startswith("http") else f"https://ror.org/{value}"


def _isni(value: str) -> str:
    value = value.replace(" ", "").strip()
    return value if value.startswith("http") else f"https://isni.org/isni/{value}"
