"""Positions: a person's post in a unit, with rank and dates (``org:Membership``).

Dates hang on an OWL-Time interval, ``<pos#period>``, whose beginning and end
carry ``time:inXSDDate`` (or ``inXSDgYearMonth`` / ``inXSDgYear`` when only
the month or year is known).
"""

from __future__ import annotations

from pyoxigraph import Literal

from kg.convert import Entity
from kg.convert.values import as_date
from kg.namespaces import KG, ORG, RDF, SKOS, TIME, XSD

_INSTANT_PROPERTY = {
    XSD.gYear.value: TIME.inXSDgYear,
    XSD.gYearMonth.value: TIME.inXSDgYearMonth,
}


def convert(entity: Entity) -> None:
    """Triples of one position record."""
    entity.refs("person", ORG.member, "person")
    entity.refs("organization", ORG.organization, "organization")
    entity.refs("role", ORG.role, "concept")
    entity.refs("rank", KG.rank, "concept")
    entity.lang_text("title", SKOS.prefLabel)
    start, end = entity.value("start_date"), entity.value("end_date")
    if start or end:
        period = entity.node("period")
        entity.add(ORG.memberDuring, period)
        entity.add(RDF.type, TIME.Interval, period)
        for text, fragment, link in ((start, "start", TIME.hasBeginning),
                                     (end, "end", TIME.hasEnd)):
            if text:
                instant = entity.node(fragment)
                entity.add(link, instant, period)
                entity.add(RDF.type, TIME.Instant, instant)
                entity.add(_instant_property(date := as_date(text)), date, instant)
    entity.text("notes", SKOS.note)


def _instant_property(date: Literal):
    """The OWL-Time property for a date of this precision."""
    return _INSTANT_PROPERTY.get(date.datatype.value, TIME.inXSDDate)
