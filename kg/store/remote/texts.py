"""Query texts for a remote store, built from terms that pyoxigraph writes.

A remote store has no ``substitutions``: a bound variable becomes a
``VALUES`` row placed first in the query's ``WHERE`` group, which means the
same as binding it before evaluation (aggregates included), and each term in
it is written by pyoxigraph, which escapes it. Nothing from a request is
formatted in.

>>> from pyoxigraph import Literal, NamedNode
>>> bind_values("SELECT ?n WHERE { ?s ?p ?o }", {"s": NamedNode("http://a.example/x")})
'SELECT ?n WHERE { VALUES (?s) { (<http://a.example/x>) } ?s ?p ?o }'
>>> bind_values('CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }', {"o": Literal('a"} b')})
'CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?o) { ("a\\\\"} b") } ?s ?p ?o }'
>>> quad_pattern(None, NamedNode("http://a.example/p"), None)
'SELECT ?s ?o ?g WHERE { GRAPH ?g { ?s <http://a.example/p> ?o } }'
"""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.query_text import _TOKEN  # the project's SPARQL lexer

PROLOGUE = " ".join(f"PREFIX {name}: {NamedNode(iri)}" for name, iri in PREFIXES.items())
_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}


def term_text(term: NamedNode | Literal) -> str:
    """A term as SPARQL text, written (and escaped) by pyoxigraph."""
    if isinstance(term, BlankNode) or not isinstance(term, NamedNode | Literal):
        raise QueryError("only IRIs and literals can be bound in a query to a remote store "
                         f"(got {type(term).__name__})")
    return str(term)


def with_prologue(text: str, base: NamedNode | None = None) -> str:
    """The query with the server's default prefixes (and a base IRI) declared first.

    The query's own declarations come later in its text and win.
    """
    head = f"BASE {base} " if base is not None else ""
    return f"{head}{PROLOGUE}\n{text}"


def _where_brace(text: str) -> int:
    """Where the WHERE group of a query opens (after a CONSTRUCT's template, if any)."""
    found = [(m.group(), m.start()) for m in _TOKEN.finditer(text)
             if m.lastgroup not in ("space", "comment")]
    form = next((i for i, (token, _) in enumerate(found) if token.upper() in _FORMS), None)
    if form is None:
        raise QueryError("a query with bound terms must be a SELECT, ASK, CONSTRUCT or DESCRIBE")
    index = form + 1
    if found[form][0].upper() == "CONSTRUCT" and index < len(found) and found[index][0] == "{":
        depth = 0
        for position in range(index, len(found)):  # skip the template
            depth += {"{": 1, "}": -1}.get(found[position][0], 0)
            if depth == 0:
                index = position
                break
    for token, start in found[index:]:
        if token == "{":
            return start
    raise QueryError("a query with bound terms needs a WHERE group")


def bind_values(text: str, substitutions: dict[str, NamedNode | Literal]) -> str:
    """The query with its bound variables given as a one-row VALUES block."""
    if not substitutions:
        return text
    for name in substitutions:
        if not re.fullmatch(r"\w+", name):
            raise QueryError(f"{name!r} is not a variable name")
    names = " ".join(f"?{name}" for name in substitutions)
    row = " ".join(term_text(term) for term in substitutions.values())
    brace = _where_brace(text)
    return f"{text[:brace + 1]} VALUES ({names}) {{ ({row}) }}{text[brace + 1:]}"


def quad_pattern(subject: NamedNode | Literal | None, predicate: NamedNode | None,
                 obj: NamedNode | Literal | None) -> str:
    """A SELECT of the quads matching a pattern (unbound positions are variables)."""
    parts = {"s": subject, "p": predicate, "o": obj}
    wanted = [f"?{name}" for name, term in parts.items() if term is None] + ["?g"]
    pattern = " ".join(f"?{name}" if term is None else term_text(term)
                       for name, term in parts.items())
    return f"SELECT {' '.join(wanted)} WHERE {{ GRAPH ?g {{ {pattern} }} }}"
