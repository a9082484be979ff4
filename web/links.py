"""Links from pages: our entities to their pages, everything else to itself."""

from __future__ import annotations

from flask import g, request, url_for

from kg.iris import is_key
from kg.store import Snapshot
from web.state import settings


def href_for(snapshot: Snapshot, iri: str) -> str:
    """A link to the page of one of our entities, or the IRI itself if it is elsewhere."""
    prefix = snapshot.base_iri + "id/"
    if iri.startswith(prefix):
        kind, _, key = iri[len(prefix):].partition("/")
        key, _, fragment = key.partition("#")
        if kind and key:
            return page_href(kind, key) + (f"#{fragment}" if fragment else "")
    return iri


_SITE_LINKS: dict[tuple[str, str, str], str] = {}


def site_link(endpoint: str, **values: str) -> str:
    """A link to a fixed page (home, a list, a static file), built once per process.

    The same dozen links are on every page; url_for costs more than the page's
    database reads, so each is built once per script root and carried language.
    """
    _, carried = _page_link_parts()
    key = (endpoint, request.script_root + carried, repr(sorted(values.items())))
    link = _SITE_LINKS.get(key)
    if link is None:
        link = _SITE_LINKS[key] = url_for(endpoint, **values)
    return link


def _page_link_parts() -> tuple[str, str]:
    parts = g.get("kg_page_link")  # one look-up through the proxy: called for every link
    if parts is None:
        # A chosen language is carried on links, as web.i18n's url_defaults does.
        asked = request.args.get("lang", "").lower()
        carried = f"?lang={asked}" if asked in settings().language_list else ""
        parts = g.kg_page_link = (request.script_root + "/page/", carried)
    return parts


def page_href(kind: str, key: str) -> str:
    """The page of an entity by kind and key (as url_for makes it, without its cost)."""
    if not (kind.isalpha() and is_key(key)):
        return url_for("pages.page", kind=kind, key=key)
    prefix, carried = _page_link_parts()
    return f"{prefix}{kind}/{key}{carried}"


def this_page(**changes: object) -> str:
    """This page's URL with some query arguments changed (the others kept).

    The route's own values win over query arguments of the same name
    (``/page/person/x?kind=y``), and arguments that url_for would take as its
    own options (``_method``, ``_scheme`` ...) are dropped: from a request,
    they are only noise.
    """
    args = {name: value for name, value in request.args.to_dict().items()
            if not name.startswith("_")}
    args.update(changes)
    args.update(request.view_args or {})
    return url_for(request.endpoint or "pages.home", **args)
