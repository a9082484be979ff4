"""Names of result and RDF formats, shared by the CLI and the SPARQL endpoint.

>>> result_format("json").media_type
'application/sparql-results+json'
>>> rdf_format("ttl").media_type
'text/turtle'
"""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import UsageError

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
RDF_FORMATS: dict[str, RdfFormat] = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdf": RdfFormat.RDF_XML,
    "nq": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
}
# Other names people use for the same formats.
ALIASES = {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "json-ld": "jsonld",
           "rdfxml": "rdf", "xml-rdf": "rdf", "nquads": "nq", "n-quads": "nq"}


def result_format(name: str) -> QueryResultsFormat:
    """A SPARQL results format by short name (json, xml, csv, tsv)."""
    try:
        return RESULT_FORMATS[name.lower()]
    except KeyError:
        raise UsageError(f"unknown results format {name!r}; use one of "
                         f"{', '.join(RESULT_FORMATS)}") from None


def rdf_format(name: str) -> RdfFormat:
    """An RDF format by short name or alias (ttl, nt, jsonld, rdf, nq, trig)."""
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return RDF_FORMATS[key]
    except KeyError:
        raise UsageError(f"unknown RDF format {name!r}; use one of "
                         f"{', '.join(RDF_FORMATS)}") from None
