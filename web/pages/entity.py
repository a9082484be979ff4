"""Entity IRIs dereferenced the linked-data way (W3C Cool URIs, 303 recipe).

``/id/{kind}/{key}`` names the thing and answers 303 See Other: browsers go to
``/page/...``, RDF clients to ``/data/...``. ``/data/...`` answers in Turtle,
N-Triples, JSON-LD or RDF/XML and ``/page/...`` in HTML, each by path suffix,
``?format=`` or ``Accept`` (that precedence, :mod:`web.negotiation`).
"""

from __future__ import annotations

from flask import Response, abort, g, redirect, render_template, request, url_for
from pyoxigraph import NamedNode, serialize

from kg.describe import describe
from kg.errors import Gone, UsageError
from kg.formats import rdf_format
from kg.kinds import KINDS
from kg.namespaces import PREFIXES
from web import charts, sections, sections_more
from web.backlinks import PER_GROUP, backlink_groups, counts, referrers
from web.entity_view import EntityView, entity_view
from web.errors import error_response
from web.i18n import kind_name, language_order
from web.jsonld import schema_org
from web.negotiation import HTML, RDF_REPRESENTATIONS, negotiate
from web.pages import blueprint
from web.pages.common import EntityNotFound, entity_index, require
from web.related import Labeller
from web.state import snapshot
from web.value_html import show_rows, value_html

VARY = "Accept, Accept-Language"
blueprint.add_app_template_global(value_html)
blueprint.add_app_template_global(show_rows)


def _split(key: str) -> tuple[str, str | None]:
    """A path's key and its suffix (``trinh-phi-cuong.ttl`` -> key, ``ttl``)."""
    key, dot, suffix = key.partition(".")
    return key, (suffix if dot else None)


def alternates(kind: str, key: str) -> list[tuple[str, str, str]]:
    """(media type, URL, short name) of every representation of the entity."""
    # A page needs them twice (its <link>s and its Link header); url_for is not cheap.
    cache = g.setdefault("kg_alternates", {})
    if (kind, key) not in cache:
        found = [(r.media_type.split(";")[0],
                  url_for("pages.data", kind=kind, key=f"{key}.{r.name}"), r.name)
                 for r in RDF_REPRESENTATIONS]
        cache[kind, key] = [*found, ("text/html", url_for("pages.page", kind=kind, key=key),
                                     "html")]
    return cache[kind, key]


def link_header(kind: str, key: str) -> str:
    """The HTTP ``Link`` header listing the alternates."""
    return ", ".join(f'<{url}>; rel="alternate"; type="{media}"'
                     for media, url, _ in alternates(kind, key))


@blueprint.get("/id/<kind>/<key>")
def identify(kind: str, key: str) -> Response:
    """303 See Other to the page (browsers) or the data (RDF clients)."""
    require(kind, key)
    chosen = negotiate((HTML, *RDF_REPRESENTATIONS), default=HTML)
    if chosen is HTML:
        target = url_for("pages.page", kind=kind, key=key)
    elif "format" in request.args:
        target = url_for("pages.data", kind=kind, key=f"{key}.{chosen.name}")
    else:
        target = url_for("pages.data", kind=kind, key=key)
    response = redirect(target, 303)
    response.headers["Vary"] = VARY
    response.headers["Link"] = link_header(kind, key)
    return response


@blueprint.get("/data/<kind>/<key>")
def data(kind: str, key: str) -> Response:
    """The entity's description as RDF."""
    key, suffix = _split(key)
    iri = require(kind, key)
    chosen = negotiate(RDF_REPRESENTATIONS, suffix=suffix)
    body = serialize(describe(snapshot(), iri), format=rdf_format(chosen.name),
                     prefixes=PREFIXES if chosen.name in ("ttl", "rdf") else None)
    response = Response(body, content_type=chosen.media_type)
    response.headers["Vary"] = VARY
    response.headers["Link"] = link_header(kind, key)
    if suffix is None:
        response.headers["Content-Location"] = url_for("pages.data", kind=kind,
                                                       key=f"{key}.{chosen.name}")
    return response


@blueprint.get("/page/<kind>/<key>")
def page(kind: str, key: str) -> Response:
    """The entity's HTML page."""
    key, suffix = _split(key)
    iri = require(kind, key)
    negotiate((HTML,), suffix=suffix)
    languages = language_order()
    snap = snapshot()
    view = entity_view(snap, iri, kind, key, languages)
    labeller = Labeller(snap, languages)
    parts = _sections(view, iri, labeller)
    backlinks = backlink_groups(snap, iri, labeller)
    names = {v.iri: v.text for g in view.groups for r in g.rows for v in r.values if v.iri}
    page_url = url_for("pages.page", kind=kind, key=key, _external=True)
    body = render_template("entity.html", view=view, kind=KINDS[kind], parts=parts,
                           backlinks=backlinks, per_group=PER_GROUP,
                           alternates=alternates(kind, key),
                           jsonld=schema_org(view, page_url, names))
    response = Response(body, content_type=HTML.media_type)
    response.headers["Vary"] = VARY
    response.headers["Link"] = link_header(kind, key)
    return response


def _sections(view: EntityView, iri: NamedNode, labeller: Labeller) -> dict:
    """The kind's own sections and pictures."""
    snap = labeller.snapshot
    if view.kind == "organization":
        parts = sections.organization(snap, iri, labeller)
        title = str(kind_name("organization")) + ": " + view.title
        parts["network"] = charts.cooperation_network(snap, iri, labeller, title)
        return parts
    if view.kind == "person":
        return sections.person(snap, iri, labeller)
    if view.kind == "agreement":
        return sections.agreement(snap, iri, labeller)
    if view.kind == "event":
        parts = sections_more.event(snap, iri, labeller)
        parts["timeline"] = charts.programme_timeline(parts["programme"], view.title)
        return parts
    if view.kind == "resource":
        return sections_more.resource(snap, view.triples, iri, labeller)
    return {}


@blueprint.get("/referrers/<kind>/<key>")
def referrers_page(kind: str, key: str) -> Response:
    """All entities that refer to this one through one property, a page at a time."""
    iri = require(kind, key)
    predicate_text = request.args.get("property", "")
    try:
        predicate = NamedNode(predicate_text)
        number = int(request.args.get("page", "1"))
    except ValueError:
        raise UsageError("give ?property= as an IRI and ?page= as a whole number") from None
    snap = snapshot()
    total = counts(snap, iri).get(predicate.value, 0)
    if number < 1 or (number - 1) * 100 >= max(total, 1):
        abort(404)
    labeller = Labeller(snap, language_order())
    entities = referrers(snap, iri, predicate, (number - 1) * 100, 100)
    labeller.learn(entities + [iri])
    body = render_template("referrers.html", entity=labeller.link(iri), kind=kind, key=key,
                           predicate=predicate.value, items=[labeller.link(e) for e in entities],
                           total=total, number=number, pages=(total + 99) // 100)
    return Response(body, content_type=HTML.media_type)


@blueprint.errorhandler(EntityNotFound)
def not_found(error: EntityNotFound) -> Response:
    """A 404 that suggests entities with names like the key asked for."""
    response = error_response(404, "Not Found", error.message)
    if response.mimetype != "text/html":
        return response
    words = error.key.replace("-", " ")
    try:
        suggestions = entity_index().search(words, limit=8).items
    except Exception:  # noqa: BLE001 (suggestions are a courtesy; the 404 stands)
        suggestions = []
    body = render_template("not_found.html", message=error.message, words=words,
                           suggestions=suggestions, languages=language_order())
    return Response(body, 404, content_type=HTML.media_type)


@blueprint.errorhandler(Gone)
def gone(error: Gone) -> Response:
    """410 Gone, with a search box to look for what replaced it."""
    response = error_response(410, "Gone", error.message)
    if response.mimetype != "text/html":
        return response
    body = render_template("not_found.html", message=error.message, words="", suggestions=[],
                           status=410)
    return Response(body, 410, content_type=HTML.media_type)


