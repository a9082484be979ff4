"""The browsing surface: entity pages and linked-data dereferencing, lists,
search, the home page, the sitemap; one blueprint, one module per part.

- :mod:`web.pages.entity`: ``/id``, ``/data``, ``/page``, ``/referrers``
- :mod:`web.pages.browse`: ``/``, ``/{kind plural}``, ``/browse/{kind}``, ``/search``
- :mod:`web.pages.sitemap`: ``/sitemap.xml``, ``/robots.txt``
- :mod:`web.pages.security`: headers on every HTML answer
- :mod:`web.pages.caching`: ETags and 304 Not Modified
"""

from __future__ import annotations

from flask import Blueprint

blueprint = Blueprint("pages", __name__)

# The modules add their routes to the blueprint when imported.
from web.pages import browse, caching, entity, security, sitemap  # noqa: E402,F401
