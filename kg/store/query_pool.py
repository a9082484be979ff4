"""Query processes that can be stopped: the time limit of the SPARQL endpoint.

pyoxigraph has no timeout, and a Python thread cannot interrupt it, so each
query runs in a process of :mod:`kg.store.query_worker`. A process whose query
runs past the limit is killed and replaced; the caller gets
:class:`~kg.errors.QueryTimeout` while the other processes go on serving.

Each web worker has one pool, as large as its number of threads, so a
request never waits for another request's query: ``workers x threads``
query processes in all, each with the current release open read-only. A
process reopens the store when a job names another release (a publish or a
rollback) and keeps it open while jobs name the same one.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from kg.errors import QueryError, QueryTimeout, StoreError


@dataclass(frozen=True)
class Job:
    """One query to evaluate on one release."""

    db: str
    query: str
    default_graph: list[str] | None
    named_graphs: list[str] | None
    formats: dict[str, str]  # output format by form: select, ask, graph
    max_rows: int
    base_iri: str | None = None  # what relative IRIs in the query resolve against


class _Expired(Exception):
    """The deadline passed before the query process answered."""


class QueryProcess:
    """One query process and the two ends of its pipes."""

    def __init__(self, isolated: bool = False) -> None:
        flags = ["--no-network"] if isolated else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg.store.query_worker", *flags],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        assert self.process.stdin is not None and self.process.stdout is not None
        self.jobs = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.answers = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.process.stdin.close()
        self.process.stdout.close()

    def send(self, job: Job) -> None:
        self.jobs.send(job.__dict__)

    def receive(self, deadline: float) -> tuple[Any, ...]:
        """The next message, or _Expired at the deadline; StoreError if the process died."""
        try:
            if not self.answers.poll(max(0.0, deadline - time.monotonic())):
                raise _Expired
            return self.answers.recv()
        except (EOFError, OSError):
            raise StoreError("the query process stopped unexpectedly") from None

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.jobs.close()
        self.answers.close()


class PendingAnswer:
    """An answer coming from a query process: its form, whether it was capped, its bytes."""

    def __init__(self, pool: QueryPool, process: QueryProcess | None, head: tuple[Any, ...],
                 timeout: float) -> None:
        self.form: str = head[1]
        self.truncated: bool = head[2]
        self._whole: bytes | None = head[3] if head[0] == "whole" else None
        self._pool = pool
        self._process = process
        self._timeout = timeout

    def chunks(self) -> Iterator[bytes]:
        """The serialized answer, as it arrives; the process goes back to the pool at the end."""
        if self._whole is not None:
            yield self._whole
            return
        process = self._process
        if process is None:
            return
        # Evaluation is over once the head arrived (the cap made the answer
        # finite); writing it out gets a limit of its own.
        deadline = time.monotonic() + self._timeout
        try:
            while True:
                message = process.receive(deadline)
                if message[0] == "data":
                    yield message[1]
                elif message[0] == "end":
                    self._process = None
                    self._pool.release(process)
                    return
                else:
                    raise _as_error(message)
        except _Expired:
            raise QueryTimeout("writing the answer took longer than the time limit") from None
        finally:
            if self._process is not None:  # stopped early: the process is mid-answer
                self._process = None
                self._pool.discard(process)

    def read(self) -> bytes:
        """The whole answer."""
        return b"".join(self.chunks())


def _as_error(message: tuple[Any, ...]) -> Exception:
    kind, text = message[1], message[2]
    if kind in ("syntax", "query"):
        return QueryError(text)
    return StoreError(text)


class QueryPool:
    """Up to ``size`` query processes, started when first needed.

    ``isolated`` processes have no network at all (when SERVICE may call no endpoint).
    """

    def __init__(self, size: int, isolated: bool = False) -> None:
        self.size = max(1, size)
        self.isolated = isolated
        self._idle: queue.LifoQueue[QueryProcess] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._started = 0

    def run(self, job: Job, timeout: float) -> PendingAnswer:
        """Start a job; the answer's head, or QueryTimeout after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        process = self._acquire(deadline, timeout)
        try:
            process.send(job)
            head = process.receive(deadline)
        except _Expired:
            self.discard(process)
            raise QueryTimeout(f"the query ran longer than the limit of {timeout:g} s and "
                               "was stopped; narrow it down (fewer patterns, a LIMIT) or "
                               "ask for a larger limit") from None
        except BaseException:
            self.discard(process)
            raise
        if head[0] == "error":
            self.release(process)
            raise _as_error(head)
        if head[0] == "whole":
            self.release(process)
            return PendingAnswer(self, None, head, timeout)
        return PendingAnswer(self, process, head, timeout)

    def _acquire(self, deadline: float, timeout: float) -> QueryProcess:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._started < self.size:
                self._started += 1
                return QueryProcess(self.isolated)
        try:
            return self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise QueryTimeout(f"all {self.size} query processes stayed busy for "
                               f"{timeout:g} s; try again later") from None

    def release(self, process: QueryProcess) -> None:
        """Give a process that finished its job back to the pool."""
        self._idle.put(process)

    def discard(self, process: QueryProcess) -> None:
        """Kill a process (stopped or broken) and start its replacement right away."""
        process.kill()
        try:
            replacement = QueryProcess(self.isolated)
        except OSError:
            with self._lock:
                self._started -= 1
            return
        self._idle.put(replacement)

    def close(self) -> None:
        """Stop every idle process."""
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return
