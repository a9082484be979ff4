"""Resumption tokens: the request's selection and where the last page ended.

A token carries the last identifier delivered, not an offset: the next page
starts just after it in identifier order, in whatever release is current by
then. A new release published in the middle of a harvest does not invalidate
tokens, nor make the harvest skip or repeat records.

>>> cursor = Cursor("ListRecords", "oai_dc", None, "2026-01-01T00:00:00Z", None,
...                 "http://example.org/id/resource/r1", 100, 250)
>>> decode(encode(cursor), "ListRecords") == cursor
True
>>> decode("bm9wZQ", "ListRecords")
Traceback (most recent call last):
...
kg.errors.OaiError: badResumptionToken: the resumptionToken 'bm9wZQ' is not one this ...
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import astuple, dataclass

from kg.errors import OaiError

_VERSION = 1


@dataclass(frozen=True)
class Cursor:
    """Where a list request stands."""

    verb: str
    prefix: str
    set_spec: str | None
    start: str | None
    end: str | None
    after: str          # identifier of the last record delivered ('' before the first)
    delivered: int      # records delivered so far (the next page's cursor attribute)
    total: int          # completeListSize, counted when the list began


def encode(cursor: Cursor) -> str:
    """The token text (URL- and XML-safe)."""
    payload = json.dumps([_VERSION, *astuple(cursor)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def decode(token: str, verb: str) -> Cursor:
    """The cursor of a token sent back with this verb; badResumptionToken if it is not ours."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        version, *fields = values
        cursor = Cursor(*fields)
        valid = (version == _VERSION and isinstance(cursor.after, str)
                 and isinstance(cursor.delivered, int) and isinstance(cursor.total, int)
                 and all(isinstance(v, str | None) for v in
                         (cursor.prefix, cursor.set_spec, cursor.start, cursor.end)))
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        valid = False
    if not valid:
        raise OaiError("badResumptionToken",
                       f"the resumptionToken {token[:80]!r} is not one this repository issued")
    if cursor.verb != verb:
        raise OaiError("badResumptionToken",
                       f"this resumptionToken continues {cursor.verb}, not {verb}")
    return cursor
