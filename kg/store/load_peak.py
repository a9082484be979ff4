"""Knowing when a bulk load has passed its memory peak, to start other work then.

Oxigraph's bulk loader holds its sort buffers (over a GiB for the 18M triples
of 250,000 MARC records) while it parses and sorts on every core, then frees
them and finishes on less than one core for some 20 s. Work that only needs
CPU (the dump helpers at the lowest priority, :class:`kg.export.dumps.EarlyMembers`)
is best started at that point: it uses the idle core without adding its own
memory to the load's peak, which the build keeps under 2 GiB.

>>> PastPeak.passed(start=600, peak=1800, now=1500, growth=256)
False
>>> PastPeak.passed(start=600, peak=1800, now=850, growth=256)
True
>>> PastPeak.passed(start=600, peak=700, now=600, growth=256)  # no peak to pass yet
False
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

MIB = 1 << 20


def rss_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc``), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class PastPeak:
    """Calls ``then`` (once, in a thread of its own) when this process's memory has grown
    by at least ``growth`` bytes since :meth:`start` and fallen back by three quarters
    of what it grew; never if :meth:`stop` comes first or memory cannot be read."""

    def __init__(self, then: Callable[[], None], growth: int = 256 * MIB,
                 every: float = 0.5, rss: Callable[[], int | None] = rss_bytes) -> None:
        self.then = then
        self.growth = growth
        self.every = every
        self.rss = rss
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True,
                                        name="past-load-peak")

    @staticmethod
    def passed(start: int, peak: int, now: int, growth: int) -> bool:
        """True once memory rose by ``growth`` or more and three quarters of it is gone."""
        return peak - start >= growth and now - start <= (peak - start) / 4

    def start(self) -> PastPeak:
        """Begin watching (memory now is the start)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching; ``then`` is not called after this returns."""
        self._stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _watch(self) -> None:
        start = self.rss()
        if start is None:
            return
        peak = start
        while not self._stopped.wait(self.every):
            now = self.rss()
            if now is None:
                return
            peak = max(peak, now)
            if self.passed(start, peak, now, self.growth):
                self.then()
                return
