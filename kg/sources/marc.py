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
from typing import BinaryIO

from pymarc import Field, Indicators, MARCReader, Record, Subfield
from pymarc.exceptions import PymarcException

from kg.errors import SourceSyntaxError
from kg.marc.fields import BadRecord, control_number, record_fields
from kg.sources import Origin, Source
from kg.sources import Record as SourceRecord

MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_CONTROL_001 = re.compile(rb"001(\d{4})(\d{5})")
# pymarc logs every odd indicator; the reports say what matters.
logging.getLogger("pymarc").setLevel(logging.ERROR)


def read_marc(source: Source) -> Iterator[SourceRecord]:
    """The records of a MARC file as resource records, in file order."""
    try:
        handle = source.path.open("rb")
    except OSError as error:
        raise SourceSyntaxError(f"cannot read: {error.strerror}", source.label) from error
    with handle:
        parsed = _iso2709(handle) if source.format == "marc" else _marcxml(handle, source)
        for number, (record, trouble) in enumerate(parsed, start=1):
            yield _resource(source, number, record, trouble)


def _resource(source: Source, number: int, record: Record | None,
              trouble: tuple[str, str] | None) -> SourceRecord:
    if trouble is not None:
        problem, number_text = trouble
        return SourceRecord("resource", {}, _origin(source, number, number_text), problem)
    origin = _origin(source, number, control_number(record))
    try:
        return SourceRecord("resource", record_fields(record), origin)
    except BadRecord as error:
        return SourceRecord("resource", {}, origin, problem=str(error))


def _origin(source: Source, number: int, control: str) -> Origin:
    where = f"record {number}"
    return Origin(source.label, f"{where} (001 {control})" if control else where)


def _iso2709(handle: BinaryIO) -> Iterator[tuple[Record | None, tuple[str, str] | None]]:
    """(record, None) for each good record; (None, (problem, control number)) for a bad one."""
    reader = MARCReader(handle, to_unicode=False, permissive=True)
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        chunk = reader.current_chunk or b""
        if raw is None:
            error = reader.current_exception
            yield None, (_why(error), _sniff_control(chunk))
            if _fatal(error):
                return
            continue
        try:
            yield _decode(chunk), None
        except UnicodeDecodeError as error:
            yield None, (f"is not valid {error.encoding.upper()} text (byte "
                         f"0x{error.object[error.start]:02x}); "
                         "its leader says position 09 = 'a' (UTF-8)", _sniff_control(chunk))
        except _Marc8Error as error:
            yield None, (str(error), _sniff_control(chunk))
        except (PymarcException, ValueError) as error:
            yield None, (_why(error), _sniff_control(chunk))


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


def _fatal(error: Exception | None) -> bool:
    """After these the rest of the file cannot be found record by record."""
    return type(error).__name__ in ("RecordLengthInvalid", "TruncatedRecord")


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
        raise SourceSyntaxError(f"not well-formed XML ({error})", source.label,
                                f"line {line} column {column}") from error


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _xml_record(element: ET.Element) -> tuple[Record | None, tuple[str, str] | None]:
    record = Record(leader=" " * 24)
    control = ""
    for child in element:
        name, text = _local(child.tag), child.text or ""
        if name == "leader":
            if len(text) != 24:
                return None, (f"has an invalid leader ({len(text)} characters, not 24)", control)
            record.leader = text
        elif name == "controlfield":
            tag = child.get("tag", "")
            control = text.strip() if tag == "001" else control
            record.add_field(Field(tag=tag, data=text))
        elif name == "datafield":
            subfields = [Subfield(s.get("code", ""), s.text or "") for s in child
                         if _local(s.tag) == "subfield"]
            indicators = Indicators(child.get("ind1", " ") or " ", child.get("ind2", " ") or " ")
            record.add_field(Field(tag=child.get("tag", ""), indicators=indicators,
                                   subfields=subfields))
    return record, None
