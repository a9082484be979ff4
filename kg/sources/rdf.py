"""RDF sources, taken as they are: where in the file an entity is described.

Parsers do not report positions per triple, so a report finds the line where
the entity's IRI (full or with one of the file's prefixes) first appears,
preferring a line that starts with it (a Turtle subject).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from kg.sources import Origin, Source

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.MULTILINE)


@lru_cache(maxsize=16)
def _lines(path: Path) -> tuple[list[str], dict[str, str]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    prefixes = {ns: name or "" for name, ns in _PREFIX.findall(text)}
    return text.splitlines(), prefixes


def locate(source: Source, iri: str) -> Origin:
    """The line of an RDF source where an entity is described (best effort)."""
    try:
        lines, prefixes = _lines(source.path)
    except OSError:
        return Origin(source.label)
    candidates = [f"<{iri}>", f'"{iri}"']
    for namespace, name in prefixes.items():
        if namespace and iri.startswith(namespace):
            candidates.append(f"{name}:{iri[len(namespace):]}")
    first_anywhere = None
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip()
        if any(stripped.startswith(c) for c in candidates):
            return Origin(source.label, f"line {number}")
        if first_anywhere is None and any(c in line for c in candidates):
            first_anywhere = number
    return Origin(source.label, f"line {first_anywhere}" if first_anywhere else "")
