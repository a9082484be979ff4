"""Harvesting a partner's data into a source file.

``kg harvest ENDPOINT --query FILE.rq`` sends a CONSTRUCT (or DESCRIBE) to a
partner's SPARQL endpoint through SPARQLWrapper; ``kg harvest URL`` reads a
dump (N-Triples, Turtle, N-Quads, TriG, RDF/XML, JSON-LD, gzipped or not).
Either way the triples, parsed by Oxigraph, are written as N-Triples to one
file, with a first comment line that records where they came from (the
endpoint or URL, the query, the time). The file is then a source like any
other: the next ``kg build`` that names it validates it, loads it into its
own graph and describes that graph's origin in the metadata graph. Harvesting
publishes nothing by itself.

>>> provenance_line({"source": "http://partner.example/sparql"})
'# kg harvest: {"source": "http://partner.example/sparql"}\\n'
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from pyoxigraph import NamedNode, RdfFormat, Triple, parse, serialize

from kg.errors import KgError, SourceError, UsageError
from kg.namespaces import PREFIXES
from kg.query_text import inspect_query
from kg.store.remote.client import Dataset, SparqlClient
from kg.store.remote.endpoints import RemoteEndpoints

HEADER = "# kg harvest: "
OUTPUT_SUFFIXES = (".nt", ".ttl")  # N-Triples is also Turtle
ACCEPT = ("application/n-triples, text/turtle;q=0.9, application/n-quads;q=0.8, "
          "application/trig;q=0.8, application/rdf+xml;q=0.7, application/ld+json;q=0.6")


@dataclass(frozen=True)
class Harvested:
    """What one harvest wrote: the file, how many triples, and their provenance."""

    path: Path
    triples: int
    provenance: dict[str, Any]


def provenance_line(provenance: dict[str, Any]) -> str:
    """The comment line that opens a harvested file."""
    return HEADER + json.dumps(provenance, ensure_ascii=False) + "\n"


def read_provenance(path: Path) -> dict[str, Any] | None:
    """The provenance a harvested file records in its first line (None for other files)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            first = handle.readline()
    except OSError:
        return None
    if not first.startswith(HEADER):
        return None
    try:
        found = json.loads(first[len(HEADER):])
    except ValueError:
        return None
    return found if isinstance(found, dict) and isinstance(found.get("source"), str) else None


def _checked_source(address: str) -> str:
    """An endpoint or dump address, which must be an http(s) IRI."""
    try:
        NamedNode(address)
    except ValueError:
        raise UsageError(f"{address!r} is not a web address") from None
    if not address.startswith(("http://", "https://")):
        raise UsageError(f"harvest from an http(s) address, not {address!r}")
    return address


def _write(out: Path, triples: Iterable[Triple], provenance: dict[str, Any]) -> Harvested:
    """Write the triples to a temporary file beside ``out``, then rename it into place,
    so that a failed harvest leaves the previous file as it was."""
    if out.suffix.lower() not in OUTPUT_SUFFIXES:
        raise UsageError(f"{out}: a harvest is written as N-Triples; name the file .nt")
    out.parent.mkdir(parents=True, exist_ok=True)
    counted = _Counter(triples)
    handle = tempfile.NamedTemporaryFile("wb", dir=out.parent, prefix=".harvest-", delete=False)
    try:
        with handle:
            handle.write(provenance_line(provenance).encode("utf-8"))
            serialize(counted, handle, RdfFormat.N_TRIPLES)
        os.replace(handle.name, out)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Harvested(out, counted.count, provenance)


def harvest_endpoint(endpoint: str, query: str, out: Path, timeout: float = 300.0) -> Harvested:
    """Run a CONSTRUCT or DESCRIBE on a partner's endpoint and write its triples to ``out``."""
    _checked_source(endpoint)
    if inspect_query(query, PREFIXES).form != "graph":
        raise UsageError("a harvest query must be a CONSTRUCT or DESCRIBE (it makes triples)")
    started = _now()
    client = SparqlClient(RemoteEndpoints(query=endpoint, update=""), timeout)
    try:
        triples = client.triples(query, Dataset(), timeout)
        return _write(out, triples, {"source": endpoint, "query": query, "harvested_at": started})
    except SyntaxError as error:
        raise SourceError(f"{endpoint}: the answer is not valid RDF: {error}") from None
    except KgError as error:
        raise SourceError(f"harvesting {endpoint} failed: {error.message}") from None


def harvest_dump(url: str, out: Path, timeout: float = 300.0) -> Harvested:
    """Download a dump (any RDF syntax, gzipped or not) and write its triples to ``out``."""
    _checked_source(url)
    started = _now()
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            body = _maybe_gunzip(response, url, response.headers.get("Content-Encoding", ""))
            rdf_format = _dump_format(url, media_type)
            triples = (quad.triple for quad in parse(body, rdf_format))
            return _write(out, triples, {"source": url, "harvested_at": started,
                                         "format": rdf_format.name})
    except SyntaxError as error:
        raise SourceError(f"{url}: not valid RDF: {error}") from None
    except urllib.error.HTTPError as error:
        raise SourceError(f"{url} answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise SourceError(f"cannot download {url}: {getattr(error, 'reason', error)}") from None


def _maybe_gunzip(response: IO[bytes], url: str, encoding: str) -> IO[bytes]:
    """The body, decompressed when it is gzip (by header, name or its first bytes)."""
    reader = response if hasattr(response, "peek") else _Peekable(response)
    if encoding == "gzip" or url.endswith(".gz") or reader.peek(2)[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=reader)  # type: ignore[arg-type]
    return reader  # type: ignore[return-value]


def _dump_format(url: str, media_type: str) -> RdfFormat:
    """The dump's syntax: from its media type, else from its file name."""
    found = RdfFormat.from_media_type(media_type) if media_type else None
    if found is None:
        name = url.split("?")[0].removesuffix(".gz")
        found = RdfFormat.from_extension(name.rsplit(".", 1)[-1]) if "." in name else None
    if found is None:
        raise SourceError(f"{url}: cannot tell its RDF syntax from its type "
                          f"({media_type or 'none'}) or name")
    return found


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Peekable:
    """A reader whose first bytes can be looked at without consuming them."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.head = b""

    def peek(self, size: int) -> bytes:
        while len(self.head) < size:
            more = self.raw.read(size - len(self.head))
            if not more:
                break
            self.head += more
        return self.head

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.raw.read(size)
        if size is None or size < 0:
            data, self.head = self.head, b""
            return data + self.raw.read()
        data, self.head = self.head[:size], self.head[size:]
        return data


class _Counter:
    """Counts triples as the serializer takes them."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self._triples: Iterator[Triple] = iter(triples)
        self.count = 0

    def __iter__(self) -> Iterator[Triple]:
        return self

    def __next__(self) -> Triple:
        triple = next(self._triples)
        self.count += 1
        return triple
