"""A release's entity index: labels, names and dates of every entity, in SQLite.

Written at publish time beside the release's database (``index.sqlite``, by
:mod:`kg.index.writer`) and only read afterwards, so label search, paged lists
and the home page's timeline never scan the store per request.

>>> folded_terms("Đại học, Tôn-Đức Thắng!")
['dai', 'hoc', 'ton', 'duc', 'thang']
>>> fts_query(['dai', 'hoc'])
'"dai" AND "hoc"*'
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import StoreError
from kg.iris import fold

INDEX_FILE = "index.sqlite"
SEARCH_LIMIT = 1000  # matches paged through at most
SEARCH_COUNT = 200  # matches counted before an answer says "200+"

# Bump when what the index holds changes: a release's index is then written
# from scratch instead of being updated from its parent's.
INDEX_FORMAT = 2
# Tables, then their indexes (a full build creates the indexes after filling the tables).
INDEX_TABLES = """
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE entity(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, key TEXT NOT NULL,
                    iri TEXT NOT NULL, labels TEXT NOT NULL, date TEXT, date_sort TEXT,
                    parent TEXT);
CREATE TABLE ordering(lang TEXT, kind TEXT, sort_key TEXT, entity_id INTEGER,
                      PRIMARY KEY(lang, kind, sort_key, entity_id)) WITHOUT ROWID;
CREATE TABLE name(id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL, kind TEXT NOT NULL,
                  folded TEXT NOT NULL, preferred INTEGER NOT NULL);
CREATE VIRTUAL TABLE name_fts USING fts5(folded, content='name', content_rowid='id',
                                         tokenize='unicode61', prefix='2 3 4');
CREATE TABLE graph(id INTEGER PRIMARY KEY, iri TEXT NOT NULL);
CREATE TABLE entity_graph(graph_id INTEGER, entity_id INTEGER,
                          PRIMARY KEY(graph_id, entity_id)) WITHOUT ROWID;
"""
INDEX_INDEXES = """
CREATE UNIQUE INDEX entity_by_key ON entity(kind, key);
CREATE UNIQUE INDEX entity_by_iri ON entity(iri);
CREATE INDEX entity_by_date ON entity(kind, date_sort);
CREATE INDEX name_by_folded ON name(folded);
"""
INDEX_SCHEMA = INDEX_TABLES + INDEX_INDEXES
_TERM = re.compile(r"[a-z0-9]+")


def ordering_languages(label_maps: Iterable[dict[str, str]],
                       shown: Iterable[str] | None = None) -> list[str]:
    """The languages lists are sorted in: those labels use, and '' (any).

    With ``shown`` (the interface's languages), only those of them: pages are
    never listed in another language, and :meth:`EntityIndex.browse` sorts a
    language the index lacks by ''. A catalogue's titles come in a dozen
    languages, and a full list for each would be most of the index.

    >>> ordering_languages([{"en": "A", "fr": "B"}, {"vi": "C"}], ["vi", "en"])
    ['', 'en', 'vi']
    """
    found = {language for labels in label_maps for language in labels}
    if shown is not None:
        found &= set(shown)
    return sorted(found | {""})


def folded_terms(text: str) -> list[str]:
    """The words of a query, folded like the index (no case, no diacritics)."""
    return _TERM.findall(fold(text))


def fts_query(terms: list[str]) -> str:
    """An FTS5 query matching names with every word, the last one perhaps unfinished.

    Only the last word is a prefix (the one being typed): prefixes of common
    short words (``thu*``) would make the query merge huge lists. Terms are
    only ``[a-z0-9]`` (see :func:`folded_terms`), so quoting them leaves no
    FTS syntax open to the searcher.
    """
    return " AND ".join([f'"{term}"' for term in terms[:-1]] + [f'"{terms[-1]}"*'])


@dataclass(frozen=True)
class IndexedEntity:
    """One entity as the index knows it."""

    kind: str
    key: str
    iri: str
    labels: dict[str, str]
    date: str | None = None

    def label(self, languages: list[str]) -> str:
        """The label in the first preferred language that has one; else any; else the key."""
        for language in [*languages, ""]:
            if language in self.labels:
                return self.labels[language]
        return next(iter(self.labels.values()), self.key)


@dataclass(frozen=True)
class Page:
    """A page of entities out of ``total`` (``capped`` when there were more to count)."""

    total: int
    items: list[IndexedEntity]
    capped: bool = False


_COLUMNS = "e.kind, e.key, e.iri, e.labels, e.date"


def _entity(row: tuple) -> IndexedEntity:
    return IndexedEntity(row[0], row[1], row[2], json.loads(row[3]), row[4])


class EntityIndex:
    """Read access to one release's index (opened read-only; the file never changes)."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise StoreError(f"{path.parent.name} has no entity index; run 'kg build' to "
                             "publish a release with one")
        self._uri = f"file:{path}?mode=ro&immutable=1"
        self._local = threading.local()
        meta = dict(self._db.execute("SELECT name, value FROM meta"))
        self.languages: list[str] = json.loads(meta.get("languages", '[""]'))
        if "counts" in meta:
            self._counts: dict[str, int] = json.loads(meta["counts"])
        else:  # an index written before counts were kept
            self._counts = dict(self._db.execute("SELECT kind, count(*) FROM entity GROUP BY kind"))

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection (server threads never share one)."""
        connection = getattr(self._local, "db", None)
        if connection is None:
            connection = self._local.db = sqlite3.connect(self._uri, uri=True)
        return connection

    def get(self, kind: str, key: str) -> IndexedEntity | None:
        """One entity by kind and key."""
        row = self._db.execute(f"SELECT {_COLUMNS} FROM entity e WHERE kind = ? AND key = ?",
                               (kind, key)).fetchone()
        return _entity(row) if row else None

    def labels_of(self, iris: list[str]) -> dict[str, dict[str, str]]:
        """IRI -> {language: label} for those of the IRIs the index lists."""
        found: dict[str, dict[str, str]] = {}
        for start in range(0, len(iris), 500):  # SQLite's limit on parameters
            chunk = iris[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for iri, labels in self._db.execute(
                    f"SELECT iri, labels FROM entity WHERE iri IN ({marks})", chunk):
                found[iri] = json.loads(labels)
        return found

    def count(self, kind: str) -> int:
        """How many entities of a kind the index lists."""
        return self._counts.get(kind, 0)

    def browse(self, kind: str, language: str, sort: str = "name", limit: int = 50,
               offset: int = 0) -> Page:
        """A page of a kind's entities by name (``name``, ``-name``) or date (``date``...)."""
        descending = sort.startswith("-")
        direction = "DESC" if descending else "ASC"
        if sort.lstrip("-") == "date":
            sql = (f"SELECT {_COLUMNS} FROM entity e WHERE e.kind = ? "
                   f"ORDER BY e.date_sort IS NULL, e.date_sort {direction}, e.id LIMIT ? OFFSET ?")
            params: tuple = (kind, limit, offset)
        else:
            language = language if language in self.languages else ""
            sql = (f"SELECT {_COLUMNS} FROM ordering o JOIN entity e ON e.id = o.entity_id "
                   f"WHERE o.lang = ? AND o.kind = ? ORDER BY o.sort_key {direction}, "
                   f"o.entity_id {direction} LIMIT ? OFFSET ?")
            params = (language, kind, limit, offset)
        items = [_entity(row) for row in self._db.execute(sql, params)]
        return Page(self.count(kind), items)

    def search(self, text: str, kind: str | None = None, limit: int = 20,
               offset: int = 0) -> Page:
        """Entities whose names match the text, exact matches first, then names that
        start with it, then names with every word; case and diacritics ignored."""
        # Matches are read in rank order only as far as this page needs (and
        # SEARCH_COUNT, to say how many): common words match a third of a
        # catalogue, and reading them all would cost more than the page.
        wanted = min(max(offset + limit + 1, SEARCH_COUNT), SEARCH_LIMIT)
        ranked = self._ranked_ids(text, kind, wanted)
        items = self._by_ids(ranked[offset:offset + limit])
        return Page(len(ranked), items, capped=len(ranked) >= wanted)

    def _ranked_ids(self, text: str, kind: str | None, wanted: int) -> list[int]:
        terms = folded_terms(text)
        if not terms:
            return []
        whole = " ".join(terms)
        where, extra = ("AND kind = ?", (kind,)) if kind else ("", ())
        queries = [
            (f"SELECT entity_id FROM name WHERE folded = ? {where} ORDER BY preferred DESC, id",
             (whole, *extra)),
            (f"SELECT entity_id FROM name WHERE folded > ? AND folded < ? {where} "
             f"ORDER BY id LIMIT {wanted}", (whole, whole + "\uffff", *extra)),
            (f"SELECT n.entity_id FROM name_fts f JOIN name n ON n.id = f.rowid "
             f"WHERE name_fts MATCH ? {where.replace('kind', 'n.kind')} "
             f"ORDER BY f.rowid LIMIT {wanted * 2}", (fts_query(terms), *extra)),
        ]
        ranked: dict[int, None] = {}
        for sql, params in queries:
            for (entity_id,) in self._db.execute(sql, params):
                ranked.setdefault(entity_id)
                if len(ranked) >= wanted:
                    return list(ranked)
        return list(ranked)

    def _by_ids(self, ids: list[int]) -> list[IndexedEntity]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        rows = {row[0]: row[1:] for row in self._db.execute(
            f"SELECT e.id, {_COLUMNS} FROM entity e WHERE e.id IN ({marks})", ids)}
        return [_entity(rows[i]) for i in ids if i in rows]

    def event_years(self) -> list[tuple[str, int]]:
        """(year, number of events that start in it), oldest first."""
        return list(self._db.execute(
            "SELECT substr(date_sort, 1, 4) AS year, count(*) FROM entity "
            "WHERE kind = 'event' AND date_sort IS NOT NULL GROUP BY year ORDER BY year"))

    def events(self, dated: bool = True, limit: int = 10) -> list[IndexedEntity]:
        """The latest events with a full date, or those whose year is unknown (``--MM-DD``)."""
        if dated:
            sql = (f"SELECT {_COLUMNS} FROM entity e WHERE kind = 'event' AND date_sort "
                   "IS NOT NULL ORDER BY date_sort DESC LIMIT ?")
        else:
            sql = (f"SELECT {_COLUMNS} FROM entity e WHERE kind = 'event' AND date IS NOT NULL "
                   "AND date_sort IS NULL ORDER BY date LIMIT ?")
        return [_entity(row) for row in self._db.execute(sql, (limit,))]

    def all_entities(self, limit: int, offset: int = 0) -> Iterator[tuple[str, str]]:
        """(kind, key) of entities in a stable order, for sitemaps."""
        yield from self._db.execute("SELECT kind, key FROM entity ORDER BY id LIMIT ? OFFSET ?",
                                    (limit, offset))

    def total(self) -> int:
        """How many entities the index lists."""
        return sum(self._counts.values())
