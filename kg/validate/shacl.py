"""The reference validator: pySHACL over an rdflib copy of the changed graphs."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import pyshacl
from pyoxigraph import BlankNode, Literal, NamedNode
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from kg.validate.messages import Violation
from kg.validate.shapes import SH, shapes_graph

# rdflib warns once per ill-typed literal ('31/5/80'^^xsd:date); the shapes
# report those properly, so the warning is only noise.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


def to_rdflib(term: NamedNode | BlankNode | Literal) -> Node:
    """A pyoxigraph term as the equal rdflib term."""
    if isinstance(term, NamedNode):
        return URIRef(term.value)
    if isinstance(term, BlankNode):
        return BNode(term.value)
    if term.language:
        return RdfLiteral(term.value, lang=term.language)
    # Not normalized: reports then quote the value as the source wrote it
    # ('2024-05-31' in a date-and-time field, not '2024-05-31T00:00:00').
    return RdfLiteral(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def rdflib_graph(triples: Iterable[tuple]) -> Graph:
    """An rdflib graph of (subject, predicate, object) pyoxigraph terms."""
    graph = Graph()
    add = graph.add
    for s, p, o in triples:
        add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def shacl_violations(data: Graph, focus: set[str] | None = None) -> list[Violation]:
    """Run pySHACL on a data graph; keep results about the given focus nodes."""
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="none", allow_warnings=True,
        advanced=True)
    if conforms:
        return []
    violations = []
    for result in report.subjects(predicate=SH.focusNode):
        focus_node = report.value(result, SH.focusNode)
        if focus is not None and str(focus_node) not in focus:
            continue
        violations.append(_violation(report, result))
    return violations


def _violation(report: Graph, result: Node) -> Violation:
    value = report.value(result, SH.value)
    path = report.value(result, SH.resultPath)
    component = str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1]
    severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
    message = report.value(result, SH.resultMessage)
    return Violation(
        focus=str(report.value(result, SH.focusNode)),
        component=component,
        shape=report.value(result, SH.sourceShape),
        path=str(path) if isinstance(path, URIRef) else None,
        value=str(value) if value is not None and not isinstance(value, BNode) else None,
        value_is_iri=isinstance(value, URIRef),
        engine_message=str(message) if message is not None else None,
        severity="error" if severity == "Violation" else severity.lower(),
    )
