"""The metadata formats the OAI-PMH provider disseminates, in one registry.

A format names the kinds of record it can describe and renders one record as
an XML element. Every item is available as ``oai_dc`` (the protocol requires
it); ``marc21`` describes resources only and plugs in from the MARC module.

An RDF format is deliberately not offered: OAI-PMH wraps metadata in a strict
schema wildcard, and RDF/XML has no XML schema, so responses carrying it could
not be valid. RDF is served per entity (``/data/...``) and whole (``/dumps/``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.export.dublin_core import DC_KINDS, OAI_DC, OAI_DC_SCHEMA, dublin_core, oai_dc_element
from kg.marc import MARCXML_NS, marc_record, record_xml
from kg.store import Snapshot

# Kinds whose entities are OAI items: every item must be available as oai_dc.
ITEM_KINDS: tuple[str, ...] = DC_KINDS
Render = Callable[[Snapshot, NamedNode, str, list[str]], ET.Element]


@dataclass(frozen=True)
class MetadataFormat:
    """A metadata format: prefix, schema, namespace, kinds it covers, renderer."""

    prefix: str
    schema: str
    namespace: str
    kinds: tuple[str, ...]
    render: Render


def _oai_dc(snapshot: Snapshot, iri: NamedNode, kind: str, languages: list[str]) -> ET.Element:
    return oai_dc_element(dublin_core(snapshot, iri, kind, languages))


def _marc21(snapshot: Snapshot, iri: NamedNode, kind: str, languages: list[str]) -> ET.Element:
    """A resource as a MARCXML ``record`` (the MARC 21 mapping of kg.marc)."""
    record = ET.fromstring(record_xml(marc_record(snapshot, iri.value)))
    record.set(f"{{{XSI}}}schemaLocation", f"{MARCXML_NS} {MARC21_SCHEMA}")
    return record


MARC21_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ET.register_namespace("marc", MARCXML_NS)  # the prefix marc21 records are written with

METADATA_FORMATS: dict[str, MetadataFormat] = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC, ITEM_KINDS, _oai_dc),
    "marc21": MetadataFormat("marc21", MARC21_SCHEMA, MARCXML_NS, ("resource",), _marc21),
}


def formats_for(kind: str) -> list[MetadataFormat]:
    """The formats a record of this kind is available in."""
    return [fmt for fmt in METADATA_FORMATS.values() if kind in fmt.kinds]
