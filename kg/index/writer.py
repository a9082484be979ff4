"""Writing a release's entity index (``index.sqlite``) at publish time.

Registered in :data:`kg.artifacts.WRITERS`. When the parent release has an
index of the same format, it is copied and only the entities of the graphs
this build changed are written again (:mod:`kg.index.update`); otherwise the
index is written from scratch here. A full build reads the release once,
pattern by pattern (types, then each property the index uses), never entity
by entity, or, for a graph converted in this build, scans the N-Triples text
kept of it (or the lines of it the MARC workers set apart for the index,
:mod:`kg.index.picks`); it streams what it reads into SQLite's temporary tables, which
sort it; Python holds the rows of a few thousand entities at a time.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode, RdfFormat, parse

from kg.errors import StoreError
from kg.index import INDEX_FILE, INDEX_INDEXES, INDEX_TABLES
from kg.index import picks as picks_rule
from kg.index.rows import (
    CODE,
    FACT_PREDICATES,
    TYPE,
    EntityRow,
    Fact,
    Folder,
    fact_of,
    make_row,
    minted,
    name_rows,
    stable_id,
)
from kg.index.tables import (
    entity_languages,
    fill_ordering,
    graph_id,
    insert_rows,
    label_positions,
    open_for_writing,
    store_graphs,
    write_meta,
)
from kg.index.update import update_index
from kg.kinds import KINDS
from kg.store.staging import StagingView, ViewQueries

if TYPE_CHECKING:  # kg.artifacts registers this writer: no import at run time
    from kg.artifacts import ArtifactContext

# What a full build reads into, then sorts by entity id (temporary: gone on close).
STAGING = """
CREATE TEMP TABLE typed(id INTEGER, kind TEXT, key TEXT, iri TEXT, graph_id INTEGER);
CREATE TEMP TABLE fact(id INTEGER, code INTEGER, lang TEXT, value TEXT, graph_id INTEGER);
CREATE TEMP TABLE position(id INTEGER PRIMARY KEY, links TEXT);
CREATE TEMP TABLE staged_name(id INTEGER, entity_id INTEGER, kind TEXT, folded TEXT,
                              preferred INTEGER);
"""
# Built from terms of the code (graphs of the store, predicates, classes), never from input.
SUBJECTS = "SELECT ?s WHERE {{ GRAPH {graph} {{ ?s {predicate} {object} }} }}"
PAIRS = "SELECT ?s ?o WHERE {{ GRAPH {graph} {{ ?s {predicate} ?o }} }}"
_ASSEMBLE = """
SELECT id, kind, key, iri, NULL, NULL, NULL, graph_id FROM temp.typed
UNION ALL SELECT id, NULL, NULL, NULL, code, lang, value, graph_id FROM temp.fact
ORDER BY 1"""


def write_entity_index(context: ArtifactContext) -> None:
    """Write ``index.sqlite`` into the release folder being published."""
    path = context.folder / INDEX_FILE
    if not update_index(context, path):
        write_full(context.view, context.minter.base, path, context.languages)


def write_full(view: StagingView, base: str, path: Path,
               shown: list[str] | None = None) -> None:
    """Write the index database from scratch (lists sorted in the ``shown`` languages
    that labels use, and by any label; in every language labels use without it)."""
    path.unlink(missing_ok=True)
    connection = open_for_writing(path)
    try:
        connection.executescript(INDEX_TABLES + STAGING)
        graphs = _read_store(view, base, connection)
        folder = Folder()
        _assemble(connection, folder)
        store_graphs(connection, graphs)
        label_positions(connection)
        languages = entity_languages(connection, shown)
        fill_ordering(connection, languages, folder)
        _fill_names(connection)
        connection.execute("INSERT INTO name_fts(name_fts) VALUES ('rebuild')")
        connection.executescript(INDEX_INDEXES)
        write_meta(connection, base, languages)
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()


def _read_store(view: StagingView, base: str, connection: sqlite3.Connection) -> dict[str, int]:
    """Stream the typed entities and the facts about minted IRIs into the staging tables.

    Graph by graph, so that the graph of each row is known without decoding it
    from every quad (each term decoded is a look-up in the store).
    """
    prefix = base + "id/"
    graphs: dict[str, int] = {}
    queries = ViewQueries(view)
    for graph in view.graphs():
        number = graph_id(graph, graphs)
        text = picks = None
        if view.texts is not None:
            text = view.texts.get(graph.value, lambda g=graph: view.count(g))
            picks = view.texts.picks(graph.value)
        if text is not None and _read_text(text, number, prefix, connection, picks):
            continue
        for kind in KINDS.values():
            connection.executemany("INSERT INTO temp.typed VALUES (?, ?, ?, ?, ?)",
                                   _typed(queries, graph, number, kind.name, prefix))
        for code in range(TYPE + 1, len(FACT_PREDICATES)):
            connection.executemany("INSERT INTO temp.fact VALUES (?, ?, ?, ?, ?)",
                                   _facts(queries, graph, number, code, prefix))
    return graphs


def _read_text(text: Path, number: int, prefix: str, connection: sqlite3.Connection,
               picks: Path | None = None) -> bool:
    """Stream a graph's typed entities and facts out of its kept N-Triples text
    (:mod:`kg.store.graph_texts`) instead of the store; False if the text is not
    written as expected (what was staged of it is taken back then). ``picks``:
    the lines of the text the index reads, set apart by its writer; then the
    text is not scanned for them.

    Reading the store costs a database look-up per term (50 s for the 18M
    triples of 250,000 MARC records); the text is scanned in a few seconds. A
    kept text is canonical N-Triples, one space between terms (Oxigraph's
    writer, or the MARC converter's): lines are picked by their predicate's
    bytes, and only those picked are parsed, by Oxigraph.
    """
    try:
        for batch in (_lines_of(picks) if picks is not None else _picked_lines(text)):
            typed, facts = [], []
            # A text gives an entity's lines one after another: its IRI is looked at once.
            iri, found, entity_id = None, None, 0
            # Lines of a kept text: its terms were checked when it was written.
            for triple in parse(b"".join(batch), format=RdfFormat.N_TRIPLES, lenient=True):
                subject = triple.subject
                if subject.value != iri:  # (a blank node's id holds no ":", an IRI does)
                    iri = subject.value
                    found = minted(iri, prefix) if isinstance(subject, NamedNode) else None
                    entity_id = stable_id(iri) if found is not None else 0
                if found is None:
                    continue
                code = CODE[triple.predicate.value]
                if code != TYPE:
                    fact = fact_of(code, triple.object, number)
                    if fact is not None:
                        facts.append((entity_id, *fact))
                elif triple.object == KINDS[found[0]].rdf_type:
                    typed.append((entity_id, *found, iri, number))
            connection.executemany("INSERT INTO temp.typed VALUES (?, ?, ?, ?, ?)", typed)
            connection.executemany("INSERT INTO temp.fact VALUES (?, ?, ?, ?, ?)", facts)
    except _NotCanonical:
        connection.execute("DELETE FROM temp.typed WHERE graph_id = ?", (number,))
        connection.execute("DELETE FROM temp.fact WHERE graph_id = ?", (number,))
        return False
    return True


class _NotCanonical(Exception):
    """A kept text's line does not have one space between its terms."""


# The rule of kg.index.picks, on the bytes of a line.
_PREDICATES = {predicate.encode() for predicate in picks_rule.PREDICATES}
_TYPE = picks_rule.TYPE.encode()
_CLASSES = {f"{cls} .\n".encode() for cls in picks_rule.CLASSES}
_PICKED_BATCH = 20_000


def _lines_of(picks: Path) -> Iterator[list[bytes]]:
    """Batches of the lines of a text's picks."""
    with picks.open("rb") as lines:
        while batch := list(itertools.islice(lines, _PICKED_BATCH)):
            yield batch


def _picked_lines(text: Path) -> Iterator[list[bytes]]:
    """Batches of the lines of a text that may give the index a row
    (:func:`kg.index.picks.picked`: a predicate it uses, of ``rdf:type`` naming a
    kind's class, about an IRI without a fragment)."""
    batch: list[bytes] = []
    predicates, type_predicate, classes = _PREDICATES, _TYPE, _CLASSES
    with text.open("rb") as lines:
        for line in lines:  # 18M lines at MARC scale: the cheapest tests first
            parts = line.split(b" ", 2)
            predicate = parts[1] if len(parts) == 3 else b""
            if predicate not in predicates:
                if predicate[:1] != b"<":
                    raise _NotCanonical(line)
                continue
            if (b"#" in parts[0] or parts[0][:1] != b"<"
                    or (predicate == type_predicate and parts[2] not in classes)):
                continue
            batch.append(line)
            if len(batch) == _PICKED_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def _typed(queries: ViewQueries, graph: NamedNode, number: int, kind: str,
           prefix: str) -> Iterator[tuple]:
    sparql = SUBJECTS.format(graph=graph, predicate=FACT_PREDICATES[TYPE],
                             object=KINDS[kind].rdf_type)
    for row in queries.select(sparql):
        subject = row["s"]
        found = minted(subject.value, prefix) if isinstance(subject, NamedNode) else None
        if found is not None and found[0] == kind:
            yield stable_id(subject.value), kind, found[1], subject.value, number


def _facts(queries: ViewQueries, graph: NamedNode, number: int, code: int,
           prefix: str) -> Iterator[tuple]:
    for row in queries.select(PAIRS.format(graph=graph, predicate=FACT_PREDICATES[code])):
        subject = row["s"]
        if isinstance(subject, NamedNode) and minted(subject.value, prefix) is not None:
            fact = fact_of(code, row["o"], number)
            if fact is not None:
                yield (stable_id(subject.value), *fact)


def _assemble(connection: sqlite3.Connection, folder: Folder) -> None:
    """Each typed entity's rows from its facts, read back sorted by entity id."""
    batch: list[EntityRow] = []
    for row in _entity_rows(connection, folder):
        batch.append(row)
        if len(batch) == _BATCH:
            _write_batch(connection, batch)
            batch = []
    _write_batch(connection, batch)


_BATCH = 5000  # entities written with one statement per table (not one per entity)


def _write_batch(connection: sqlite3.Connection, rows: list[EntityRow]) -> None:
    insert_rows(connection, rows)
    connection.executemany("INSERT INTO temp.staged_name VALUES (?, ?, ?, ?, ?)",
                           [name for row in rows for name in name_rows(row)])
    connection.executemany("INSERT INTO temp.position(id, links) VALUES (?, ?)",
                           [(row.id, json.dumps(row.links)) for row in rows
                            if row.needs_position_label])


def _entity_rows(connection: sqlite3.Connection, folder: Folder) -> Iterator[EntityRow]:
    """Each typed entity's row, made from its facts in the staging tables."""
    reader = connection.cursor()
    rows = reader.execute(_ASSEMBLE)
    for entity_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        group = list(group)
        typed = {(r[1], r[2], r[3]) for r in group if r[1] is not None}
        if not typed:
            continue  # facts about an IRI that no graph types with its kind's class
        if len(typed) > 1:
            raise StoreError(f"entity index: {sorted(t[2] for t in typed)} share the id "
                             f"{entity_id}; run the build again with the index removed")
        kind, key, iri = typed.pop()
        facts = [Fact(TYPE, "", "", r[7]) if r[1] is not None else Fact(r[4], r[5], r[6], r[7])
                 for r in group]
        yield make_row(kind, key, iri, facts, folder)


def _fill_names(connection: sqlite3.Connection) -> None:
    """Copy the staged names into ``name`` in id (rank) order."""
    staged = connection.cursor().execute(
        "SELECT id, entity_id, kind, folded, preferred FROM temp.staged_name "
        "ORDER BY id, entity_id, folded")
    connection.executemany("INSERT INTO name(id, entity_id, kind, folded, preferred) "
                           "VALUES (?, ?, ?, ?, ?)", _distinct_ids(staged))


def _distinct_ids(rows: Iterator[tuple]) -> Iterator[tuple]:
    """Rows with ids made unique: a rare hash tie moves the later name one place on."""
    last = -1
    for row in rows:
        number = row[0] if row[0] > last else last + 1
        last = number
        yield (number, *row[1:])

