"""Converting a large MARC file on every core: records in batches, N-Triples back.

Reading and converting a catalogue record in Python costs more than Oxigraph
takes to load its triples, so for a large ISO 2709 file the build cuts the
file into batches of records (cheap: a record's length is in its first five
bytes), worker processes decode, map and convert each batch and write its
triples as N-Triples (:mod:`kg.convert.nquads`; the graph is the same for all,
so it is not repeated on every line). The build process writes them into
the graph's text as the workers finish (:mod:`kg.store.graph_texts`), then
loads that file with one Oxigraph bulk load, which parses a file on every
core. Keys are still claimed in the build process, in file order, so a
duplicate is reported exactly as when converting in one process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO, Any

from pyoxigraph import NamedNode

from kg.convert import Registry, convert_triples
from kg.convert.agent_names import Names, merge_names, names_in_triples
from kg.convert.nquads import ntriples, ntriples_and_picks
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


def convert_marc(source: Source, graph: NamedNode, minter: Minter, report: Report,
                 registry: Registry, skip: bool, progress: Any, sink: IO[bytes],
                 names: Names | None = None) -> tuple[int, int]:
    """Convert a MARC file in worker processes, writing all their N-Triples into ``sink``.

    The caller loads the whole text in one bulk load once the workers are gone
    (:meth:`kg.store.staging.StagingView.load_ntriples_written_by`): one load,
    not one per batch, lets Oxigraph sort and write the graph at once, as its
    bulk loader is made to, and idle workers would hold memory meanwhile.
    Returns (records, triples) as the serial path counts them, and adds the
    names the records give agents to ``names`` (for the agents step, which
    then reads none back). When ``sink`` is a kept text's, the workers also
    set apart the lines the entity index reads, written to its ``picks``
    (:mod:`kg.index.picks`).
    """
    from kg.sources.marc import chunks_of

    records = triples = 0
    picks_sink = sink.picks if isinstance(sink, LineEnds) else None
    context = multiprocessing.get_context("fork")
    with source.path.open("rb") as handle, context.Pool(
            os.cpu_count(), initializer=_start, initargs=(minter.base,)) as pool:
        batches = _batches(source, graph, skip, picks_sink is not None, chunks_of(handle))
        for result in pool.imap(_convert, batches):
            data, picked, count, origins, problems, read, skipped, named = result
            sink.write(data)
            if picks_sink is not None:
                picks_sink.write(picked)
            if names is not None:
                merge_names(names, named)
            for iri, origin in origins:
                _claim(registry, report, iri, origin)
            report.extend(problems)
            report.skipped += skipped
            records += read
            triples += count
            progress.records(read)
    progress.step(f"loading {triples:,} triples of {records:,} records into the store")
    return records, triples


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
    global _minter
    _minter = Minter(base)


def _convert(job: tuple) -> tuple:
    """One batch in a worker: (N-Triples, the index's lines of them, triples, origins,
    problems, records, skipped, names)."""
    import gc

    from kg.sources.marc import record_from_chunk

    source, graph_iri, skip, picking, first, chunks = job
    report, registry = Report(), Registry()
    # A batch makes some 100,000 objects, nearly all freed by reference counts;
    # the cycle collector would also walk the heap forked from the build many
    # times over for them (10% of a worker's CPU). Once per batch is enough.
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
    finally:
        gc.enable()
    return (data, picked, len(triples), list(registry.origins.items()), report.problems,
            len(wanted), report.skipped, names_in_triples(triples))
