"""Reading what links to an entity, a bounded number at a time, with labels.

Every read here follows an index of the store (a pattern with the entity
bound) and stops after a limit, so pages cost the same at any store size.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from pyoxigraph import Literal, NamedNode

from kg.describe import pick_literal
from kg.namespaces import ORG, TIME
from kg.store import Snapshot
from web.dates import format_date
from web.entity_view import Value
from web.links import href_for
from web.release_data import names

LIMIT = 50  # related entities a section lists before linking to the full list


def entity_of(node: NamedNode) -> NamedNode:
    """The entity a node belongs to (``.../event/x#participation-1`` -> ``.../event/x``)."""
    return NamedNode(node.value.partition("#")[0]) if "#" in node.value else node


def subjects(snapshot: Snapshot, predicate: NamedNode, obj: NamedNode,
             limit: int = LIMIT) -> tuple[list[NamedNode], bool]:
    """Up to ``limit`` subjects of ``? predicate obj``, and whether there were more."""
    found = [q.subject for q in islice(snapshot.quads(None, predicate, obj, None), limit + 1)
             if isinstance(q.subject, NamedNode)]
    return list(dict.fromkeys(found[:limit])), len(found) > limit


def objects(snapshot: Snapshot, subject: NamedNode, predicate: NamedNode,
            limit: int = LIMIT) -> list:
    """Up to ``limit`` objects of ``subject predicate ?``."""
    return [q.object for q in islice(snapshot.quads(subject, predicate, None, None), limit)]


def first(snapshot: Snapshot, subject: NamedNode, predicate: NamedNode) -> object | None:
    """One object of ``subject predicate ?``, or None."""
    found = objects(snapshot, subject, predicate, 1)
    return found[0] if found else None


def literal_text(snapshot: Snapshot, subject: NamedNode, predicate: NamedNode,
                 languages: list[str]) -> str | None:
    """The value of a literal property in the reader's language."""
    values = [o for o in objects(snapshot, subject, predicate) if isinstance(o, Literal)]
    chosen = pick_literal(values, languages)
    return chosen.value if chosen else None


def date_text(snapshot: Snapshot, subject: NamedNode, predicate: NamedNode,
              language: str) -> str | None:
    """A date property written for the reader."""
    value = first(snapshot, subject, predicate)
    if not isinstance(value, Literal):
        return None
    return format_date(value.value, value.datatype.value, language)


class Labeller:
    """Links with labels for many IRIs, looked up together."""

    def __init__(self, snapshot: Snapshot, languages: list[str]) -> None:
        self.snapshot = snapshot
        self.languages = languages
        self._names: dict[str, str] = {}

    def learn(self, iris: Iterable[object]) -> None:
        """Look up the labels of these IRIs (others are ignored)."""
        wanted = [i for i in iris if isinstance(i, NamedNode) and i.value not in self._names]
        self._names.update(names(self.snapshot, wanted, self.languages))

    def link(self, iri: object) -> Value:
        """A labelled link to an IRI."""
        value = getattr(iri, "value", str(iri))
        if value not in self._names and isinstance(iri, NamedNode):
            self.learn([iri])
        text = self._names.get(value) or value.rsplit("/", 1)[-1]
        return Value(text, href=href_for(self.snapshot, value), iri=value)

    def text(self, iri: object) -> str:
        """Just the label."""
        return self.link(iri).text


def period(snapshot: Snapshot, position: NamedNode, language: str) -> tuple[str | None,
                                                                              str | None]:
    """(start, end) of a position's period, written for the reader."""
    interval = first(snapshot, position, ORG.memberDuring)
    if not isinstance(interval, NamedNode):
        return None, None
    ends = []
    for link in (TIME.hasBeginning, TIME.hasEnd):
        instant = first(snapshot, interval, link)
        text = None
        if isinstance(instant, NamedNode):
            for predicate in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
                text = text or date_text(snapshot, instant, predicate, language)
        ends.append(text)
    return ends[0], ends[1]
