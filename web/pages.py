"""Entity pages and linked-data behaviour (W3C Cool URIs, 303 recipe).

``/id/{kind}/{key}`` names the thing and answers 303 See Other: browsers go to
``/page/...``, RDF clients to ``/data/...``. ``/data/...`` answers in Turtle,
N-Triples, JSON-LD or RDF/XML by suffix, ``?format=`` or ``Accept``.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pyoxigraph import NamedNode, serialize

from kg.describe import describe, exists
from kg.errors import Gone, NotFound
from kg.formats import rdf_format
from kg.iris import is_key
from kg.kinds import KINDS
from kg.namespaces import PREFIXES
from kg.tombstones import read_gone
from web.entity_view import entity_view
from web.i18n import language_order
from web.negotiation import HTML, RDF_REPRESENTATIONS, negotiate
from web.state import snapshot

blueprint = Blueprint("pages", __name__)
_RDF_FORMATS = {r.name: r for r in RDF_REPRESENTATIONS}


@blueprint.get("/")
def home() -> str:
    """What the dataset holds, by kind."""
    snap = snapshot()
    counts = snap.manifest.get("counts", {})
    return render_template("home.html", counts=counts, kinds=KINDS,
                           release=snap.manifest)


def entity_iri(kind: str, key: str) -> NamedNode:
    """The IRI a request path names, under the release's base (whatever the host)."""
    if kind not in KINDS or not is_key(key):
        raise NotFound(f"there is no {kind} '{key}' here")
    return NamedNode(f"{snapshot().base_iri}id/{kind}/{key}")


def _require(kind: str, key: str) -> NamedNode:
    iri = entity_iri(kind, key)
    snap = snapshot()
    if exists(snap, iri):
        return iri
    gone = _gone_list(snap)
    if iri.value in gone:
        raise Gone(f"{kind} '{key}' was in an earlier release and was removed in "
                   f"release {gone[iri.value]}")
    raise NotFound(f"there is no {kind} '{key}' here")


def _gone_list(snap: object) -> dict[str, str]:
    cached = getattr(snap, "_gone", None)
    if cached is None:
        release = getattr(snap, "release", None)
        cached = read_gone(release.path if release else None)
        snap._gone = cached  # type: ignore[attr-defined]
    return cached


@blueprint.get("/id/<kind>/<key>")
def identify(kind: str, key: str) -> Response:
    """303 See Other to the page (browsers) or the data (RDF clients)."""
    _require(kind, key)
    chosen = negotiate((HTML, *RDF_REPRESENTATIONS), default=HTML)
    if chosen is HTML:
        target = url_for("pages.page", kind=kind, key=key)
    else:
        target = url_for("pages.data", kind=kind, key=key)
    response = redirect(target, 303)
    response.headers["Vary"] = "Accept"
    return response


@blueprint.get("/data/<kind>/<key>")
def data(kind: str, key: str) -> Response:
    """The entity's description as RDF."""
    key, _, suffix = key.partition(".")
    iri = _require(kind, key)
    chosen = negotiate(RDF_REPRESENTATIONS, suffix=suffix or None)
    body = serialize(describe(snapshot(), iri), format=rdf_format(chosen.name),
                     prefixes=PREFIXES if chosen.name in ("ttl", "rdf") else None)
    response = Response(body, content_type=chosen.media_type)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(kind, key)
    return response


@blueprint.get("/page/<kind>/<key>")
def page(kind: str, key: str) -> Response:
    """The entity's HTML page."""
    iri = _require(kind, key)
    view = entity_view(snapshot(), iri, kind, language_order())
    body = render_template("entity.html", view=view, kind=KINDS[kind],
                           alternates=_alternate_links(kind, key))
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Link"] = _alternates(kind, key)
    return response


def _alternate_links(kind: str, key: str) -> list[tuple[str, str]]:
    return [(r.media_type.split(";")[0], url_for("pages.data", kind=kind, key=f"{key}.{r.name}"))
            for r in RDF_REPRESENTATIONS]


def _alternates(kind: str, key: str) -> str:
    links = [f'<{url}>; rel="alternate"; type="{media}"' for media, url in
             _alternate_links(kind, key)]
    links.append(f'<{url_for("pages.page", kind=kind, key=key)}>; rel="alternate"; '
                 'type="text/html"')
    return ", ".join(links)


@blueprint.after_request
def cache_headers(response: Response) -> Response:
    """Pages of a published release change only when a new release is published."""
    if request.method == "GET" and response.status_code == 200:
        response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response
