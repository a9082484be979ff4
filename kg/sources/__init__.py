"""Source files: finding them, naming them, and reading their records.

A source is one file. Tabular sources (CSV, YAML, JSON) hold records of the
kinds in :mod:`kg.kinds`; RDF sources (Turtle, N-Triples, JSON-LD, RDF/XML)
are taken as they are. Each source becomes one named graph, named after its
path relative to the folder it was found in (``people.csv`` -> ``people-csv``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import SourceError
from kg.iris import slugify

TABULAR_SUFFIXES = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
RDF_SUFFIXES = {".ttl": "turtle", ".nt": "ntriples", ".jsonld": "jsonld", ".rdf": "rdfxml",
                ".owl": "rdfxml"}
MARC_SUFFIXES = {".mrc": "marc", ".marc": "marc", ".mrcx": "marcxml", ".marcxml": "marcxml"}
SUFFIXES = TABULAR_SUFFIXES | RDF_SUFFIXES | MARC_SUFFIXES


# Slots: a build keeps one per record to name where each entity is defined
# (250,000 MARC records: 135 bytes each instead of 237, some 25 MB of the
# memory the build holds when Oxigraph's bulk load begins).
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a record came from, in words a librarian can find it by."""

    file: str
    location: str = ""

    def __str__(self) -> str:
        return f"{self.file} {self.location}".strip()


@dataclass
class Record:
    """One record of a tabular source: its kind, raw fields and origin."""

    kind: str
    fields: dict[str, Any]
    origin: Origin
    # Set when the record could not be read as a record at all; it is then
    # reported and skipped instead of converted.
    problem: str | None = None
    # Values the reader had to leave out (a MARC link that is no web address):
    # reported as warnings, the rest of the record is converted.
    warnings: list[str] = field(default_factory=list)
    # The reader saw that no value holds a character XML cannot carry (the fast
    # MARC decoder does, on the way): the converter does not look again.
    writable: bool = False

    @property
    def key(self) -> str:
        """The record's key as written (may be empty; converters derive one)."""
        value = self.fields.get("key", "")
        return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class Source:
    """One source file, with the name of its graph and its format."""

    path: Path
    name: str
    format: str
    display: str = field(default="")

    @property
    def label(self) -> str:
        """The name people see in reports: the path as given."""
        return self.display or self.path.name

    @property
    def is_rdf(self) -> bool:
        """True for RDF files, which are loaded as they are."""
        return self.format in RDF_SUFFIXES.values()

    @property
    def is_marc(self) -> bool:
        """True for MARC 21 files (ISO 2709 or MARCXML)."""
        return self.format in MARC_SUFFIXES.values()

    def checksum(self) -> str:
        """SHA-256 of the file's bytes: a changed checksum means a changed source."""
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as error:
            raise SourceError(f"{self.label}: cannot read: {error.strerror}") from error
        return "sha256:" + digest.hexdigest()


def _known(path: Path) -> bool:
    """True for a file of a known kind; an .xml file counts when it is MARCXML."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        from kg.sources.marc import is_marcxml
        return is_marcxml(path)
    return suffix in SUFFIXES


def _source_for(path: Path, root: Path) -> Source:
    suffix = path.suffix.lower()
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    name = slugify(str(relative).replace("/", " ").replace(".", " "))
    return Source(path=path, name=name, format=SUFFIXES.get(suffix, "marcxml"),
                  display=str(relative))


def discover(paths: Iterable[str | Path]) -> list[Source]:
    """The sources named by files and folders (folders are searched recursively).

    Files in folders are taken when their suffix is known; a file named
    explicitly must have a known suffix. Names must not collide.
    """
    sources: list[Source] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and _known(p)
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            sources.extend(_source_for(p, path) for p in found)
        elif path.is_file():
            if not _known(path):
                known = ", ".join(sorted(SUFFIXES)) + ", .xml (MARCXML)"
                raise SourceError(f"{path}: unknown kind of file; known suffixes: {known}")
            sources.append(_source_for(path, path.parent))
        else:
            raise SourceError(f"{path}: no such file or folder")
    _check_unique(sources)
    return sources


def _check_unique(sources: list[Source]) -> None:
    seen: dict[str, Source] = {}
    for source in sources:
        if source.name in seen:
            raise SourceError(
                f"{source.path} and {seen[source.name].path} would share the graph name "
                f"'{source.name}'; rename one of them")
        seen[source.name] = source


def read_records(source: Source) -> Iterator[Record]:
    """The records of a tabular or MARC source, in file order."""
    if source.format == "csv":
        from kg.sources.tabular import read_csv
        return read_csv(source)
    if source.format in ("yaml", "json"):
        from kg.sources.tabular import read_structured
        return read_structured(source)
    if source.is_marc:
        from kg.sources.marc import read_marc
        return read_marc(source)
    raise SourceError(f"{source.label}: not a source of records")
