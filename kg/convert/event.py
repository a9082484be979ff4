"""Events and their programme: sessions, presentations, discussions.

A sub-event names its parent with ``part_of`` (``schema:superEvent``, with
``schema:subEvent`` back). Speakers are ``schema:performer``; participants
with a role become ``kg:Participation`` nodes (``<event#participation-1>``).
"""

from __future__ import annotations

from kg.convert import Entity
from kg.convert.values import as_date, as_integer
from kg.namespaces import DCTERMS, KG, PROV, RDF, SCHEMA, SKOS

TYPES = {
    "event": SCHEMA.Event,
    "session": KG.Session,
    "presentation": KG.Presentation,
    "discussion": KG.Discussion,
    "meeting": KG.Meeting,
    "workshop": KG.Workshop,
    "conference": KG.Conference,
}


def convert(entity: Entity) -> None:
    """Triples of one event record."""
    kind = (entity.value("type") or "event").lower()
    if kind not in TYPES:
        entity.problem("type", f"'type' must be one of {', '.join(TYPES)}, got {kind!r}")
    entity.add(RDF.type, PROV.Activity)
    entity.add(RDF.type, TYPES.get(kind, SCHEMA.Event))
    entity.lang_text("name", SCHEMA.name)
    entity.lang_text("theme", KG.theme)
    entity.lang_text("description", SCHEMA.description)
    for name, predicate in (("start_date", SCHEMA.startDate), ("end_date", SCHEMA.endDate)):
        value = entity.value(name)
        if value:
            entity.add(predicate, as_date(value))
    entity.refs("venue", SCHEMA.location, "organization")
    entity.text("location", SCHEMA.location)
    entity.refs("part_of", SCHEMA.superEvent, "event", inverse=SCHEMA.subEvent)
    order = entity.value("order")
    if order:
        entity.add(SCHEMA.position, as_integer(order))
    entity.refs("organizers", SCHEMA.organizer, "organization")
    entity.refs("speakers", SCHEMA.performer, "person")
    entity.refs("attendees", SCHEMA.attendee, "person")
    _participations(entity)
    entity.refs("subjects", DCTERMS.subject, "concept")
    entity.refs("based_on", KG.basedOn, "agreement")
    entity.text("notes", SKOS.note)


def _participations(entity: Entity) -> None:
    for number, (role, agent) in enumerate(entity.qualified_refs("participants", "person"), 1):
        node = entity.node(f"participation-{number}")
        entity.add(KG.participation, node)
        entity.add(RDF.type, KG.Participation, node)
        entity.add(KG.agent, agent, node)
        if role:
            entity.add(KG.participantRole, entity.ref(role, "concept"), node)
        else:
            entity.problem("participants", "each participant needs a role, like "
                                           "'presenter=bui-tien-phong'")
