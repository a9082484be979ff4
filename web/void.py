"""``/void`` and ``/.well-known/void``: the dataset's VoID and DCAT description.

RDF by content negotiation (Turtle when the client says nothing), HTML for
browsers; both are made from the same triples (:mod:`kg.export.void`).
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from pyoxigraph import serialize

from kg.export.dumps import read_index
from kg.export.void import Publication, describe_dataset
from kg.formats import rdf_format
from kg.kinds import KINDS
from kg.namespaces import PREFIXES
from web.negotiation import HTML, RDF_REPRESENTATIONS, TURTLE, negotiate
from web.state import settings, snapshot

blueprint = Blueprint("void", __name__)


@blueprint.get("/.well-known/void")
@blueprint.get("/void")
def description() -> Response:
    """The dataset description (links name ``/void``, the rule added first)."""
    snap = snapshot()
    config = settings()
    dumps = read_index(snap.release.path)  # type: ignore[attr-defined]
    publication = Publication(config.dataset_title, config.dataset_publisher,
                              config.dataset_licence)
    triples = describe_dataset(snap.base_iri, snap.manifest, dumps, publication)
    chosen = negotiate((HTML, *RDF_REPRESENTATIONS), default=TURTLE)
    if chosen is HTML:
        body = render_template("void.html", manifest=snap.manifest, dumps=dumps,
                               publication=publication, kinds=KINDS)
    else:
        body = serialize(triples, format=rdf_format(chosen.name),
                         prefixes=PREFIXES if chosen.name in ("ttl", "rdf") else None)
    response = Response(body, content_type=chosen.media_type)
    response.headers["Vary"] = "Accept"
    links = [f'<{url_for("void.description", format=r.name)}>; rel="alternate"; '
             f'type="{r.media_type.split(";")[0]}"' for r in RDF_REPRESENTATIONS]
    response.headers["Link"] = ", ".join(links)
    return response
