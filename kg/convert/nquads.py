"""Triples written straight as N-Triples or N-Quads text, each term as pyoxigraph writes it.

A large MARC build converts in worker processes that hand their triples to
the build as N-Triples (:mod:`kg.convert.parallel`). Making a ``Quad`` of every
triple for :func:`pyoxigraph.serialize` costs a worker about twice the CPU of
writing the lines here (``bench/README.md``, "MARC conversion CPU per record").
Escaping stays pyoxigraph's: ``str()`` of a term is its N-Triples form, which
is also its N-Quads form, so the text is byte for byte what ``serialize``
writes (tested on hostile strings in ``tests/test_marc_fast.py``).

>>> from pyoxigraph import Literal, NamedNode
>>> s, p = NamedNode("http://ex.org/s"), NamedNode("http://ex.org/p")
>>> nquads([(s, p, Literal('say "hi"\\n', language="en"))], NamedNode("http://ex.org/g"))
b'<http://ex.org/s> <http://ex.org/p> "say \\\\"hi\\\\"\\\\n"@en <http://ex.org/g> .\\n'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyoxigraph import BlankNode, Literal, NamedNode

Triple = tuple[NamedNode | BlankNode, NamedNode, NamedNode | BlankNode | Literal]


def nquads(triples: Iterable[Triple], graph: NamedNode) -> bytes:
    """The triples as N-Quads lines in ``graph``, UTF-8 encoded."""
    return _lines(triples, f" {graph} .\n")


def ntriples(triples: Iterable[Triple]) -> bytes:
    """The triples as N-Triples lines, UTF-8 encoded.

    >>> from pyoxigraph import NamedNode
    >>> ntriples([(NamedNode("http://ex.org/s"), NamedNode("http://ex.org/p"),
    ...            NamedNode("http://ex.org/o"))])
    b'<http://ex.org/s> <http://ex.org/p> <http://ex.org/o> .\\n'
    """
    return _lines(triples, " .\n")


def ntriples_and_picks(triples: Iterable[Triple], predicates: frozenset[str],
                       keep: Callable[[str, str, str], bool]) -> tuple[bytes, bytes]:
    """The triples as N-Triples lines, and apart a copy of the lines ``keep`` wants.

    ``keep`` gets the three terms of each line whose predicate (written as
    N-Triples writes it) is one of ``predicates``, so that it is not called
    for every line: the entity index takes its lines this way
    (:mod:`kg.index.picks`).
    """
    picked: list[str] = []
    return _lines(triples, " .\n", (predicates, keep, picked)), "".join(picked).encode()


_Picking = tuple[frozenset[str], Callable[[str, str, str], bool], list[str]]


def _none(subject: str, predicate: str, obj: str) -> bool:
    return False


def _lines(triples: Iterable[Triple], tail: str, picking: _Picking | None = None) -> bytes:
    # A batch uses a few dozen predicates millions of times: each written once.
    # A record's triples come subject by subject, each subject the same object:
    # written once per run of it (``str()`` of a term is a copy made in Rust).
    predicates: dict[NamedNode, str] = {}
    wanted, keep, picked = picking if picking is not None else (frozenset(), _none, [])
    lines = []
    last: object = None
    subject = ""
    for s, p, o in triples:
        if s is not last:
            last, subject = s, str(s)
        written = predicates.get(p)
        if written is None:
            written = predicates[p] = str(p)
        if written in wanted:
            obj = str(o)
            line = f"{subject} {written} {obj}{tail}"
            if keep(subject, written, obj):
                picked.append(line)
        else:
            line = f"{subject} {written} {o}{tail}"
        lines.append(line)
    return "".join(lines).encode()
