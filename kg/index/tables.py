"""Writing rows into an entity index: shared by the full build and the update."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from pathlib import Path

from pyoxigraph import NamedNode

from kg.index import INDEX_FORMAT, ordering_languages
from kg.index.rows import (
    LINKS,
    EntityRow,
    Folder,
    labels_json,
    pick,
    position_labels,
    stable_id,
)
from kg.kinds import KINDS


def open_for_writing(path: Path) -> sqlite3.Connection:
    """A connection for writing an index in a release being built."""
    connection = sqlite3.connect(path)
    # Written once, in a release being built: a crash discards the whole release.
    connection.execute("PRAGMA journal_mode = OFF")
    connection.execute("PRAGMA synchronous = OFF")
    # Sorts spill to temporary files past this (KiB): memory stays bounded at any size.
    connection.execute("PRAGMA cache_size = -131072")
    return connection


def graph_id(graph: object, graphs: dict[str, int]) -> int:
    """The id of a quad's graph (0 for the default graph), remembered in ``graphs``."""
    name = graph.value if isinstance(graph, NamedNode) else ""
    number = graphs.get(name)
    if number is None:
        number = graphs[name] = stable_id(name) if name else 0
    return number


def insert_row(connection: sqlite3.Connection, row: EntityRow) -> None:
    """Write an entity's row and the graphs it was made from."""
    insert_rows(connection, [row])


def insert_rows(connection: sqlite3.Connection, rows: list[EntityRow]) -> None:
    """Write entities' rows and the graphs they were made from (two statements for all)."""
    connection.executemany("INSERT INTO entity(id, kind, key, iri, labels, date, date_sort, "
                           "parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [row.entity_values() for row in rows])
    connection.executemany("INSERT INTO entity_graph(graph_id, entity_id) VALUES (?, ?)",
                           [(graph, row.id) for row in rows for graph in sorted(row.graphs)])


def store_graphs(connection: sqlite3.Connection, graphs: dict[str, int]) -> None:
    """Record these graphs' ids; keep only the graphs some entity's row comes from."""
    connection.executemany("INSERT OR IGNORE INTO graph(id, iri) VALUES (?, ?)",
                           sorted((number, iri) for iri, number in graphs.items()))
    connection.execute("DELETE FROM graph WHERE id NOT IN "
                       "(SELECT DISTINCT graph_id FROM entity_graph)")


def label_positions(connection: sqlite3.Connection) -> None:
    """Label the positions without a title (after every entity has its labels)."""
    for entity_id, links in connection.execute("SELECT id, links FROM temp.position").fetchall():
        label_position(connection, entity_id, {int(code): iris
                                               for code, iris in json.loads(links).items()})


def label_position(connection: sqlite3.Connection, entity_id: int,
                   links: dict[int, list[str]]) -> None:
    """Give a position without a title the label made of its parts' labels."""
    parts: dict[int, dict[str, str] | None] = {}
    for code, iris in links.items():
        for iri in iris:  # the least IRI that is an entity of the index
            found = connection.execute("SELECT labels FROM entity WHERE id = ? AND iri = ?",
                                       (stable_id(iri), iri)).fetchone()
            if found is not None:
                parts[code] = json.loads(found[0])
                break
    if LINKS[2] not in parts:
        return  # the unit is not an entity: the position keeps no label, as before
    labels = position_labels([parts.get(code) for code in LINKS])
    connection.execute("UPDATE entity SET labels = ? WHERE id = ?",
                       (labels_json(labels), entity_id))


def entity_languages(connection: sqlite3.Connection,
                     shown: Collection[str] | None = None) -> list[str]:
    """The languages lists are sorted in: those the entities' labels use (among those
    ``shown``, the interface's, if given), and '' (any)."""
    found = connection.execute(
        "SELECT DISTINCT j.key FROM entity, json_each(entity.labels) AS j").fetchall()
    return ordering_languages([{language: "" for (language,) in found}], shown)


def fill_ordering(connection: sqlite3.Connection, languages: list[str], folder: Folder) -> None:
    """Write the whole ``ordering`` table: one row per entity and language.

    Most entities are labelled in one or two of the many languages a catalogue
    uses, and sort by the same key in all the others: each entity's keys are
    staged once (the fallback, and those of its own languages that differ),
    and SQLite makes the rows of each language from them, in key order (so the
    table's B-tree is appended to, not shuffled).
    """
    connection.executescript(_SORT_KEYS)
    specific: list[tuple] = []
    entities = connection.cursor().execute("SELECT id, kind, key, labels FROM entity")
    connection.executemany("INSERT INTO temp.sort_fallback VALUES (?, ?, ?)", (
        _sort_keys(row, folder, specific) for row in entities))
    connection.executemany("INSERT INTO temp.sort_specific VALUES (?, ?, ?)", specific)
    for language in languages:
        connection.execute(
            "INSERT INTO ordering SELECT ?, f.kind, coalesce(s.sort_key, f.sort_key), f.id "
            "FROM temp.sort_fallback f LEFT JOIN temp.sort_specific s "
            "ON s.lang = ? AND s.entity_id = f.id ORDER BY 2, 3, 4", (language, language))
    connection.executescript("DROP TABLE temp.sort_fallback; DROP TABLE temp.sort_specific;")


_SORT_KEYS = """
CREATE TEMP TABLE sort_fallback(id INTEGER PRIMARY KEY, kind TEXT, sort_key TEXT);
CREATE TEMP TABLE sort_specific(lang TEXT, entity_id INTEGER, sort_key TEXT,
                                PRIMARY KEY(lang, entity_id)) WITHOUT ROWID;
"""


def _sort_keys(row: tuple, folder: Folder, specific: list[tuple]) -> tuple:
    """An entity's fallback sort key row; its other keys appended to ``specific``."""
    entity_id, kind, key, labels = row
    labels = json.loads(labels)
    fallback = folder[pick(labels, "\0") or key]  # as ordering_rows picks for a language
    for language, label in labels.items():  # it has no label in
        if label and folder[label] != fallback:
            specific.append((language, entity_id, folder[label]))
    return entity_id, kind, fallback


def write_meta(connection: sqlite3.Connection, base: str, languages: list[str]) -> None:
    """The ``meta`` rows: format, base IRI, languages, counts by kind."""
    found = dict(connection.execute("SELECT kind, count(*) FROM entity GROUP BY kind"))
    counts = {kind: found[kind] for kind in KINDS if kind in found}
    connection.execute("DELETE FROM meta")
    connection.executemany("INSERT INTO meta(name, value) VALUES (?, ?)", [
        ("format", str(INDEX_FORMAT)), ("base", base), ("languages", json.dumps(languages)),
        ("counts", json.dumps(counts))])
