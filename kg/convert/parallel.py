"""Converting a large MARC file on every core: records in batches, N-Triples back.

Reading and converting a catalogue record in Python costs more than Oxigraph
takes to load its triples, so for a large ISO 2709 file the build cuts the
file into batches of records (cheap: a record's length is in its first five
bytes), worker processes decode, map and convert each batch and write its
triples as N-Triples (:mod:`kg.convert.nquads`; the graph is the same for all,
so it is not repeated on every line). A process forked for the conversion
writes them into the graph's text as the workers finish
(:mod:`kg.store.graph_texts`); the build process then loads that file with
one Oxigraph bulk load, which parses a file on every core. Keys are still
claimed in the build process, in file order, once the load is over, so a
duplicate is reported exactly as when converting in one process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode

from kg.convert import Registry, convert_triples
from kg.convert.agent_names import Names, merge_names, names_in_triples
from kg.convert.nquads import ntriples, ntriples_and_picks
from kg.errors import StoreError
from kg.index import picks
from kg.iris import Minter
from kg.kinds import KINDS
from kg.report import Problem, Report
from kg.sources import Origin, Record, Source
from kg.store.graph_texts import LineEnds

# Below this size, starting processes costs more than it saves.
MIN_BYTES = 32 << 20
BATCH = 400

_minter: Minter | None = None


def readable(records: Iterable[Record], report: Report) -> Iterator[Record]:
    """The records that could be read; the others are counted and reported as skipped."""
    for record in records:
        if record.problem:
            report.skipped += 1
            report.add(Problem(f"skipped: {record.problem}", record.origin, severity="warning"))
            continue
        yield record


def worth_it(source: Source) -> bool:
    """True for an ISO 2709 file large enough to convert on several cores."""
    try:
        size = source.path.stat().st_size
    except OSError:
        return False
    return source.format == "marc" and size >= MIN_BYTES and (os.cpu_count() or 1) > 1


class Converted:
    """A MARC file converted apart (:func:`convert_marc`): its counts, and what the
    build process takes in once the text is loaded (:meth:`settle`)."""

    def __init__(self, records: int, triples: int, results: Path) -> None:
        self.records = records
        self.triples = triples
        self._results = results
        # Removed when settled, or when the build drops this object without settling.
        self._remove = weakref.finalize(self, results.unlink, missing_ok=True)
        self._settled: bool | BaseException = False  # or what settling raised

    def settle(self, report: Report, registry: Registry, names: Names) -> None:
        """Claim the records' keys in file order (a duplicate is reported as in one
        process), add their problems to ``report`` and their agents' names to ``names``.

        Done once: a second call only raises what the first raised, if anything.
        """
        if self._settled is not False:
            if isinstance(self._settled, BaseException):
                raise self._settled
            return
        try:
            with self._results.open("rb") as results:
                batches, found = pickle.load(results)
            for origins, problems, skipped in batches:
                for iri, origin in origins:
                    _claim(registry, report, iri, origin)
                report.extend(problems)
                report.skipped += skipped
            merge_names(names, found)
            self._settled = True
        except BaseException as error:
            self._settled = error
            raise
        finally:
            self._remove()

    def settle_ahead(self, report: Report, registry: Registry, names: Names) -> None:
        """:meth:`settle` from another thread, before the build's own call: an error
        is raised by that call."""
        with contextlib.suppress(BaseException):
            self.settle(report, registry, names)


def convert_marc(source: Source, graph: NamedNode, minter: Minter, skip: bool,
                 progress: Any, sink: IO[bytes]) -> Converted:
    """Convert a MARC file in worker processes, writing all their N-Triples into ``sink``.

    The caller loads the whole text in one bulk load once the workers are gone
    (:meth:`kg.store.staging.StagingView.load_ntriples_written_by`): one load,
    not one per batch, lets Oxigraph sort and write the graph at once, as its
    bulk loader is made to, and idle workers would hold memory meanwhile.
    When ``sink`` is a kept text's, the workers also set apart the lines the
    entity index reads, written to its ``picks`` (:mod:`kg.index.picks`).

    The workers' results are taken in by a process forked for the conversion,
    not by the build process: their origins, problems and names would stay in
    the build process's heap, fragmented, through the bulk load's memory peak
    that follows (250,000 records: 262 MiB held when the load began, against
    65 now). That process writes them to a file (beside a kept text), which
    :meth:`Converted.settle` reads once the load is past its peak; it relays
    the progress, and its error if it fails.
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    # Beside a kept text (in the release being built); a text not kept is removed
    # with its folder by the load, before the results are read.
    text = getattr(sink.sink, "name", None) if isinstance(sink, LineEnds) else None
    handle, name = tempfile.mkstemp(prefix="kg-converted-", suffix=".pickle",
                                    dir=Path(text).parent if isinstance(text, str) else None)
    os.close(handle)
    results = Path(name)
    for stream in _streams(sink):
        stream.flush()  # nothing of the build's may be left to write twice after the fork
    process = context.Process(target=_convert_apart, name="kg-convert", daemon=False,
                              args=(source, graph, minter.base, skip, sink, results, sending))
    try:
        process.start()
        sending.close()
        while True:
            try:
                message = receiving.recv()
            except EOFError:
                process.join()
                raise StoreError(f"converting {source.label} stopped (exit code "
                                 f"{process.exitcode}); nothing was loaded") from None
            if message[0] == "records":
                progress.records(message[1])
            elif message[0] == "failed":
                raise message[1]
            else:
                _, records, triples, state = message
                break
        process.join()
    except BaseException:
        if process.is_alive():
            process.terminate()
            process.join()
        results.unlink(missing_ok=True)
        raise
    finally:
        receiving.close()
    if isinstance(sink, LineEnds):
        sink.adopt(*state)
    progress.step(f"loading {triples:,} triples of {records:,} records into the store")
    return Converted(records, triples, results)


def _streams(sink: IO[bytes]) -> list[Any]:
    """The files a sink writes into (a kept text's: its text and its picks)."""
    if isinstance(sink, LineEnds):
        return [stream for stream in (sink.sink, sink.picks) if stream is not None]
    return [sink]


def _convert_apart(source: Source, graph: NamedNode, base: str, skip: bool, sink: IO[bytes],
                   results: Path, sending: Any) -> None:
    """The conversion process: pool the workers, write their text, keep their results.

    It ends with ``os._exit``: it was forked from the build process while other
    threads of it ran (the progress display among them), and a lock one of them
    held then, such as standard output's, stays held here for ever. Python's
    own way out flushes standard output, and could wait on it.
    """
    # Terminated by the build (it stops): the pool's context then stops the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    code = 1
    try:
        records, triples, batches, names = _pool_results(source, graph, base, skip, sink,
                                                         lambda read: sending.send(("records",
                                                                                    read)))
        with results.open("wb") as out:
            pickle.dump((batches, names), out, protocol=pickle.HIGHEST_PROTOCOL)
        for stream in _streams(sink):
            stream.flush()
        state = sink.state() if isinstance(sink, LineEnds) else None
        sending.send(("done", records, triples, state))
        code = 0
    except BaseException as error:  # the build raises it (or says what it was)
        with contextlib.suppress(OSError):  # unless the build is gone (it stopped us)
            sending.send(("failed", _portable(error)))
    finally:
        os._exit(code)


def _portable(error: BaseException) -> BaseException:
    """The error itself if it survives pickling, else a StoreError saying what it was."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return StoreError(f"converting records failed: {type(error).__name__}: {error}")


def _pool_results(source: Source, graph: NamedNode, base: str, skip: bool, sink: IO[bytes],
                  read: Callable[[int], None]) -> tuple[int, int, list[tuple], Names]:
    """Convert in worker processes, writing their text into ``sink``: (records, triples,
    each batch's origins, problems and skipped records, the names of agents)."""
    from kg.sources.marc import chunks_of

    records = triples = 0
    picks_sink = sink.picks if isinstance(sink, LineEnds) else None
    names: Names = {}
    batches: list[tuple] = []
    context = multiprocessing.get_context("fork")
    with source.path.open("rb") as handle, context.Pool(
            os.cpu_count(), initializer=_start, initargs=(base,)) as pool:
        jobs = _batches(source, graph, skip, picks_sink is not None, chunks_of(handle))
        for result in pool.imap(_convert, jobs):
            data, picked, count, origins, problems, done, skipped, named = result
            sink.write(data)
            if picks_sink is not None:
                picks_sink.write(picked)
            merge_names(names, named)
            batches.append((origins, problems, skipped))
            records += done
            triples += count
            read(done)
    return records, triples, batches, names


def _batches(source: Source, graph: NamedNode, skip: bool, picking: bool,
             chunks: Iterator[tuple[bytes, str | None]]) -> Iterator[tuple]:
    number = 0
    while True:
        batch = list(islice(chunks, BATCH))
        if not batch:
            return
        yield source, graph.value, skip, picking, number, batch
        number += len(batch)


def _claim(registry: Registry, report: Report, iri: str, origin: Origin) -> None:
    earlier = registry.claim(NamedNode(iri), origin)
    if earlier is not None:
        kind, key = iri.rsplit("/", 2)[-2:]
        report.add(Problem(f"duplicate key: {KINDS[kind].name} '{key}' is already defined at "
                           f"{earlier}", origin, key=key, field="key"))


def _start(base: str) -> None:
    """A worker's start: the minter, and SIGTERM's default action back."""
    global _minter
    _minter = Minter(base)
    # The pool stops its workers with SIGTERM, also when it ends well. The handler of
    # the conversion process, inherited by the fork, would make that an exception in
    # a worker waiting on the pool's queue, and its way out can block on the queue's
    # lock that the other worker holds: the pool then waits for it for ever.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _convert(job: tuple) -> tuple:
    """One batch in a worker: (N-Triples, the index's lines of them, triples, origins,
    problems, records, skipped, names)."""
    import gc

    from kg.sources.marc import record_from_chunk

    source, graph_iri, skip, picking, first, chunks = job
    report, registry = Report(), Registry()
    # A batch makes some 100,000 objects, nearly all freed by reference counts;
    # the cycle collector would also walk the heap forked from the build many
    # times over for them (10% of a worker's CPU). So it is off for the whole
    # batch, and back on only once the batch's objects are freed: the objects
    # made while it was off count towards its next run, and a run while they
    # are alive walks all of them (another 10%, when the result was made after).
    gc.disable()
    try:
        records = [record_from_chunk(source, first + i + 1, chunk, problem)
                   for i, (chunk, problem) in enumerate(chunks)]
        wanted = list(readable(records, report)) if skip else records
        triples = list(convert_triples(wanted, _minter, report, registry))
        if picking:
            data, picked = ntriples_and_picks(triples, picks.PREDICATES, picks.picked)
        else:
            data, picked = ntriples(triples), b""
        result = (data, picked, len(triples), list(registry.origins.items()),
                  report.problems, len(wanted), report.skipped, names_in_triples(triples))
        del records, wanted, triples
    finally:
        gc.enable()
    return result
