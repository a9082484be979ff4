"""A web worker made ready before it takes requests: pages rendered once, then the
heap frozen out of the cyclic garbage collector.

A fresh worker's first entity page costs about 100 ms (the release opened,
the ontology and shapes read, templates compiled, catalogs loaded), and a
worker's threads share one interpreter, so that page also holds up whatever
the other threads were answering. Afterwards, the objects made at start
(templates, labels, Babel's locale data: some 50,000) would be scanned by
each full collection, a 40-60 ms pause every few hundred requests; frozen,
a full collection scans only what requests made since (about 1 ms).
See ``bench/README.md``, "Pages p99: profile and fixes (issue 9)".
"""

from __future__ import annotations

import gc
import logging
import time
from urllib.parse import quote

from flask import Flask

from kg.kinds import KINDS
from web import live_store
from web.limits import WARM_UP_KEY
from web.release_data import entity_index

log = logging.getLogger(__name__)
SEARCH_WORD = "a"  # any word: the search page and the index's search tables are what warm
# gunicorn replaces a worker silent for KG_QUERY_TIMEOUT x 3 (at least 30 s): a slow
# remote store must not make warming up outlast that.
BUDGET_SECONDS = 5.0


def warm_up_paths(app: Flask) -> list[str]:
    """The home page, a search, and the first entity of each kind (but concepts)."""
    paths = ["/", f"/search?q={quote(SEARCH_WORD)}"]
    index = entity_index(live_store(app).snapshot(), required=False)
    if index is None:
        return paths
    for kind in KINDS:
        if kind == "concept":
            # A concept's page is the generic one (a position warms it too), and the
            # first concept may be a subject of half the catalogue: 300 ms of backlinks.
            continue
        first = index.browse(kind, "", limit=1).items
        if first:
            paths.append(f"/page/{kind}/{first[0].key}")
    return paths


def warm_up(app: Flask) -> dict[tuple[str, str], int]:
    """Request each warm-up path in each interface language; (language, path) -> status.

    A failure is logged, not raised: a worker that could not warm still serves.
    """
    statuses: dict[tuple[str, str], int] = {}
    client = app.test_client()
    client.environ_base[WARM_UP_KEY] = True  # not counted against 127.0.0.1's rate limit
    deadline = time.monotonic() + BUDGET_SECONDS
    try:
        paths = warm_up_paths(app)
    except Exception:  # noqa: BLE001 (the worker must start even if the release is odd)
        log.exception("warm-up could not list pages to render")
        paths = ["/"]
    for language in app.config["KG_SETTINGS"].language_list:
        for path in paths:
            if time.monotonic() > deadline:
                log.warning("warm-up stopped after %.0f s", BUDGET_SECONDS)
                return statuses
            try:
                answer = client.get(path, headers={"Accept-Language": language})
                statuses[language, path] = answer.status_code
            except Exception:  # noqa: BLE001 (as above)
                log.exception("warm-up request %s failed", path)
                statuses[language, path] = 500
    return statuses


def freeze_heap() -> int:
    """Collect, then move every object alive now out of the collector's reach; how many."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def ready_worker(app: Flask) -> str:
    """Warm the app up and freeze the heap; a line for the server's log."""
    started = time.perf_counter()
    statuses = warm_up(app)
    frozen = freeze_heap()
    failed = sorted({path for (_, path), status in statuses.items() if status >= 500})
    return (f"worker warmed up: {len(statuses)} pages in "
            f"{1000 * (time.perf_counter() - started):.0f} ms"
            f"{f' ({len(failed)} failed: {failed})' if failed else ''}; "
            f"{frozen} objects frozen out of the garbage collector")
