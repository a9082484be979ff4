"""Building MARC fields: subfields with ISBD punctuation, and fields from marc keys.

>>> parts = [("a", "Botanical materia medica"), ("b", "drugs"), ("c", "By S. H. Aurand")]
>>> [tuple(s) for s in isbd(parts, {"b": " :", "c": " /"})]
[('a', 'Botanical materia medica :'), ('b', 'drugs /'), ('c', 'By S. H. Aurand.')]
>>> subfields_of("650 0$aHomeopathy$xMateria medica and therapeutics.")
('650', ' 0', [('a', 'Homeopathy'), ('x', 'Materia medica and therapeutics.')])
"""

from __future__ import annotations

import re

from pymarc import Field, Indicators, Record, Subfield

_ENDS = (".", "?", "!", "-", ")", "]")


def isbd(parts: list[tuple[str, str]], before: dict[str, str],
         repeat: dict[str, str] | None = None, end: str = ".") -> list[Subfield]:
    """Subfields with the punctuation that introduces each next one, and a final full stop."""
    repeat = repeat or {}
    subfields = []
    for index, (code, value) in enumerate(parts):
        text = value.strip()
        if index + 1 < len(parts):
            following = parts[index + 1][0]
            mark = repeat.get(code, "") if following == code else before.get(following, "")
        else:
            mark = "" if text.endswith(_ENDS) else end
        if mark and not text.endswith(mark.strip()):
            text += mark
        subfields.append(Subfield(code, text))
    return subfields


def subfields_of(marc_key: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(tag, indicators, subfields) of a ``bflc:marcKey`` such as ``1001 $aAurand, S. H.``."""
    head, _, rest = marc_key.partition("$")
    tag, indicators = head[:3], (head[3:5] + "  ")[:2]
    parts = [(chunk[0], chunk[1:]) for chunk in re.split(r"\$(?=[0-9a-z])", "$" + rest)
             if chunk]
    return tag, indicators, parts


def add_field(record: Record, tag: str, indicators: str,
              parts: list[tuple[str, str]] | list[Subfield]) -> None:
    """Add a data field unless it would be empty."""
    subfields = [Subfield(code, value) for code, value in parts if value and value.strip()]
    if subfields:
        record.add_field(Field(tag=tag, indicators=Indicators(*indicators[:2]),
                               subfields=subfields))
