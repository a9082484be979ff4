"""People. Names follow Vietnamese order: family name first (Trịnh Phi Cường)."""

from __future__ import annotations

from kg.convert import Entity
from kg.convert.values import as_iri, as_wikidata
from kg.namespaces import DCTERMS, FOAF, OWL, RDF, SCHEMA, SKOS


def convert(entity: Entity) -> None:
    """Triples of one person record."""
    entity.add(RDF.type, SCHEMA.Person)
    entity.text("name", FOAF.name)
    entity.text("alt_name", SKOS.altLabel)
    entity.text("family_name", SCHEMA.familyName)
    entity.text("given_name", SCHEMA.givenName)
    entity.text("honorific", SCHEMA.honorificPrefix)
    entity.date("birth_date", SCHEMA.birthDate)
    entity.date("death_date", SCHEMA.deathDate)
    entity.iri_field("orcid", OWL.sameAs, lambda v: as_iri(_orcid(v)))
    entity.iri_field("wikidata", OWL.sameAs, as_wikidata)
    entity.iri_field("homepage", FOAF.homepage)
    entity.lang_text("description", DCTERMS.description)
    entity.text("notes", SKOS.note)


def _orcid(value: str) -> str:
    value = value.strip()
    return value if value.startswith("http") else f"https://orcid.org/{value}"
