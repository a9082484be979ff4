"""A rate limit per client, shared by every web worker: a token bucket in SQLite.

Each client has a bucket of ``burst`` tokens that refills at ``rate`` tokens
a second; a request takes one, and a request that finds the bucket empty is
refused with the seconds until a token is back. The buckets live in one small
SQLite file in the run directory (WAL, no fsync: losing them in a crash only
forgives some clients), so the limit holds across gunicorn's worker
processes. If the file stays locked for longer than a request should wait,
the request is let through: the limit protects the service, it must not be
what stops it.
"""

from __future__ import annotations

import math
import random
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = "CREATE TABLE IF NOT EXISTS bucket (client TEXT PRIMARY KEY, tokens REAL, at REAL)"
LOCK_WAIT = 0.5  # seconds a request waits for the file before it is let through
PRUNE_EVERY = 1000  # requests, on average, between removals of full buckets


class RateLimit:
    """Token buckets by client address in a SQLite file."""

    def __init__(self, path: Path, rate: float, burst: int) -> None:
        self.path = path
        self.rate = rate
        self.burst = max(1, burst)
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=LOCK_WAIT, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(SCHEMA)
            self._local.connection = connection
        return connection

    def take(self, client: str) -> float:
        """Take a token for the client: 0 if it may go on, else seconds until it may."""
        try:
            return self._take(self._connection(), client, time.time())
        except sqlite3.OperationalError:
            return 0.0  # the file stayed locked: let the request through

    def _take(self, db: sqlite3.Connection, client: str, now: float) -> float:
        db.execute("BEGIN IMMEDIATE")  # waits up to LOCK_WAIT for the other writers
        try:
            row = db.execute("SELECT tokens, at FROM bucket WHERE client = ?",
                             (client,)).fetchone()
            tokens = float(self.burst) if row is None else \
                min(self.burst, row[0] + max(0.0, now - row[1]) * self.rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
            if not wait:
                tokens -= 1
            db.execute("INSERT INTO bucket VALUES (?, ?, ?) ON CONFLICT(client) DO UPDATE "
                       "SET tokens = excluded.tokens, at = excluded.at", (client, tokens, now))
            if random.randrange(PRUNE_EVERY) == 0:
                # A bucket untouched for long enough to be full again is as good as none.
                db.execute("DELETE FROM bucket WHERE at < ?", (now - self.burst / self.rate,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return wait


def retry_after(wait: float) -> int:
    """The whole seconds a refused client is told to wait (Retry-After)."""
    return max(1, math.ceil(wait))
