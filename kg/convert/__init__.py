"""Records to quads: one module per kind, a shared :class:`Entity` helper.

:func:`convert_records` turns the records of one source into quads in the
source's named graph, reporting problems that stop a record from becoming RDF
at all (no usable key, a duplicate key, an unknown field). Everything else is
left to the SHACL shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg.convert.values import (
    as_date,
    as_iri,
    as_text,
    maybe_unwritable,
    split_values,
    unwritable_character,
)
from kg.iris import Minter, is_key, slugify
from kg.kinds import KINDS
from kg.namespaces import RDF
from kg.report import Problem, Report
from kg.sources import Origin, Record

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode


@dataclass
class Registry:
    """What a build has seen so far: keys per kind (for duplicates) and origins."""

    origins: dict[str, Origin] = field(default_factory=dict)

    def claim(self, iri: NamedNode, origin: Origin) -> Origin | None:
        """Record where an entity is defined; the earlier origin if it already was."""
        earlier = self.origins.get(iri.value)
        if earlier is None:
            self.origins[iri.value] = origin
        return earlier


class Entity:
    """One record being converted: its IRI, its fields and the triples it makes."""

    def __init__(self, record: Record, iri: NamedNode, key: str, minter: Minter,
                 report: Report) -> None:
        self.record = record
        self.iri = iri
        self.key = key
        self.minter = minter
        self.report = report
        self.triples: list[tuple[Subject, NamedNode, Term]] = []
        self._used: set[str] = {"key"}

    # Reading fields -----------------------------------------------------------------

    def raw(self, name: str) -> Any:
        """The field's raw value (None if absent), marking the field as known."""
        self._used.add(name)
        return self.record.fields.get(name)

    def value(self, name: str) -> str | None:
        """The field's single value as text."""
        raw = self.raw(name)
        if raw is None:
            return None
        values = split_values(raw) if isinstance(raw, list) else [raw]
        if len(values) > 1:
            self.problem(name, f"'{name}' takes one value, got {len(values)}")
        return str(values[0]).strip() if values else None

    def values(self, name: str) -> list[Any]:
        """The field's values (a YAML list, or a CSV cell split on ';')."""
        raw = self.raw(name)
        return [] if raw is None else split_values(raw)

    def lang_values(self, name: str) -> list[tuple[str, Any]]:
        """Values of a language-tagged field: ``name_vi``, ``name_en`` ... as (lang, value)."""
        found = []
        for field_name in self.record.fields:
            if field_name.startswith(name + "_"):
                lang = field_name[len(name) + 1:]
                if lang.replace("-", "").isalnum() and lang[:1].isalpha() and len(lang) <= 12:
                    for value in self.values(field_name):
                        found.append((lang, value))
        if name in self.record.fields:
            self.raw(name)
            self.problem(name, f"'{name}' needs a language: write it as {name}_vi or {name}_en")
        return found

    # Making triples -----------------------------------------------------------------

    def add(self, predicate: NamedNode, obj: Term, subject: Subject | None = None) -> None:
        """Add one triple (about the entity unless another subject is given)."""
        self.triples.append((subject if subject is not None else self.iri, predicate, obj))

    def node(self, fragment: str) -> NamedNode:
        """An IRI for a node inside this entity's description (``...#period``)."""
        return NamedNode(f"{self.iri.value}#{fragment}")

    def text(self, name: str, predicate: NamedNode) -> None:
        """Each value of a plain text field as a literal."""
        for value in self.values(name):
            self.add(predicate, as_text(value))

    def lang_text(self, name: str, predicate: NamedNode) -> None:
        """Each value of a language-tagged field as a tagged literal."""
        for lang, value in self.lang_values(name):
            self.add(predicate, as_text(value, lang))

    def date(self, name: str, predicate: NamedNode, subject: Subject | None = None) -> bool:
        """A date field (full or partial date); True if present."""
        value = self.value(name)
        if value:
            self.add(predicate, as_date(value), subject)
        return bool(value)

    def iri_field(self, name: str, predicate: NamedNode,
                  parse: Callable[[str], Term] = as_iri) -> None:
        """Each value of a web-address field as an IRI."""
        for value in self.values(name):
            self.add(predicate, parse(str(value)))

    def ref(self, value: Any, default_kind: str) -> Term:
        """The IRI a reference names: ``key`` (of the default kind) or ``kind/key``."""
        text = str(value).strip()
        kind, sep, key = text.partition("/")
        if not sep:
            kind, key = default_kind, text
        elif kind not in KINDS:
            kind = kind.rstrip("s") if kind.rstrip("s") in KINDS else kind
            if kind == "people":
                kind = "person"
        if kind in KINDS and is_key(key):
            return self.minter.entity(kind, key)
        # Not a key at all: kept as text, so the shapes report the field.
        return Literal(text)

    def refs(self, name: str, predicate: NamedNode, default_kind: str,
             inverse: NamedNode | None = None) -> list[Term]:
        """Each value of a reference field, linked (and optionally linked back)."""
        targets = []
        for value in self.values(name):
            target = self.ref(value, default_kind)
            self.add(predicate, target)
            if inverse is not None and isinstance(target, NamedNode):
                self.add(inverse, self.iri, target)
            targets.append(target)
        return targets

    def qualified_refs(self, name: str, default_kind: str) -> list[tuple[str | None, Term]]:
        """Values like ``role=kind/key`` (or YAML ``{agent: .., role: ..}``) as (role, target)."""
        found: list[tuple[str | None, Term]] = []
        for value in self.values(name):
            if isinstance(value, dict):
                role, target = value.get("role"), value.get("agent") or value.get("who")
                if target is None:
                    self.problem(name, f"each of '{name}' needs an 'agent', got {value!r}")
                    continue
            else:
                role, sep, target = str(value).rpartition("=")
                role = role if sep else None
            role = role.strip() if isinstance(role, str) and role.strip() else None
            found.append((role, self.ref(target, default_kind)))
        return found

    def problem(self, name: str | None, message: str) -> None:
        """Report a problem with one field of this record."""
        self.report.add(Problem(message, self.record.origin, key=self.key, field=name))

    def unknown_fields(self) -> list[str]:
        """Fields of the record that no converter read."""
        return [name for name in self.record.fields if name not in self._used]


KindConverter = Callable[[Entity], None]


def _converters() -> dict[str, KindConverter]:
    from kg.convert import agreement, concept, event, organization, person, position, resource
    return {
        "organization": organization.convert,
        "person": person.convert,
        "position": position.convert,
        "agreement": agreement.convert,
        "event": event.convert,
        "resource": resource.convert,
        "concept": concept.convert,
    }


def record_key(record: Record) -> str:
    """The record's key: as written, or derived from its name when there is none."""
    if record.key:
        return record.key
    fields = record.fields
    for name in ("name", "name_en", "name_vi", "title", "title_en", "title_vi", "label_en",
                 "label_vi"):
        value = fields.get(name)
        if isinstance(value, str) and value.strip():
            return slugify(value)
    if record.kind == "position" and fields.get("person") and fields.get("organization"):
        parts = [fields.get("person"), fields.get("organization"), fields.get("role", "")]
        return slugify(" ".join(str(p).rpartition("/")[2] for p in parts if p))
    return ""


def convert_records(records: Iterable[Record], graph: NamedNode, minter: Minter,
                    report: Report, registry: Registry) -> Iterator[Quad]:
    """The quads of a source's records, in its graph; problems go to the report."""
    for s, p, o in convert_triples(records, minter, report, registry):
        yield Quad(s, p, o, graph)


def convert_triples(records: Iterable[Record], minter: Minter, report: Report,
                    registry: Registry) -> Iterator[tuple[Subject, NamedNode, Term]]:
    """The triples of a source's records, for writers that add the graph themselves."""
    converters = _converters()
    for record in records:
        entity = _start(record, minter, report, registry)
        if entity is None:
            continue
        entity.add(RDF.type, KINDS[record.kind].rdf_type)
        converters[record.kind](entity)
        for name in entity.unknown_fields():
            entity.problem(name, f"unknown field '{name}' for {KINDS[record.kind].plural}; "
                                 "see docs/sources.md for the fields of each kind")
        # Once each: a record may say a thing twice (a repeated 856 link, an agent
        # credited in two roles), and the store and the dumps hold sets.
        yield from dict.fromkeys(entity.triples)


def _start(record: Record, minter: Minter, report: Report,
           registry: Registry) -> Entity | None:
    """The entity a record defines, or None (reported) if it cannot be converted."""
    if record.problem:
        report.add(Problem(record.problem, record.origin))
        return None
    for warning in record.warnings:
        report.add(Problem(warning, record.origin, key=record.key or None, severity="warning"))
    # Most records hold no such character, and one look at all their text says so
    # (or the reader's, on the way: a MARC record's fields).
    suspects = () if record.writable or not maybe_unwritable(record.fields) \
        else record.fields.items()
    for name, value in suspects:
        character = unwritable_character(value)
        if character:
            report.add(Problem(f"'{name}' contains the character {character}, which pages and "
                               "XML cannot show (a control character); remove it", record.origin,
                               key=record.key or None, field=name))
            return None
    key = record_key(record)
    if not key:
        report.add(Problem("has no 'key' and no name to make one from", record.origin,
                           field="key"))
        return None
    if not is_key(key):
        report.add(Problem(f"'key' must be lower-case letters, digits and hyphens "
                           f"(like {slugify(key) or 'nguyen-van-a'}), got {key!r}",
                           record.origin, field="key"))
        return None
    iri = minter.entity(record.kind, key)
    earlier = registry.claim(iri, record.origin)
    if earlier is not None:
        report.add(Problem(f"duplicate key: {KINDS[record.kind].name} '{key}' is already "
                           f"defined at {earlier}", record.origin, key=key, field="key"))
        return None
    return Entity(record, iri, key, minter, report)
