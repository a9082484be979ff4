"""A helper process of the dump writer: one graph's member of one format.

    python -m kg.export.dump_member nt|nq|ttl|jsonld GRAPH_IRI LINES.nt OUT [NICE]

``GRAPH_IRI`` is empty for the default graph; ``NICE`` is added to the
process's niceness (members written in the background while the build goes
on). See :class:`kg.export.dumps._Helpers`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from kg.export.dumps import write_member


def main(argv: list[str]) -> None:
    """Write the member named by the arguments."""
    name, graph_iri, lines, out, *nice = argv
    if nice and int(nice[0]):
        os.nice(int(nice[0]))
    write_member(name, graph_iri, Path(lines), Path(out))


if __name__ == "__main__":
    main(sys.argv[1:])
