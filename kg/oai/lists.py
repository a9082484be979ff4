"""ListIdentifiers and ListRecords: selective harvesting, page by page.

A list is read in identifier order; each page ends with a resumption token
that names the last identifier delivered (:mod:`kg.oai.tokens`), so the next
page costs the same however deep the harvest is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime

from kg.errors import OaiError
from kg.oai import response as xml
from kg.oai.index import Selection
from kg.oai.repository import Repository, metadata_format
from kg.oai.tokens import Cursor, decode, encode

_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*$")


def list_records(repository: Repository, args: dict[str, str], root: ET.Element,
                 with_metadata: bool) -> None:
    """One page of headers (ListIdentifiers) or records (ListRecords)."""
    verb = "ListRecords" if with_metadata else "ListIdentifiers"
    if "resumptionToken" in args:
        cursor = decode(args["resumptionToken"], verb)
    else:
        cursor = _first_cursor(repository, verb, args)
    fmt = metadata_format(cursor.prefix)
    selection = Selection(fmt.kinds, cursor.set_spec, cursor.start, cursor.end)
    page = repository.index.page(selection, cursor.after, repository.page_size + 1)
    if not page:
        raise OaiError("noRecordsMatch", "no records match the request")
    more = len(page) > repository.page_size
    page = page[:repository.page_size]
    element = xml.child(root, verb)
    for record in page:
        if with_metadata:
            repository.write_record(xml.child(element, "record"), record, fmt.prefix)
        else:
            xml.header(element, record)
    delivered = cursor.delivered + len(page)
    if more or cursor.delivered:
        # The count was taken when the list began; records published since
        # may make the list longer, never shorter than what is delivered.
        total = max(cursor.total, delivered + (1 if more else 0))
        token = encode(replace(cursor, after=page[-1].identifier, delivered=delivered,
                               total=total)) if more else ""
        xml.resumption_token(element, token, total, cursor.delivered)


def _first_cursor(repository: Repository, verb: str, args: dict[str, str]) -> Cursor:
    """The cursor of a new list request, its arguments checked."""
    # Syntax first: a badArgument response echoes no arguments, the other errors
    # echo them all, so an argument that is not even a date must not get that far.
    set_spec = args.get("set")
    if set_spec is not None and not _SET_SPEC.match(set_spec):
        raise OaiError("badArgument", f"set {set_spec!r} is not a setSpec")
    start, start_form = _bound(args, "from", "T00:00:00Z")
    end, end_form = _bound(args, "until", "T23:59:59Z")
    if start_form and end_form and start_form != end_form:
        raise OaiError("badArgument", "from and until must have the same granularity")
    if start and end and start > end:
        raise OaiError("badArgument", f"from ({args['from']}) is later than until "
                                      f"({args['until']})")
    fmt = metadata_format(args["metadataPrefix"])
    if set_spec is not None and not repository.index.sets():
        raise OaiError("noSetHierarchy", "this repository has no records, so no sets yet")
    selection = Selection(fmt.kinds, set_spec, start, end)
    total = repository.index.count(selection)
    if not total:
        raise OaiError("noRecordsMatch", "no records match the request")
    return Cursor(verb, fmt.prefix, set_spec, start, end, "", 0, total)


def _bound(args: dict[str, str], name: str, day_end: str) -> tuple[str | None, str | None]:
    """A from/until argument as a full datestamp, and the granularity it was given in.

    >>> _bound({"from": "2026-02-28"}, "from", "T00:00:00Z")
    ('2026-02-28T00:00:00Z', 'day')
    >>> _bound({"until": "2026-02-30"}, "until", "T23:59:59Z")
    Traceback (most recent call last):
    ...
    kg.errors.OaiError: badArgument: until '2026-02-30' is not a date like 2026-05-31 or ...
    """
    value = args.get(name)
    if value is None:
        return None, None
    for pattern, form, suffix in (("%Y-%m-%d", "day", day_end),
                                  ("%Y-%m-%dT%H:%M:%SZ", "second", "")):
        try:
            datetime.strptime(value, pattern)
        except ValueError:
            continue
        if len(value) == (10 if form == "day" else 20):
            return value + suffix, form
    raise OaiError("badArgument", f"{name} {value!r} is not a date like 2026-05-31 or "
                                  "2026-05-31T08:00:00Z")
