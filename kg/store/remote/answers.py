"""``/sparql`` on a remote store: the same limits without local query processes.

The query text was already checked (read-only, SERVICE allow-list, size) by
:func:`kg.query.check_query`. Here it is sent to the store with the
release's graphs as its dataset and a deadline (``KG_QUERY_TIMEOUT``; past
it the connection is dropped, and the store's own limit should be set as
well, see ``docs/deploy.md``). The answer is read only up to ``KG_MAX_ROWS``
rows or triples and written out by Oxigraph's serializers, exactly as a query
process does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import NamedNode, QueryBoolean, Store

from kg.errors import QueryError
from kg.formats import result_format
from kg.namespaces import PREFIXES
from kg.query_text import inspect_query, tokens
from kg.store.query_worker import _graph, _solutions  # capped writers: both paths alike
from kg.store.remote.client import Dataset
from kg.store.remote.snapshot import RemoteSnapshot
from kg.store.remote.texts import with_prologue


@dataclass
class RemoteAnswer:
    """A capped, serialized answer: its form, whether it was cut, its bytes."""

    form: str
    truncated: bool
    body: bytes

    def chunks(self) -> Iterator[bytes]:
        """The answer (kept whole: at most ``KG_MAX_ROWS`` rows)."""
        yield self.body

    def read(self) -> bytes:
        return self.body


class _Collector:
    """Where the query worker's writers put an answer's head and bytes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.head: tuple[str, bool] = ("select", False)

    def begin(self, form: str, truncated: bool) -> None:
        self.head = (form, truncated)

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _own_dataset(text: str) -> bool:
    """True if the query names its graphs itself (FROM or FROM NAMED)."""
    return any(t.kind == "name" and t.text.upper() == "FROM" for t in tokens(text))


def _dataset(snap: RemoteSnapshot, text: str, default: list[str] | None,
             named: list[str] | None) -> Dataset:
    """The graphs to read: the request's, the query's own (within the release), or all."""
    if default is not None or named is not None:
        if _own_dataset(text):
            raise QueryError("name the graphs either in the query (FROM) or in the request "
                             "(default-graph-uri, named-graph-uri), not both")
        return snap.dataset([NamedNode(g) for g in default] if default is not None else None,
                            [NamedNode(g) for g in named] if named is not None else None)
    if _own_dataset(text):
        # The store's own dataset handling applies; only the release's graphs may be named.
        return Dataset()
    return snap.everything


def answer(snap: RemoteSnapshot, text: str, default: list[str] | None,
           named: list[str] | None, formats: dict[str, str], max_rows: int,
           timeout: float, base_iri: str | None) -> RemoteAnswer:
    """Evaluate a checked query on the remote store; the answer capped and serialized."""
    form = _form(text)
    base = _base(base_iri)
    _check_syntax(text, base)
    dataset = _dataset(snap, text, default, named)
    if not dataset.default and not dataset.named:
        _check_from(snap, text)
    full = with_prologue(text, base)
    collector = _Collector()
    if form == "graph":
        _graph(snap.client.triples(full, dataset, timeout), formats["graph"], max_rows, collector)
    else:
        result = snap.client.solutions(full, dataset, timeout)
        if isinstance(result, QueryBoolean):
            collector.begin("ask", False)
            result.serialize(collector, result_format(formats["ask"]))
        else:
            _solutions(result, formats["select"], max_rows, collector)
    return RemoteAnswer(collector.head[0], collector.head[1], b"".join(collector.parts))


def _base(base_iri: str | None) -> NamedNode | None:
    """The endpoint's URL as the query's base IRI (checked by pyoxigraph)."""
    if not base_iri:
        return None
    try:
        return NamedNode(base_iri)
    except ValueError:
        raise QueryError(f"the request's address {base_iri!r} is not a valid IRI") from None


def _check_syntax(text: str, base: NamedNode | None) -> None:
    """Parse the query here first, so a syntax error reads exactly as on the embedded
    store (line and column of the query as sent, not of what the store got)."""
    if inspect_query(text, PREFIXES).services:
        return  # an ASK would call the (allow-listed) endpoint right away; the store parses
    try:
        # On an empty store, and a SELECT or CONSTRUCT is only evaluated when read.
        Store().query(text, prefixes=PREFIXES, base_iri=base.value if base else None)
    except SyntaxError as error:
        raise QueryError(f"query syntax error: {error}") from None


def _form(text: str) -> str:
    form = inspect_query(text, PREFIXES).form
    if form not in ("select", "ask", "graph"):
        raise QueryError("the query is not a SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


def _check_from(snap: RemoteSnapshot, text: str) -> None:
    """A query's FROM may only name the release's graphs (the store may hold others)."""
    found = list(tokens(text))
    allowed = set(snap.graphs)
    for index, token in enumerate(found[:-1]):
        if token.kind != "name" or token.text.upper() != "FROM":
            continue
        target = found[index + 1]
        if target.kind == "name" and target.text.upper() == "NAMED" and index + 2 < len(found):
            target = found[index + 2]
        iri = target.text[1:-1] if target.kind == "iri" else None
        if iri not in allowed:
            raise QueryError(f"FROM may name the graphs of this dataset only "
                             f"({', '.join(sorted(allowed))}); got {target.text}")
