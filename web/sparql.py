"""``/sparql``: the SPARQL 1.1 Protocol, read-only, over the union of all graphs.

A query is checked from its text first (updates and non-allow-listed
``SERVICE`` refused, size limited), then evaluated in a query process of
:mod:`kg.store.query_pool` that is killed at ``KG_QUERY_TIMEOUT``, with at
most ``KG_MAX_ROWS`` rows. A repeated GET revalidates with ``ETag`` and
``Last-Modified`` of the release. Without a query, ``/sparql`` is the query
page for browsers and the service description for RDF clients.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, current_app, request, url_for
from pyoxigraph import serialize
from werkzeug.http import http_date, is_resource_modified, quote_etag

from kg.errors import KgError
from kg.formats import rdf_format
from kg.query import Answer, check_query, read_answer
from kg.store import EmbeddedSnapshot, Snapshot
from kg.store.freshness import served_since
from kg.store.query_pool import Job, PendingAnswer, QueryPool
from kg.store.remote.answers import RemoteAnswer
from kg.store.remote.answers import answer as answer_remotely
from kg.store.remote.snapshot import RemoteSnapshot
from web.errors import add_error_headers
from web.i18n import reader_language
from web.limits import AdmittedAnswer, admit_query
from web.negotiation import HTML, Representation
from web.pages.security import CONTENT_SECURITY_POLICY
from web.service_description import PREFIXES as SD_PREFIXES
from web.service_description import describe_service
from web.sparql_formats import DESCRIPTION, TURTLE, choose, formats_for
from web.sparql_page import render_page
from web.sparql_request import QueryRequest, read_query_request
from web.state import settings, snapshot

blueprint = Blueprint("sparql", __name__)

CACHE_CONTROL = "public, max-age=300"  # a release never changes; a new one may come
STREAM_AFTER = 1 << 20  # answers larger than this are streamed, not buffered
# What the page asks the query process for, to read the answer back as terms.
PAGE_FORMATS = {"select": ("tsv", "text/tab-separated-values"), "ask": ("json", "application/json"),
                "graph": ("nt", "application/n-triples")}
EXPOSED = "ETag, X-SPARQL-MaxRows, X-KG-Truncated"
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH")
PAGE_POLICY = CONTENT_SECURITY_POLICY.replace("default-src 'none';",
                                              "default-src 'none'; script-src 'self';")


def query_pool(app: Flask) -> QueryPool:
    """This web worker's pool of query processes (made on first use, after any fork)."""
    pool = app.extensions.get("kg_query_pool")
    if pool is None or pool[0] != os.getpid():
        # Without allow-listed SERVICE endpoints, query processes need no network.
        isolated = not settings().service_allow_list
        pool = (os.getpid(), QueryPool(settings().threads, isolated))
        app.extensions["kg_query_pool"] = pool
    return pool[1]


@blueprint.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> Response:
    """Answer a query; without one, describe the service."""
    if request.method == "OPTIONS":
        return _preflight()
    limits = settings()
    wanted = read_query_request(limits.max_query_bytes)
    if wanted.query is None:
        return _description(wanted)
    browser = formats_for("unknown")["select"] is HTML
    try:
        shape = check_query(wanted.query, limits.service_allow_list, limits.max_query_bytes)
    except KgError as error:
        if browser:
            return render_page(wanted, error=error)
        raise
    chosen = formats_for(shape.form)
    snap = snapshot()
    fresh = _not_modified(snap, chosen.get(shape.form, chosen["select"]))
    if fresh is not None:
        return fresh
    if chosen.get(shape.form, chosen["select"]) is HTML:
        return _page(wanted, snap)
    answer = _run(snap, wanted, {form: r.name for form, r in chosen.items()})
    representation = chosen[answer.form]
    response = Response(_body(answer.chunks()), content_type=representation.media_type)
    _validators(response, snap, representation)
    _mark_truncated(response, answer.truncated)
    return response


def _run(snap: Snapshot, wanted: QueryRequest, formats: dict[str, str]) -> AdmittedAnswer:
    """Start the query in a query process (or on the remote store); its head and bytes."""
    if not isinstance(snap, (EmbeddedSnapshot, RemoteSnapshot)):
        raise KgError("this store cannot run queries in query processes")
    ticket = admit_query()  # may wait for a slot, or refuse with 429 or 503
    try:
        answer = _evaluate(snap, wanted, formats)
    except BaseException:
        ticket.release()
        raise
    return AdmittedAnswer(answer, ticket)


def _evaluate(snap: EmbeddedSnapshot | RemoteSnapshot, wanted: QueryRequest,
              formats: dict[str, str]) -> PendingAnswer | RemoteAnswer:
    """The answer of a query that holds its ticket."""
    if isinstance(snap, RemoteSnapshot):  # the store evaluates it, within the same limits
        return answer_remotely(snap, wanted.query or "", wanted.default_graphs,
                               wanted.named_graphs, formats, settings().max_rows,
                               settings().query_timeout, _base_iri())
    # The service's base IRI is the endpoint's own URL (SPARQL 1.1 Protocol 2.1.4).
    job = Job(snap.db, wanted.query or "", wanted.default_graphs,
              wanted.named_graphs, formats, settings().max_rows, _base_iri())
    return query_pool(current_app).run(job, settings().query_timeout)


def _body(chunks: Iterator[bytes]) -> bytes | Iterator[bytes]:
    """Small answers whole (with a Content-Length); large ones streamed as they come."""
    collected: list[bytes] = []
    size = 0
    for chunk in chunks:
        collected.append(chunk)
        size += len(chunk)
        if size > STREAM_AFTER:
            def rest() -> Iterator[bytes]:
                yield from collected
                yield from chunks
            return rest()
    return b"".join(collected)


def _page(wanted: QueryRequest, snap: Snapshot) -> Response:
    """The query page with the query's results as a table, or with its error."""
    formats = {form: name for form, (name, _) in PAGE_FORMATS.items()}
    try:
        running = _run(snap, wanted, formats)
        answer: Answer = read_answer(PAGE_FORMATS[running.form][1], running.read())
    except KgError as error:
        return add_error_headers(render_page(wanted, error=error), error)
    response = render_page(wanted, answer=answer, truncated=running.truncated,
                           max_rows=settings().max_rows, base_iri=snap.base_iri)
    _validators(response, snap, HTML)
    _mark_truncated(response, running.truncated)
    return response


def _description(wanted: QueryRequest) -> Response:
    """The service description for RDF clients, the query page for browsers."""
    chosen = choose(DESCRIPTION, TURTLE, graph=True)
    snap = snapshot()
    fresh = _not_modified(snap, chosen)
    if fresh is not None:
        return fresh
    if chosen is HTML:
        response = render_page(None)
    else:
        triples = describe_service(url_for("sparql.endpoint", _external=True),
                                   request.url_root + "void", snap,
                                   bool(settings().service_allow_list))
        fmt = rdf_format(chosen.name)
        body = serialize(triples, format=fmt, prefixes=SD_PREFIXES
                         if chosen.name in ("ttl", "trig", "rdf") else None)
        response = Response(body, content_type=chosen.media_type)
    _validators(response, snap, chosen)
    return response


def _etag(snap: Snapshot, representation: Representation) -> str:
    """Weak: the same query on the same release gives an equivalent answer."""
    tag = f"{snap.release_id}-{representation.name}"
    if representation is HTML:
        tag += "-" + reader_language()
    return quote_etag(tag, weak=True)


def _not_modified(snap: Snapshot, representation: Representation) -> Response | None:
    """A 304 when a GET's validators match the release being served."""
    if request.method != "GET" or not any(h in request.environ for h in CONDITIONAL):
        return None  # most requests ask unconditionally: no validators to compare
    etag = _etag(snap, representation)
    if is_resource_modified(request.environ, etag=etag, last_modified=served_since(snap)):
        return None
    response = Response(status=304)
    _validators(response, snap, representation)
    return response


def _validators(response: Response, snap: Snapshot, representation: Representation) -> None:
    if request.method == "GET":
        response.headers["ETag"] = _etag(snap, representation)
        response.headers["Last-Modified"] = _last_modified(snap)
        response.headers["Cache-Control"] = CACHE_CONTROL


def _last_modified(snap: Snapshot) -> str:
    """The release's Last-Modified header, formatted once per snapshot."""
    cached = getattr(snap, "_last_modified", None)
    if cached is None:
        cached = http_date(served_since(snap))
        snap._last_modified = cached  # type: ignore[attr-defined]
    return cached


def _base_iri() -> str:
    """The endpoint's own URL (the query's base IRI), worked out once per host and root."""
    environ = request.environ
    key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
           environ.get("SERVER_NAME"), environ.get("SERVER_PORT"), environ.get("SCRIPT_NAME"),
           environ.get("PATH_INFO"))
    base = _BASE_IRIS.get(key)
    if base is None:
        base = request.base_url
        if len(_BASE_IRIS) >= 256:  # the Host header is the client's: keep few
            _BASE_IRIS.clear()
        _BASE_IRIS[key] = base
    return base


_BASE_IRIS: dict[tuple, str] = {}


def _mark_truncated(response: Response, truncated: bool) -> None:
    """Virtuoso's header for a capped answer, and an explicit one."""
    if truncated:
        response.headers["X-SPARQL-MaxRows"] = str(settings().max_rows)
        response.headers["X-KG-Truncated"] = "true"


def _preflight() -> Response:
    """CORS preflight (and plain OPTIONS): what a cross-origin script may send."""
    response = Response(status=204)
    response.headers["Allow"] = "GET, POST, OPTIONS"
    if request.headers.get("Access-Control-Request-Method"):
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


@blueprint.after_request
def cors(response: Response) -> Response:
    """Any origin may read answers (and errors): the endpoint is public and read-only."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED
    response.vary.update(("Accept", "Accept-Language"))
    if response.mimetype == "text/html":
        # The query page's one script (web/static/sparql.js) is ours; the site's
        # policy, which allows none, would block it.
        response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response
