"""``/sitemap.xml`` (sitemaps.org 0.9) and ``/robots.txt`` that points to it.

A sitemap file holds at most 50,000 URLs, so a larger dataset gets a sitemap
index of numbered files, each read from the entity index a slice at a time.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Response, request, url_for

from kg.errors import NotFound
from kg.kinds import KINDS
from web.pages import blueprint
from web.pages.common import entity_index

PER_FILE = 50_000
NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _xml(body: str) -> Response:
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body,
                    content_type="application/xml; charset=utf-8")


@blueprint.get("/sitemap.xml")
def sitemap() -> Response:
    """The sitemap, or a sitemap index when there are more URLs than one file holds."""
    total = entity_index().total()
    if total <= PER_FILE:
        return sitemap_part(1)
    files = (total + PER_FILE - 1) // PER_FILE
    entries = "".join(
        f"<sitemap><loc>{escape(url_for('pages.sitemap_part', number=n, _external=True))}"
        f"</loc></sitemap>\n" for n in range(1, files + 1))
    return _xml(f'<sitemapindex xmlns="{NAMESPACE}">\n{entries}</sitemapindex>\n')


@blueprint.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int) -> Response:
    """One file of the sitemap: entity pages (the first also lists the home and list pages)."""
    index = entity_index()
    if number < 1 or (number - 1) * PER_FILE >= max(index.total(), 1):
        raise NotFound(f"there is no sitemap file {number}")
    urls = []
    if number == 1:
        urls.append(url_for("pages.home", _external=True))
        urls += [url_for(f"pages.list_{kind}", _external=True) for kind in KINDS]
    urls += [url_for("pages.page", kind=kind, key=key, _external=True)
             for kind, key in index.all_entities(PER_FILE, (number - 1) * PER_FILE)]
    entries = "".join(f"<url><loc>{escape(url)}</loc></url>\n" for url in urls)
    return _xml(f'<urlset xmlns="{NAMESPACE}">\n{entries}</urlset>\n')


@blueprint.get("/robots.txt")
def robots() -> Response:
    """Everything may be crawled; the sitemap says where the pages are."""
    text = f"User-agent: *\nAllow: /\nSitemap: {request.url_root}sitemap.xml\n"
    return Response(text, content_type="text/plain; charset=utf-8")
