"""``/oai``: the OAI-PMH 2.0 provider (GET and POST), over the current release.

The protocol itself lives in :mod:`kg.oai`; this module only turns an HTTP
request into its arguments and the response document into an HTTP response.
Protocol errors are part of the document and travel with HTTP 200.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from kg.errors import UsageError
from kg.oai.index import INDEX_FILE, OaiIndex
from kg.oai.protocol import respond
from kg.oai.repository import Repository
from web.state import settings, snapshot

blueprint = Blueprint("oai", __name__)


@blueprint.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer one OAI-PMH request."""
    if request.method == "POST":
        if request.mimetype != "application/x-www-form-urlencoded":
            raise UsageError("POST the OAI-PMH arguments as application/x-www-form-urlencoded")
        arguments = list(request.form.items(multi=True))
    else:
        arguments = list(request.args.items(multi=True))
    snap = snapshot()
    config = settings()
    index = OaiIndex(snap.release.path / INDEX_FILE)  # type: ignore[attr-defined]
    try:
        # Records are served in the languages they were digested in at publish time.
        languages = (index.info("languages") or "").split() or config.language_list
        repository = Repository(snap, index, snap.base_iri + "oai", config.dataset_title,
                                config.admin_email, config.oai_page_size, languages)
        body = respond(repository, arguments)
    finally:
        index.close()
    return Response(body, content_type="text/xml; charset=utf-8")
