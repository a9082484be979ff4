"""MARC 21 sources: ISO 2709 (``.mrc``) and MARCXML, read record by record.

Records are streamed (memory stays flat whatever the file's size) and become
resource records (:mod:`kg.marc.fields`). A record that cannot be read (a
broken directory, an encoding that does not decode, no title) becomes a
record with a ``problem`` naming its number and control number, so a build
can stop or skip it (``--on-error``).
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import redirect_stderr
from pathlib import Path
from pyexpat import errors as expat_errors
from typing import BinaryIO

from pymarc import Field, Indicators, Record, Subfield
from pymarc.exceptions import PymarcException

from kg.errors import SourceSyntaxError
from kg.marc.fields import BadRecord, control_number, record_fields
from kg.marc.iso2709 import Record as FastRecord
from kg.marc.iso2709 import decode_utf8
from kg.sources import Origin, Source
from kg.sources import Record as SourceRecord

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_CONTROL_001 = re.compile(rb"001(\d{4})(\d{5})")
# Expat never fetches an external entity and stops entities that expand too
# far: say which, rather than call the file malformed.
_UNFETCHED = {expat_errors.codes[expat_errors.XML_ERROR_UNDEFINED_ENTITY],
              expat_errors.codes[expat_errors.XML_ERROR_EXTERNAL_ENTITY_HANDLING]}
_EXPANDING = {expat_errors.codes[expat_errors.XML_ERROR_AMPLIFICATION_LIMIT_BREACH],
              expat_errors.codes[expat_errors.XML_ERROR_RECURSIVE_ENTITY_REF]}
# pymarc logs every odd indicator; the reports say what matters.
logging.getLogger("pymarc").setLevel(logging.ERROR)


def read_marc(source: Source) -> Iterator[SourceRecord]:
    """The records of a MARC file as resource records, in file order."""
    try:
        handle = source.path.open("rb")
    except OSError as error:
        raise SourceSyntaxError(f"cannot read: {error.strerror}", source.label) from error
    with handle:
        if source.format == "marc":
            for number, (chunk, problem) in enumerate(chunks_of(handle), start=1):
                yield record_from_chunk(source, number, chunk, problem)
            return
        for number, (record, control) in enumerate(_marcxml(handle, source), start=1):
            yield _resource(source, number, record, control)


def record_from_chunk(source: Source, number: int, chunk: bytes,
                      problem: str | None, fast: bool = True) -> SourceRecord:
    """The resource record of one ISO 2709 record's bytes (``problem``: it could not be cut).

    ``fast=False`` decodes every record with pymarc (the reference the fast
    decoder is tested against).
    """
    if problem is not None:
        return _resource(source, number, None, (problem, _sniff_control(chunk)))
    try:
        record = decode_utf8(chunk) if fast else None
        return _resource(source, number, record or _decode(chunk), None)
    except UnicodeDecodeError as error:
        return _resource(source, number, None, (
            f"is not valid {error.encoding.upper()} text (byte "
            f"0x{error.object[error.start]:02x}); its leader says position 09 = 'a' (UTF-8)",
            _sniff_control(chunk)))
    except (PymarcException, ValueError) as error:
        message = str(error) if isinstance(error, _Marc8Error) else _why(error)
        return _resource(source, number, None, (message, _sniff_control(chunk)))


def _resource(source: Source, number: int, record: Record | FastRecord | None,
              trouble: tuple[str, str] | None) -> SourceRecord:
    if trouble is not None:
        problem, number_text = trouble
        return SourceRecord("resource", {}, _origin(source, number, number_text), problem)
    origin = _origin(source, number, control_number(record))
    warnings: list[str] = []
    try:
        return SourceRecord("resource", record_fields(record, warnings), origin,
                            warnings=warnings, writable=getattr(record, "writable", False))
    except BadRecord as error:
        return SourceRecord("resource", {}, origin, problem=str(error))


def _origin(source: Source, number: int, control: str) -> Origin:
    where = f"record {number}"
    return Origin(source.label, f"{where} (001 {control})" if control else where)


def chunks_of(handle: BinaryIO) -> Iterator[tuple[bytes, str | None]]:
    """Each record's bytes, cut by the length its leader gives (as pymarc's reader does)."""
    while True:
        head = handle.read(5)
        if not head or head.strip(b"\x00\r\n \x1a") == b"":
            return
        if not head.isdigit() or len(head) < 5:
            # The length cannot be trusted: the record ends at its end-of-record mark.
            yield head + _rest_of_record(handle), "has an invalid record length in its leader"
            continue
        chunk = head + handle.read(int(head) - 5)
        if len(chunk) < int(head):
            yield chunk, "is truncated (shorter than its leader says)"
            return
        if not chunk.endswith(b"\x1d"):
            yield chunk, "has no end-of-record mark where its leader says"
            continue
        yield chunk, None


def _rest_of_record(handle: BinaryIO) -> bytes:
    """The bytes up to the next end-of-record mark, with it (or to the end of the file)."""
    collected = bytearray()
    while True:
        byte = handle.read(1)  # buffered; only a broken record is read this way
        collected += byte
        if not byte or byte == b"\x1d":
            return bytes(collected)


class _Marc8Error(ValueError):
    """MARC-8 text with characters that MARC-8 does not define."""


def _decode(chunk: bytes) -> Record:
    """A record decoded to Unicode: strictly from UTF-8, or converted from MARC-8."""
    utf8 = chunk[9:10] == b"a"
    complaints = io.StringIO()
    with warnings.catch_warnings(), redirect_stderr(complaints):
        warnings.simplefilter("ignore")
        record = Record(data=chunk, to_unicode=True, utf8_handling="strict")
    if not utf8 and complaints.getvalue():
        first = complaints.getvalue().splitlines()[0]
        raise _Marc8Error(f"is not valid MARC-8 text ({first.strip()})")
    return record


def _why(error: Exception | None) -> str:
    name = type(error).__name__ if error is not None else "unknown error"
    detail = str(error).strip() if error is not None else ""
    words = {
        "RecordLengthInvalid": "has an invalid record length in its leader",
        "TruncatedRecord": "is truncated (shorter than its leader says)",
        "EndOfRecordNotFound": "has no end-of-record mark where its leader says",
        "RecordDirectoryInvalid": "has a broken directory",
        "BaseAddressInvalid": "has a broken directory (invalid base address)",
        "BaseAddressNotFound": "has a broken directory (no base address)",
        "RecordLeaderInvalid": "has an invalid leader",
        "NoFieldsFound": "has no fields",
    }
    if name in words:
        return words[name]
    return f"cannot be read ({detail or name})"


def _sniff_control(chunk: bytes) -> str:
    """The control number (001) of a record that did not parse, when it can be found."""
    try:
        # The directory ends at the first field terminator, whatever the leader says.
        end = chunk.index(b"\x1e", 24)
        base, directory = end + 1, chunk[24:end]
        for start in range(0, len(directory) - 11, 12):
            match = _CONTROL_001.fullmatch(directory[start:start + 12])
            if match:
                length, offset = int(match.group(1)), int(match.group(2))
                text = chunk[base + offset:base + offset + length - 1]
                return text.decode("utf-8", "replace").strip()
    except (ValueError, IndexError):
        pass
    return ""


def is_marcxml(path: Path) -> bool:
    """True if an XML file's root is a MARCXML collection or record."""
    try:
        for _, element in ET.iterparse(path, events=("start",)):
            return element.tag in (f"{{{MARCXML_NS}}}collection", f"{{{MARCXML_NS}}}record")
    except (ET.ParseError, OSError):
        return False
    return False


def _marcxml(handle: BinaryIO, source: Source,
             ) -> Iterator[tuple[Record | None, tuple[str, str] | None]]:
    """MARCXML records one at a time; each is dropped from the tree once read."""
    parser = ET.iterparse(handle, events=("start", "end"))
    root = None
    try:
        for event, element in parser:
            if root is None:
                root = element
            if event == "end" and _local(element.tag) == "record":
                yield _xml_record(element)
                root.clear()
    except ET.ParseError as error:
        line, column = error.position
        raise SourceSyntaxError(_xml_problem(error), source.label,
                                f"line {line} column {column}") from error


def _xml_problem(error: ET.ParseError) -> str:
    """What is wrong with a MARCXML file (its position is given beside it)."""
    reason = str(error).rsplit(": line ", 1)[0]
    if error.code in _UNFETCHED:
        return f"uses an XML entity that the file does not define ({reason}); " \
               "external entities are never fetched"
    if error.code in _EXPANDING:
        return f"has XML entities that expand too far ({reason})"
    return f"not well-formed XML ({reason})"


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_record(element: ET.Element) -> tuple[Record | None, tuple[str, str] | None]:
    record = Record(leader=" " * 24)
    # The 001 comes after the leader: found first, so a bad leader's report names it.
    control = next(((c.text or "").strip() for c in element if _local(c.tag) == "controlfield"
                    and c.get("tag") == "001"), "")
    for child in element:
        name, text = _local(child.tag), child.text or ""
        if name == "leader":
            if len(text) != 24:
                return None, (f"has an invalid leader ({len(text)} characters, not 24)", control)
            record.leader = text
        elif name == "controlfield":
            record.add_field(Field(tag=child.get("tag", ""), data=text))
        elif name == "datafield":
            subfields = [Subfield(s.get("code", ""), s.text or "") for s in child
                         if _local(s.tag) == "subfield"]
            indicators = Indicators(child.get("ind1", " ") or " ", child.get("ind2", " ") or " ")
            record.add_field(Field(tag=child.get("tag", ""), indicators=indicators,
                                   subfields=subfields))
    return record, None
