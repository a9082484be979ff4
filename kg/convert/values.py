"""Turning the text of one field into an RDF term.

A value that cannot be what the field wants still becomes a term (a plain or
ill-typed literal), so that the SHACL shapes, the one source of truth, report
it with the field's name: '31/5/80' in a date field becomes
``"31/5/80"^^xsd:date``, which the shapes reject as not a date.

>>> as_date("2024-05-31")
<Literal value=2024-05-31 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#date>>
>>> as_date("2024").datatype.value
'http://www.w3.org/2001/XMLSchema#gYear'
>>> as_date("--12-03").datatype.value
'http://www.w3.org/2001/XMLSchema#gMonthDay'
>>> as_date("31/5/80").datatype.value
'http://www.w3.org/2001/XMLSchema#date'
>>> split_values("a; b ;; c")
['a', 'b', 'c']
"""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.namespaces import WD, XSD

_DATE_FORMS: tuple[tuple[re.Pattern[str], NamedNode], ...] = (
    (re.compile(r"^-?\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$"),
     XSD.dateTime),
    (re.compile(r"^-?\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^-?\d{4}$"), XSD.gYear),
    (re.compile(r"^--\d{2}-\d{2}$"), XSD.gMonthDay),
)
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_WIKIDATA = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9]\d*)$")


def split_values(value: Any) -> list[Any]:
    """The values of a field: a YAML list as it is, a CSV cell split on ';'."""
    if isinstance(value, list):
        return [v.strip() if isinstance(v, str) else v for v in value
                if v not in (None, "") and not (isinstance(v, str) and not v.strip())]
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [value]


def as_text(value: str, lang: str | None = None) -> Literal:
    """A string literal, language-tagged when the field has a language."""
    text = " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()
    if lang:
        try:
            return Literal(text, language=lang)
        except ValueError:
            # An invalid tag: keep the text; the shapes then report the language.
            return Literal(text)
    return Literal(text)


def as_date(value: str) -> Literal:
    """A date, or a partial date when that is all that is known (year, month, day of year)."""
    text = str(value).strip()
    for pattern, datatype in _DATE_FORMS:
        if pattern.match(text):
            return Literal(text, datatype=datatype)
    return Literal(text, datatype=XSD.date)


def as_iri(value: str) -> NamedNode | Literal:
    """An absolute IRI (a web address); anything else stays a literal for the shapes to report."""
    text = str(value).strip()
    if _IRI.match(text):
        try:
            return NamedNode(text)
        except ValueError:
            pass
    return Literal(text)


def as_wikidata(value: str) -> NamedNode | Literal:
    """A Wikidata item from ``Q123`` or its URL."""
    match = _WIKIDATA.match(str(value).strip())
    return WD[match.group(1)] if match else Literal(str(value))


def as_integer(value: str) -> Literal:
    """An integer literal (ill-typed if the text is not one)."""
    return Literal(str(value).strip(), datatype=XSD.integer)


# What XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets): control
# characters but tab and line ends, lone surrogates, U+FFFE and U+FFFF. Pages,
# RDF/XML and SPARQL XML results could not show such a value.
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unwritable_character(value: Any) -> str | None:
    r"""The first character of a value (or of values in it) that XML cannot carry, as U+XXXX.

    >>> unwritable_character("Nguy\x00en"), unwritable_character(["ok", "bell\a"])
    ('U+0000', 'U+0007')
    >>> unwritable_character("Nguyễn\tVăn\n") is None
    True
    """
    if isinstance(value, str):
        found = _UNWRITABLE.search(value)
        return f"U+{ord(found.group()):04X}" if found else None
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list):
        return next((c for c in map(unwritable_character, value) if c), None)
    return None


def maybe_unwritable(value: Any) -> bool:
    r"""False when no text in a value (keys too) can hold a character XML cannot carry.

    A quick look before :func:`unwritable_character`: ``repr`` writes each
    such character as an escape, so text whose ``repr`` has no backslash has
    none of them (one with a backslash may, or may just hold a backslash or a
    tab).

    >>> maybe_unwritable({"title": ["Nguyễn Văn A", {"a": "b"}]})
    False
    >>> maybe_unwritable(["bell\a"]), maybe_unwritable({"x\ufffe": 1}), maybe_unwritable("\ud800")
    (True, True, True)
    """
    return "\\" in repr(value)
