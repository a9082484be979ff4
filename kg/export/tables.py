"""CSV per kind for spreadsheet users, in the columns of the source schema.

The columns are those of ``docs/sources.md`` (``key``, ``name``,
``name_vi`` ...), so an exported file reads like a source and can be edited
and built again; several values share a cell, separated by ``; ``. The
entity's IRI is in ``_iri``, a column that sources ignore.

Cells are safe to open in a spreadsheet: a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return would be taken as a formula
(OWASP, "CSV Injection"), so it gets a leading apostrophe, which spreadsheets
show as text and do not display.

>>> neutralize("=HYPERLINK(\\"http://evil\\")")
'\\'=HYPERLINK("http://evil")'
>>> neutralize("Nguyễn Văn A")
'Nguyễn Văn A'
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from typing import IO

from pyoxigraph import Literal, NamedNode

from kg.convert import agreement, event, organization, resource
from kg.iris import Minter
from kg.namespaces import (
    BF,
    DCTERMS,
    FOAF,
    KG,
    ODRL,
    ORG,
    OWL,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
)
from kg.store import Snapshot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
Reader = Callable[[Snapshot, NamedNode, Minter], list[str]]


def neutralize(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _objects(snap: Snapshot, subjects: Iterable[NamedNode], path: tuple[NamedNode, ...]):
    nodes = list(subjects)
    for predicate in path:
        nodes = [q.object for node in nodes for q in snap.quads(node, predicate, None, None)]
    return nodes


def text(*path: NamedNode, language: str | None = None, prefix: str = "") -> Reader:
    """Literal values at the end of a path (of one language, if given)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        return [o.value for o in _objects(snap, [iri], path) if isinstance(o, Literal)
                and (language is None or o.language == language)
                and o.value.startswith(prefix)]
    return read


def ref(*path: NamedNode, kind: str | None = None, prefix: str = "") -> Reader:
    """Linked entities as keys (``kind/key`` if not of the default kind; else the IRI)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        inside = iri.value + "#"
        return [_key(o, kind, minter) for o in _objects(snap, [iri], path)
                if isinstance(o, NamedNode) and o.value.startswith(prefix)
                and not o.value.startswith(inside)]
    return read


def code(*path: NamedNode) -> Reader:
    """The last segment of linked IRIs (ISO 639-2 language codes)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        return [o.value.rsplit("/", 1)[-1] for o in _objects(snap, [iri], path)]
    return read


def inner(path: tuple[NamedNode, ...], cls: NamedNode, value: NamedNode) -> Reader:
    """Values of the nodes of one class at the end of a path (ISBNs, DDC numbers ...)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        return [o.value for node in _objects(snap, [iri], path)
                if any(True for _ in snap.quads(node, RDF.type, cls, None))
                for o in _objects(snap, [node], (value,))]
    return read


def any_of(*readers: Reader) -> Reader:
    """The values of several readers together (a date in any of its precisions)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        return [v for reader in readers for v in reader(snap, iri, minter)]
    return read


def qualified(link: NamedNode, agent: NamedNode, role: NamedNode, kind: str,
              start: tuple[NamedNode, ...] = ()) -> Reader:
    """``role=key`` pairs from qualified nodes (contributions, participations)."""
    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        found = []
        for node in _objects(snap, _objects(snap, [iri], start) if start else [iri], (link,)):
            agents = _objects(snap, [node], (agent,))
            roles = _objects(snap, [node], (role,))
            for who in agents:
                label = roles[0].value.rsplit("/", 1)[-1] if roles else ""
                found.append(f"{label}={_key(who, kind, minter)}" if label else
                             _key(who, kind, minter))
        return found
    return read


def typed(types: dict[str, NamedNode | tuple[NamedNode, ...]], generic: str) -> Reader:
    """The source's ``type`` word: the first whose classes the entity all has.

    The generic word (whose class every entity of the kind has) is tried last;
    words that share their class with the generic one are left out.
    """
    plain = types[generic]
    order = [(w, c) for w, c in types.items() if w != generic and c != plain]
    order.append((generic, plain))

    def read(snap: Snapshot, iri: NamedNode, minter: Minter) -> list[str]:
        classes = {q.object for q in snap.quads(iri, RDF.type, None, None)}
        for word, wanted in order:
            if set(wanted if isinstance(wanted, tuple) else (wanted,)) <= classes:
                return [word]
        return []
    return read


def _dated(*path: NamedNode) -> Reader:
    return any_of(*(text(*path, p) for p in (TIME.inXSDDate, TIME.inXSDgYearMonth,
                                              TIME.inXSDgYear)))


def _key(term: NamedNode | Literal, kind: str | None, minter: Minter) -> str:
    if isinstance(term, Literal):
        return term.value
    found = minter.parse(term.value)
    if found is None or found.fragment:
        return term.value
    return found.key if found.kind == kind else f"{found.kind}/{found.key}"


Columns = list[tuple[str, Reader]]
_NOTES: Columns = [("notes", text(SKOS.note))]


def _organization(lang: Callable[..., Columns]) -> Columns:
    return [
        ("type", typed(organization.TYPES, "organization")), *lang("name", SKOS.prefLabel),
        *lang("alt_name", SKOS.altLabel), ("parent", ref(ORG.unitOf, kind="organization")),
        ("homepage", ref(FOAF.homepage)),
        ("wikidata", ref(OWL.sameAs, prefix="http://www.wikidata.org/")),
        ("ror", ref(OWL.sameAs, prefix="https://ror.org/")),
        ("isni", ref(OWL.sameAs, prefix="https://isni.org/")),
        *lang("description", DCTERMS.description), *_NOTES]


def _person(lang: Callable[..., Columns]) -> Columns:
    return [
        ("name", text(FOAF.name)), ("alt_name", text(SKOS.altLabel)),
        ("family_name", text(SCHEMA.familyName)), ("given_name", text(SCHEMA.givenName)),
        ("honorific", text(SCHEMA.honorificPrefix)), ("birth_date", text(SCHEMA.birthDate)),
        ("death_date", text(SCHEMA.deathDate)),
        ("orcid", ref(OWL.sameAs, prefix="https://orcid.org/")),
        ("wikidata", ref(OWL.sameAs, prefix="http://www.wikidata.org/")),
        ("homepage", ref(FOAF.homepage)), *lang("description", DCTERMS.description), *_NOTES]


def _position(lang: Callable[..., Columns]) -> Columns:
    return [
        ("person", ref(ORG.member, kind="person")),
        ("organization", ref(ORG.organization, kind="organization")),
        ("role", ref(ORG.role, kind="concept")), ("rank", ref(KG.rank, kind="concept")),
        *lang("title", SKOS.prefLabel),
        ("start_date", _dated(ORG.memberDuring, TIME.hasBeginning)),
        ("end_date", _dated(ORG.memberDuring, TIME.hasEnd)), *_NOTES]


def _concept(lang: Callable[..., Columns]) -> Columns:
    return [
        ("scheme", ref(SKOS.inScheme, kind="scheme")), *lang("label", SKOS.prefLabel),
        *lang("alt_label", SKOS.altLabel), *lang("definition", SKOS.definition),
        ("broader", ref(SKOS.broader, kind="concept")),
        ("exact_match", ref(SKOS.exactMatch)), *_NOTES]


def _agreement(lang: Callable[..., Columns]) -> Columns:
    return [
        ("type", typed(agreement.TYPES, "agreement")), *lang("title", DCTERMS.title),
        ("identifier", text(DCTERMS.identifier)),
        ("parties", ref(KG.party, kind="organization")),
        ("signatories", ref(KG.signatory, kind="person")),
        ("date_signed", text(DCTERMS.dateAccepted)), ("valid_from", text(SCHEMA.validFrom)),
        ("valid_until", text(SCHEMA.validThrough)), *lang("scope", KG.scope),
        *lang("description", DCTERMS.description),
        ("subjects", ref(DCTERMS.subject, kind="concept")),
        ("licensor", ref(ODRL.assigner, kind="organization")),
        ("licensee", ref(ODRL.assignee, kind="organization")),
        ("resources", ref(ODRL.target, kind="resource")), ("url", ref(FOAF.page)), *_NOTES]


def _event(lang: Callable[..., Columns]) -> Columns:
    return [
        ("type", typed(event.TYPES, "event")), *lang("name", SCHEMA.name),
        *lang("theme", KG.theme), *lang("description", SCHEMA.description),
        ("start_date", text(SCHEMA.startDate)), ("end_date", text(SCHEMA.endDate)),
        ("venue", ref(SCHEMA.location, kind="organization")),
        ("location", text(SCHEMA.location)), ("part_of", ref(SCHEMA.superEvent, kind="event")),
        ("order", text(SCHEMA.position)),
        ("organizers", ref(SCHEMA.organizer, kind="organization")),
        ("speakers", ref(SCHEMA.performer, kind="person")),
        ("attendees", ref(SCHEMA.attendee, kind="person")),
        ("participants", qualified(KG.participation, KG.agent, KG.participantRole, "person")),
        ("subjects", ref(DCTERMS.subject, kind="concept")),
        ("based_on", ref(KG.basedOn, kind="agreement")), *_NOTES]


def _resource(lang: Callable[..., Columns]) -> Columns:
    policy = (BF.usageAndAccessPolicy,)
    return [
        ("type", typed({k: tuple(c for c in v[:2] if c) for k, v in resource.TYPES.items()},
                       "other")),
        ("title", text(DCTERMS.title)), ("subtitle", text(BF.title, BF.subtitle)),
        ("responsibility", text(BF.responsibilityStatement)),
        ("language", code(DCTERMS.language)),
        ("contributors", qualified(BF.contribution, BF.agent, BF.role, "person",
                                   start=(BF.instanceOf,))),
        ("publisher", text(DCTERMS.publisher)),
        ("place", text(BF.provisionActivity, BF.simplePlace)),
        ("date", text(DCTERMS.issued)), ("edition", text(BF.editionStatement)),
        ("extent", text(BF.extent, RDFS.label)), ("series", text(BF.seriesStatement)),
        *[(name, inner((BF.identifiedBy,), cls, RDF.value))
          for name, cls in resource.IDENTIFIERS.items()],
        *[(name, inner((BF.instanceOf, BF.classification), cls, BF.classificationPortion))
          for name, cls in resource.CLASSIFICATIONS.items()],
        ("subjects", ref(DCTERMS.subject, kind="concept")),
        ("subject_headings", inner((DCTERMS.subject,), BF.Topic, RDFS.label)),
        ("url", ref(BF.electronicLocator)), ("licence", ref(DCTERMS.license)),
        ("access", inner(policy, BF.AccessPolicy, RDFS.label)),
        ("terms_of_use", inner(policy, BF.UsePolicy, RDFS.label)),
        ("part_of", ref(DCTERMS.isPartOf, kind="resource")),
        ("about", ref(SCHEMA.about, kind="event")),
        *lang("description", DCTERMS.abstract), ("notes", text(BF.note, RDFS.label))]


COLUMNS = {"organization": _organization, "person": _person, "position": _position,
           "concept": _concept, "agreement": _agreement, "event": _event,
           "resource": _resource}


def columns(kind: str, languages: tuple[str, ...]) -> Columns:
    """The columns of a kind's CSV, as in the source schema (text per language)."""
    def lang(name: str, *path: NamedNode) -> Columns:
        return [(f"{name}_{code}", text(*path, language=code)) for code in languages]

    return [("key", lambda snap, iri, minter: [_key(iri, kind, minter)]),
            *COLUMNS[kind](lang), ("_iri", lambda snap, iri, minter: [iri.value])]


def write_csv(snapshot: Snapshot, kind: str, iris: Iterable[NamedNode], output: IO[bytes],
              languages: tuple[str, ...]) -> int:
    """Write one kind's CSV (UTF-8 with a byte order mark, for spreadsheets); the rows."""
    table = columns(kind, languages)
    minter = Minter(snapshot.base_iri)
    text_out = io.TextIOWrapper(output, encoding="utf-8-sig", newline="")
    writer = csv.writer(text_out)
    writer.writerow([name for name, _ in table])
    count = 0
    for iri in iris:
        writer.writerow([neutralize("; ".join(read(snapshot, iri, minter)))
                         for _, read in table])
        count += 1
    text_out.flush()
    text_out.detach()
    return count

