"""Dates as readers of each language write them, partial dates included.

Sources keep what is known and no more (architecture: a year is an
``xsd:gYear``, a day of an unknown year an ``xsd:gMonthDay``), so each
precision has its own pattern (CLDR skeletons, through Babel).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {XSD + name for name in ("date", "dateTime", "gYear", "gYearMonth", "gMonthDay")}
_MONTH_DAY = re.compile(r"^--(\d\d)-(\d\d)")
_YEAR_MONTH = re.compile(r"^(-?\d{4,})-(\d\d)(?:Z|[+-]\d\d:\d\d)?$")
_YEAR = re.compile(r"^(-?\d{4,})(?:Z|[+-]\d\d:\d\d)?$")


def format_date(lexical: str, datatype: str | None, language: str) -> str:
    """A date literal in the reader's language; the text as it is when it cannot be read.

    >>> format_date("--12-03", XSD + "gMonthDay", "en")
    'December 3'
    >>> format_date("--12-03", XSD + "gMonthDay", "vi")
    '3 tháng 12'
    >>> format_date("2024-05", XSD + "gYearMonth", "en")
    'May 2024'
    >>> format_date("2024-05-31", XSD + "date", "vi")
    '31 tháng 5, 2024'
    """
    try:
        return _format(lexical.strip(), datatype or _guess(lexical), language)
    except (ValueError, KeyError):
        return lexical


def _guess(lexical: str) -> str:
    """The datatype a plain date string has (for sources that left it untyped)."""
    if _MONTH_DAY.match(lexical):
        return XSD + "gMonthDay"
    if _YEAR.match(lexical):
        return XSD + "gYear"
    if _YEAR_MONTH.match(lexical):
        return XSD + "gYearMonth"
    return XSD + ("dateTime" if "T" in lexical else "date")


def _format(lexical: str, datatype: str, language: str) -> str:
    kind = datatype.removeprefix(XSD)
    if kind == "gYear":
        return str(int(_YEAR.match(lexical).group(1)))  # type: ignore[union-attr]
    if kind == "gMonthDay":
        month, day = _MONTH_DAY.match(lexical).groups()  # type: ignore[union-attr]
        # A leap year, so that --02-29 can be written too; the year is not shown.
        return format_skeleton("MMMMd", date(2000, int(month), int(day)), locale=language)
    if kind == "gYearMonth":
        year, month = _YEAR_MONTH.match(lexical).groups()  # type: ignore[union-attr]
        return format_skeleton("yMMMM", date(int(year), int(month), 1), locale=language)
    if kind == "dateTime":
        moment = datetime.fromisoformat(lexical.replace("Z", "+00:00"))
        return format_skeleton("yMMMMdHm", moment, locale=language)
    return babel_format_date(date.fromisoformat(lexical[:10]), "long", locale=language)


def is_date(datatype: str | None) -> bool:
    """True for the XSD date types pages format."""
    return datatype in DATE_TYPES


def time_of_day(lexical: str) -> str | None:
    """``HH:MM`` of a date-time, or None (for programmes drawn as timelines)."""
    if "T" not in lexical:
        return None
    return lexical.split("T", 1)[1][:5]
