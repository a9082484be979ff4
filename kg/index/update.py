"""Updating the parent release's entity index for what a build changed.

A rebuild after one small source changed should cost seconds, not a full
read of the release. The parent's ``index.sqlite`` is copied, and only the
entities the changed graphs touch are written again:

- entities the changed graphs describe now (subjects of their quads), and
  those they described in the parent (the index keeps which graphs each
  entity's row was made from: ``entity_graph``); a graph derived by the build
  may name exactly which subjects changed in it (``changed_subjects``);
- positions whose label is made from those entities' labels.

Each is read again entity by entity, with all its quads in every graph, into
the same rows a full build makes (:mod:`kg.index.rows`), so an entity typed
in one graph and labelled in another comes out right. Row ids come from
content, so the result equals an index written from scratch (a test checks).
Anything else (no parent index, another format or base IRI, too much
changed) falls back to writing from scratch.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from pyoxigraph import NamedNode

from kg.index import INDEX_FILE, INDEX_FORMAT
from kg.index.rows import (
    FACT_PREDICATES,
    LINK_PREDICATES,
    TYPE,
    EntityRow,
    Fact,
    Folder,
    fact_of,
    make_row,
    minted,
    name_rows,
    ordering_rows,
)
from kg.index.tables import (
    entity_languages,
    fill_ordering,
    graph_id,
    insert_row,
    label_position,
    open_for_writing,
    store_graphs,
    write_meta,
)
from kg.kinds import KINDS
from kg.store.staging import StagingView

if TYPE_CHECKING:
    from kg.artifacts import ArtifactContext

_LOG = logging.getLogger(__name__)
# Past this many entities to write again, reading them one by one (about 15
# look-ups each) costs more than reading the release pattern by pattern.
UPDATE_LIMIT = 20_000
# A changed graph this large is not read subject by subject: write from scratch.
GRAPH_LIMIT = 200_000


def update_index(context: ArtifactContext, path: Path) -> bool:
    """Write the index as the parent's, updated; False if it must be written from scratch."""
    changed = context.changed_graphs
    parent = context.parent_folder / INDEX_FILE if context.parent_folder else None
    if changed is None or parent is None or not parent.is_file():
        return False
    shutil.copyfile(parent, path)
    connection = open_for_writing(path)
    try:
        done = _update(connection, context, changed)
        if done:
            connection.commit()
    finally:
        connection.close()
    if not done:
        path.unlink()
    return done


def _update(connection: sqlite3.Connection, context: ArtifactContext,
            changed: frozenset[str]) -> bool:
    meta = dict(connection.execute("SELECT name, value FROM meta"))
    base = context.minter.base
    if meta.get("format") != str(INDEX_FORMAT) or meta.get("base") != base:
        return False
    prefix = base + "id/"
    subjects = context.changed_subjects
    iris = _touched(connection, context.view, changed, subjects, prefix)
    if iris is not None:
        iris |= _borrowers(context.view, _relabelled(connection, context.view, iris, prefix),
                           prefix)
    if iris is None or len(iris) > UPDATE_LIMIT:
        _LOG.info("entity index: too much changed to update the parent's; writing it anew")
        return False
    folder = Folder()
    languages = json.loads(meta["languages"])
    _remove(connection, iris, languages, folder)
    rows = _rewrite(connection, context.view, sorted(iris), prefix, folder)
    new_languages = entity_languages(connection, context.languages)
    if new_languages != languages:  # every list gains or loses a language
        connection.execute("DELETE FROM ordering")
        fill_ordering(connection, new_languages, folder)
    else:
        _add_ordering(connection, [row.id for row in rows], languages, folder)
    write_meta(connection, base, new_languages)
    _LOG.info("entity index: updated the parent's, %d entities written again", len(iris))
    return True


def _touched(connection: sqlite3.Connection, view: StagingView, changed: frozenset[str],
             subjects: dict[str, frozenset[str]], prefix: str) -> set[str] | None:
    """Entity IRIs the changed graphs describe now or described in the parent; None: too many."""
    iris: set[str] = set()
    graphs: dict[str, int] = {}
    for graph in sorted(changed):
        if graph in subjects:  # a derived graph that says which of its subjects changed
            iris |= {iri for iri in subjects[graph] if minted(iri, prefix)}
            continue
        node = NamedNode(graph)
        if view.count_at_least([node], GRAPH_LIMIT):
            return None
        before = connection.execute(
            "SELECT e.iri FROM entity_graph g JOIN entity e ON e.id = g.entity_id "
            "WHERE g.graph_id = ? LIMIT ?", (graph_id(node, graphs), UPDATE_LIMIT + 1))
        iris.update(iri for (iri,) in before)
        iris.update(q.subject.value for q in view.quads(None, None, None, node)
                    if isinstance(q.subject, NamedNode) and minted(q.subject.value, prefix))
        if len(iris) > UPDATE_LIMIT:
            return None
    return iris


def _relabelled(connection: sqlite3.Connection, view: StagingView, iris: set[str],
                prefix: str) -> set[str]:
    """The entities whose labels changed (or that came or went): the only ones whose
    borrowers need writing again (a role concept lends its label to thousands of posts)."""
    changed, graphs, folder = set(), {}, Folder()
    for iri in iris:
        old = connection.execute("SELECT labels FROM entity WHERE iri = ?", (iri,)).fetchone()
        new = _read(view, iri, prefix, graphs, folder)
        if old is None or new is None or json.loads(old[0]) != new.labels:
            changed.add(iri)
    return changed


def _borrowers(view: StagingView, iris: set[str], prefix: str) -> set[str]:
    """Positions linked to these entities: their label may be made of these ones' labels."""
    found = set()
    for iri in iris:
        for predicate in LINK_PREDICATES:
            for quad in view.quads(None, predicate, NamedNode(iri), None):
                subject = quad.subject
                if isinstance(subject, NamedNode) and (minted(subject.value, prefix) or ("",))[
                        0] == "position":
                    found.add(subject.value)
    return found


def _remove(connection: sqlite3.Connection, iris: set[str], languages: list[str],
            folder: Folder) -> None:
    """Delete the parent's rows of these entities (and their full-text entries)."""
    connection.execute("CREATE TEMP TABLE gone(id INTEGER PRIMARY KEY)")
    old = []
    for iri in iris:
        row = connection.execute("SELECT id, kind, key, labels FROM entity WHERE iri = ?",
                                 (iri,)).fetchone()
        if row is not None:
            old.append((row[0], row[1], row[2], json.loads(row[3])))
    connection.executemany("INSERT INTO temp.gone(id) VALUES (?)", [(row[0],) for row in old])
    connection.executemany(
        "DELETE FROM ordering WHERE lang = ? AND kind = ? AND sort_key = ? AND entity_id = ?",
        [key for row in old for key in ordering_rows(row, languages, folder)])
    gone = "(SELECT id FROM temp.gone)"
    connection.execute("INSERT INTO name_fts(name_fts, rowid, folded) "
                       f"SELECT 'delete', id, folded FROM name WHERE entity_id IN {gone}")
    connection.execute(f"DELETE FROM name WHERE entity_id IN {gone}")
    connection.execute(f"DELETE FROM entity_graph WHERE entity_id IN {gone}")
    connection.execute(f"DELETE FROM entity WHERE id IN {gone}")


def _rewrite(connection: sqlite3.Connection, view: StagingView, iris: list[str], prefix: str,
             folder: Folder) -> list[EntityRow]:
    """Read these entities again and write their rows; the rows written."""
    graphs: dict[str, int] = {}
    rows = [row for iri in iris if (row := _read(view, iri, prefix, graphs, folder)) is not None]
    for row in rows:
        insert_row(connection, row)
        _add_names(connection, row)
    for row in rows:  # after every row is in: a position's parts may be among them
        if row.needs_position_label:
            label_position(connection, row.id, row.links)
    store_graphs(connection, graphs)
    return rows


def _read(view: StagingView, iri: str, prefix: str, graphs: dict[str, int],
          folder: Folder) -> EntityRow | None:
    """One entity's rows from its quads in every graph; None if it is no entity now."""
    kind, key = minted(iri, prefix) or ("", "")
    node = NamedNode(iri)
    # Named graphs only, as a full build reads them (a release has no default graph).
    facts = [Fact(TYPE, "", "", graph_id(q.graph_name, graphs))
             for q in view.quads(node, FACT_PREDICATES[TYPE], KINDS[kind].rdf_type, None)
             if isinstance(q.graph_name, NamedNode)]
    if not facts:
        return None
    for code, predicate in enumerate(FACT_PREDICATES):
        if code != TYPE:
            facts += [fact for q in view.quads(node, predicate, None, None)
                      if isinstance(q.graph_name, NamedNode)
                      and (fact := fact_of(code, q.object, graph_id(q.graph_name, graphs)))]
    return make_row(kind, key, iri, facts, folder)


def _add_names(connection: sqlite3.Connection, row: EntityRow) -> None:
    """Insert an entity's names and their full-text entries."""
    for number, *values in name_rows(row):
        while connection.execute("SELECT 1 FROM name WHERE id = ?", (number,)).fetchone():
            number += 1  # a rare hash tie: the later name moves one place on
        connection.execute("INSERT INTO name(id, entity_id, kind, folded, preferred) "
                           "VALUES (?, ?, ?, ?, ?)", (number, *values))
        connection.execute("INSERT INTO name_fts(rowid, folded) VALUES (?, ?)",
                           (number, values[2]))


def _add_ordering(connection: sqlite3.Connection, ids: list[int], languages: list[str],
                  folder: Folder) -> None:
    """Insert the ``ordering`` rows of the entities written again."""
    for entity_id in ids:
        kind, key, labels = connection.execute(
            "SELECT kind, key, labels FROM entity WHERE id = ?", (entity_id,)).fetchone()
        connection.executemany("INSERT INTO ordering VALUES (?, ?, ?, ?)", ordering_rows(
            (entity_id, kind, key, json.loads(labels)), languages, folder))
