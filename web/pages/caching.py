"""Conditional requests: pages and data carry an ETag, and a client that sends it
back gets 304 Not Modified without the page being made again.

A published release never changes, so what a URL answers depends only on the
release, the request (path, query, the chosen language, Accept) and the day
(an agreement's "in force" is relative to today).
"""

from __future__ import annotations

import hashlib
from datetime import date

from flask import Response, request

from web.i18n import reader_language
from web.pages import blueprint
from web.state import snapshot


def entity_tag() -> str:
    """The ETag of this request's answer."""
    parts = (snapshot().release_id, date.today().isoformat(), request.full_path,
             reader_language(), request.headers.get("Accept", ""))
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:24]


@blueprint.before_request
def not_modified() -> Response | None:
    """304 when the client already has this answer."""
    if request.method not in ("GET", "HEAD") or not request.if_none_match:
        return None
    tag = entity_tag()
    if not request.if_none_match.contains(tag):
        return None
    response = Response(status=304)
    response.set_etag(tag)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


@blueprint.after_request
def tag_answer(response: Response) -> Response:
    """Tag every successful answer."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 \
            and "ETag" not in response.headers:
        response.set_etag(entity_tag())
    return response
