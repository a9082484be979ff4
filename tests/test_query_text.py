"""Deciding from a query's text, before evaluation: its form, updates, SERVICE targets.

The SERVICE cases are checked against Oxigraph itself: for every query the
check lets through, evaluating it in pyoxigraph must not open a connection
(a listener on a loopback port sees none); for every query it refuses, the
target it names is the one Oxigraph would have called.
"""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.errors import QueryError, ServiceNotAllowed, TooLarge
from kg.query import check_query
from kg.query_text import inspect_query
from tests.sparql_support import Listener

# (query with {url} for the listener, whether it calls the listener)
SERVICE_CASES = [
    ("SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ sErViCe <{url}> {{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ SERVICE SILENT<{url}>{{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ SERVICESILENT<{url}> {{ ?s ?p ?o }} }}", True),
    ("PREFIX e: <{url}> SELECT * {{ SERVICE e: {{ ?s ?p ?o }} }}", True),
    ("PREFIX : <{base}> SELECT * {{ SERVICE:sparql {{ ?s ?p ?o }} }}", True),
    ("PREFIX : <{base}> SELECT * {{ SERVICE SILENT:sparql {{ ?s ?p ?o }} }}", True),
    ("BASE <{base}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ SERVICE <{escaped}> {{ ?s ?p ?o }} }}", True),
    ("SELECT * {{ # SERVICE <{url}> {{ }}\n ?s ?p ?o }}", False),
    ("SELECT * {{ BIND(\"SERVICE <{url}> {{ }}\" AS ?x) }}", False),
    ("SELECT * {{ BIND('''SERVICE\n<{url}> {{}}''' AS ?x) }}", False),
    ("SELECT * {{ BIND(<{url}> AS ?service) }}", False),
    ("SELECT * {{ ?s <http://x.example/SERVICE> <{url}> }}", False),
    ("ASK {{ FILTER(\"#\" = \"#\") SERVICE <{url}> {{ }} }}", True),
    ("ASK {{ FILTER(\"\\\"\" != \"}}\") SERVICE <{url}> {{ }} }}", True),
]


def _oxigraph_calls(query: str, listener: Listener) -> bool:
    """Whether evaluating the query in pyoxigraph opens a connection to the listener."""
    try:
        list(Store().query(query))
    except (OSError, RuntimeError, SyntaxError):
        pass
    return listener.connections() > 0


@pytest.mark.parametrize("template, calls", SERVICE_CASES)
def test_service_to_a_listed_endpoint_is_refused_and_nothing_else(template: str,
                                                                  calls: bool) -> None:
    listener = Listener()
    try:
        base = listener.url.removesuffix("sparql")
        escaped = listener.url.replace(":", "\\u003A", 2).replace("\\u003A", ":", 1)
        query = template.format(url=listener.url, base=base, escaped=escaped)
        refused = False
        try:
            check_query(query)
        except ServiceNotAllowed as error:
            refused = True
            assert listener.url in str(error) or "IRI" in str(error)
        assert refused == calls
        assert listener.connections() == 0
        # The check agrees with what Oxigraph would do: a refused query would
        # have called the listener, an accepted one does not.
        assert _oxigraph_calls(query, listener) == calls
    finally:
        listener.close()


def test_allow_listed_endpoint_passes_and_variables_are_refused() -> None:
    allowed = "http://allowed.example/sparql"
    query = f"SELECT * {{ SERVICE <{allowed}> {{ ?s ?p ?o }} }}"
    assert check_query(query, [allowed]).services == (allowed,)
    with pytest.raises(ServiceNotAllowed, match="variable"):
        check_query("SELECT * { BIND(<http://allowed.example/sparql> AS ?e) "
                    "SERVICE ?e { ?s ?p ?o } }", [allowed])
    with pytest.raises(ServiceNotAllowed):
        check_query("SELECT * { SERVICE undeclared:x { ?s ?p ?o } }", [allowed])


@pytest.mark.parametrize("text, form", [
    ("SELECT * { ?s ?p ?o }", "select"),
    ("PREFIX ex: <http://x/> BASE <http://y/> select*{}", "select"),
    ("# ASK\nCONSTRUCT WHERE { ?s ?p ?o }", "graph"),
    ("DESCRIBE <http://x/>", "graph"),
    ("ASK {}", "ask"),
    ("PREFIX insert: <http://x/> SELECT * { ?s insert:p ?o }", "select"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", "update"),
    ("PREFIX ex: <http://x/> DELETE WHERE { ?s ex:p ?o }", "update"),
    ("WITH <http://g/> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "update"),
    ("CLEAR ALL", "update"),
    ("LOAD <http://x/data.ttl>", "update"),
])
def test_form_from_the_text(text: str, form: str) -> None:
    assert inspect_query(text).form == form


def test_updates_are_refused_as_read_only() -> None:
    with pytest.raises(QueryError, match="read-only"):
        check_query("DROP ALL")


def test_query_size_limit_counts_bytes() -> None:
    query = "SELECT * { ?s ?p \"" + "ư" * 40 + "\" }"
    check_query(query, max_bytes=200)
    with pytest.raises(TooLarge, match="100 bytes"):
        check_query(query, max_bytes=100)
