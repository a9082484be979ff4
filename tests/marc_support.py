"""The real MARC sample (tests/data/marc) and ways to make bad records from it."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc

from tests.support import REPO

SAMPLE = REPO / "tests" / "data" / "marc"
ISO2709 = SAMPLE / "loc-books.mrc"
MARCXML = SAMPLE / "loc-books.marcxml"
MARC8 = SAMPLE / "loc-marc8.mrc"
BATCH_XML = SAMPLE / "pymarc-batch.xml"


def raw_records(path: Path) -> list[bytes]:
    """The records of an ISO 2709 file, byte for byte."""
    return [chunk + b"\x1d" for chunk in path.read_bytes().split(b"\x1d") if chunk.strip()]


def sample_records() -> dict[str, pymarc.Record]:
    """Every record of the sample, read by pymarc itself, by control number."""
    found: dict[str, pymarc.Record] = {}
    for path in (ISO2709, MARC8):
        with path.open("rb") as handle:
            for record in pymarc.MARCReader(handle, to_unicode=True):
                found[record["001"].data.strip()] = record
    for path in (MARCXML, BATCH_XML):
        for record in pymarc.parse_xml_to_array(str(path)):
            found[record["001"].data.strip()] = record
    return found


def one_record(path: Path, number: int) -> pymarc.Record:
    """Record ``number`` (from 1) of an ISO 2709 file."""
    chunk = raw_records(path)[number - 1]
    return next(iter(pymarc.MARCReader(io.BytesIO(chunk), to_unicode=True)))


def without_title(chunk: bytes) -> bytes:
    """The same record with its 245 field dropped (a record with no title)."""
    record = next(iter(pymarc.MARCReader(io.BytesIO(chunk), to_unicode=True)))
    record.remove_fields("245")
    return record.as_marc21()


def broken_directory(chunk: bytes) -> bytes:
    """The same record with a base address that cuts its directory short of an entry."""
    base = int(chunk[12:17])
    return chunk[:12] + f"{base - 5:05d}".encode() + chunk[17:]


def invalid_utf8(chunk: bytes) -> bytes:
    """The same record with a byte that is not UTF-8 in its first data field (same length)."""
    at = chunk.index(b"\x1fa", chunk.index(b"\x1e", int(chunk[12:17]) - 1) + 1) + 3
    return chunk[:at] + b"\xff" + chunk[at + 1:]
