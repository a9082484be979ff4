"""Writing MARC records: ISO 2709 (``.mrc``) and MARCXML collections, streamed.

Both take any iterable of records and write as they go, so memory stays flat
however many records an export holds; both return how many they wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

from pymarc import Record
from pymarc.marcxml import record_to_xml

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_HEADER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
           b'<collection xmlns="' + MARCXML_NS.encode() + b'">\n')


def write_iso2709(records: Iterable[Record], out: BinaryIO) -> int:
    """Write records in MARC 21 transmission format (UTF-8, leader/09 = 'a')."""
    count = 0
    for record in records:
        out.write(record.as_marc21())
        count += 1
    return count


def write_marcxml(records: Iterable[Record], out: BinaryIO) -> int:
    """Write records as one MARCXML ``collection`` (valid against MARC21slim.xsd)."""
    out.write(_HEADER)
    count = 0
    for record in records:
        # Records inherit the collection's default namespace.
        out.write(record_to_xml(record))
        out.write(b"\n")
        count += 1
    out.write(b"</collection>\n")
    return count
