"""Name headings (100/110/700/710) as contributors with relators, and their keys.

An agent's key is made from its heading's name and dates, normalized
(:func:`kg.marc.text.heading_key`), so the same person in two records, two
MARC files or a people source is one entity of the graph. How it is declared
once is told in ``docs/marc.md`` (Agents).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pymarc import Field, Indicators, Record, Subfield
from pyoxigraph import NamedNode

from kg.marc.parts import subfields_of
from kg.marc.text import RELATOR_NAMES, clean, heading_key, nfc, relator_code
from kg.namespaces import BF, BFLC, ORG, RDFS

if TYPE_CHECKING:
    from kg.marc.description import Description

# Subfields of the name itself (the key and the heading), by kind.
NAME_CODES = {"person": "abcqd", "organization": "abcdn"}
TAGS = {"100": "person", "110": "organization", "700": "person", "710": "organization"}


def contributions(record: Record) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The main entry (1XX) and the added entries (7XX) as contributor values."""
    primary = None
    main = record.get_fields("100", "110")
    if main:
        primary = contributor(main[0])
    added = []
    for field in record.get_fields("700", "710"):
        if field.get("t"):
            continue  # a name/title entry: a related work, not a contributor
        value = contributor(field)
        if value is not None:
            added.append(value)
    return primary, added


def contributor(field: Field) -> dict[str, Any] | None:
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
        # No relator in the record: none in the graph either (the role is not stated).
        "role": list(dict.fromkeys(roles)),
        "name": display_name(field, kind),
        "marc": "{}{}{}{}".format(field.tag, field.indicator1, field.indicator2, "".join(
            f"${s.code}{nfc(s.value)}" for s in field.subfields if s.code in codes)),
    }


def display_name(field: Field, kind: str) -> str:
    """The name pages show: ``Aurand, Samuel Herbert``, ``United States. Congress``."""
    if kind == "person":
        return " ".join(clean(v) for v in field.get_subfields("a", "b"))
    return ". ".join(clean(v) for v in field.get_subfields("a", "b"))


def heading_field(doc: Description, node: NamedNode, primary: bool) -> Field | None:
    """The 1XX or 7XX field of one contribution (its heading and relators)."""
    agent = next((v for v in doc.values(BF.agent, node) if isinstance(v, NamedNode)), None)
    if agent is None:
        return None
    marc = doc.text(BFLC.marcKey, node)
    types, name, birth, death = doc.agent(agent)
    organization = ORG.Organization.value in types or "/id/organization/" in agent.value
    tag = ("1" if primary else "7") + ("10" if organization else "00")
    if marc:
        _, indicators, parts = subfields_of(marc)
    else:
        name = name or doc.text(RDFS.label, node) or agent.value.rpartition("/")[2]
        indicators = "2 " if organization else ("1 " if "," in name else "0 ")
        parts = [("a", name)]
        if birth or death:
            parts.append(("d", f"{birth}-{death}"))
    codes = sorted(r.value.rpartition("/")[2] for r in doc.values(BF.role, node))
    terms = [RELATOR_NAMES[c] for c in codes if c in RELATOR_NAMES]
    relators = [("e", t + ("." if i + 1 == len(terms) else ",")) for i, t in enumerate(terms)]
    relators += [("4", c) for c in codes if re.fullmatch(r"[a-z]{3}", c)]
    if terms:
        # ISBD: the heading ends with a comma before the relator term.
        code, value = parts[-1]
        parts[-1] = (code, value.rstrip(" .,") + ",")
    return Field(tag=tag, indicators=Indicators(*indicators),
                 subfields=[Subfield(c, v) for c, v in parts + relators if v])
