"""The project's errors mapped to HTTP responses, in one place.

A KgError becomes its ``http_status`` with its message; HTTP errors from
werkzeug keep theirs; anything else is a 500 that is logged. Browsers get an
HTML page, other clients plain text.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from werkzeug.exceptions import HTTPException

from kg.errors import KgError


def _wants_html() -> bool:
    accept = request.accept_mimetypes
    return accept.quality("text/html") > accept.quality("text/plain") and \
        accept.quality("text/html") >= accept.quality("application/json")


def error_response(status: int, title: str, message: str) -> Response:
    """An error answer in HTML for browsers, plain text for others."""
    if _wants_html():
        body = render_template("error.html", status=status, title=title, message=message)
        return Response(body, status, content_type="text/html; charset=utf-8")
    return Response(f"{status} {title}: {message}\n", status,
                    content_type="text/plain; charset=utf-8")


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(KgError)
    def handle_kg_error(error: KgError) -> Response:
        status = error.http_status
        if status >= 500:
            current_app.logger.error("%s: %s", type(error).__name__, error.message)
        title = {400: "Bad Request", 404: "Not Found", 406: "Not Acceptable", 410: "Gone",
                 413: "Payload Too Large", 403: "Forbidden",
                 415: "Unsupported Media Type", 503: "Service Unavailable"}.get(
                     status, "Error")
        return error_response(status, title, error.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        response = error_response(error.code or 500, error.name, error.description or "")
        if error.code == 405 and error.valid_methods:  # type: ignore[attr-defined]
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        current_app.logger.exception("unexpected error")
        return error_response(500, "Internal Server Error", "the server failed; it was logged")
