"""Name headings (100/110/700/710) as contributors with relators, and their keys.

An agent's key is made from its heading's name and dates, normalized
(:func:`kg.marc.text.heading_key`), so the same person in two records, two
MARC files or a people source is one entity of the graph. How it is declared
once is told in ``docs/marc.md`` (Agents).
"""

from __future__ import annotations

from typing import Any

from pymarc import Field, Record

from kg.marc.text import clean, heading_key, nfc, relator_code

# Subfields of the name itself (the key and the heading), by kind.
NAME_CODES = {"person": "abcqd", "organization": "abcdn"}
TAGS = {"100": "person", "110": "organization", "700": "person", "710": "organization"}


def contributions(record: Record) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The main entry (1XX) and the added entries (7XX) as contributor values."""
    primary = None
    main = record.get_fields("100", "110")
    if main:
        primary = contributor(main[0], default_role="aut")
    added = []
    for field in record.get_fields("700", "710"):
        if field.get("t"):
            continue  # a name/title entry: a related work, not a contributor
        value = contributor(field, default_role="ctb")
        if value is not None:
            added.append(value)
    return primary, added


def contributor(field: Field, default_role: str) -> dict[str, Any] | None:
    """One heading as ``{agent, role, name, marc}``; None if it names no one."""
    kind = TAGS[field.tag]
    codes = NAME_CODES[kind]
    parts = [s.value for s in field.subfields if s.code in codes and s.value.strip()]
    key = heading_key(parts)
    if not key or not field.get("a"):
        return None
    roles = [relator_code(v) or clean(v) for v in field.get_subfields("e", "4") if clean(v)]
    return {
        "agent": f"{kind}/{key}",
        "role": list(dict.fromkeys(roles)) or [default_role],
        "name": display_name(field, kind),
        "marc": "{}{}{}{}".format(field.tag, field.indicator1, field.indicator2, "".join(
            f"${s.code}{nfc(s.value)}" for s in field.subfields if s.code in codes)),
    }


def display_name(field: Field, kind: str) -> str:
    """The name pages show: ``Aurand, Samuel Herbert``, ``United States. Congress``."""
    if kind == "person":
        return " ".join(clean(v) for v in field.get_subfields("a", "b"))
    return ". ".join(clean(v) for v in field.get_subfields("a", "b"))
