"""The parts of a page that depend on its kind: an organization's units, people
in posts, agreements and events; a person's posts and events with roles; an
agreement's validity; an event's programme and participants by role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pyoxigraph import Literal, NamedNode

from kg.namespaces import DCTERMS, KG, ORG, SCHEMA
from kg.ontology import term_label
from kg.store import Snapshot
from web import related
from web.entity_view import Value
from web.related import Labeller, first, subjects


@dataclass
class Post:
    """A position: who, which post and rank, where, when."""

    position: Value
    person: Value | None
    role: str | None
    rank: str | None
    unit: Value | None
    start: str | None
    end: str | None


@dataclass
class Involvement:
    """An entity's part in an event (or agreement): the roles it had, and when."""

    target: Value
    roles: list[str] = field(default_factory=list)
    when: str | None = None


@dataclass
class Listing:
    """Related entities, with a note when there are more than shown."""

    items: list
    more: bool = False


def posts(snapshot: Snapshot, positions: list[NamedNode], labeller: Labeller) -> list[Post]:
    """Positions with their person, post, rank, unit and dates."""
    language = labeller.languages[0]
    found = []
    for position in positions:
        parts = {p: first(snapshot, position, p) for p in (ORG.member, ORG.role, KG.rank,
                                                           ORG.organization)}
        labeller.learn([position, *parts.values()])
        start, end = related.period(snapshot, position, language)
        found.append(Post(
            labeller.link(position),
            labeller.link(parts[ORG.member]) if parts[ORG.member] else None,
            labeller.text(parts[ORG.role]) if parts[ORG.role] else None,
            labeller.text(parts[KG.rank]) if parts[KG.rank] else None,
            labeller.link(parts[ORG.organization]) if parts[ORG.organization] else None,
            start, end))
    return found


def involvements(snapshot: Snapshot, agent: NamedNode, labeller: Labeller) -> Listing:
    """The events an agent organized, spoke at, attended or had a role in."""
    languages = labeller.languages
    by_event: dict[str, Involvement] = {}
    more = False
    for predicate in (SCHEMA.organizer, SCHEMA.performer, SCHEMA.attendee, SCHEMA.location):
        events, truncated = subjects(snapshot, predicate, agent)
        more = more or truncated
        for event in events:
            _involve(by_event, snapshot, event, labeller).roles.append(
                term_label(predicate.value, languages))
    nodes, truncated = subjects(snapshot, KG.agent, agent)
    for node in nodes:
        event = related.entity_of(node)
        roles = [labeller.text(r) for r in related.objects(snapshot, node, KG.participantRole)]
        _involve(by_event, snapshot, event, labeller).roles.extend(roles)
    for item in by_event.values():
        item.roles = list(dict.fromkeys(r[:1].upper() + r[1:] for r in item.roles))
    return Listing(sorted(by_event.values(), key=lambda i: i.target.text.casefold()),
                   more or truncated)


def _involve(found: dict[str, Involvement], snapshot: Snapshot, event: NamedNode,
             labeller: Labeller) -> Involvement:
    if event.value not in found:
        when = related.date_text(snapshot, event, SCHEMA.startDate, labeller.languages[0])
        found[event.value] = Involvement(labeller.link(event), when=when)
    return found[event.value]


def organization(snapshot: Snapshot, iri: NamedNode, labeller: Labeller) -> dict:
    """Units, people in posts (here and in the units), agreements, events."""
    units, more_units = subjects(snapshot, ORG.unitOf, iri)
    positions, more_positions = subjects(snapshot, ORG.organization, iri)
    for unit in units[:10]:
        if len(positions) >= related.LIMIT:
            more_positions = True
            break
        positions += subjects(snapshot, ORG.organization, unit, related.LIMIT - len(positions))[0]
    agreements, more_agreements = subjects(snapshot, KG.party, iri)
    labeller.learn(units + agreements)
    return {
        "units": Listing([labeller.link(u) for u in units], more_units),
        "posts": Listing(posts(snapshot, positions, labeller), more_positions),
        "agreements": Listing([agreement_summary(snapshot, a, iri, labeller)
                               for a in agreements], more_agreements),
        "events": involvements(snapshot, iri, labeller),
    }


def agreement_summary(snapshot: Snapshot, agreement: NamedNode, party: NamedNode,
                      labeller: Labeller) -> Involvement:
    """An agreement with the other parties (as its roles) and its date."""
    others = [p for p in related.objects(snapshot, agreement, KG.party) if p != party]
    labeller.learn(others)
    when = related.date_text(snapshot, agreement, DCTERMS.dateAccepted, labeller.languages[0])
    return Involvement(labeller.link(agreement), [labeller.text(o) for o in others], when)


def person(snapshot: Snapshot, iri: NamedNode, labeller: Labeller) -> dict:
    """Posts with rank, unit and dates; events and roles."""
    positions, more = subjects(snapshot, ORG.member, iri)
    return {"posts": Listing(posts(snapshot, positions, labeller), more),
            "events": involvements(snapshot, iri, labeller)}


def agreement(snapshot: Snapshot, iri: NamedNode, labeller: Labeller) -> dict:
    """Validity (signed, from, until, whether in force today) and events held under it."""
    language = labeller.languages[0]
    dates = {name: first(snapshot, iri, predicate) for name, predicate in (
        ("signed", DCTERMS.dateAccepted), ("from", SCHEMA.validFrom),
        ("until", SCHEMA.validThrough))}
    written = {name: related.date_text(snapshot, iri, predicate, language) for name, predicate
               in (("signed", DCTERMS.dateAccepted), ("from", SCHEMA.validFrom),
                   ("until", SCHEMA.validThrough))}
    events, more = subjects(snapshot, KG.basedOn, iri)
    labeller.learn(events)
    return {"validity": written, "status": validity_status(dates.get("from"), dates.get("until")),
            "events": Listing([labeller.link(e) for e in events], more)}


def validity_status(start: object, end: object, today: date | None = None) -> str | None:
    """'in force', 'expired', 'not yet in force', or None when the dates are not stated.

    >>> from pyoxigraph import Literal
    >>> validity_status(Literal("2020-01-01"), Literal("2021-12-31"), date(2024, 1, 1))
    'expired'
    >>> validity_status(None, None) is None
    True
    """
    today_text = (today or date.today()).isoformat()
    start_text = start.value if isinstance(start, Literal) else None
    end_text = end.value if isinstance(end, Literal) else None
    if start_text is None and end_text is None:
        return None
    # ISO dates of any precision compare as text against today's prefix.
    if end_text is not None and end_text[:10] < today_text[:len(end_text[:10])]:
        return "expired"
    if start_text is not None and start_text[:10] > today_text[:len(start_text[:10])]:
        return "not yet in force"
    return "in force"
