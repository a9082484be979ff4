"""Links from pages: our entities to their pages, everything else to itself."""

from __future__ import annotations

from flask import url_for

from kg.store import Snapshot


def href_for(snapshot: Snapshot, iri: str) -> str:
    """A link to the page of one of our entities, or the IRI itself if it is elsewhere."""
    prefix = snapshot.base_iri + "id/"
    if iri.startswith(prefix):
        kind, _, key = iri[len(prefix):].partition("/")
        key, _, fragment = key.partition("#")
        if kind and key:
            return url_for("pages.page", kind=kind, key=key) + (f"#{fragment}" if fragment else "")
    return iri


def page_href(kind: str, key: str) -> str:
    """The page of an entity by kind and key."""
    return url_for("pages.page", kind=kind, key=key)
