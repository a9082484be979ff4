"""Security headers on every answer; a strict Content Security Policy on HTML.

Pages need no script at all (pictures are SVG drawn on the server), so the
policy forbids scripts; JSON-LD blocks are data and are not run. Styles come
only from our own stylesheet. Another blueprint may set its own policy first.
"""

from __future__ import annotations

from flask import Response

from web.pages import blueprint

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                           "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@blueprint.after_app_request
def security_headers(response: Response) -> Response:
    """Headers that keep pages from being sniffed, framed or made to run scripts."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


@blueprint.after_request
def cache_headers(response: Response) -> Response:
    """Pages of a published release change only when a new release is published."""
    if response.status_code == 200:
        response.headers.setdefault("Cache-Control", "public, max-age=300")
    return response
