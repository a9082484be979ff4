"""Reading and writing a release being built (a local Oxigraph store).

Validation runs here, before anything is published, with queries whose terms
are bound through ``substitutions`` and never formatted into the query text.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, Variable

from kg.errors import SourceSyntaxError, StoreError
from kg.kinds import KINDS
from kg.namespaces import PREFIXES, RDF

UNRESOLVED = """
SELECT DISTINCT ?s ?o ?g ?p ?target ?class WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?o))
  ?s a ?target .
  FILTER NOT EXISTS { ?o a ?class }
}"""

DEFINED_ELSEWHERE = """
SELECT DISTINCT ?s ?other ?g ?class WHERE {
  GRAPH ?g { ?s a ?class }
  GRAPH ?other { ?s a ?class }
  FILTER(?other != ?g)
}"""

RDF_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
               "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML}


class StagingView:
    """A writable store under construction, with the reads validation needs."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # Writing --------------------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> int:
        """Replace a graph's content with the given quads; the number of quads loaded."""
        self.remove_graph(graph)
        counter = _Counter(quads)
        try:
            self.store.bulk_extend(counter)
        except OSError as error:
            raise _write_error(f"writing graph {graph.value}", error) from error
        return counter.count

    def load_rdf(self, graph: NamedNode, path: Path, format_name: str, label: str) -> int:
        """Replace a graph with an RDF file's triples, parsed by Oxigraph."""
        self.remove_graph(graph)
        try:
            with path.open("rb") as handle:
                self.store.bulk_load(handle, RDF_FORMATS[format_name], to_graph=graph)
        except SyntaxError as error:
            location = _syntax_location(error)
            raise SourceSyntaxError(str(error.msg), label, location) from error
        except OSError as error:
            raise _write_error(f"loading {label}", error) from error
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph))

    def load_nquads(self, data: bytes | IO[bytes]) -> None:
        """Add N-Quads made by our own converters (bytes, or a stream of them)."""
        try:
            self.store.bulk_load(data, RdfFormat.N_QUADS)
        except OSError as error:
            raise _write_error("loading converted records", error) from error

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop a graph (its source left the set)."""
        if self.store.contains_named_graph(graph):
            self.store.remove_graph(graph)

    # Reading --------------------------------------------------------------------------

    def graphs(self) -> list[NamedNode]:
        """The named graphs in the store."""
        return [g for g in self.store.named_graphs() if isinstance(g, NamedNode)]

    def triples(self, graph: NamedNode) -> Iterator[tuple]:
        """(subject, predicate, object) of one graph."""
        for quad in self.store.quads_for_pattern(None, None, None, graph):
            yield quad.subject, quad.predicate, quad.object

    def types_of(self, iri: NamedNode) -> set[NamedNode]:
        """The classes an IRI has in any graph."""
        return {q.object for q in self.store.quads_for_pattern(iri, RDF.type, None, None)
                if isinstance(q.object, NamedNode)}

    def unresolved_references(self, target_class: str, predicate: str,
                              classes: tuple[str, ...], graphs: list[NamedNode],
                              ) -> Iterator[tuple[str, str]]:
        """(subject, object) pairs in the graphs whose object has none of the classes."""
        wanted = {NamedNode(c) for c in classes}
        for graph in graphs:
            bindings = {Variable("g"): graph, Variable("p"): NamedNode(predicate),
                        Variable("target"): NamedNode(target_class),
                        Variable("class"): NamedNode(classes[0])}
            for row in self.store.query(UNRESOLVED, substitutions=bindings,
                                        use_default_graph_as_union=True):
                obj = row["o"]
                if len(wanted) == 1 or not (self.types_of(obj) & wanted):
                    yield row["s"].value, obj.value

    def defined_in_several_graphs(self, graphs: list[NamedNode],
                                  ) -> Iterator[tuple[str, set[str]]]:
        """Entities that a graph and another graph both declare with their kind's class."""
        found: dict[str, set[str]] = {}
        for graph in graphs:
            for kind in KINDS.values():
                bindings = {Variable("g"): graph, Variable("class"): kind.rdf_type}
                for row in self.store.query(DEFINED_ELSEWHERE, substitutions=bindings):
                    found.setdefault(row["s"].value, {graph.value}).add(row["other"].value)
        yield from found.items()

    def entities(self, graphs: Iterable[NamedNode]) -> set[str]:
        """IRIs that the graphs declare with a kind's class (the entities they define)."""
        found: set[str] = set()
        for graph in graphs:
            for kind in KINDS.values():
                for quad in self.store.quads_for_pattern(None, RDF.type, kind.rdf_type, graph):
                    if isinstance(quad.subject, NamedNode):
                        found.add(quad.subject.value)
        return found

    def count_by_kind(self) -> dict[str, int]:
        """How many entities of each kind the store holds (in any graph)."""
        return {kind.name: len({q.subject for q in self.store.quads_for_pattern(
                    None, RDF.type, kind.rdf_type, None)})
                for kind in KINDS.values()}

    def graphs_of(self, subject: NamedNode) -> set[str]:
        """The graphs that say something about a subject."""
        return {q.graph_name.value for q in self.store.quads_for_pattern(subject, None, None, None)
                if isinstance(q.graph_name, NamedNode)}

    def count(self, graph: NamedNode | None = None) -> int:
        """Quads in one graph, or in the whole store."""
        if graph is None:
            return len(self.store)
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, graph))

    def add(self, triples: Iterable[Triple], graph: NamedNode) -> None:
        """Add a few triples to a graph (the metadata graph)."""
        self.store.extend(Quad(t.subject, t.predicate, t.object, graph) for t in triples)


def _write_error(doing: str, error: OSError) -> StoreError:
    """A store error that says plainly when the disk is full."""
    if "No space left" in str(error) or getattr(error, "errno", None) == errno.ENOSPC:
        return StoreError(f"{doing} failed: the disk holding the store is full; free some space "
                          "or move the store, then build again (nothing was published)")
    return StoreError(f"{doing} failed: {error}")


class _Counter:
    """Counts quads as Oxigraph consumes them (without holding them)."""

    def __init__(self, quads: Iterable[Quad]) -> None:
        self._quads = iter(quads)
        self.count = 0

    def __iter__(self) -> Iterator[Quad]:
        return self

    def __next__(self) -> Quad:
        quad = next(self._quads)
        self.count += 1
        return quad


def _syntax_location(error: SyntaxError) -> str:
    details = error.args[1] if len(error.args) > 1 else None
    if isinstance(details, tuple) and len(details) >= 3 and details[1]:
        return f"line {details[1]} column {details[2]}"
    return ""


class ViewQueries:
    """Generic reads and writes on a staging store, for build steps that derive graphs."""

    def __init__(self, view: StagingView) -> None:
        self.store = view.store

    def select(self, sparql: str, **bindings: NamedNode) -> Iterator[dict]:
        """Rows of a SELECT query (variables bound to terms, never formatted into the text)."""
        substitutions = {Variable(k): v for k, v in bindings.items()} or None
        results = self.store.query(sparql, prefixes=PREFIXES, substitutions=substitutions,
                                   use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        for row in results:
            yield {name: row[name] for name in names}

    def quads(self, subject: NamedNode | None = None, predicate: NamedNode | None = None,
              obj: object = None, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything)."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads."""
        self.store.extend(quads)

    def remove(self, quads: Iterable[Quad]) -> None:
        """Remove quads."""
        for quad in list(quads):
            self.store.remove(quad)
