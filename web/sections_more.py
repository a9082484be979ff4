"""Sections of event and resource pages: a programme, participants by role; a
bibliographic description with identifiers, classification, licence and access.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import Literal, NamedNode, Triple

from kg.describe import pick_literal
from kg.namespaces import BF, DCTERMS, KG, RDF, RDFS, SCHEMA
from kg.ontology import term_label
from kg.store import Snapshot
from web import related
from web.dates import format_date, time_of_day
from web.entity_view import Value
from web.related import Labeller, first, subjects
from web.sections import Listing

PROGRAMME_LIMIT = 200


@dataclass
class ProgrammeItem:
    """One part of an event's programme."""

    event: Value
    order: int | None
    kind: str | None
    when: str | None
    time: str | None
    sort_date: str
    speakers: list[Value] = field(default_factory=list)
    subjects: list[Value] = field(default_factory=list)


def event(snapshot: Snapshot, iri: NamedNode, labeller: Labeller) -> dict:
    """The programme (sub-events in order), participants by role, resources about it."""
    parts = [p for p in related.objects(snapshot, iri, SCHEMA.subEvent, PROGRAMME_LIMIT)
             if isinstance(p, NamedNode)]
    labeller.learn(parts)
    programme = sorted((_item(snapshot, part, labeller) for part in parts),
                       key=lambda i: (i.order is None, i.order or 0, i.sort_date,
                                      i.event.text.casefold()))
    by_role: dict[str, list[Value]] = {}
    for node in related.objects(snapshot, iri, KG.participation, 500):
        agent = first(snapshot, node, KG.agent)
        if agent is None:
            continue
        for role in related.objects(snapshot, node, KG.participantRole) or [None]:
            name = labeller.text(role) if role is not None else ""
            by_role.setdefault(name, []).append(labeller.link(agent))
    about, more = subjects(snapshot, SCHEMA.about, iri)
    labeller.learn(about)
    return {"programme": programme, "by_role": by_role,
            "about": Listing([labeller.link(a) for a in about], more)}


def _item(snapshot: Snapshot, part: NamedNode, labeller: Labeller) -> ProgrammeItem:
    languages = labeller.languages
    order = first(snapshot, part, SCHEMA.position)
    start = first(snapshot, part, SCHEMA.startDate)
    kinds = [t for t in related.objects(snapshot, part, RDF.type)
             if t.value.startswith(KG.iri)]
    speakers = related.objects(snapshot, part, SCHEMA.performer)
    topics = related.objects(snapshot, part, DCTERMS.subject)
    labeller.learn(speakers + topics)
    start_text = start.value if isinstance(start, Literal) else ""
    return ProgrammeItem(
        labeller.link(part),
        int(order.value) if isinstance(order, Literal) and order.value.isdigit() else None,
        term_label(kinds[0].value, languages) if kinds else None,
        format_date(start.value, start.datatype.value, languages[0])
        if isinstance(start, Literal) else None,
        time_of_day(start_text), start_text,
        [labeller.link(s) for s in speakers], [labeller.link(t) for t in topics])


@dataclass
class Bibliographic:
    """A resource's description the way a catalogue card gives it."""

    statement: str
    contributors: list[Value]
    identifiers: list[tuple[str, str]]
    classification: list[tuple[str, str]]
    licences: list[Value]
    access: list[str]


def resource(snapshot: Snapshot, triples: list[Triple], iri: NamedNode,
             labeller: Labeller) -> dict:
    """The bibliographic description, identifiers, classification, licence and access."""
    by_subject: dict[str, list[Triple]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject.value, []).append(triple)

    def get(subject: str, predicate: NamedNode) -> list:
        return [t.object for t in by_subject.get(subject, []) if t.predicate == predicate]

    languages = labeller.languages
    work = next(iter(get(iri.value, BF.instanceOf)), None)
    contributors = []
    for node in get(work.value, BF.contribution) if work else []:
        for agent in get(node.value, BF.agent):
            link = labeller.link(agent)
            link.note = ", ".join(term_label(r.value, languages) if isinstance(r, NamedNode)
                                  else r.value for r in get(node.value, BF.role)) or None
            contributors.append(link)
    identifiers = [(_type_label(get(n.value, RDF.type), languages), v.value)
                   for n in get(iri.value, BF.identifiedBy) for v in get(n.value, RDF.value)]
    classification = [(_type_label(get(n.value, RDF.type), languages), v.value)
                      for n in (get(work.value, BF.classification) if work else [])
                      for v in get(n.value, BF.classificationPortion)]
    licences = [labeller.link(x) for x in get(iri.value, DCTERMS.license)]
    access = [label.value for node in get(iri.value, BF.usageAndAccessPolicy)
              for label in get(node.value, RDFS.label)]
    return {"bibliographic": Bibliographic(_statement(get, iri.value, languages), contributors,
                                           identifiers, classification, licences, access)}


def _type_label(types: list, languages: list[str]) -> str:
    named = [t for t in types if isinstance(t, NamedNode)]
    return term_label(named[0].value, languages) if named else ""


def _statement(get, subject: str, languages: list[str]) -> str:
    """An ISBD-like line: Title : subtitle / statement. — Edition. — Place : Publisher, Date."""
    def text(node: str, predicate: NamedNode) -> str | None:
        chosen = pick_literal([o for o in get(node, predicate) if isinstance(o, Literal)],
                              languages)
        return chosen.value if chosen else None

    title_node = next(iter(get(subject, BF.title)), None)
    title = text(subject, DCTERMS.title) or ""
    subtitle = text(title_node.value, BF.subtitle) if title_node else None
    head = title + (f" : {subtitle}" if subtitle else "")
    responsibility = text(subject, BF.responsibilityStatement)
    head += f" / {responsibility}" if responsibility else ""
    areas = [head]
    edition = text(subject, BF.editionStatement)
    if edition:
        areas.append(edition)
    for node in get(subject, BF.provisionActivity):
        place, agent = text(node.value, BF.simplePlace), text(node.value, BF.simpleAgent)
        when = text(node.value, BF.simpleDate)
        publication = " : ".join(p for p in (place, agent) if p)
        areas.append(", ".join(p for p in (publication, when) if p))
    extents = [text(n.value, RDFS.label) for n in get(subject, BF.extent)]
    areas.extend(e for e in extents if e)
    series = text(subject, BF.seriesStatement)
    if series:
        areas.append(f"({series})")
    return ". — ".join(a for a in areas if a)
