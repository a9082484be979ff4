"""What an entity page shows, computed once from the entity's description.

Properties are grouped and ordered as the kind's shape says (``kg.layout``),
labelled from the ontology in the reader's language; values are links with
labels, dates are written for the reader, and nodes inside the description
(a position's period, a participation, an ISBN) are summed up in one line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from babel import Locale, UnknownLocaleError
from flask_babel import gettext
from pyoxigraph import Literal, NamedNode, Triple

from kg.convert.resource import LANGUAGE_CODES
from kg.describe import LABEL_PROPERTIES, describe, pick_literal
from kg.kinds import KINDS
from kg.layout import layout
from kg.namespaces import BF, KG, LANGUAGES, RDF, RDFS, TIME
from kg.ontology import term_label, term_labels
from kg.store import Snapshot
from web.dates import format_date, is_date
from web.links import href_for
from web.release_data import names

_TAGS = {three: two for two, three in LANGUAGE_CODES.items()}
# Shown by the page's own sections rather than as rows.
SECTION_PROPERTIES = {KG.participation.value, BF.instanceOf.value, BF.title.value,
                      BF.identifiedBy.value}


@dataclass
class Value:
    """One value: text, a link (for IRIs), a note (a role), or rows of an inner node."""

    text: str
    href: str | None = None
    iri: str | None = None
    language: str | None = None
    note: str | None = None
    rows: list[Row] = field(default_factory=list)


@dataclass
class Row:
    """A property and its values."""

    iri: str
    label: str
    values: list[Value]
    more: int = 0
    more_href: str | None = None


@dataclass
class Group:
    """Rows under one heading (a shape's property group)."""

    label: str
    rows: list[Row]


@dataclass
class EntityView:
    """An entity page's content."""

    iri: str
    kind: str
    key: str
    title: str
    types: list[str]
    type_iris: list[str]
    groups: list[Group]
    triples: list[Triple]
    languages: list[str]


class _Context:
    """What rendering one description needs: its triples by subject, labels, languages."""

    def __init__(self, snapshot: Snapshot, triples: list[Triple], languages: list[str]) -> None:
        self.snapshot = snapshot
        self.languages = languages
        self.by_subject: dict[str, list[Triple]] = {}
        for triple in triples:
            self.by_subject.setdefault(triple.subject.value, []).append(triple)
        linked = {t.object for t in triples if isinstance(t.object, NamedNode)
                  and t.object.value not in self.by_subject}
        self.names = names(snapshot, linked, languages)

    def objects(self, subject: str, predicate: NamedNode) -> list:
        return [t.object for t in self.by_subject.get(subject, []) if t.predicate == predicate]


def entity_view(snapshot: Snapshot, iri: NamedNode, kind: str, key: str,
                languages: list[str]) -> EntityView:
    """The page of an entity: title, types, grouped properties."""
    triples = describe(snapshot, iri)
    context = _Context(snapshot, triples, languages)
    own = context.by_subject.get(iri.value, [])
    title_values = [t.object for t in own if t.predicate in LABEL_PROPERTIES
                    and isinstance(t.object, Literal)]
    title = pick_literal(title_values, languages)
    title_text = title.value if title else names(snapshot, [iri], languages).get(iri.value, key)
    type_iris = sorted({t.object.value for t in own if t.predicate == RDF.type})
    types = sorted({term_label(t, languages) for t in type_iris})
    return EntityView(iri.value, kind, key, title_text, types, type_iris,
                      _groups(context, iri.value, kind), triples, languages)


def _groups(context: _Context, subject: str, kind: str) -> list[Group]:
    shape_layout = layout(KINDS[kind].rdf_type.value)
    rows = [row for row in _rows(context, subject, depth=0)
            if row.iri not in SECTION_PROPERTIES]
    rows.sort(key=lambda r: (*shape_layout.place(r.iri), r.label.casefold()))
    groups: dict[str, Group] = {}
    for row in rows:
        group = shape_layout.group_of(row.iri)
        heading = _pick(group.labels, context.languages) if group.labels else ""
        groups.setdefault(group.iri, Group(heading, [])).rows.append(row)
    return list(groups.values())


def _pick(texts: dict[str, str], languages: list[str]) -> str:
    for language in [*languages, ""]:
        if language in texts:
            return texts[language]
    return next(iter(texts.values()), "")


def _rows(context: _Context, subject: str, depth: int) -> list[Row]:
    grouped: dict[str, list[Value]] = {}
    for triple in context.by_subject.get(subject, []):
        if triple.predicate == RDF.type and depth == 0:
            continue
        grouped.setdefault(triple.predicate.value, []).append(
            value_of(context, triple.object, depth))
    rows = [Row(p, term_label(p, context.languages), values) for p, values in grouped.items()]
    return sorted(rows, key=lambda r: r.label.casefold())


def value_of(context: _Context, term: object, depth: int = 0) -> Value:
    """A value for the page: a literal's text, a labelled link, or an inner node summed up."""
    if isinstance(term, Literal):
        datatype = term.datatype.value if term.datatype else None
        if is_date(datatype):
            return Value(format_date(term.value, datatype, context.languages[0]))
        return Value(term.value, language=term.language)
    value = getattr(term, "value", str(term))
    if value in context.by_subject and depth < 3:
        return _inner(context, value, depth)
    text = context.names.get(value) or language_name(value, context.languages[0])
    if text is None:
        known = value in term_labels() or value.startswith(context.snapshot.base_iri)
        text = term_label(value, context.languages) if known else value
    return Value(text, href=href_for(context.snapshot, value), iri=value)


def language_name(iri: str, language: str) -> str | None:
    """The name of a language given as an ISO 639-2 IRI (id.loc.gov), in the reader's language.

    >>> language_name("http://id.loc.gov/vocabulary/iso639-2/vie", "en")
    'Vietnamese'
    """
    if not iri.startswith(LANGUAGES.iri):
        return None
    code = iri[len(LANGUAGES.iri):]
    tag = _TAGS.get(code, code)
    try:
        return Locale.parse(language).languages.get(tag) or code
    except (ValueError, UnknownLocaleError):
        return code


def _inner(context: _Context, node: str, depth: int) -> Value:
    """A node inside the description, in one line where its shape is a known one."""
    get = context.objects
    for agent_property, role_property in ((KG.agent, KG.participantRole), (BF.agent, BF.role)):
        agents = get(node, agent_property)
        if agents:
            agent = value_of(context, agents[0], depth + 1)
            roles = [value_of(context, r, depth + 1).text for r in get(node, role_property)]
            agent.note = ", ".join(roles) or None
            return agent
    for literal_property in (RDF.value, BF.classificationPortion, BF.mainTitle, RDFS.label):
        found = [o for o in get(node, literal_property) if isinstance(o, Literal)]
        if found:
            kinds = [term_label(t.value, context.languages) for t in get(node, RDF.type)
                     if t.value not in (BF.Title.value, BF.Note.value)]
            text = pick_literal(found, context.languages).value  # type: ignore[union-attr]
            return Value(text, language=found[0].language, note=", ".join(kinds) or None)
    if get(node, TIME.hasBeginning) or get(node, TIME.hasEnd):
        return Value(period_text(context, node))
    return Value("", iri=node, rows=_rows(context, node, depth + 1))


def period_text(context: _Context, node: str) -> str:
    """``from X until Y`` of an OWL-Time interval, in the reader's words."""
    ends = []
    for link in (TIME.hasBeginning, TIME.hasEnd):
        instants = context.objects(node, link)
        dates = [d for i in instants for p in (TIME.inXSDDate, TIME.inXSDgYearMonth,
                                               TIME.inXSDgYear)
                 for d in context.objects(i.value, p)]
        ends.append(value_of(context, dates[0]).text if dates else None)
    start, end = ends
    if start and end:
        return gettext("%(start)s – %(end)s", start=start, end=end)
    if start:
        return gettext("since %(start)s", start=start)
    return gettext("until %(end)s", end=end) if end else ""
