"""Content negotiation in one place, with one precedence: path suffix, then the
``format`` parameter, then the ``Accept`` header (q-values and wildcards, parsed
by werkzeug), then the default.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from kg.errors import NotAcceptable


@dataclass(frozen=True)
class Representation:
    """A format a resource can be had in."""

    name: str          # short name: suffix and ?format= value
    media_type: str    # what the response says it is
    accepts: tuple[str, ...]  # media types in Accept that mean this format


HTML = Representation("html", "text/html; charset=utf-8", ("text/html", "application/xhtml+xml"))
TURTLE = Representation("ttl", "text/turtle; charset=utf-8",
                        ("text/turtle", "application/x-turtle"))
NTRIPLES = Representation("nt", "application/n-triples", ("application/n-triples",))
JSONLD = Representation("jsonld", "application/ld+json",
                        ("application/ld+json", "application/json"))
RDFXML = Representation("rdf", "application/rdf+xml; charset=utf-8",
                        ("application/rdf+xml", "application/xml", "text/xml"))
RDF_REPRESENTATIONS = (TURTLE, NTRIPLES, JSONLD, RDFXML)
ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
           "json": "jsonld", "rdfxml": "rdf", "xml": "rdf"}


def negotiate(offered: tuple[Representation, ...], suffix: str | None = None,
              default: Representation | None = None) -> Representation:
    """The representation to send, or NotAcceptable listing what is offered."""
    by_name = {r.name: r for r in offered}
    names = ", ".join(by_name)
    if suffix:
        chosen = _by_name(offered, suffix)
        if chosen is None:
            raise NotAcceptable(f"no '.{suffix}' representation; offered: {names}")
        return chosen
    asked = request.values.get("format", "").strip().lower()
    if asked:
        chosen = _by_name(offered, asked)
        if chosen is None:
            raise NotAcceptable(f"unknown format '{asked}'; offered: {names}")
        return chosen
    accept = request.accept_mimetypes
    if not accept or accept.best == "*/*" and accept.quality("*/*") == 1 and len(accept) == 1:
        return default or offered[0]
    media = [m for r in offered for m in r.accepts]
    best = accept.best_match(media)
    if best is None:
        raise NotAcceptable(f"none of the formats asked for in Accept is offered; "
                            f"offered: {', '.join(r.accepts[0] for r in offered)}")
    return next(r for r in offered if best in r.accepts)


def _by_name(offered: tuple[Representation, ...], name: str) -> Representation | None:
    """An offered representation by short name, alias or media type."""
    for candidate in (name, ALIASES.get(name)):
        for representation in offered:
            if candidate == representation.name or candidate in representation.accepts:
                return representation
    return None
