"""``/sparql`` in-process (Flask's test client): protocol edge cases, conneg, HTTP caching, CORS."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import RdfFormat, parse
from rdflib import Graph, Namespace, URIRef

from tests.sparql_support import CONNEG, CONSTRUCT, PEOPLE, Listener, check_body

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def small_limits_client(serving: dict[str, str]):
    from web import create_app

    app = create_app({**serving, "max_rows": 3, "max_query_bytes": 300})
    return app.test_client()


@pytest.mark.parametrize("query, accept, media_type", CONNEG)
def test_conneg_matrix(client, query: str, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": query}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == media_type
    assert "Accept" in response.headers["Vary"]
    check_body(response.get_data(), media_type)


@pytest.mark.parametrize("format_values, media_type", [
    (["csv"], "text/csv"),
    (["tsv", "text/tab-separated-values"], "text/tab-separated-values"),
    (["srx"], "application/sparql-results+xml"),
    (["nonsense", "json"], "application/sparql-results+json"),
])
def test_format_parameter_beats_accept(client, format_values: list[str],
                                       media_type: str) -> None:
    response = client.get("/sparql", query_string=[("query", PEOPLE)] + [
        ("format", v) for v in format_values], headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_unacceptable_formats_are_406(client) -> None:
    assert client.get("/sparql", query_string={"query": PEOPLE},
                      headers={"Accept": "image/png"}).status_code == 406
    response = client.get("/sparql", query_string={"query": CONSTRUCT, "format": "csv"})
    assert response.status_code == 406
    assert "ttl" in response.get_data(as_text=True)


def test_both_post_forms_and_the_dataset_in_the_body(client) -> None:
    form = client.post("/sparql", data={"query": PEOPLE}, headers={"Accept": "text/csv"})
    direct = client.post("/sparql", data=PEOPLE.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert form.get_data() == direct.get_data()
    assert len(form.get_data(as_text=True).splitlines()) == 9
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a foaf:Person }"
    people = "http://127.0.0.1:5000/graph/people-csv"
    in_body = client.post("/sparql", data={"query": count, "default-graph-uri": people},
                          headers={"Accept": "text/csv"})
    assert in_body.get_data(as_text=True).splitlines() == ["n", "8"]
    other = client.post("/sparql", data={"query": count, "default-graph-uri":
                        "http://127.0.0.1:5000/graph/events-yaml"}, headers={"Accept": "text/csv"})
    assert other.get_data(as_text=True).splitlines() == ["n", "0"]


def test_named_graph_uri_limits_graph_patterns(client) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    everything = client.get("/sparql", query_string={"query": query},
                            headers={"Accept": "text/csv"})
    assert len(everything.get_data(as_text=True).splitlines()) == 1 + 8
    two = client.get("/sparql", query_string=[
        ("query", query), ("named-graph-uri", "http://127.0.0.1:5000/graph/people-csv"),
        ("named-graph-uri", "http://127.0.0.1:5000/graph/events-yaml")],
        headers={"Accept": "text/csv"})
    assert two.get_data(as_text=True).splitlines()[1:] == [
        "http://127.0.0.1:5000/graph/events-yaml", "http://127.0.0.1:5000/graph/people-csv"]
    assert client.get("/sparql", query_string={"query": query, "named-graph-uri": "not an iri"}
                      ).status_code == 400


@pytest.mark.parametrize("headers, body, status, words", [
    ({"Content-Type": "text/plain"}, b"ASK {}", 415, "application/sparql-query"),
    ({}, b"query=ASK%20%7B%7D", 415, "without Content-Type"),
    ({"Content-Type": "application/sparql-query; charset=UTF-16"},
     "ASK {}".encode("utf-16"), 415, "UTF-8"),
    ({"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400, "UTF-8"),
    ({"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 400, "read-only"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, b"update=CLEAR%20ALL", 400,
     "read-only"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, b"query=ASK%7B%7D&query=ASK%7B%7D",
     400, "one query"),
    ({"Content-Type": "application/x-www-form-urlencoded"}, b"format=json", 400, "query=..."),
    ({"Content-Type": "application/sparql-query"}, b"INSERT DATA { <a:b> <a:c> <a:d> }", 400,
     "read-only"),
    ({"Content-Type": "application/sparql-query"}, b"SELECT * WHERE { ?s ?p }", 400, "1:"),
])
def test_bad_requests_are_4xx_with_a_message(client, headers: dict, body: bytes, status: int,
                                             words: str) -> None:
    response = client.post("/sparql", data=body, headers=headers)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_put_is_405_and_update_by_get_400(client) -> None:
    put = client.put("/sparql", data={"query": "ASK {}"})
    assert put.status_code == 405 and "POST" in put.headers["Allow"]
    assert client.get("/sparql", query_string={"update": "CLEAR ALL"}).status_code == 400


def test_repeated_get_is_304_by_etag_or_date(client) -> None:
    first = client.get("/sparql", query_string={"query": PEOPLE}, headers={"Accept": "text/csv"})
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('W/"00001-') and "public" in first.headers["Cache-Control"]
    again = client.get("/sparql", query_string={"query": PEOPLE},
                       headers={"Accept": "text/csv", "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    by_date = client.get("/sparql", query_string={"query": PEOPLE},
                         headers={"Accept": "text/csv", "If-Modified-Since": modified})
    assert by_date.status_code == 304
    other_format = client.get("/sparql", query_string={"query": PEOPLE},
                              headers={"Accept": "application/sparql-results+json",
                                       "If-None-Match": etag})
    assert other_format.status_code == 200


def test_cors_on_answers_errors_and_preflight(client) -> None:
    answer = client.get("/sparql", query_string={"query": "ASK {}"},
                        headers={"Origin": "https://partner.example"})
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "X-SPARQL-MaxRows" in answer.headers["Access-Control-Expose-Headers"]
    error = client.get("/sparql", query_string={"query": "ASK {"})
    assert error.status_code == 400 and error.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/sparql", headers={
        "Origin": "https://partner.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_row_cap_and_query_size_limit(small_limits_client) -> None:
    capped = small_limits_client.get("/sparql", query_string={"query": PEOPLE},
                                     headers={"Accept": "text/csv"})
    assert capped.headers["X-SPARQL-MaxRows"] == "3" and capped.headers["X-KG-Truncated"] == "true"
    assert len(capped.get_data(as_text=True).splitlines()) == 4
    page = small_limits_client.get("/sparql", query_string={"query": PEOPLE},
                                   headers={"Accept": "text/html", "Accept-Language": "en"})
    assert "the answer was cut at the endpoint" in page.get_data(as_text=True)
    whole = small_limits_client.get("/sparql", query_string={"query": "ASK {}"})
    assert "X-SPARQL-MaxRows" not in whole.headers
    big = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 400
    assert small_limits_client.post("/sparql", data={"query": big}).status_code == 413
    too_big_body = small_limits_client.post("/sparql", data=big.encode(), headers={
        "Content-Type": "application/sparql-query"})
    assert too_big_body.status_code == 413 and "300 bytes" in too_big_body.get_data(as_text=True)


def test_service_is_refused_with_403_without_a_connection(client) -> None:
    listener = Listener()
    try:
        response = client.get("/sparql", query_string={
            "query": f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"})
        assert response.status_code == 403
        assert f"SERVICE <{listener.url}> is not allowed" in response.get_data(as_text=True)
        assert listener.connections() == 0
    finally:
        listener.close()


def test_allow_listed_service_is_called(demo_store: Path) -> None:
    from web import create_app

    listener = Listener()
    try:
        client = create_app({"store": str(demo_store), "service_allow": listener.url}).test_client()
        response = client.get("/sparql", query_string={
            "query": f"SELECT * {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"})
        # The listener hangs up, so the federated call fails, but it was made.
        assert response.status_code == 400 and "the query failed" in response.get_data(as_text=True)
        assert listener.connections() == 1
    finally:
        listener.close()


@pytest.mark.parametrize("accept, fmt", [
    ("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
])
def test_service_description_for_rdf_clients(client, accept: str, fmt: str) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    graph = Graph().parse(data=response.get_data(as_text=True), format=fmt)
    service = URIRef("http://localhost/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    assert (service, SD.resultFormat, URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) \
        in graph
    names = set(graph.objects(None, SD.name))
    assert URIRef("http://127.0.0.1:5000/graph/people-csv") in names
    dataset = graph.value(service, SD.defaultDataset)
    assert URIRef("http://localhost/void") in set(graph.objects(dataset, URIRef(
        "http://www.w3.org/2000/01/rdf-schema#seeAlso")))
    assert response.headers["ETag"]


def test_query_page_for_browsers(client) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "PREFIX foaf: &lt;http://xmlns.com/foaf/0.1/&gt;" in page
    assert "People of an institution" in page and "Speakers of an event" in page
    assert "//" not in "".join(line for line in page.splitlines()
                               if "<script" in line or "stylesheet" in line)
    for name in ("sparql.js", "sparql.css"):
        assert client.get(f"/static/{name}").status_code == 200


def test_every_example_answers_on_the_demo(client) -> None:
    from web.sparql_page import examples

    assert len(examples()) >= 5
    for example in examples():
        response = client.get("/sparql", query_string={"query": example.text, "format": "json"})
        if response.mimetype == "application/ld+json":  # format=json of a CONSTRUCT
            assert len(list(parse(response.get_data(), RdfFormat.JSON_LD))) > 3, example.title
        else:
            rows = json.loads(response.get_data())["results"]["bindings"]
            assert rows, example.title


def test_results_table_links_entities_and_escapes(client) -> None:
    query = ('SELECT ?person ?text WHERE { ?person foaf:name "Trịnh Phi Cường" '
             'BIND("<script>alert(1)</script>" AS ?text) }')
    page = client.get("/sparql", query_string={"query": query},
                      headers={"Accept": "text/html"}).get_data(as_text=True)
    assert 'href="/page/person/trinh-phi-cuong"' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "format=csv" in page and "format=tsv" in page
    assert 'id="share-url"' in page
    error = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p <oops"},
                       headers={"Accept": "text/html"})
    assert error.status_code == 400
    assert "&lt;oops" in error.get_data(as_text=True)


def test_large_answers_are_streamed_and_capped(client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o . ?a a foaf:Person . ?b a foaf:Person }"  # 28k rows
    response = client.get("/sparql", query_string={"query": query})
    assert response.is_streamed and response.headers["X-SPARQL-MaxRows"] == "10000"
    rows = json.loads(response.get_data())["results"]["bindings"]
    assert len(rows) == 10_000


SPARQL_BITS = st.sampled_from([
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "?s", "?p", "?o", ".", ";",
    "SERVICE", "SILENT", "PREFIX", "BASE", "ex:", "<http://x.example/>", "<", ">", "\"", "'",
    "'''", "#", "\n", "\\u0041", "FILTER", "(", ")", "GRAPH", "LIMIT 1", "INSERT", "a", "*",
    "foaf:Person", "OPTIONAL", "VALUES", "UNION", "\x00", "é", "SERVICE:x"])


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(SPARQL_BITS, st.text(max_size=8)), max_size=25),
       accept=st.sampled_from(["*/*", "text/html", "text/csv", "application/x-nonsense", ""]),
       method=st.sampled_from(["GET", "POST"]))
def test_odd_queries_get_an_answer_or_a_4xx_never_a_500(client, parts: list[str], accept: str,
                                                        method: str) -> None:
    query = " ".join(parts)
    headers = {"Accept": accept} if accept else {}
    if method == "GET":
        response = client.get("/sparql", query_string={"query": query}, headers=headers)
    else:
        response = client.post("/sparql", data=query.encode("utf-8", "surrogatepass"),
                               headers={**headers, "Content-Type": "application/sparql-query"})
    assert response.status_code < 500, response.get_data(as_text=True)
