"""The N-Triples text of each graph a build loads, kept while the build runs.

Reading a large graph back out of Oxigraph costs far more than loading it:
every term is a database look-up (the 18M-triple MARC catalogue takes about
300 s to dump, 35 s to parse from text). So while a build loads a converted
source, it also writes the same triples as N-Triples into a file of its own,
and publish-time writers that want a whole graph (the dumps) read that file.

A text may hold a triple twice (the store keeps it once); :meth:`GraphTexts.get`
gives a text only while its line count equals the store's count for the
graph, so a reader of the text sees exactly the graph's triples. Counting 18M
triples takes Oxigraph 10 s, so a graph is counted once, until that graph is
written again (:meth:`GraphTexts.written`), and the count also serves the
store's total (:meth:`kg.store.staging.StagingView.count`). A graph loaded
from its whole text is counted ahead, in a thread begun right after its load
(:meth:`GraphTexts.count_ahead`), while the build declares agents and validates.

A writer that knows which of its lines the entity index reads may also write
them to the text's "picks" (:meth:`GraphTexts.writer` with ``picks=True``;
:mod:`kg.index.picks`), so that the index does not scan the whole text for
them.

>>> import tempfile
>>> texts = GraphTexts(Path(tempfile.mkdtemp()) / "texts")
>>> with texts.writer("http://example.org/graph/a") as sink:
...     _ = sink.write(b'<http://a> <http://p> "x" <http://example.org/graph/a> .\\n')
>>> texts.lines("http://example.org/graph/a")
1
>>> texts.path("http://example.org/graph/a").read_bytes()
b'<http://a> <http://p> "x" .\\n'
>>> texts.clear()
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO


class GraphTexts:
    """A folder of per-graph N-Triples files, with the number of lines in each."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lines: dict[str, int] = {}
        # Graphs whose writer also wrote the lines the entity index reads.
        self._picked: set[str] = set()
        # The store's count of each graph's triples, until that graph is written
        # (a Future while a count begun by :meth:`count_ahead` runs).
        self._counts: dict[str, int | Future[int]] = {}
        self._counting: ThreadPoolExecutor | None = None

    def path(self, graph: str) -> Path:
        """Where a graph's text is (whether or not it was written)."""
        return self.folder / (hashlib.sha1(graph.encode()).hexdigest() + ".nt")

    def picks(self, graph: str) -> Path | None:
        """The lines of a graph's text that the entity index reads, if its writer set
        them apart (ask :meth:`get` first: they are the text's only while it is)."""
        path = self._picks_path(graph)
        return path if graph in self._picked and path.is_file() else None

    def _picks_path(self, graph: str) -> Path:
        return self.path(graph).with_suffix(".picks.nt")

    def lines(self, graph: str) -> int | None:
        """The number of triples written for a graph, or None if it has no text."""
        return self._lines.get(graph)

    @contextmanager
    def writer(self, graph: str, quads: bool = True, picks: bool = False,
               ) -> Iterator[LineEnds]:
        """A sink for the graph's N-Quads (one graph only; kept as N-Triples), or for
        its N-Triples (``quads=False``). With ``picks``, the caller also writes
        to the sink's ``picks`` every line of the text the entity index reads."""
        self.drop(graph)
        self.folder.mkdir(parents=True, exist_ok=True)
        with ExitStack() as files:
            handle = files.enter_context(self.path(graph).open("wb"))
            # One graph's N-Quads lose the graph at each line's end; N-Triples pass.
            sink = LineEnds(handle, f" <{graph}> .\n".encode() if quads else b" .\n")
            if picks:
                sink.picks = files.enter_context(self._picks_path(graph).open("wb"))
            yield sink
            sink.close()
        if sink.foreign:  # a line of another graph: not this graph's text
            self.path(graph).unlink()
            self._picks_path(graph).unlink(missing_ok=True)
            return
        self._lines[graph] = sink.lines
        if picks:
            self._picked.add(graph)

    def get(self, graph: str, count: Callable[[], int]) -> Path | None:
        """The graph's text if it holds exactly the graph's triples (``count`` asks the
        store, unless it was asked since the graph was last written)."""
        lines = self._lines.get(graph)
        if lines is None or not self.path(graph).is_file():
            return None
        return self.path(graph) if self.counted(graph, count) == lines else None

    def counted(self, graph: str, count: Callable[[], int]) -> int | None:
        """The store's count of a graph that has a text (asked of ``count`` once, as by
        :meth:`get`); None for a graph without one."""
        if graph not in self._lines:
            return None
        if graph not in self._counts:
            self._counts[graph] = count()
        known = self._counts[graph]
        if isinstance(known, Future):
            # A count begun ahead: its error, if any, is the store's and is raised here.
            known = self._counts[graph] = known.result()
        return known

    def count_ahead(self, graph: str, count: Callable[[], int]) -> None:
        """Begin the store's count of a graph with a text in a thread of its own, for
        :meth:`counted` (and :meth:`get`) to take later.

        Oxigraph counts without the GIL, so the count runs while the build goes on
        (250,000 MARC records: 7-11 s of a core, which the build would otherwise
        spend waiting for it when it checks the text). Writing the graph again
        before that forgets the count, as for one asked in the caller's thread.
        """
        if graph not in self._lines:
            return
        if self._counting is None:
            self._counting = ThreadPoolExecutor(1, thread_name_prefix="count-ahead")
        self._counts[graph] = self._counting.submit(count)

    def written(self, graphs: Iterable[str] | None = None) -> None:
        """These graphs (None: any) were written: count them again before giving their
        texts out."""
        if graphs is None:
            self._counts.clear()
        for graph in graphs or ():
            self._counts.pop(graph, None)

    def drop(self, graph: str) -> None:
        """Forget a graph's text (the graph was removed or is loaded again)."""
        self._counts.pop(graph, None)
        if self._lines.pop(graph, None) is not None:
            self.path(graph).unlink(missing_ok=True)
        self._picked.discard(graph)
        self._picks_path(graph).unlink(missing_ok=True)

    def clear(self) -> None:
        """Delete every text (the build is over), once no count begun ahead still reads
        the store (which is about to close)."""
        if self._counting is not None:
            self._counting.shutdown(wait=True, cancel_futures=True)
            self._counting = None
        self._lines.clear()
        self._counts.clear()
        self._picked.clear()
        shutil.rmtree(self.folder, ignore_errors=True)


class LineEnds:
    """Rewrites the end of each N-Triples or N-Quads line as the text streams by, and
    counts the lines.

    No term holds a raw line break (both formats escape them), so every line
    ends with ``old`` (`` .\n``, or `` <graph> .\n`` for one graph's N-Quads);
    a line that does not sets ``foreign``. With ``old == new`` the text passes
    through as it is.

    >>> import io
    >>> out = io.BytesIO()
    >>> quads = LineEnds(out, b" .\\n", b" <http://g> .\\n")
    >>> _ = quads.write(b'<http://a> <http://p> "x\\\\n" .\\n<http://a> <http://p> "y')
    >>> _ = quads.write(b'" .\\n')
    >>> out.getvalue().decode()
    '<http://a> <http://p> "x\\\\n" <http://g> .\\n<http://a> <http://p> "y" <http://g> .\\n'
    >>> quads.lines, quads.foreign
    (2, False)
    """

    def __init__(self, sink: IO[bytes] | object, old: bytes = b" .\n",
                 new: bytes = b" .\n") -> None:
        self.sink = sink
        # Where the lines the entity index reads go, when the writer sets them apart.
        self.picks: IO[bytes] | None = None
        self.lines = 0
        self.foreign = False
        self._old, self._new = old, new
        self._tail = b""

    def write(self, data: bytes) -> int:
        """Rewrite the complete lines; keep a partial line for the next call."""
        if self._old == self._new:
            # Passed through as it is (a MARC catalogue's 2.7 GB of N-Triples): only
            # counted, and the last partial line kept for close() to check.
            data = bytes(data)
            self.lines += data.count(b"\n")
            cut = data.rfind(b"\n") + 1
            self._tail = data[cut:] if cut else self._tail + data
            self.sink.write(data)  # type: ignore[attr-defined]
            return len(data)
        text = self._tail + bytes(data)
        cut = text.rfind(b"\n") + 1
        self._tail = text[cut:]
        if cut:
            whole = text[:cut]
            lines = whole.count(b"\n")
            self.lines += lines
            self.foreign = self.foreign or whole.count(self._old) != lines
            self.sink.write(whole.replace(self._old, self._new))  # type: ignore[attr-defined]
        return len(data)

    def flush(self) -> None:
        """Lines are written whole, so there is nothing to flush."""

    def state(self) -> tuple[int, bytes, bool]:
        """What this sink has counted: handed over by a process that wrote through a
        copy of it (:func:`kg.convert.parallel.convert_marc`) to :meth:`adopt`."""
        return self.lines, self._tail, self.foreign

    def adopt(self, lines: int, tail: bytes, foreign: bool) -> None:
        """Take the counts of a copy of this sink that another process wrote through."""
        self.lines, self._tail, self.foreign = lines, tail, foreign

    def close(self) -> None:
        """Check that the stream ended with a whole line."""
        if self._tail.strip():
            raise ValueError("RDF text ends inside a line")
