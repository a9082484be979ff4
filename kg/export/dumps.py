"""Dumps of every release, made at publish time and kept in its folder.

Four gzip files per release, in ``{release}/dumps/``: N-Triples and Turtle
(the union of all graphs, as the SPARQL endpoint's default graph), N-Quads
and JSON-LD (every named graph kept, with the metadata graph's provenance).
``index.json`` lists each file's size and SHA-256, and where each graph's
piece lies in it.

Each graph is one gzip member (:mod:`kg.export.gzipped`). A graph whose
source was not loaded again in this release is copied as bytes from the
parent release's dump, so a rebuild pays for what changed only. Oxigraph's
serializers write straight into the compressor: memory stays flat whatever
the release's size.

Reading a graph out of the store costs more than writing any format, so
each graph is read once: a graph the build converted from records is not read
at all, its N-Triples text was kept while it was loaded
(:mod:`kg.store.graph_texts`); the others are dumped into an N-Triples file
(by Oxigraph without the GIL, the next graph while this one is written out).
The four formats are made from that text: N-Triples and N-Quads as bytes,
Turtle and JSON-LD by Oxigraph's serializers from one parse of it
(:func:`serialize_members`: parsing costs as much as writing Turtle), in a
helper process for a large graph, so that the two cores share the work. The
members of a large converted graph are begun earlier still, right after the
build loads it (:class:`EarlyMembers`), and only appended here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import DefaultGraph, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from kg.errors import StoreError
from kg.export.gzipped import DumpFile, Member, Tee, WithGraph
from kg.namespaces import PREFIXES
from kg.store.load_peak import PastPeak
from kg.store.staging import StagingView

if TYPE_CHECKING:  # kg.artifacts imports this module to register its writer
    from kg.artifacts import ArtifactContext

DUMPS = "dumps"
INDEX = "index.json"
# Bump when the triples or text written for the same graph change: pieces of
# older dumps are then written again instead of copied. (Not for the gzip
# compressor or level, or the order of lines: older pieces hold the same graph.)
VERSION = 1
# From this size of a graph's N-Triples on, Turtle and JSON-LD are written by a
# helper process, beside the build's (starting it costs about a second).
PARALLEL_BYTES = 64 << 20
# What a bulk load must have grown this process by before its memory peak counts as passed.
LOAD_PEAK_GROWTH = 256 << 20
FILE_NAME = re.compile(r"^dump-(?P<release>\d{5}-\d{8}T\d{6}Z)\.(?P<format>nt|nq|ttl|jsonld)\.gz$")


@dataclass(frozen=True)
class DumpFormat:
    """A dump format: short name (the file suffix), label and media type."""

    name: str
    label: str
    media_type: str
    keeps_graphs: bool


DUMP_FORMATS: dict[str, DumpFormat] = {f.name: f for f in (
    DumpFormat("nt", "N-Triples", "application/n-triples", False),
    DumpFormat("nq", "N-Quads", "application/n-quads", True),
    DumpFormat("ttl", "Turtle", "text/turtle", False),
    DumpFormat("jsonld", "JSON-LD", "application/ld+json", True),
)}


def file_name(release_id: str, format_name: str) -> str:
    """The name of a release's dump file (``dump-00003-20261127T013000Z.nt.gz``).

    >>> file_name("00003-20261127T013000Z", "nt")
    'dump-00003-20261127T013000Z.nt.gz'
    >>> FILE_NAME.match("dump-00003-20261127T013000Z.nt.gz")["release"]
    '00003-20261127T013000Z'
    """
    return f"dump-{release_id}.{format_name}.gz"


def read_index(release_path: Path) -> dict[str, Any] | None:
    """A release's dump index, or None if it has no dumps."""
    try:
        return json.loads((release_path / DUMPS / INDEX).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def write_dumps(context: ArtifactContext) -> None:
    """The artifact writer: every dump of the release being published."""
    folder = context.folder / DUMPS
    folder.mkdir(exist_ok=True)
    release_id = context.manifest["id"]
    parent = _Parent.of(context)
    files = {name: folder / file_name(release_id, name) for name in DUMP_FORMATS}
    handles = {name: path.open("wb") for name, path in files.items()}
    try:
        outputs = {name: DumpFile(handle) for name, handle in handles.items()}
        ranges = _write_graphs(context.view, outputs, parent, folder / ".graph",
                               context.early_members)
    finally:
        for handle in handles.values():
            handle.close()
    index = {"version": VERSION, "release": release_id, "created": context.manifest["created"],
             "base_iri": context.manifest["base_iri"], "quads": context.manifest["triples"],
             "files": {name: {"name": files[name].name, "format": fmt.label,
                              "media_type": fmt.media_type, "size": outputs[name].size,
                              "sha256": outputs[name].sha256.hexdigest(),
                              "graphs": ranges[name]}
                       for name, fmt in DUMP_FORMATS.items()}}
    (folder / INDEX).write_text(json.dumps(index, indent=1), encoding="utf-8")


Graph = NamedNode | DefaultGraph


def _write_graphs(view: StagingView, outputs: dict[str, DumpFile], parent: _Parent,
                  scratch: Path, early: EarlyMembers | None = None
                  ) -> dict[str, dict[str, list[int]]]:
    """Write every graph's piece into every file; where each piece lies."""
    ranges: dict[str, dict[str, list[int]]] = {name: {} for name in outputs}
    jsonld = outputs["jsonld"]
    _raw_member(jsonld, b"[")
    graphs: list[Graph] = sorted(view.graphs(), key=lambda g: g.value)
    if next(iter(view.quads(None, None, None, DefaultGraph())), None) is not None:
        graphs.insert(0, DefaultGraph())
    fresh = [g for g in graphs if parent.pieces(_key(g)) is None]
    with closing(_read_ahead(view, fresh, scratch)) as read, _Helpers(scratch) as helpers:
        for number, graph in enumerate(graphs):
            if number:
                _raw_member(jsonld, b",\n")
            starts = {name: out.size for name, out in outputs.items()}
            old = parent.pieces(_key(graph))
            if old is not None:
                for name, out in outputs.items():
                    out.copy_range(parent.files[name], *old[name])
            else:
                _dump_graph(graph, next(read), outputs, helpers, early)
            for name, out in outputs.items():
                ranges[name][_key(graph)] = [starts[name], out.size - starts[name]]
    _raw_member(jsonld, b"]\n")
    return ranges


def _key(graph: Graph) -> str:
    return graph.value if isinstance(graph, NamedNode) else ""


def _read_ahead(view: StagingView, graphs: list[Graph], scratch: Path) -> Iterator[Path]:
    """Each graph as an N-Triples file, in order, the next one read while this one is used.

    A graph the build loaded from converted records has its text already
    (:mod:`kg.store.graph_texts`); the others are dumped from the store.
    """
    def read(number: int) -> tuple[Path, bool]:
        graph = graphs[number]
        if view.texts is not None and isinstance(graph, NamedNode):
            text = view.texts.get(graph.value, lambda: view.count(graph))
            if text is not None:
                return text, False
        path = scratch.with_name(f"{scratch.name}-{number}.nt")
        view.dump(path, RdfFormat.N_TRIPLES, graph)
        return path, True

    with ThreadPoolExecutor(1) as reader:
        def start(number: int) -> Future[tuple[Path, bool]]:
            return reader.submit(read, number)
        pending = start(0) if graphs else None
        for number in range(len(graphs)):
            assert pending is not None
            path, owned = pending.result()
            pending = start(number + 1) if number + 1 < len(graphs) else None
            try:
                yield path
            finally:
                if owned:
                    path.unlink(missing_ok=True)


def _dump_graph(graph: Graph, lines: Path, outputs: dict[str, DumpFile],
                helpers: _Helpers, early: EarlyMembers | None = None) -> None:
    """Write one graph (read into an N-Triples file) into a new member of each file.

    Turtle and JSON-LD are written from one parse (:func:`serialize_members`):
    for a large graph by a helper process (Oxigraph's serializers hold the GIL),
    while this one writes N-Triples and N-Quads, and their members are then
    appended; the members of a converted graph that the build started early
    (:class:`EarlyMembers`) are only appended.
    """
    graph_iri = _key(graph)
    pieces = early.take(graph_iri, lines) if early is not None else None
    if pieces is None:
        pieces = (helpers.start(graph_iri, lines) if lines.stat().st_size >= PARALLEL_BYTES
                  else {})
    if "nt" not in pieces:
        with (outputs["nt"].member() as nt, outputs["nq"].member() as nq,
              lines.open("rb") as text):
            sink = Tee(nt, WithGraph(nq, str(graph).encode()) if graph_iri else nq)
            shutil.copyfileobj(text, sink, _CHUNK)  # type: ignore[misc]
    for name in DUMP_FORMATS:
        if name in pieces:
            piece = pieces[name]()
            outputs[name].copy_range(piece, 0, piece.stat().st_size)
            piece.unlink()
    serialized = [name for name in _BATCHES if name not in pieces]
    if serialized:  # as a helper writes them: the same bytes, from one parse
        with ExitStack() as members:
            serialize_members(graph_iri, lines, {
                name: members.enter_context(outputs[name].member()) for name in serialized})


_CHUNK = 1 << 20  # N-Triples copied this much at a time (the same in helpers: same bytes)


def _n_triples(member: Member, graph_iri: str, lines: Path) -> None:
    with lines.open("rb") as text:
        shutil.copyfileobj(text, member, _CHUNK)  # type: ignore[misc]


def _n_quads(member: Member, graph_iri: str, lines: Path) -> None:
    sink = WithGraph(member, f"<{graph_iri}>".encode()) if graph_iri else member
    with lines.open("rb") as text:
        shutil.copyfileobj(text, sink, _CHUNK)  # type: ignore[misc]


def _parse(lines: Path) -> Iterator[Quad]:
    # A kept text holds terms written by pyoxigraph and loaded into the store:
    # checking its IRIs again would double the parse's CPU (2M lines: 4.2-4.8 s,
    # 1.7-2.4 lenient).
    return parse(path=lines, format=RdfFormat.N_TRIPLES, lenient=True)


# The formats copied from the text; the others (Turtle, JSON-LD) are made by
# Oxigraph's serializers from its quads (:func:`serialize_members`).
COPY_MEMBER = {"nt": _n_triples, "nq": _n_quads}


def write_member(name: str, graph_iri: str, lines: Path, out: Path) -> None:
    """One graph's gzip member of one format, in a file of its own."""
    with out.open("wb") as handle, DumpFile(handle).member() as member:
        if name in COPY_MEMBER:
            COPY_MEMBER[name](member, graph_iri, lines)
        else:
            serialize_members(graph_iri, lines, {name: member})


def write_members(names: tuple[str, ...], graph_iri: str, lines: Path,
                  outs: tuple[Path, ...]) -> None:
    """One graph's members of several serialized formats (Turtle, JSON-LD), each in
    a file of its own, from one parse of its text; none is left after a failure."""
    if len(names) != len(outs) or not set(names) <= set(_BATCHES):
        raise ValueError(f"cannot write {'+'.join(names)} to {len(outs)} files in one parse")
    try:
        with ExitStack() as stack:
            members = {name: stack.enter_context(DumpFile(stack.enter_context(
                out.open("wb"))).member()) for name, out in zip(names, outs, strict=True)}
            serialize_members(graph_iri, lines, members)
    except BaseException:
        for out in outs:
            out.unlink(missing_ok=True)
        raise


# The parser's quads are serialized in batches of about _BATCH quads (fewer calls,
# and a few thousand quads in memory, however large the text).
_BATCH = 4096


def serialize_members(graph_iri: str, lines: Path, members: dict[str, Member]) -> None:
    """Write members of several serialized formats from one parse of a graph's text.

    Parsing costs as much CPU as writing Turtle, so the text is parsed once
    here. Its quads are cut into batches that end where a subject's run of
    quads ends, and each format writes every batch in turn (:class:`_Batches`).
    Oxigraph's serializers group a subject's run of triples and keep nothing
    else from one to the next, so each member holds the bytes of the format's
    writer on the whole text. One thread does it all: a thread per format fed
    by queues took a third more CPU, its threads waiting for the GIL at each
    quad (2M MARC lines: 7.1-9.1 CPU s, against 4.8-6.3).
    """
    writers = [_BATCHES[name](member, graph_iri) for name, member in members.items()]
    for batch in _subject_batches(_parse(lines)):
        for writer in writers:
            writer.write(batch)
    for writer in writers:
        writer.end()


def _subject_batches(quads: Iterator[Quad]) -> Iterator[list[Quad]]:
    """Lists of at least _BATCH quads (but the last), each ending where a subject's run does."""
    pending: list[Quad] = []
    while batch := pending + list(islice(quads, _BATCH)):
        pending = []
        last = batch[-1].subject
        for quad in quads:  # on to the end of the last subject's run
            if quad.subject != last:
                pending = [quad]
                break
            batch.append(quad)
        yield batch


class _Batches:
    """One format's member written batch by batch, as its serializer writes it whole."""

    name: str
    format: RdfFormat
    prefixes: dict[str, str] | None = None

    def __init__(self, member: Member, graph_iri: str) -> None:
        self.member = member
        self.first = True

    def write(self, batch: list[Quad]) -> None:
        """Write a batch's part of the member."""
        try:
            written = serialize(batch, format=self.format, prefixes=self.prefixes)
            self.member.write(self.part(written))
        except BaseException as error:
            error.add_note(f"while writing the {DUMP_FORMATS[self.name].label} member")
            raise
        self.first = False

    def part(self, written: bytes) -> bytes | memoryview:
        """The bytes of a batch's serialization that go into the member."""
        return written

    def end(self) -> None:
        """Write what ends the member."""


class _TurtleBatches(_Batches):
    """Turtle: each batch's triples, after the prefixes the first batch begins with."""

    name, format, prefixes = "ttl", RdfFormat.TURTLE, PREFIXES

    def part(self, written: bytes) -> bytes | memoryview:
        if self.first:
            return written
        header = _turtle_prefixes()
        if not written.startswith(header):  # a new serializer's habit: fail, not garble
            raise StoreError("Oxigraph's Turtle writer no longer begins with the prefixes")
        return memoryview(written)[len(header):]


class _JsonLdBatches(_Batches):
    """JSON-LD: the nodes of each batch's list, in one list in the graph's object."""

    name, format = "jsonld", RdfFormat.JSON_LD

    def __init__(self, member: Member, graph_iri: str) -> None:
        super().__init__(member, graph_iri)
        # A named graph is an object with @id and @graph; the default graph's
        # nodes go in an object with @graph alone (JSON-LD 1.1, 4.9).
        member.write(b'{"@id":' + json.dumps(graph_iri).encode() + b',"@graph":['
                     if graph_iri else b'{"@graph":[')

    def part(self, written: bytes) -> bytes | memoryview:
        if written[:1] != b"[" or written[-1:] != b"]":
            raise StoreError("Oxigraph's JSON-LD writer no longer writes a list of nodes")
        if not self.first:
            self.member.write(b",")
        return memoryview(written)[1:-1]

    def end(self) -> None:
        self.member.write(b"]}")


_BATCHES: dict[str, type[_Batches]] = {"ttl": _TurtleBatches, "jsonld": _JsonLdBatches}


@lru_cache(maxsize=1)
def _turtle_prefixes() -> bytes:
    """What Oxigraph's Turtle writer writes before the first triple: the prefixes."""
    iri = NamedNode("urn:kg:none")  # no prefix abbreviates it
    written = serialize([Triple(iri, iri, iri)], format=RdfFormat.TURTLE, prefixes=PREFIXES)
    return written[:written.index(b"<urn:kg:none>")]


class _Helpers:
    """Processes that write the members of large graphs: Turtle and JSON-LD
    together, from one parse of the text; N-Triples and N-Quads each alone.

    Plain child processes running :mod:`kg.export.dump_member` (not
    multiprocessing: the build process holds a database and threads, not for
    forking, and spawning would import whatever script started the build).
    """

    def __init__(self, scratch: Path, nice: int = 0) -> None:
        self.scratch = scratch
        self.nice = nice  # added to the helpers' niceness (background work: 19)
        self._running: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._started = 0

    def start(self, graph_iri: str, lines: Path,
              names: tuple[str, ...] = ("ttl", "jsonld")) -> dict[str, Callable[[], Path]]:
        """Start writing one graph's members; a wait for each, by format name.

        Turtle and JSON-LD are written by one process, from one parse of the
        text (:func:`write_members`); N-Triples and N-Quads each by its own.
        """
        parsed = tuple(name for name in names if name in _BATCHES)
        groups = [(name,) for name in names if name not in parsed] + ([parsed] if parsed else [])
        waits: dict[str, Callable[[], Path]] = {}
        for group in groups:
            helper = self._start(group, graph_iri, lines)
            waits.update({name: helper.wait_for(name) for name in group})
        return {name: waits[name] for name in names}

    def _start(self, names: tuple[str, ...], graph_iri: str, lines: Path) -> _Helper:
        with self._lock:
            if self._stopped:
                raise StoreError("the dump's helper processes were stopped")
            self._started += 1
            outs = {name: self.scratch.with_name(f"{self.scratch.name}-{self._started}.{name}")
                    for name in names}
            process = subprocess.Popen(
                [sys.executable, "-m", "kg.export.dump_member", "+".join(names), graph_iri,
                 str(lines), *map(str, outs.values()), str(self._nice_of(names))],
                stderr=subprocess.PIPE)
            self._running.append(process)
        return _Helper(process, outs)

    def _nice_of(self, names: tuple[str, ...]) -> int:
        # In the background, the Turtle and JSON-LD helper (about three times the CPU
        # of N-Triples and N-Quads together: 2M MARC lines, 4.8-6.3 CPU s against
        # 1.7-1.9) is the last to finish: it gets the larger share of the CPU the
        # build leaves (nice 15 against 19; still a few per cent of a core that the
        # build wants).
        if self.nice and set(names) <= set(_BATCHES):
            return max(0, self.nice - 4)
        return self.nice

    def __enter__(self) -> _Helpers:
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._stopped = True
        for process in self._running:  # after a failure, do not leave them running
            if process.poll() is None:
                process.kill()
                process.wait()


class _Helper:
    """One helper process and the members it writes: waited for once, by any of them."""

    def __init__(self, process: subprocess.Popen, outs: dict[str, Path]) -> None:
        self.process = process
        self.outs = outs
        self._lock = threading.Lock()
        self._error: str | None = None  # its error output, once it has ended

    def wait_for(self, name: str) -> Callable[[], Path]:
        """A wait for one of its members: the member's file, or a StoreError."""
        return lambda: self._wait(name)

    def _wait(self, name: str) -> Path:
        with self._lock:  # communicate() reads the error output once only
            if self._error is None:
                _, error = self.process.communicate()
                self._error = error.decode(errors="replace").strip()
        if self.process.returncode:
            label = " and ".join(DUMP_FORMATS[name].label for name in self.outs)
            raise StoreError(f"writing the {label} dump failed: {self._error}")
        return self.outs[name]


class EarlyMembers:
    """The dump members of large converted graphs, written while the build goes on.

    A graph converted from records is final once the build has loaded it, and
    its N-Triples text is kept (:mod:`kg.store.graph_texts`). So right after
    the load (:meth:`start`), or for a MARC catalogue already once its bulk
    load has passed its memory peak (:meth:`start_past_load_peak`: the end of
    that load leaves a core idle for some 20 s at 250,000 records), helper
    processes write its four members (three processes: Turtle and JSON-LD
    share one), at the lowest CPU priority, one graph after another, while
    the build process loads, validates and indexes the store; :func:`write_dumps` then
    only appends them (:meth:`take`). A member not taken (a failed build, a
    text written again since) is stopped and deleted when this is closed.
    """

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self._helpers = _Helpers(scratch / "member", nice=19)
        self._queue = ThreadPoolExecutor(1, thread_name_prefix="early-dumps")
        self._started: dict[str, tuple[Path, tuple[int, int], Future[dict[str, Path]]]] = {}
        self._lock = threading.Lock()  # starts come from the build and from watches
        self._watches: list[PastPeak] = []

    def start_past_load_peak(self, graph_iri: str, path: Path) -> None:
        """Start on a whole text once the load that follows has passed its memory peak
        (:mod:`kg.store.load_peak`), or at :meth:`start` after the load, if sooner."""
        self._watches.append(PastPeak(lambda: self.start_text(graph_iri, path),
                                      growth=LOAD_PEAK_GROWTH).start())

    def start(self, view: StagingView) -> None:
        """Start on every large graph whose text the build kept (unless started)."""
        self._stop_watching()
        if view.texts is None:
            return
        for graph in sorted(view.graphs(), key=lambda g: g.value):
            path = view.texts.path(graph.value)
            if view.texts.lines(graph.value) is not None and path.is_file():
                self.start_text(graph.value, path)

    def start_text(self, graph_iri: str, path: Path) -> None:
        """Start on one graph's whole text if it is large (and not started from it)."""
        with self._lock:
            stamp = _stamp(path)
            started = self._started.get(graph_iri)
            if stamp[0] < PARALLEL_BYTES or started is not None and started[:2] == (path, stamp):
                return
            self.scratch.mkdir(parents=True, exist_ok=True)
            self._started[graph_iri] = (path, stamp, self._queue.submit(
                self._write, graph_iri, path))

    def _stop_watching(self) -> None:
        for watch in self._watches:
            watch.stop()
        self._watches.clear()

    def _write(self, graph_iri: str, lines: Path) -> dict[str, Path]:
        waits = self._helpers.start(graph_iri, lines, tuple(DUMP_FORMATS))
        return {name: wait() for name, wait in waits.items()}

    def take(self, graph_iri: str, lines: Path) -> dict[str, Callable[[], Path]] | None:
        """A wait for each member of the graph, if they were started from this text."""
        started = self._started.pop(graph_iri, None)
        if started is None:
            return None
        path, stamp, written = started
        if path != lines or _stamp(lines) != stamp:
            return None  # written again since: the members are of another text
        return {name: (lambda name=name: written.result()[name]) for name in DUMP_FORMATS}

    def close(self) -> None:
        """Stop what is still running and delete what was not taken."""
        self._stop_watching()
        self._helpers.__exit__()
        self._queue.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> EarlyMembers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _stamp(path: Path) -> tuple[int, int]:
    """A file's size and modification time: whether it is still the text it was."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _raw_member(out: DumpFile, data: bytes) -> None:
    with out.member() as member:
        member.write(data)


class _Parent:
    """The pieces of the parent release's dumps that may be copied as they are."""

    def __init__(self, folder: Path | None, index: dict[str, Any] | None,
                 unchanged: set[str]) -> None:
        self.index = index
        self.unchanged = unchanged
        self.files = {name: folder / DUMPS / entry["name"]
                      for name, entry in (index or {}).get("files", {}).items()} if folder else {}

    @classmethod
    def of(cls, context: ArtifactContext) -> _Parent:
        """What the parent release offers: graphs that did not change since (or, when
        the build does not say which changed, those of sources not loaded again)."""
        folder = context.parent_folder
        index = read_index(folder) if folder else None
        manifest = context.manifest
        if (index is None or index.get("version") != VERSION
                or index.get("base_iri") != manifest["base_iri"]
                or set(index.get("files", {})) != set(DUMP_FORMATS)):
            return cls(None, None, set())
        if context.changed_graphs is not None:  # derived graphs too (agents), if unchanged
            files = index["files"].values()
            pieces = set.intersection(*(set(entry["graphs"]) for entry in files))
            return cls(folder, index, pieces - context.changed_graphs)
        unchanged = {context.minter.graph(name).value
                     for name, entry in manifest["sources"].items()
                     if entry.get("loaded_in") and entry["loaded_in"] != manifest["id"]}
        return cls(folder, index, unchanged)

    def pieces(self, graph: str) -> dict[str, list[int]] | None:
        """(offset, length) of the graph's piece in each parent file, if it can be copied."""
        if self.index is None or graph not in self.unchanged:
            return None
        found = {name: entry["graphs"].get(graph) for name, entry in self.index["files"].items()}
        if any(value is None for value in found.values()):
            return None
        if not all(path.is_file() for path in self.files.values()):
            return None
        return found  # type: ignore[return-value]
