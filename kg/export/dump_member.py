"""A helper process of the dump writer: one graph's member of one format, or of
Turtle and JSON-LD together, from one parse of its text.

    python -m kg.export.dump_member nt|nq|ttl|jsonld GRAPH_IRI LINES.nt OUT [NICE]
    python -m kg.export.dump_member ttl+jsonld GRAPH_IRI LINES.nt OUT.ttl OUT.jsonld [NICE]

``GRAPH_IRI`` is empty for the default graph; there is one ``OUT`` per format
joined by ``+``; ``NICE`` is added to the process's niceness (members written
in the background while the build goes on). See :class:`kg.export.dumps._Helpers`.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

from kg.export.dumps import write_member, write_members


def main(argv: list[str]) -> None:
    """Write the member(s) named by the arguments."""
    joined, graph_iri, lines, *rest = argv
    names = tuple(joined.split("+"))
    outs, nice = rest[:len(names)], rest[len(names):]
    if len(outs) != len(names) or len(nice) > 1:
        sys.exit(f"usage: {joined} GRAPH_IRI LINES.nt {' '.join(['OUT'] * len(names))} [NICE]")
    if nice and int(nice[0]):
        os.nice(int(nice[0]))
    # The parser's quads come and go in batches with no reference cycles among
    # them; the cycle collector would walk each batch it finds alive, 5,000
    # times for 50,000 MARC records' Turtle and JSON-LD (5% of this process's CPU).
    gc.disable()
    if len(names) == 1:
        write_member(names[0], graph_iri, Path(lines), Path(outs[0]))
    else:
        write_members(names, graph_iri, Path(lines), tuple(Path(out) for out in outs))


if __name__ == "__main__":
    main(sys.argv[1:])
