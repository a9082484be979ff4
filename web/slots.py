"""Query slots shared by every web worker: a bounded number of SPARQL queries run
at once, a bounded number wait, and one client holds only a few of either.

gunicorn runs several worker processes, so the counts cannot live in one
process's memory. Each slot is one byte of a lock file, held with an
open-file-description lock (Linux ``F_OFD_SETLK``): such a lock belongs to
the open file, not to the process, so threads of one worker exclude each
other as workers do, and the kernel lets go of it when the file is closed,
whether the request ends or its worker is killed. Nothing can leak: there is
no counter to put back.

Regions of the lock file (byte offsets)::

    [0, 2**20)            running queries: byte i is slot i
    [2**20, 2**21)        waiting queries: byte j is place j in the queue
    [2**40, 2**62)        per client: 256 bytes at an offset hashed from the address
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import math
import os
import random
import struct
import time
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Overloaded, TooManyRequests, UsageError

QUEUE_BASE = 1 << 20
CLIENT_BASE = 1 << 40
MOST = 1 << 20  # slots or queue places
MOST_PER_CLIENT = 256
POLL = 0.01  # seconds between looks at the slots while waiting


@dataclass(frozen=True)
class Limits:
    """How many queries may run, wait, and belong to one client (0: no limit)."""

    slots: int
    queue: int
    per_client: int
    wait: float  # longest wait for a slot, in seconds

    def __post_init__(self) -> None:
        if not (0 <= self.slots < MOST and 0 <= self.queue < MOST
                and 0 <= self.per_client <= MOST_PER_CLIENT):
            raise UsageError(f"KG_QUERY_SLOTS and KG_QUERY_QUEUE must be from 0 to {MOST - 1}, "
                             f"KG_CLIENT_QUERIES from 0 to {MOST_PER_CLIENT}")


class _LockFile:
    """One open description of the lock file; closing it frees every byte it holds."""

    def __init__(self, path: Path) -> None:
        self.fd = -1
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        try:
            self.fd = os.open(path, flags, 0o600)
        except FileNotFoundError:  # the run directory, made on first use (not per query)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(path, flags, 0o600)

    def take(self, offset: int) -> bool:
        """Lock one byte, without waiting; False if another holder has it."""
        return self._lock(fcntl.F_WRLCK, offset)

    def give(self, offset: int) -> None:
        self._lock(fcntl.F_UNLCK, offset)

    def take_any(self, base: int, count: int) -> int | None:
        """Lock one byte of ``[base, base + count)``, trying from a random one; which, or None."""
        start = random.randrange(count)
        for step in range(count):
            offset = base + (start + step) % count
            if self.take(offset):
                return offset
        return None

    def _lock(self, kind: int, offset: int) -> bool:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (0 for OFD locks).
        request = struct.pack("hhqqi4x", kind, os.SEEK_SET, offset, 1, 0)
        try:
            fcntl.fcntl(self.fd, fcntl.F_OFD_SETLK, request)
        except OSError as error:
            if error.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:  # a ticket dropped without release() still frees its slots
        self.close()


class Ticket:
    """A client's admission: its place among its own queries and a running slot."""

    def __init__(self, lock: _LockFile | None) -> None:
        self._lock = lock

    def release(self) -> None:
        """Free the slot and the client's place (idempotent)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None


@functools.lru_cache(maxsize=4096)  # clients come back: hash each address once
def _client_offset(client: str) -> int:
    digest = hashlib.blake2b(client.encode("utf-8", "surrogatepass"), digest_size=6).digest()
    return CLIENT_BASE + int.from_bytes(digest, "big") * MOST_PER_CLIENT


class QuerySlots:
    """Admission of SPARQL queries, shared through a lock file in the run directory."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits

    def admit(self, client: str) -> Ticket:
        """A ticket to run a query now; TooManyRequests or Overloaded if not."""
        limits = self.limits
        if not limits.slots and not limits.per_client:
            return Ticket(None)
        lock = _LockFile(self.path)
        try:
            if limits.per_client and lock.take_any(_client_offset(client),
                                                   limits.per_client) is None:
                raise TooManyRequests(
                    f"you already have {limits.per_client} queries running or waiting; send "
                    "the next one when one of them has answered", 1)
            if limits.slots:
                self._wait_for_slot(lock)
        except BaseException:
            lock.close()
            raise
        return Ticket(lock)

    def _wait_for_slot(self, lock: _LockFile) -> None:
        limits = self.limits
        if lock.take_any(0, limits.slots) is not None:
            return
        place = lock.take_any(QUEUE_BASE, limits.queue) if limits.queue else None
        retry = math.ceil(limits.wait)
        if place is None:
            raise Overloaded(f"all {limits.slots} query slots are busy and {limits.queue} "
                             "queries are waiting; try again later", retry)
        deadline = time.monotonic() + limits.wait
        while time.monotonic() < deadline:
            time.sleep(POLL * random.uniform(0.5, 1.5))
            if lock.take_any(0, limits.slots) is not None:
                lock.give(place)
                return
        raise Overloaded(f"no query slot came free within {limits.wait:g} s; try again later",
                         retry)
