"""Query processes: stopped at the time limit and replaced, capped answers, release switch."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

from kg.errors import QueryError, QueryTimeout
from kg.store.query_pool import Job, QueryPool
from kg.store.releases import ReleaseStore
from tests.conftest import build_store
from tests.sparql_support import Listener
from tests.support import DEMO

FORMATS = {"select": "json", "ask": "json", "graph": "nt"}
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
PEOPLE = "SELECT ?name WHERE { ?p a foaf:Person ; foaf:name ?name } ORDER BY ?name"


@pytest.fixture(scope="module")
def db(demo_store: Path) -> str:
    return str(ReleaseStore(demo_store).require_current().db_path)


@pytest.fixture
def pool():
    pool = QueryPool(2)
    yield pool
    pool.close()


def job(db: str, query: str, max_rows: int = 100, formats: dict | None = None) -> Job:
    return Job(db, query, None, None, formats or FORMATS, max_rows)


def names(data: bytes) -> list[str]:
    solutions = parse_query_results(data, QueryResultsFormat.JSON)
    return [s["name"].value for s in solutions]  # type: ignore[union-attr]


def test_heavy_query_is_stopped_while_the_other_process_answers(pool: QueryPool, db: str) -> None:
    outcome: dict[str, object] = {}

    def heavy() -> None:
        started = time.monotonic()
        try:
            pool.run(job(db, CROSS_PRODUCT), timeout=1.0).read()
        except QueryTimeout as error:
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    answered = 0
    while thread.is_alive():
        assert len(names(pool.run(job(db, PEOPLE), timeout=5).read())) == 8
        answered += 1
    thread.join()
    assert isinstance(outcome["error"], QueryTimeout)
    assert "longer than the limit of 1 s" in str(outcome["error"])
    # Stopped at the limit, not when the query would end (it never would);
    # the margin is for a machine loaded by other work.
    assert 1.0 <= outcome["seconds"] < 6.0  # type: ignore[operator]
    assert answered >= 3
    # The stopped process was replaced: the pool still has two that answer.
    results = [pool.run(job(db, PEOPLE), timeout=5) for _ in range(2)]
    assert [len(names(r.read())) for r in results] == [8, 8]


def test_select_and_construct_are_capped_with_a_signal(pool: QueryPool, db: str) -> None:
    capped = pool.run(job(db, PEOPLE, max_rows=3), timeout=5)
    assert (capped.form, capped.truncated) == ("select", True)
    assert names(capped.read()) == ["Bui Tien Phong", "Huynh Thi Dam Thanh", "Nguyen Hong Phong"]
    whole = pool.run(job(db, PEOPLE, max_rows=8), timeout=5)
    assert not whole.truncated and len(names(whole.read())) == 8
    graph = pool.run(job(db, "CONSTRUCT WHERE { ?p foaf:name ?n }", max_rows=5), timeout=5)
    assert (graph.form, graph.truncated) == ("graph", True)
    assert len(list(parse(graph.read(), RdfFormat.N_TRIPLES))) == 5


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_capped_solutions_keep_every_kind_of_term(pool: QueryPool, db: str, fmt: str) -> None:
    query = ('SELECT ?iri ?lit ?lang ?typed ?blank ?none WHERE { '
             'VALUES (?iri ?lit ?lang ?typed) { (<http://x.example/a> "tab\\there" "chào"@vi 5) '
             '(<http://x.example/b> "line\\nbreak" "hi"@en 6) } BIND(BNODE() AS ?blank) }')
    answer = pool.run(job(db, query, max_rows=1, formats={**FORMATS, "select": fmt}), timeout=5)
    assert answer.truncated
    data = answer.read()
    if fmt == "csv":  # CSV keeps values only, by its definition, and Oxigraph won't parse it
        lines = data.decode("utf-8").splitlines()
        assert lines[0] == "iri,lit,lang,typed,blank,none"
        assert lines[1].startswith("http://x.example/a,tab\there,chào,5,_:")
        assert len(lines) == 2
        return
    solutions = list(parse_query_results(data, QueryResultsFormat.from_extension(fmt)))
    assert len(solutions) == 1
    row = solutions[0]
    assert str(row["lit"]) == '"tab\\there"'
    assert str(row["lang"]) == '"chào"@vi'
    assert str(row["typed"]) == '"5"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert row["none"] is None


def test_syntax_errors_come_back_with_line_and_column(pool: QueryPool, db: str) -> None:
    with pytest.raises(QueryError, match="1:2"):
        pool.run(job(db, "SELECT * WHERE { ?s ?p }"), timeout=5)
    assert len(names(pool.run(job(db, PEOPLE), timeout=5).read())) == 8


def test_a_new_release_is_read_by_the_same_processes(tmp_path: Path, pool: QueryPool) -> None:
    import shutil

    demo = tmp_path / "demo"
    shutil.copytree(DEMO, demo)
    store = build_store(tmp_path / "store", demo)
    first = str(ReleaseStore(store).require_current().db_path)
    assert len(names(pool.run(job(first, PEOPLE), timeout=5).read())) == 8
    with (demo / "people.csv").open("a", encoding="utf-8") as handle:
        handle.write("le-van-c,Le Van C,,Le,Van C,,\n")
    build_store(store, demo)
    second = str(ReleaseStore(store).require_current().db_path)
    assert second != first
    assert len(names(pool.run(job(second, PEOPLE), timeout=5).read())) == 9
    assert len(names(pool.run(job(first, PEOPLE), timeout=5).read())) == 8


def test_large_answers_arrive_in_chunks(pool: QueryPool, db: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o . ?a a foaf:Person }"  # 443 x 8 rows
    answer = pool.run(job(db, query, max_rows=10_000), timeout=10)
    chunks = list(answer.chunks())
    assert len(chunks) > 3 and not answer.truncated
    assert len(list(parse_query_results(b"".join(chunks), QueryResultsFormat.JSON))) > 3000
    # The process went back to the pool after the last chunk: both still answer.
    results = [pool.run(job(db, PEOPLE), timeout=5) for _ in range(2)]
    assert [len(names(r.read())) for r in results] == [8, 8]


def test_a_client_that_stops_reading_does_not_leave_a_busy_process(pool: QueryPool,
                                                                   db: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o . ?a a foaf:Person }"
    for _ in range(3):  # more abandoned answers than the pool has processes
        chunks = pool.run(job(db, query, max_rows=10_000), timeout=10).chunks()
        next(chunks)
        chunks.close()
    assert len(names(pool.run(job(db, PEOPLE), timeout=5).read())) == 8


def test_isolated_processes_cannot_connect_anywhere(db: str) -> None:
    """The second wall behind the SERVICE check: no network in the query process."""
    listener = Listener()
    isolated, open_pool = QueryPool(1, isolated=True), QueryPool(1)
    try:
        query = f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        with pytest.raises(QueryError, match="unreachable"):
            isolated.run(job(db, query), timeout=10)
        assert listener.connections() == 0
        assert len(names(isolated.run(job(db, PEOPLE), timeout=5).read())) == 8
        with pytest.raises(QueryError):  # the listener hangs up, but it was called
            open_pool.run(job(db, query), timeout=10)
        assert listener.connections() == 1
    finally:
        isolated.close()
        open_pool.close()
        listener.close()
