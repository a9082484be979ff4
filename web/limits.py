"""What keeps one client from taking the service from the others.

- every POST body is capped (``KG_MAX_BODY_BYTES``, Flask's
  ``MAX_CONTENT_LENGTH``): a larger one is 413 before it is read;
- every request but static files takes a token from its client's bucket
  (``KG_RATE_LIMIT``, ``KG_RATE_BURST``): past it, 429 with ``Retry-After``;
- every SPARQL query needs a ticket (:mod:`web.slots`): at most
  ``KG_CLIENT_QUERIES`` per client (429), ``KG_QUERY_SLOTS`` running on the
  whole server, ``KG_QUERY_QUEUE`` waiting (then 503 with ``Retry-After``).

Clients are told apart by address (:mod:`web.clients`). The shared state
lives in the run directory (``KG_RUN_DIR``), so the limits hold across
gunicorn's workers.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, current_app, g, request

from kg.errors import TooLarge, TooManyRequests
from kg.store.query_pool import PendingAnswer
from kg.store.remote.answers import RemoteAnswer
from web.clients import client_address, parse_networks
from web.rate_limit import RateLimit, retry_after
from web.slots import Limits, QuerySlots, Ticket
from web.state import settings

SLOTS_FILE = "query-slots.lock"
BUCKETS_FILE = "rate-limit.sqlite"
UNLIMITED = ("static",)  # endpoints the rate limit does not count
WARM_UP_KEY = "kg.warm_up"  # in the WSGI environ of web.warmup's requests


def init_app(app: Flask) -> None:
    """Cap request bodies, count requests per client, and prepare the query slots."""
    config = app.config["KG_SETTINGS"]
    # A POSTed SPARQL form may be three times the query's size (percent-encoding).
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_body_bytes,
                                           config.max_query_bytes * 3 + 4096)
    app.before_request(_refuse_large_bodies)
    run = config.run_path
    app.extensions["kg_trusted_proxies"] = parse_networks(config.trusted_proxy_list)
    app.extensions["kg_query_slots"] = QuerySlots(run / SLOTS_FILE, Limits(
        config.query_slots, config.query_queue, config.client_queries, config.query_timeout))
    if config.rate_limit > 0:
        app.extensions["kg_rate_limit"] = RateLimit(run / BUCKETS_FILE, config.rate_limit,
                                                    config.rate_burst)
        app.before_request(_count_request)


def _refuse_large_bodies() -> None:
    """413 for a body announced larger than the cap, on every route, before anything else."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(f"the request body is larger than the limit of {limit} bytes")


def client() -> str:
    """The address of the client of this request."""
    if "kg_client" not in g:
        g.kg_client = client_address(request.remote_addr or "",
                                     request.headers.get("X-Forwarded-For"),
                                     current_app.extensions["kg_trusted_proxies"])
    return g.kg_client


def _count_request() -> None:
    """Take a token from the client's bucket; 429 when it is empty."""
    # A worker's own warm-up (web.warmup) is no client's request; HTTP cannot set this key.
    if request.endpoint in UNLIMITED or request.environ.get(WARM_UP_KEY):
        return
    wait = current_app.extensions["kg_rate_limit"].take(client())
    if wait:
        rate = settings().rate_limit
        raise TooManyRequests(f"more than {rate:g} requests a second from {client()}; slow "
                              "down", retry_after(wait))


def admit_query() -> Ticket:
    """A ticket to run one SPARQL query; release it when the answer is written."""
    return current_app.extensions["kg_query_slots"].admit(client())


class AdmittedAnswer:
    """An answer that holds its query slot (:mod:`web.limits`) until its last byte."""

    def __init__(self, answer: PendingAnswer | RemoteAnswer, ticket: Ticket) -> None:
        self.form = answer.form
        self.truncated = answer.truncated
        self._answer = answer
        self._ticket = ticket

    def chunks(self) -> Iterator[bytes]:
        """The serialized answer; the slot is freed when it ends or is abandoned."""
        try:
            yield from self._answer.chunks()
        finally:
            self._ticket.release()

    def read(self) -> bytes:
        """The whole answer."""
        return b"".join(self.chunks())
