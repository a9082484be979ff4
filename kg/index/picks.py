"""Which lines of a graph's N-Triples text the entity index reads: its "picks".

A full index build reads a converted graph from the text kept of it
(:mod:`kg.store.graph_texts`), not from the store. Of the 18M lines of
250,000 MARC records it wants some 750,000: a predicate the index uses
(:data:`kg.index.rows.FACT_PREDICATES`) about an IRI without a fragment
(entities have none), and of ``rdf:type`` only the lines naming a kind's
class. Finding them by scanning the text costs the build about 12 CPU
seconds, so the MARC workers, which write each line anyway, set these lines
apart as they write them (:func:`kg.convert.nquads.ntriples_and_picks`); the
scan stays for any other text. Both use the rule here, on terms written as
N-Triples writes them.

>>> picked("<http://x.org/id/person/an>", "<http://schema.org/name>", '"An"')
True
>>> picked("<http://x.org/id/person/an#job>", "<http://schema.org/name>", '"An"')
False
>>> picked("<http://x.org/id/person/an>", TYPE, "<http://schema.org/Thing>")
False
"""

from __future__ import annotations

from kg.index.rows import FACT_PREDICATES
from kg.index.rows import TYPE as _TYPE_CODE
from kg.kinds import KINDS

# Each as N-Triples writes it (the IRI in angle brackets).
PREDICATES: frozenset[str] = frozenset(f"<{p.value}>" for p in FACT_PREDICATES)
TYPE = f"<{FACT_PREDICATES[_TYPE_CODE].value}>"
CLASSES: frozenset[str] = frozenset(f"<{kind.rdf_type.value}>" for kind in KINDS.values())


def picked(subject: str, predicate: str, obj: str) -> bool:
    """True for a line the index reads, given its three terms as N-Triples text."""
    return (predicate in PREDICATES and subject[:1] == "<" and "#" not in subject
            and (predicate != TYPE or obj in CLASSES))
