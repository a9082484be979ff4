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
each graph is read once, into an N-Triples file beside the dumps (written by
Oxigraph without the GIL, the next graph while this one is written out); the
four formats are made from that file: N-Triples and N-Quads as bytes,
Turtle and JSON-LD by Oxigraph's parser and serializers, which give the same
bytes as a dump from the store (same triples, same order).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyoxigraph import DefaultGraph, NamedNode, RdfFormat, parse, serialize

from kg.export.gzipped import DumpFile, Tee, WithGraph
from kg.namespaces import PREFIXES
from kg.store.staging import StagingView

if TYPE_CHECKING:  # kg.artifacts imports this module to register its writer
    from kg.artifacts import ArtifactContext

DUMPS = "dumps"
INDEX = "index.json"
# Bump when the bytes written for the same graph change: pieces of older
# dumps are then written again instead of copied.
VERSION = 1
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
        ranges = _write_graphs(context.view, outputs, parent, folder / ".graph")
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


def _write_graphs(view: StagingView, outputs: dict[str, DumpFile],
                  parent: _Parent, scratch: Path) -> dict[str, dict[str, list[int]]]:
    """Write every graph's piece into every file; where each piece lies."""
    ranges: dict[str, dict[str, list[int]]] = {name: {} for name in outputs}
    jsonld = outputs["jsonld"]
    _raw_member(jsonld, b"[")
    graphs: list[Graph] = sorted(view.graphs(), key=lambda g: g.value)
    if next(iter(view.quads(None, None, None, DefaultGraph())), None) is not None:
        graphs.insert(0, DefaultGraph())
    fresh = [g for g in graphs if parent.pieces(_key(g)) is None]
    with closing(_read_ahead(view, fresh, scratch)) as read:
        for number, graph in enumerate(graphs):
            if number:
                _raw_member(jsonld, b",\n")
            starts = {name: out.size for name, out in outputs.items()}
            old = parent.pieces(_key(graph))
            if old is not None:
                for name, out in outputs.items():
                    out.copy_range(parent.files[name], *old[name])
            else:
                _dump_graph(graph, next(read), outputs)
            for name, out in outputs.items():
                ranges[name][_key(graph)] = [starts[name], out.size - starts[name]]
    _raw_member(jsonld, b"]\n")
    return ranges


def _key(graph: Graph) -> str:
    return graph.value if isinstance(graph, NamedNode) else ""


def _read_ahead(view: StagingView, graphs: list[Graph], scratch: Path) -> Iterator[Path]:
    """Each graph as an N-Triples file, in order, the next one read while this one is used."""
    def read(number: int) -> Path:
        path = scratch.with_name(f"{scratch.name}-{number}.nt")
        view.dump(path, RdfFormat.N_TRIPLES, graphs[number])
        return path

    with ThreadPoolExecutor(1) as reader:
        def start(number: int) -> Future[Path]:
            return reader.submit(read, number)
        pending = start(0) if graphs else None
        for number in range(len(graphs)):
            assert pending is not None
            path = pending.result()
            pending = start(number + 1) if number + 1 < len(graphs) else None
            try:
                yield path
            finally:
                path.unlink(missing_ok=True)


def _dump_graph(graph: Graph, lines: Path, outputs: dict[str, DumpFile]) -> None:
    """Write one graph (read into an N-Triples file) into a new member of each file."""
    with outputs["nt"].member() as nt, outputs["nq"].member() as nq, lines.open("rb") as text:
        sink = Tee(nt, WithGraph(nq, str(graph).encode()) if isinstance(graph, NamedNode)
                   else nq)
        shutil.copyfileobj(text, sink, 1 << 20)  # type: ignore[misc]
    with outputs["ttl"].member() as ttl:
        serialize(parse(path=lines, format=RdfFormat.N_TRIPLES), ttl, RdfFormat.TURTLE,
                  prefixes=PREFIXES)
    with outputs["jsonld"].member() as jsonld:
        # A named graph is an object with @id and @graph; the default graph's
        # nodes go in an object with @graph alone (JSON-LD 1.1, 4.9).
        if isinstance(graph, NamedNode):
            jsonld.write(b'{"@id":' + json.dumps(graph.value).encode() + b',"@graph":')
        else:
            jsonld.write(b'{"@graph":')
        serialize(parse(path=lines, format=RdfFormat.N_TRIPLES), jsonld, RdfFormat.JSON_LD)
        jsonld.write(b"}")


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
        """What the parent release offers: graphs of sources that were not loaded again."""
        folder = context.parent_folder
        index = read_index(folder) if folder else None
        manifest = context.manifest
        if (index is None or index.get("version") != VERSION
                or index.get("base_iri") != manifest["base_iri"]
                or set(index.get("files", {})) != set(DUMP_FORMATS)):
            return cls(None, None, set())
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
