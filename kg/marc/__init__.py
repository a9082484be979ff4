"""MARC 21 in and out: catalogue records to the graph, and resources back to records.

In: MARC files are a kind of source (:mod:`kg.sources.marc`); each record
becomes a resource record (:func:`kg.marc.fields.record_fields`), mapped field
by field as ``docs/marc.md`` tells.

Out, the API the exports (dumps, OAI-PMH ``marc21``) use:

- :func:`marc_record` ``(snapshot, iri) -> pymarc.Record``: one resource of a
  release as a MARC 21 bibliographic record;
- :func:`marc_records` ``(snapshot, iris)``: the same for many, lazily;
- :func:`write_iso2709` ``(records, out) -> int`` and :func:`write_marcxml`
  ``(records, out) -> int``: stream records to a binary file object as ISO 2709
  or as a MARCXML collection; :func:`record_xml` ``(record) -> bytes`` gives one
  record's ``<record xmlns="http://www.loc.gov/MARC21/slim">`` element (for
  OAI-PMH ``metadata``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pymarc import Record
from pymarc.marcxml import record_to_xml

from kg.marc.export import marc_record
from kg.marc.writers import MARCXML_NS, write_iso2709, write_marcxml
from kg.store import Snapshot


def marc_records(snapshot: Snapshot, iris: Iterable[str]) -> Iterator[Record]:
    """The MARC records of these resources, one at a time."""
    for iri in iris:
        yield marc_record(snapshot, iri)


def record_xml(record: Record) -> bytes:
    """One record as a MARCXML ``record`` element carrying its namespace."""
    return record_to_xml(record, namespace=True)


__all__ = ["MARCXML_NS", "marc_record", "marc_records", "record_xml", "write_iso2709",
           "write_marcxml"]
