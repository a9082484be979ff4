"""The OAI-PMH index of a release: one SQLite file, ``{release}/oai.sqlite``.

It holds every record the repository has ever had (deleted ones are kept:
``deletedRecord`` is ``persistent``), with its kind, datestamp, content digest
and sets. It is written once at publish time (:mod:`kg.oai.publish`) and only
read afterwards, opened ``immutable`` so readers take no locks.

Lists are read in identifier order from just after a given identifier, so a
page costs the same at any depth of a harvest, and a cursor stays meaningful
in the next release.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kg.errors import StoreError

INDEX_FILE = "oai.sqlite"
# Bump when digests or the tables change: the next build then starts afresh.
VERSION = "2"

SCHEMA = """
CREATE TABLE info (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE records (
    identifier TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    digest TEXT NOT NULL,
    datestamp TEXT NOT NULL,
    deleted INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX records_by_kind ON records (kind, identifier);
CREATE TABLE memberships (
    set_spec TEXT NOT NULL,
    identifier TEXT NOT NULL,
    PRIMARY KEY (set_spec, identifier)
) WITHOUT ROWID;
CREATE INDEX memberships_by_identifier ON memberships (identifier);
CREATE TABLE sets (set_spec TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
"""
# Set specs that hold every record: the tops of the two hierarchies.
TOP_SETS = {"kind": "Kinds of record", "source": "Source files"}


@dataclass(frozen=True)
class Selection:
    """What a list request asks for (None: no restriction)."""

    kinds: tuple[str, ...]
    set_spec: str | None = None
    start: str | None = None   # from, as a full datestamp
    end: str | None = None     # until, as a full datestamp


@dataclass(frozen=True)
class IndexedRecord:
    """A record's header: identifier, kind, datestamp, deleted or not, sets."""

    identifier: str
    kind: str
    datestamp: str
    deleted: bool
    sets: tuple[str, ...] = ()


class OaiIndex:
    """Read access to one release's index."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise StoreError(f"{path} is missing: this release was published without an "
                             "OAI-PMH index; run 'kg build' again")
        self.path = path
        self._db = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)

    def close(self) -> None:
        """Let go of the file."""
        self._db.close()

    def info(self, name: str) -> str | None:
        """A value of the info table (version, base_iri, release)."""
        row = self._db.execute("SELECT value FROM info WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def earliest_datestamp(self) -> str | None:
        """The oldest datestamp of any record (Identify's earliestDatestamp)."""
        return self._db.execute("SELECT min(datestamp) FROM records").fetchone()[0]

    def sets(self) -> list[tuple[str, str]]:
        """(setSpec, setName) of every set, in order."""
        return list(self._db.execute("SELECT set_spec, name FROM sets ORDER BY set_spec"))

    def record(self, identifier: str) -> IndexedRecord | None:
        """One record's header, or None if the repository never had it."""
        row = self._db.execute("SELECT identifier, kind, datestamp, deleted FROM records "
                               "WHERE identifier = ?", (identifier,)).fetchone()
        return self._with_sets([row])[0] if row else None

    def page(self, selection: Selection, after: str, limit: int) -> list[IndexedRecord]:
        """Up to ``limit`` records of the selection with identifiers after ``after``."""
        sql, params, key = _select(selection, "r.identifier, r.kind, r.datestamp, r.deleted")
        sql += f" AND {key} > ? ORDER BY {key} LIMIT ?"
        rows = self._db.execute(sql, [*params, after, limit]).fetchall()
        return self._with_sets(rows)

    def count(self, selection: Selection) -> int:
        """How many records the selection holds."""
        sql, params, _ = _select(selection, "count(*)")
        return self._db.execute(sql, params).fetchone()[0]

    def _with_sets(self, rows: list[tuple]) -> list[IndexedRecord]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found: dict[str, list[str]] = {}
        for spec, identifier in self._db.execute(
                f"SELECT set_spec, identifier FROM memberships WHERE identifier IN ({marks})",
                [row[0] for row in rows]):
            found.setdefault(identifier, []).append(spec)
        return [IndexedRecord(row[0], row[1], row[2], bool(row[3]),
                              tuple(sorted(found.get(row[0], ())))) for row in rows]


def _select(selection: Selection, columns: str) -> tuple[str, list, str]:
    """The query of a selection (WHERE left open), its parameters and the column to page by.

    Paging goes by the identifier of the table the query walks in order, so
    that SQLite reads the next page straight from that table's key.
    """
    params: list = []
    if selection.set_spec and selection.set_spec not in TOP_SETS:
        sql = (f"SELECT {columns} FROM memberships m JOIN records r "
               "ON r.identifier = m.identifier WHERE m.set_spec = ?")
        params.append(selection.set_spec)
        key = "m.identifier"
    else:
        sql = f"SELECT {columns} FROM records r WHERE 1"
        key = "r.identifier"
    if len(selection.kinds) == 1:
        sql += " AND r.kind = ?"
    else:
        sql += f" AND r.kind IN ({','.join('?' * len(selection.kinds))})"
    params.extend(selection.kinds)
    if selection.start:
        sql += " AND r.datestamp >= ?"
        params.append(selection.start)
    if selection.end:
        sql += " AND r.datestamp <= ?"
        params.append(selection.end)
    return sql, params, key


def create(path: Path) -> sqlite3.Connection:
    """A new, empty index."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    return db
