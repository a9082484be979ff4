"""Agreements between organizations: cooperation agreements, MoUs, vendor licences.

Every agreement is a ``kg:Agreement`` and a ``prov:Entity``; a licence is also
an ``odrl:Agreement`` whose licensor is the ``odrl:assigner``, licensee the
``odrl:assignee`` and licensed resources the ``odrl:target``.
"""

from __future__ import annotations

from kg.convert import Entity
from kg.namespaces import DCTERMS, FOAF, KG, ODRL, PROV, RDF, SCHEMA, SKOS

TYPES = {
    "agreement": KG.Agreement,
    "cooperation": KG.CooperationAgreement,
    "mou": KG.MemorandumOfUnderstanding,
    "licence": KG.LicenceAgreement,
    "license": KG.LicenceAgreement,
}


def convert(entity: Entity) -> None:
    """Triples of one agreement record."""
    kind = (entity.value("type") or "agreement").lower()
    if kind not in TYPES:
        entity.problem("type", f"'type' must be one of {', '.join(TYPES)}, got {kind!r}")
    entity.add(RDF.type, PROV.Entity)
    entity.add(RDF.type, TYPES.get(kind, KG.Agreement))
    entity.lang_text("title", DCTERMS.title)
    entity.text("identifier", DCTERMS.identifier)
    entity.refs("parties", KG.party, "organization")
    entity.refs("signatories", KG.signatory, "person")
    entity.date("date_signed", DCTERMS.dateAccepted)
    entity.date("valid_from", SCHEMA.validFrom)
    entity.date("valid_until", SCHEMA.validThrough)
    entity.lang_text("scope", KG.scope)
    entity.lang_text("description", DCTERMS.description)
    entity.refs("subjects", DCTERMS.subject, "concept")
    licensors = entity.refs("licensor", ODRL.assigner, "organization")
    licensees = entity.refs("licensee", ODRL.assignee, "organization")
    for party in licensors + licensees:
        entity.add(KG.party, party)
    targets = entity.refs("resources", ODRL.target, "resource")
    if kind in ("licence", "license") or licensors or licensees or targets:
        entity.add(RDF.type, ODRL.Agreement)
    entity.iri_field("url", FOAF.page)
    entity.text("notes", SKOS.note)
