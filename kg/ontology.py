"""Labels of classes and properties, in Vietnamese and English, from ``ontology/``."""

from __future__ import annotations

from functools import lru_cache

from pyoxigraph import Literal, NamedNode, RdfFormat, parse

from kg.bundled import turtle_files
from kg.namespaces import RDFS


@lru_cache(maxsize=1)
def term_labels() -> dict[str, dict[str, str]]:
    """IRI -> {language: label} for every labelled term of the ontology files."""
    found: dict[str, dict[str, str]] = {}
    for path in turtle_files("ontology"):
        for quad in parse(path=str(path), format=RdfFormat.TURTLE):
            if quad.predicate == RDFS.label and isinstance(quad.object, Literal) \
                    and isinstance(quad.subject, NamedNode):
                found.setdefault(quad.subject.value, {})[quad.object.language or ""] = \
                    quad.object.value
    return found


def term_label(iri: str, languages: list[str]) -> str:
    """A term's label in the first available preferred language; else its local name."""
    labels = term_labels().get(iri, {})
    for language in [*languages, ""]:
        if language in labels:
            return labels[language]
    if labels:
        return next(iter(labels.values()))
    local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return local
