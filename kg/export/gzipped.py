"""Byte plumbing for dumps: gzip files made of one member per graph.

A gzip file may hold several members one after the other (RFC 1952, 2.2);
``gzip -d``, ``zcat`` and Python's :mod:`gzip` read them as one stream. So a
dump can be assembled from per-graph pieces, and a piece that did not change
can be copied as bytes from the previous release's dump.

>>> import gzip, io
>>> buffer = io.BytesIO()
>>> out = DumpFile(buffer)
>>> for text in (b"one\\n", b"two\\n"):
...     with out.member() as member:
...         _ = member.write(text)
>>> gzip.decompress(buffer.getvalue())
b'one\\ntwo\\n'
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path
from typing import IO

from isal import isal_zlib

# Compressed by ISA-L (python-isal: zlib's API and a standard gzip stream,
# which any gunzip reads), at its level 2. On 2M lines of the LoC's MARC
# N-Triples, CPU s and MB (bench/README.md, "The sixth round"):
#   N-Triples  zlib 3: 1.52 s, 21.6 MB   ISA-L 2: 0.28 s, 25.1 MB
#   Turtle     zlib 3: 0.82 s, 15.1 MB   ISA-L 2: 0.22 s, 16.9 MB
#   JSON-LD    zlib 3: 0.97 s, 18.1 MB   ISA-L 2: 0.26 s, 20.7 MB
# about zlib's level 1 in size (25.0 MB) at a fifth of zlib's CPU. Dumps are
# written on every publish, on a machine the build keeps busy: 12-16% more
# bytes are worth some 35 CPU s of a 250,000-record build.
LEVEL = 2
_GZIP = 16 + zlib.MAX_WBITS
_COPY_CHUNK = 1 << 20


class DumpFile:
    """A file being written: its size and SHA-256 are kept as bytes go by."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write_raw(self, data: bytes) -> None:
        """Write bytes that are already compressed."""
        self.handle.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def member(self) -> Member:
        """A new gzip member at the end of the file."""
        return Member(self)

    def copy_range(self, source: Path, offset: int, length: int) -> None:
        """Append bytes of another file (a piece of an earlier dump)."""
        with source.open("rb") as handle:
            handle.seek(offset)
            remaining = length
            while remaining:
                chunk = handle.read(min(_COPY_CHUNK, remaining))
                if not chunk:
                    raise OSError(f"{source} ends before byte {offset + length}")
                self.write_raw(chunk)
                remaining -= len(chunk)


class Member:
    """One gzip member; Oxigraph's serializers write into it like into a file."""

    def __init__(self, file: DumpFile) -> None:
        self.file = file
        self._compressor = isal_zlib.compressobj(LEVEL, zlib.DEFLATED, _GZIP)

    def write(self, data: bytes) -> int:
        """Compress and append bytes."""
        compressed = self._compressor.compress(data)
        if compressed:
            self.file.write_raw(compressed)
        return len(data)

    def flush(self) -> None:
        """Nothing to do: the member is finished by :meth:`close`."""

    def close(self) -> None:
        """Finish the member (trailer with CRC and length)."""
        self.file.write_raw(self._compressor.flush())

    def __enter__(self) -> Member:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WithGraph:
    """Turns N-Triples lines into N-Quads lines of one graph, as they stream by.

    Unlike :class:`kg.store.graph_texts.LineEnds`, which a kept text is written
    through, it neither counts lines nor checks their ends: its input is a kept
    text, checked when written, and the N-Quads member of a catalogue is 2.8 GB
    of it (the two counts took a third of that member's CPU).

    >>> import io
    >>> out = io.BytesIO()
    >>> lines = WithGraph(out, b"<http://g>")
    >>> _ = lines.write(b'<http://a> <http://p> "x\\\\n" .\\n<http://a> <http://p> "y" ')
    >>> _ = lines.write(b'.\\n')
    >>> out.getvalue().decode()
    '<http://a> <http://p> "x\\\\n" <http://g> .\\n<http://a> <http://p> "y" <http://g> .\\n'
    """

    def __init__(self, sink: IO[bytes] | Member, graph: bytes) -> None:
        self.sink = sink
        self._end = b" " + graph + b" .\n"
        self._tail = b""  # the start of a line the next write ends

    def write(self, data: bytes) -> int:
        """Write the whole lines, each ending in the graph; keep a partial line."""
        text = self._tail + data if self._tail else data
        cut = text.rfind(b"\n") + 1
        self._tail = text[cut:]
        if cut:
            self.sink.write(text[:cut].replace(b" .\n", self._end))
        return len(data)


class Tee:
    """Writes the same bytes to several sinks (N-Triples and N-Quads in one pass)."""

    def __init__(self, *sinks: IO[bytes] | Member | WithGraph) -> None:
        self.sinks = sinks

    def write(self, data: bytes) -> int:
        """Write to every sink."""
        for sink in self.sinks:
            sink.write(data)
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""
