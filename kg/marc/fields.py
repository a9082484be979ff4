"""One MARC 21 bibliographic record as the fields of a resource record.

The mapping, field by field, is documented in ``docs/marc.md``; the fields are
those of ``docs/sources.md`` (Resources), so MARC records go through the same
converter as CSV and YAML resources. :func:`record_fields` returns the fields,
or raises :class:`BadRecord` for a record that cannot become a resource.
"""

from __future__ import annotations

import re
from typing import Any

from pymarc import Field, Record
from pyoxigraph import NamedNode

from kg.convert.values import as_iri
from kg.iris import slugify
from kg.marc.codes import (
    CONVENTIONS,
    ELECTRONIC_FORMS,
    ISSUANCE,
    NOTE_TYPES,
    WORK_TYPES,
    resource_type,
)
from kg.marc.headings import contributions
from kg.marc.text import clean, nfc


class BadRecord(Exception):
    """A record that cannot become a resource (no title, no control number ...)."""


def control_number(record: Record) -> str:
    """The record's control number (001), as written; empty if it has none."""
    field = record.get("001")
    return nfc(field.data).strip() if field is not None and field.data else ""


def record_key(record: Record) -> str:
    """The key of the resource: the control number, prefixed by its source (003) if any."""
    number = control_number(record)
    source = record.get("003")
    prefix = source.data.strip() if source is not None and source.data else ""
    return slugify(f"{prefix} {number}") if number else ""


def record_fields(record: Record, warnings: list[str] | None = None) -> dict[str, Any]:
    """The resource fields of a MARC record (see docs/marc.md).

    Values that cannot be mapped are left out and said in ``warnings``.
    """
    warnings = [] if warnings is None else warnings
    key = record_key(record)
    if not key:
        raise BadRecord("has no control number (001)")
    title = record.get("245")
    if title is None or not title.get("a") and not title.get("k"):
        raise BadRecord("has no title (245 $a)")
    fields: dict[str, Any] = {"key": key, "control_number": control_number(record)}
    source = record.get("003")
    if source is not None and source.data and source.data.strip():
        fields["control_number_source"] = source.data.strip()
    _leader(record, fields)
    _fixed(record, fields, warnings)
    _title(title, fields)
    primary, added = contributions(record)
    if primary:
        fields["primary_contributor"] = primary
    if added:
        fields["contributors"] = added
    _publication(record, fields)
    _description(record, fields, warnings)
    _identifiers(record, fields)
    _subjects(record, fields)
    _notes(record, fields)
    return {name: value for name, value in fields.items() if value not in (None, "", [])}


def _leader(record: Record, fields: dict[str, Any]) -> None:
    leader = str(record.leader)
    form = _fixed_char(record, 23)
    fields["type"] = resource_type(leader[6], leader[7], form in ELECTRONIC_FORMS)
    fields["work_type"] = WORK_TYPES.get(leader[6], "")
    fields["issuance"] = ISSUANCE.get(leader[7], "")
    conventions = [CONVENTIONS[leader[18]]] if leader[18] in CONVENTIONS else []
    for field in record.get_fields("040"):
        conventions += [clean(v).lower() for v in field.get_subfields("e")]
    fields["cataloguing_rules"] = list(dict.fromkeys(conventions))


def _fixed_char(record: Record, position: int) -> str:
    field = record.get("008")
    data = field.data if field is not None and field.data else ""
    return data[position] if len(data) > position else ""


def _fixed(record: Record, fields: dict[str, Any], warnings: list[str]) -> None:
    """Dates, place and language from 008; more languages from 041."""
    field = record.get("008")
    data = (field.data if field is not None and field.data else "").ljust(40)
    if data[7:11].isdigit():
        fields["date"] = data[7:11]
    country = data[15:18].strip(" |\\")
    if country.isalpha():
        fields["country"] = country.lower()
    languages = [data[35:38].lower()] if data[35:38].isalpha() else []
    for value in (v.lower() for f in record.get_fields("041") for v in f.get_subfields("a")):
        letters = re.sub(r"[^a-z]", "", value)
        # Older records run codes together in one $a ('engfre').
        codes = ([letters[i:i + 3] for i in range(0, len(letters), 3)] if len(letters) % 3 == 0
                 else re.findall(r"\b[a-z]{3}\b", value))
        if not codes:
            warnings.append(f"041 $a {value!r} is not a language code; left out")
        languages += codes
    fields["language"] = list(dict.fromkeys(languages))


def _title(field: Field, fields: dict[str, Any]) -> None:
    fields["title"] = clean(" ".join(field.get_subfields("a", "k")))
    fields["subtitle"] = clean(" ".join(field.get_subfields("b")))
    fields["part_number"] = [clean(v) for v in field.get_subfields("n")]
    fields["part_name"] = [clean(v) for v in field.get_subfields("p")]
    fields["responsibility"] = clean(" ".join(field.get_subfields("c")))


def _publication(record: Record, fields: dict[str, Any]) -> None:
    """The first 260, or the first 264 that states the publication."""
    field = record.get("260")
    if field is None:
        field = next((f for f in record.get_fields("264") if f.indicator2 in ("1", " ")), None)
    if field is None:
        return
    fields["place"] = "; ".join(clean(v) for v in field.get_subfields("a"))
    fields["publisher"] = "; ".join(clean(v) for v in field.get_subfields("b"))
    statement = clean(" ".join(field.get_subfields("c")))
    fields["date_statement"] = statement
    if "date" not in fields and statement:
        digits = "".join(c for c in statement if c.isdigit())
        if len(digits) == 4:
            fields["date"] = digits


def _description(record: Record, fields: dict[str, Any], warnings: list[str]) -> None:
    edition = record.get("250")
    if edition is not None:
        fields["edition"] = clean(" ".join(edition.get_subfields("a", "b")))
    extent = record.get("300")
    if extent is not None:
        parts = [clean(" ".join(extent.get_subfields(code))) for code in ("a", "b")]
        fields["extent"] = " : ".join(p for p in parts if p)
        fields["dimensions"] = clean(" ".join(extent.get_subfields("c")))
    series = record.get_fields("490", "440")
    fields["series"] = [clean(" ".join(f.get_subfields("a"))) for f in series]
    fields["series_number"] = [clean(v) for f in series[:1] for v in f.get_subfields("v")]
    fields["series_uniform"] = [clean(" ".join(f.get_subfields("a", "n", "p")))
                                for f in record.get_fields("830", "440")]
    fields["access"] = [clean(f.format_field()) for f in record.get_fields("506")]
    fields["terms_of_use"] = [clean(f.format_field()) for f in record.get_fields("540")]
    fields["url"] = []
    for url in (u.strip() for f in record.get_fields("856") for u in f.get_subfields("u")):
        url = url.replace(" ", "%20")  # a space typed in a link, as browsers read it
        if isinstance(as_iri(url), NamedNode):
            fields["url"].append(url)
        elif url:
            warnings.append(f"856 $u {url!r} is not a web address; left out")


def _identifiers(record: Record, fields: dict[str, Any]) -> None:
    fields["isbn"] = [_qualified(v, f.get_subfields("q")) for f in record.get_fields("020")
                      for v in f.get_subfields("a")]
    fields["issn"] = [v.strip() for f in record.get_fields("022") for v in f.get_subfields("a")]
    fields["lccn"] = [v.strip() for f in record.get_fields("010") for v in f.get_subfields("a")]
    fields["lcc"] = [{"number": clean(f.get("a") or ""), "item": clean(f.get("b") or "")}
                     for f in record.get_fields("050") if f.get("a")]
    fields["ddc"] = [{"number": clean(f.get("a") or ""), "edition": (f.get("2") or "").strip()}
                     for f in record.get_fields("082") if f.get("a")]


def _qualified(value: str, qualifiers: list[str]) -> str:
    """An ISBN with its qualifier in parentheses, as older records write it in $a."""
    extra = " ".join(f"({clean(q).strip('()')})" for q in qualifiers)
    return " ".join(p for p in (nfc(value).strip(), extra) if p)


def _subjects(record: Record, fields: dict[str, Any]) -> None:
    headings = []
    for field in record.get_fields("650", "651"):
        parts = [clean(sub.value) for sub in field.subfields if sub.code in "avxyz"]
        if not parts:
            continue
        headings.append({
            "label": "--".join(p for p in parts if p),
            "type": "place" if field.tag == "651" else "topic",
            "marc": _marc_key(field, "avxyz"),
        })
    fields["subject_headings"] = headings


def _marc_key(field: Field, codes: str) -> str:
    """The field as tag, indicators and subfields (``1500 $aBotany$xHistory``)."""
    subfields = "".join(f"${s.code}{nfc(s.value)}" for s in field.subfields if s.code in codes)
    return f"{field.tag}{field.indicator1}{field.indicator2}{subfields}"


def _notes(record: Record, fields: dict[str, Any]) -> None:
    notes = []
    for field in record.get_fields(*NOTE_TYPES):
        text = nfc(" ".join(s.value for s in field.subfields if s.code in "abcdgrt3")).strip()
        if text:
            notes.append({"type": NOTE_TYPES[field.tag], "text": text})
    fields["notes"] = notes
