"""The formats ``/sparql`` answers in, and how a request chooses one.

Precedence as in :mod:`web.negotiation`: a ``format`` (or ``output``)
parameter, then ``Accept`` with q-values and wildcards, then the default.
Clients such as SPARQLWrapper send several ``format`` values (a name and a
media type); the first one this endpoint knows wins.
"""

from __future__ import annotations

from flask import request

from kg.errors import NotAcceptable
from web.negotiation import (
    HTML,
    JSONLD,
    NTRIPLES,
    RDFXML,
    TURTLE,
    Representation,
    negotiate,
)

SPARQL_JSON = Representation("json", "application/sparql-results+json",
                             ("application/sparql-results+json", "application/json"))
SPARQL_XML = Representation("xml", "application/sparql-results+xml",
                            ("application/sparql-results+xml", "application/xml", "text/xml"))
SPARQL_CSV = Representation("csv", "text/csv; charset=utf-8", ("text/csv",))
SPARQL_TSV = Representation("tsv", "text/tab-separated-values; charset=utf-8",
                            ("text/tab-separated-values",))
TRIG = Representation("trig", "application/trig", ("application/trig",))
NQUADS = Representation("nq", "application/n-quads", ("application/n-quads",))

RESULTS = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)
GRAPHS = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)
# HTML comes last so that wildcards (*/*, text/*) pick a data format first.
OFFERED = {"select": (*RESULTS, HTML), "ask": (*RESULTS, HTML), "graph": (*GRAPHS, HTML)}
DEFAULT = {"select": SPARQL_JSON, "ask": SPARQL_JSON, "graph": TURTLE}
DESCRIPTION = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, HTML)

ALIASES = {"turtle": "ttl", "n3": "ttl", "ntriples": "nt", "n-triples": "nt",
           "json-ld": "jsonld", "rdfxml": "rdf", "rdf+xml": "rdf", "nquads": "nq",
           "n-quads": "nq", "srj": "json", "srx": "xml"}
GRAPH_ALIASES = {"json": "jsonld", "xml": "rdf"}


def _by_name(offered: tuple[Representation, ...], value: str,
             graph: bool) -> Representation | None:
    value = value.strip().lower()
    names = [value, ALIASES.get(value, value)]
    if graph:
        names.append(GRAPH_ALIASES.get(value, value))
    for representation in offered:
        for name in names:
            if name == representation.name or name in representation.accepts:
                return representation
    return None


def choose(offered: tuple[Representation, ...], default: Representation,
           graph: bool = False) -> Representation:
    """The representation to answer with, or NotAcceptable naming what is offered."""
    asked = request.values.getlist("format") + request.values.getlist("output")
    if asked:
        for value in asked:
            chosen = _by_name(offered, value, graph)
            if chosen is not None:
                return chosen
        raise NotAcceptable(f"unknown format {asked[0]!r}; offered: "
                            f"{', '.join(r.name for r in offered)}")
    return negotiate(offered, default=default)


Choices = dict[str, Representation | NotAcceptable]


def _choices() -> tuple[Choices, dict[str, Representation]]:
    """Per family of forms, the representation chosen or why none could be; and per form,
    the representation chosen or the family's default.

    Kept per request headers and parameters: clients repeat the same ones,
    and negotiation is a good part of a light query's cost.
    """
    key = (request.headers.get("Accept", ""),
           tuple(request.values.getlist("format") + request.values.getlist("output")))
    cached = _CHOICES.get(key)
    if cached is None:
        choices: Choices = {}
        for family in ("select", "graph"):
            try:
                choices[family] = choose(OFFERED[family], DEFAULT[family],
                                         graph=family == "graph")
            except NotAcceptable as error:
                choices[family] = error
        picked = {family: DEFAULT[family] if isinstance(choice, NotAcceptable) else choice
                  for family, choice in choices.items()}
        picked["ask"] = picked["select"]
        cached = (choices, picked)
        if len(_CHOICES) >= 512:
            _CHOICES.clear()
        _CHOICES[key] = cached
    return cached


_CHOICES: dict[tuple, tuple[Choices, dict[str, Representation]]] = {}


def formats_for(form: str) -> dict[str, Representation]:
    """The chosen representation for each form a query may turn out to have.

    The form read from the text decides which choice must succeed; the others
    fall back to their default (the text may not parse at all).
    """
    choices, picked = _choices()
    choice = choices.get("select" if form == "ask" else form)
    if isinstance(choice, NotAcceptable):
        raise NotAcceptable(choice.message)
    return picked  # shared by the requests that negotiate alike: read it, never change it
