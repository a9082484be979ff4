"""The kinds of records the graph holds, with their IRI segment and class.

>>> KINDS["person"].plural
'people'
>>> kind_from_word("People").name
'person'
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.namespaces import BF, FOAF, KG, ORG, SCHEMA, SKOS


@dataclass(frozen=True)
class Kind:
    """A kind of record: its name (the IRI segment), plural and defining class."""

    name: str
    plural: str
    rdf_type: NamedNode


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("organization", "organizations", ORG.Organization),
        Kind("person", "people", FOAF.Person),
        Kind("position", "positions", ORG.Membership),
        Kind("agreement", "agreements", KG.Agreement),
        Kind("event", "events", SCHEMA.Event),
        Kind("resource", "resources", BF.Instance),
        Kind("concept", "concepts", SKOS.Concept),
    )
}

_WORDS = {k.name: k for k in KINDS.values()} | {k.plural: k for k in KINDS.values()}
_WORDS["persons"] = KINDS["person"]
_WORDS["orgs"] = KINDS["organization"]


def kind_from_word(word: str) -> Kind | None:
    """The kind a word names, singular or plural, any case; None if none."""
    return _WORDS.get(word.strip().lower())
