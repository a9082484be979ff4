"""What every verb works from: the release, its index and the settings, and the
helpers that find a record and write it out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg.errors import OaiError
from kg.oai import response as xml
from kg.oai.index import IndexedRecord, OaiIndex
from kg.oai.metadata import METADATA_FORMATS, MetadataFormat
from kg.store import Snapshot


@dataclass
class Repository:
    """The release being served, its OAI-PMH index and the provider's settings."""

    snapshot: Snapshot
    index: OaiIndex
    base_url: str
    name: str
    admin_email: str
    page_size: int
    languages: list[str]

    def record(self, identifier: str) -> IndexedRecord:
        """A record's header by identifier, or idDoesNotExist."""
        record = self.index.record(identifier)
        if record is None:
            raise OaiError("idDoesNotExist",
                           f"{identifier!r} is not an identifier of this repository")
        return record

    def write_record(self, element: ET.Element, record: IndexedRecord, prefix: str) -> None:
        """A record's header, and its metadata unless it is deleted."""
        xml.header(element, record)
        if not record.deleted:
            fmt = METADATA_FORMATS[prefix]
            metadata = xml.child(element, "metadata")
            metadata.append(fmt.render(self.snapshot, NamedNode(record.identifier),
                                       record.kind, self.languages))


def metadata_format(prefix: str) -> MetadataFormat:
    """The format of a metadataPrefix, or cannotDisseminateFormat."""
    fmt = METADATA_FORMATS.get(prefix)
    if fmt is None:
        raise OaiError("cannotDisseminateFormat",
                       f"{prefix!r} is not a metadata format of this repository; "
                       f"use {', '.join(METADATA_FORMATS)}")
    return fmt
