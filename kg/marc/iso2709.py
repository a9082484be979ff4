"""A fast ISO 2709 decoder for the common case: a well-formed UTF-8 record.

pymarc's decoder is a third of the CPU a large MARC build spends per record
(``bench/README.md``, "MARC conversion CPU per record"). Almost every record
of a real catalogue is UTF-8 (leader/09 = 'a') with a clean directory, and
for those :func:`decode_utf8` builds light fields that answer the part of
pymarc's API the mapping reads (:mod:`kg.marc.fields`), with the same values
pymarc gives. Anything else (MARC-8, a broken directory, odd indicators, a
byte that is not UTF-8 ...) gets ``None``, and the caller decodes it with
pymarc, so its problems are reported exactly as before.

>>> record = decode_utf8(b"00045nam a2200037 a 4500001000700000\\x1e12345 \\x1e\\x1d")
>>> record.get("001").data, record.leader[6:8]
('12345 ', 'am')
>>> decode_utf8(b"00045nam  2200037 a 4500001000700000\\x1e12345 \\x1e\\x1d") is None
True
"""

from __future__ import annotations

import re

from pymarc import Subfield

_ENTRY = 12
# Characters XML cannot carry (kg.convert.values) but the three separators of
# ISO 2709, which are looked for apart: only 0x1F may be in a value's field,
# where it separates subfields (a control field keeps it in its value).
_UNWRITABLE_BUT_SEPARATORS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1c\ud800-\udfff\ufffe\uffff]")
# Subfields made straight from their (code, value) pair: NamedTuple's own
# constructor is Python code, run for every subfield of every record.
_subfield = tuple.__new__


class Field:
    """One field of a decoded record (pymarc's ``Field`` API, read-only, as the mapping uses it)."""

    __slots__ = ("tag", "data", "indicator1", "indicator2", "subfields", "control_field")

    def __init__(self, tag: str, data: str | None, indicators: str,
                 subfields: list[Subfield]) -> None:
        self.tag = tag
        self.data = data
        self.control_field = data is not None
        self.indicator1 = indicators[:1]
        self.indicator2 = indicators[1:]
        self.subfields = subfields

    def get(self, code: str, default: str | None = None) -> str | None:
        """The first value of a subfield (``default`` if there is none)."""
        for subfield in self.subfields:
            if subfield.code == code:
                return subfield.value
        return default

    def get_subfields(self, *codes: str) -> list[str]:
        """The values of the subfields with these codes, in field order."""
        return [subfield.value for subfield in self.subfields if subfield.code in codes]

    def format_field(self) -> str:
        """The field as text, as pymarc formats it (subject subdivisions after ' -- ')."""
        if self.control_field:
            return self.data or ""
        subject = self.tag.startswith("6")
        return "".join(f" -- {s.value}" if subject and s.code in "vxyz" else f" {s.value}"
                       for s in self.subfields if s.code != "6").strip()


class Record:
    """A decoded record: leader and fields, found by tag (pymarc's ``Record`` API, read-only).

    ``writable``: no value of it holds a character XML cannot carry. The
    decoder sees it on the way (one search of an ASCII record's text), so the
    converter need not look through the mapped values again (``kg.convert``:
    33 us a record, against some 9 here).
    """

    __slots__ = ("leader", "fields", "writable", "_by_tag")

    def __init__(self, leader: str, fields: list[Field], writable: bool = False) -> None:
        self.leader = leader
        self.fields = fields
        self.writable = writable
        self._by_tag: dict[str, list[Field]] = {}
        for field in fields:
            self._by_tag.setdefault(field.tag, []).append(field)

    def get(self, tag: str, default: Field | None = None) -> Field | None:
        """The first field with this tag (``default`` if there is none)."""
        found = self._by_tag.get(tag)
        return found[0] if found else default

    def get_fields(self, *tags: str) -> list[Field]:
        """The fields with these tags, in record order (all of them if no tag is given)."""
        if not tags:
            return list(self.fields)
        if len(tags) == 1:
            return list(self._by_tag.get(tags[0], ()))
        return [field for field in self.fields if field.tag in tags]


def decode_utf8(chunk: bytes) -> Record | None:
    """A well-formed UTF-8 record's fields; None for anything pymarc must decode."""
    if chunk[9:10] != b"a" or not chunk[:24].isascii() or not chunk[12:17].isdigit() \
            or not chunk[:5].isdigit() or len(chunk) < int(chunk[:5]):
        return None
    base = int(chunk[12:17])
    if not 0 < base < len(chunk):
        return None
    directory = chunk[24:base - 1]
    if not directory or len(directory) % _ENTRY or not directory.isascii():
        return None
    # An all-ASCII record (most of them) is decoded once: its byte offsets are
    # then offsets in the text. Others are decoded field by field.
    text = chunk.decode() if chunk.isascii() else None
    fields = []
    leader = chunk[:24].decode()
    # Characters XML cannot carry: looked for in an ASCII record's whole text at
    # once (else in its leader, then field by field); ISO 2709's separators, in
    # each field, where only 0x1F may stand (between a data field's subfields).
    writable = _UNWRITABLE_BUT_SEPARATORS.search(text if text is not None else leader) is None
    try:
        for start in range(0, len(directory), _ENTRY):
            entry = directory[start:start + _ENTRY]
            if not entry[3:].isdigit():
                return None
            offset = base + int(entry[7:])
            end = offset + int(entry[3:7]) - 1
            data = text[offset:end] if text is not None else chunk[offset:end].decode()
            field = _field(entry[:3].decode(), data)
            if field is None:
                return None
            if writable:
                writable = not ("\x1e" in data or "\x1d" in data
                                or (field.control_field and "\x1f" in data)
                                or (text is None and _UNWRITABLE_BUT_SEPARATORS.search(data)))
            fields.append(field)
    except UnicodeDecodeError:
        return None  # pymarc reports it, naming the byte
    return Record(leader, fields, writable)


def _field(tag: str, data: str) -> Field | None:
    """One field, with pymarc's rule for control fields (numeric tags below 010).

    Decoding a field whole gives what pymarc's subfield by subfield decoding
    gives: the delimiter is ASCII, so it never falls inside a UTF-8 sequence.
    """
    if tag < "010" and tag.isdigit():
        return Field(tag, data, "", [])
    indicators, *parts = data.split("\x1f")
    if len(indicators) != 2 or not indicators.isascii():
        return None  # pymarc mends these, with a warning
    subfields = []
    for part in parts:
        if not part:
            continue
        if part[0] >= "\x80":
            return None  # a code that is not ASCII: pymarc mends it, with a warning
        subfields.append(_subfield(Subfield, (part[0], part[1:])))
    return Field(tag, None, indicators, subfields)
