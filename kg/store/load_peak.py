"""Knowing when a bulk load has passed its memory peak, to start other work then.

Oxigraph's bulk loader holds its sort buffers (over a GiB for the 18M triples
of 250,000 MARC records) while it parses and sorts on every core, then frees
them and finishes on less than one core for some 20-30 s. Work that only needs
CPU (the dump helpers at the lowest priority, :class:`kg.export.dumps.EarlyMembers`)
is best started at that point: it uses the idle core without adding its own
memory to the load's peak, which the build keeps under 2 GiB.

The point is taken as memory fallen back by two thirds of what the load added.
In a build of those records the process held 297 MiB when the load began,
1,940 at its peak, no less than 1,218 between two of its batches (a fall of
44%), and 651 through its last 27 s (78%): two thirds (67%) leaves room on
both sides, where the rule of three quarters that came before it was 57 MiB
from missing that end. Since the conversion runs in a process of its own
(:func:`kg.convert.parallel.convert_marc`), the build holds 65 MiB when the
load begins, 1,693 at its peak and 409-420 in its tail (a fall of 83%); taking
in what the conversion found there brings it to 678-689.

>>> PastPeak.passed(start=600, peak=1800, now=1500, growth=256)
False
>>> PastPeak.passed(start=600, peak=1800, now=850, growth=256)
True
>>> PastPeak.passed(start=600, peak=1800, now=1050, growth=256)  # fallen back by five eighths
False
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
    by at least ``growth`` bytes since :meth:`start` and fallen back by two thirds
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
        """True once memory rose by ``growth`` or more and two thirds of it are gone."""
        return peak - start >= growth and now - start <= (peak - start) / 3

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
