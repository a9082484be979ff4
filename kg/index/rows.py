"""What one entity's rows in the index are, made from its facts (pure: no store, no SQL).

The full build and the incremental update both read an entity's facts (the
quads the index uses, with the graph each came from) and turn them into rows
here, so both write the same rows. Row ids are derived from content (a hash
of the IRI; for names, their rank then a hash), not from the order in which
entities were read, so an updated index equals one built from scratch.

>>> stable_id("http://example.org/id/person/a") == stable_id("http://example.org/id/person/a")
True
>>> name_id("organization", "tdtu", "x") < name_id("person", "a", "x")
True
>>> name_id("person", "an", "x") < name_id("person", "anh", "y")
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from pyoxigraph import Literal, NamedNode

from kg.describe import LABEL_PROPERTIES, position_label
from kg.iris import fold
from kg.kinds import KINDS
from kg.namespaces import DCTERMS, ORG, RDF, SCHEMA, SKOS

# The predicates an entity's row is made of; a fact's code is the index here.
FACT_PREDICATES = (RDF.type, *LABEL_PROPERTIES, SKOS.altLabel, SCHEMA.startDate,
                   DCTERMS.issued, DCTERMS.dateAccepted, SCHEMA.validFrom, SCHEMA.superEvent,
                   ORG.member, ORG.role, ORG.organization)
CODE = {predicate.value: code for code, predicate in enumerate(FACT_PREDICATES)}
TYPE = 0
LABELS = tuple(CODE[p.value] for p in LABEL_PROPERTIES)  # in the order a label is chosen
ALT_LABEL = CODE[SKOS.altLabel.value]
PARENT = CODE[SCHEMA.superEvent.value]
LINKS = tuple(CODE[p.value] for p in (ORG.member, ORG.role, ORG.organization))
LINK_PREDICATES = (ORG.member, ORG.role, ORG.organization)
LITERAL_CODES = frozenset((*LABELS, ALT_LABEL, *(CODE[p.value] for p in (
    SCHEMA.startDate, DCTERMS.issued, DCTERMS.dateAccepted, SCHEMA.validFrom))))
# The date each kind is listed and drawn by (the first one present).
DATE_CODES = {
    "event": (CODE[SCHEMA.startDate.value],),
    "resource": (CODE[DCTERMS.issued.value],),
    "agreement": (CODE[DCTERMS.dateAccepted.value], CODE[SCHEMA.validFrom.value]),
}
# Full-text matches are read in name id order: organizations and people come
# before the many resources, then shorter names before longer ones.
SEARCH_ORDER = ("organization", "person", "agreement", "event", "concept", "resource")
_HASH_BITS = 49
_LENGTH_CAP = (1 << 10) - 1
_FOLDER_CAP = 100_000


class Fact(NamedTuple):
    """One quad the index uses: predicate code, language, value, graph's id."""

    code: int
    lang: str
    value: str
    graph: int


@dataclass
class EntityRow:
    """An entity's rows: the entity, its names, the graphs it comes from, its links."""

    id: int
    kind: str
    key: str
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    date: str | None = None
    parent: str | None = None
    names: dict[str, bool] = field(default_factory=dict)  # folded name -> preferred
    graphs: set[int] = field(default_factory=set)
    links: dict[int, list[str]] = field(default_factory=dict)  # position's parts, by code

    @property
    def needs_position_label(self) -> bool:
        """A position without a title: called by its person, post and unit."""
        return self.kind == "position" and not self.labels and LINKS[2] in self.links

    def entity_values(self) -> tuple:
        """The values of its ``entity`` row."""
        date_sort = self.date if self.date and self.date[:1].isdigit() else None
        return (self.id, self.kind, self.key, self.iri, labels_json(self.labels), self.date,
                date_sort, self.parent)


def stable_id(text: str) -> int:
    """A 62-bit id from a text (an IRI): the same in every build."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest()) >> 2


def name_id(kind: str, folded: str, iri: str) -> int:
    """A name's rowid: its search rank (kind, then length), then a hash to break ties."""
    rank = (SEARCH_ORDER.index(kind) << 10) | min(len(folded), _LENGTH_CAP)
    return (rank << _HASH_BITS) | (stable_id(iri + "\n" + folded) & ((1 << _HASH_BITS) - 1))


def labels_json(labels: dict[str, str]) -> str:
    """An entity's labels as stored (languages sorted, so equal maps store equal text)."""
    return json.dumps(dict(sorted(labels.items())), ensure_ascii=False)


def minted(iri: str, prefix: str) -> tuple[str, str] | None:
    """(kind, key) of an entity IRI minted under the prefix; None for anything else."""
    if not iri.startswith(prefix):
        return None
    segment, _, key = iri[len(prefix):].partition("/")
    if segment not in KINDS or not key or "#" in key:
        return None
    return segment, key


def fact_of(code: int, obj: object, graph: int) -> Fact | None:
    """The fact a quad's object makes, if the index uses it."""
    if code in LITERAL_CODES:
        if not isinstance(obj, Literal):
            return None
        return Fact(code, obj.language or "", obj.value, graph)
    if code in LINKS and not isinstance(obj, NamedNode):
        return None
    return Fact(code, "", getattr(obj, "value", ""), graph)


def make_row(kind: str, key: str, iri: str, facts: Iterable[Fact], folder: Folder) -> EntityRow:
    """An entity's rows from its facts (which may come in any order)."""
    row = EntityRow(stable_id(iri), kind, key, iri)
    values: dict[int, list[Fact]] = {}
    for fact in facts:
        row.graphs.add(fact.graph)
        values.setdefault(fact.code, []).append(fact)
    for code in LABELS:  # the first label property the entity has gives its labels
        if code in values:
            for fact in sorted(values[code], key=lambda f: f.value, reverse=True):
                row.labels[fact.lang] = fact.value  # the least value per language wins
            break
    if kind in SEARCH_ORDER:
        for code in (*LABELS, ALT_LABEL):
            for fact in values.get(code, ()):
                folded = folder[fact.value]
                if folded:
                    row.names[folded] = row.names.get(folded, False) or code != ALT_LABEL
    for code in DATE_CODES.get(kind, ()):
        if code in values:
            row.date = min(f.value for f in values[code])
            break
    if PARENT in values:
        row.parent = min(f.value for f in values[PARENT])
    if kind == "position":
        row.links = {code: sorted(f.value for f in values[code]) for code in LINKS
                     if code in values}
    return row


def position_labels(parts: list[dict[str, str] | None]) -> dict[str, str]:
    """Labels of a position from those of its person, post and unit (None: no such part)."""
    languages = {language for part in parts if part for language in part}
    return {language: position_label(*(pick(part, language) if part is not None else None
                                       for part in parts))
            for language in sorted(languages or {""})}


def pick(labels: dict[str, str], language: str) -> str | None:
    """The label in a language; else the untagged one; else any."""
    return labels.get(language) or labels.get("") or next(iter(labels.values()), None)


def ordering_rows(row: tuple[int, str, str, dict[str, str]], languages: list[str],
                  folder: Folder) -> Iterator[tuple]:
    """``ordering`` rows of an entity (id, kind, key, labels): one per language."""
    entity_id, kind, key, labels = row
    for language in languages:
        yield language, kind, folder[pick(labels, language) or key], entity_id


def name_rows(row: EntityRow) -> Iterator[tuple]:
    """``name`` rows of an entity (id first; ids may need moving on, see writer)."""
    for folded, preferred in row.names.items():
        yield name_id(row.kind, folded, row.iri), row.id, row.kind, folded, int(preferred)


class Folder(dict):
    """``kg.iris.fold`` remembered per text: labels repeat across languages and names."""

    def __missing__(self, text: str) -> str:
        if len(self) >= _FOLDER_CAP:  # bounded: a catalogue's titles rarely repeat
            self.clear()
        folded = self[text] = fold(text)
        return folded
