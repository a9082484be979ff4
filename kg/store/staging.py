"""Reading and writing a release being built (a local Oxigraph store).

Validation runs here, before anything is published, with queries whose terms
are bound through ``substitutions`` and never formatted into the query text.
"""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    serialize,
)

from kg.errors import SourceSyntaxError, StoreError
from kg.kinds import KINDS
from kg.namespaces import PREFIXES, RDF, RDFS
from kg.store.graph_texts import GraphTexts

T = TypeVar("T")

# References of one predicate in one graph to IRIs with none of some classes,
# from subjects of the target class; {graph}, {predicate} and {targets} are
# terms written by pyoxigraph, {minus} one MINUS { ?o a <class> } per class.
UNRESOLVED = """
SELECT DISTINCT ?s ?o WHERE {{
  {{ SELECT ?s ?o WHERE {{ GRAPH {graph} {{ ?s {predicate} ?o }} FILTER(isIRI(?o)) {minus} }} }}
  ?s a ?target . FILTER(?target IN ({targets}))
}}"""

# Entities typed with one class in two graphs: a scan of that class's type
# triples, grouped (no look-up per entity, so it stays fast at millions).
# {cls} is a class IRI written by pyoxigraph.
DEFINED_TWICE = """
SELECT ?s ?g WHERE {{
  {{ SELECT ?s WHERE {{ GRAPH ?g {{ ?s a {cls} }} }} GROUP BY ?s HAVING (COUNT(?g) > 1) }}
  GRAPH ?g {{ ?s a {cls} }}
}}"""

# Typed entities of one graph ({graph}, {classes}: terms written by pyoxigraph).
ENTITIES = """
SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s a ?class }} FILTER(?class IN ({classes})) }}"""

TYPED = "SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?s a ?class }} }}"

COUNT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
COUNT_GRAPH_UP_TO = ("SELECT (COUNT(*) AS ?n) WHERE {{ SELECT * WHERE {{ GRAPH {graph} "
                     "{{ ?s ?p ?o }} }} LIMIT {limit} }}")
# When the store's total is summed graph by graph, the graphs without a text are
# counted up to this many quads in all (about 0.5 s); past it, the store is.
_COUNTED_UP_TO = 1_000_000
COUNT_DEFAULT_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_INSTANCES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a {cls} }}"

SUBCLASSES = """
SELECT DISTINCT ?sub ?class WHERE { ?sub rdfs:subClassOf+ ?class FILTER(isIRI(?sub)) }"""

SUBCLASS_TRIPLES = """
SELECT DISTINCT ?sub ?class WHERE { ?sub rdfs:subClassOf ?class }"""

RDF_FORMATS = {"turtle": RdfFormat.TURTLE, "ntriples": RdfFormat.N_TRIPLES,
               "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML}


class StagingView:
    """A writable store under construction, with the reads validation needs.

    With ``texts``, the graphs loaded from converted records are also kept as
    N-Triples text for the build's publish-time writers (:mod:`kg.store.graph_texts`).
    """

    def __init__(self, store: Store, texts: GraphTexts | None = None) -> None:
        self.store = store
        self.texts = texts

    # Writing --------------------------------------------------------------------------

    def replace_graph(self, graph: NamedNode, quads: Iterable[Quad]) -> int:
        """Replace a graph's content with the given quads; the number of quads loaded."""
        self.remove_graph(graph)
        counter = _Counter(quads)
        try:
            if self.texts is None:
                self.store.bulk_extend(counter)
            else:
                with self.texts.writer(graph.value) as text:
                    self.store.bulk_extend(_written(counter, text))
        except OSError as error:
            raise _write_error(f"writing graph {graph.value}", error) from error
        return counter.count

    def load_rdf(self, graph: NamedNode, path: Path, format_name: str, label: str) -> int:
        """Replace a graph with an RDF file's triples, parsed by Oxigraph."""
        self.remove_graph(graph)
        try:  # from the path: N-Triples and N-Quads are then parsed on every core
            self.store.bulk_load(path=path, format=RDF_FORMATS[format_name], to_graph=graph)
        except SyntaxError as error:
            location = _syntax_location(error)
            raise SourceSyntaxError(str(error.msg), label, location) from error
        except OSError as error:
            raise _write_error(f"loading {label}", error) from error
        return self.count(graph)

    def load_ntriples_written_by(self, graph: NamedNode, write: Callable[[IO[bytes]], T],
                                 picks: bool = False,
                                 kept: Callable[[Path], None] | None = None) -> T:
        """Load into a graph the N-Triples that ``write`` writes into a file; what it returns.

        The whole text is written first (kept as the graph's text, if texts are
        kept) and loaded from the file: Oxigraph parses N-Triples from a file on
        every core, from a stream on one (4M MARC triples: 26.8 s from the
        file, 45.4 s from the same file opened as a stream). ``picks``: ``write``
        also writes the lines the entity index reads to its sink's ``picks``
        when the text is kept (:meth:`GraphTexts.writer`). ``kept`` is called
        with the kept text's path once it is whole, before the load begins.

        The text is loaded strictly, although its terms were checked when
        pyoxigraph made them: loading it ``lenient`` takes a tenth less CPU
        (2M MARC triples: 23.4 CPU s, against 26.3) but more memory, as the
        loader's parsing runs further ahead of its sorting (1,460-1,640 MiB
        against 1,380 for those 2M; 2,032-2,083 MiB at 250,000 records, over
        the 2 GiB a build may take).
        """
        try:
            with ExitStack() as stack:
                if self.texts is not None:
                    with self.texts.writer(graph.value, quads=False, picks=picks) as text:
                        result = write(text)  # type: ignore[arg-type]
                    path = self.texts.path(graph.value)
                    if kept is not None:
                        kept(path)
                else:
                    path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "graph.nt"
                    with path.open("wb") as handle:
                        result = write(handle)
                self.store.bulk_load(path=path, format=RdfFormat.N_TRIPLES, to_graph=graph)
        except OSError as error:
            raise _write_error("loading converted records", error) from error
        if self.texts is not None:  # the text's check needs it: count while the build goes on
            self.texts.count_ahead(graph.value, lambda: self.count(graph))
        return result

    def remove_graph(self, graph: NamedNode) -> None:
        """Drop a graph (its source left the set)."""
        if self.texts is not None:
            self.texts.drop(graph.value)
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

    def quads(self, subject: NamedNode | None = None, predicate: NamedNode | None = None,
              obj: object | None = None, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything), as Snapshot.quads."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def types_of(self, iri: NamedNode) -> set[NamedNode]:
        """The classes an IRI has in any graph."""
        return {q.object for q in self.store.quads_for_pattern(iri, RDF.type, None, None)
                if isinstance(q.object, NamedNode)}

    def subclasses(self) -> dict[str, tuple[str, ...]]:
        """Each class with subclasses (rdfs:subClassOf in any graph): itself, then them."""
        found: dict[str, set[str]] = {}
        for row in self.store.query(SUBCLASSES, prefixes=PREFIXES,
                                    use_default_graph_as_union=True):
            found.setdefault(row["class"].value, set()).add(row["sub"].value)
        return {cls: (cls, *sorted(subs - {cls})) for cls, subs in found.items()}

    def has_instances(self, graph: NamedNode, classes: tuple[str, ...]) -> bool:
        """True if the graph types something with one of the classes."""
        return any(next(self.store.quads_for_pattern(None, RDF.type, NamedNode(c), graph), None)
                   for c in classes)

    def subclass_triples(self) -> list[tuple]:
        """Every rdfs:subClassOf statement in any graph, as (subclass, predicate, class)."""
        return [(row["sub"], RDFS.subClassOf, row["class"]) for row in self.store.query(
            SUBCLASS_TRIPLES, prefixes=PREFIXES, use_default_graph_as_union=True)]

    def validation_rows(self, query: str, functions: dict[NamedNode, Callable]) -> QuerySolutions:
        """Solutions of a validation query, whose default graph is the union of all graphs.

        The query names the graphs it validates in its ``GRAPH`` patterns and
        looks ``rdf:type`` up in the default graph.
        """
        try:
            return self.store.query(query, use_default_graph_as_union=True,
                                    custom_functions=functions)
        except SyntaxError as error:
            raise StoreError(f"a validation query is not valid SPARQL: {error}") from error
        except OSError as error:
            raise StoreError(f"reading the staging store failed: {error}") from error

    def unresolved_references(self, target_class: str, predicate: str,
                              classes: tuple[str, ...], graphs: list[NamedNode],
                              ) -> Iterator[tuple[str, str]]:
        """(subject, object) pairs in the graphs whose object has none of the classes.

        Subclasses (rdfs:subClassOf in any graph) count as their classes. One
        scan of the predicate's triples per graph and anti-joins with the
        instances of the classes, so the cost stays a scan at millions.
        """
        subclasses = self.subclasses()
        wanted = [c for cls in classes for c in subclasses.get(cls, (cls,))]
        targets = subclasses.get(target_class, (target_class,))
        minus = " ".join(f"MINUS {{ ?o a {NamedNode(c)} }}" for c in wanted)
        for graph in graphs:
            query = UNRESOLVED.format(graph=graph, predicate=NamedNode(predicate), minus=minus,
                                      targets=", ".join(str(NamedNode(t)) for t in targets))
            for row in self.store.query(query, use_default_graph_as_union=True):
                yield row["s"].value, row["o"].value

    def typed_subjects(self, graphs: list[NamedNode]) -> set[str]:
        """IRIs that the graphs give an rdf:type (any class)."""
        return {row["s"].value for graph in graphs
                for row in self.store.query(TYPED.format(graph=graph))
                if isinstance(row["s"], NamedNode)}

    def references_to_or_from(self, iris: Iterable[str], graphs: list[NamedNode],
                              predicates: set[str]) -> Iterator[tuple[str, str, str]]:
        """(subject, predicate, object) in the graphs with one of the predicates, where
        the subject or the object is one of the IRIs (a look-up per IRI)."""
        wanted = set(graphs)
        for iri in iris:
            node = NamedNode(iri)
            for quad in [*self.store.quads_for_pattern(None, None, node, None),
                         *self.store.quads_for_pattern(node, None, None, None)]:
                if quad.graph_name in wanted and quad.predicate.value in predicates \
                        and isinstance(quad.object, NamedNode):
                    yield quad.subject.value, quad.predicate.value, quad.object.value

    def defined_in_several_graphs(self, graphs: list[NamedNode],
                                  ) -> Iterator[tuple[str, set[str]]]:
        """Entities that a graph and another graph both declare with their kind's class."""
        wanted = {g.value for g in graphs}
        for kind in KINDS.values():
            found: dict[str, set[str]] = {}
            for row in self.store.query(DEFINED_TWICE.format(cls=kind.rdf_type)):
                found.setdefault(row["s"].value, set()).add(row["g"].value)
            yield from ((iri, names) for iri, names in found.items() if names & wanted)

    def entities(self, graphs: Iterable[NamedNode]) -> set[str]:
        """IRIs that the graphs declare with a kind's class (the entities they define)."""
        classes = ", ".join(str(kind.rdf_type) for kind in KINDS.values())
        return {row["s"].value for graph in graphs
                for row in self.store.query(ENTITIES.format(graph=graph, classes=classes))
                if isinstance(row["s"], NamedNode)}

    def count_by_kind(self) -> dict[str, int]:
        """How many entities of each kind the store holds (in any graph)."""
        return {kind.name: self._number(COUNT_INSTANCES.format(cls=kind.rdf_type))
                for kind in KINDS.values()}

    def graphs_of(self, subject: NamedNode) -> set[str]:
        """The graphs that say something about a subject."""
        return {q.graph_name.value for q in self.store.quads_for_pattern(subject, None, None, None)
                if isinstance(q.graph_name, NamedNode)}

    def count_at_least(self, graphs: list[NamedNode], limit: int) -> bool:
        """True if the graphs hold at least ``limit`` triples (stops counting there)."""
        seen = 0
        for graph in graphs:
            seen += self._number(COUNT_GRAPH_UP_TO.format(graph=graph, limit=int(limit)))
            if seen >= limit:
                return True
        return False

    def count(self, graph: NamedNode | None = None) -> int:
        """Quads in one graph, or in the whole store (counted inside Oxigraph).

        With kept texts, the whole store is counted graph by graph: a graph with
        a text is counted once for the text's check anyway (which the entity
        index and the dumps then reuse), and counting the small rest costs a
        fraction of counting the store again (250,000 MARC records: 5-10 s for
        ``len``). Graphs without a text that hold many quads (a catalogue, or
        all the sources, kept from the last release) make it count the store:
        one scan costs less than counting them graph by graph.
        """
        if graph is not None:
            return self._number(COUNT_GRAPH.format(graph=graph))
        if self.texts is None:
            return len(self.store)
        total = int(next(iter(self.store.query(COUNT_DEFAULT_GRAPH)))["n"].value)  # not the union
        budget = _COUNTED_UP_TO  # quads of graphs without a text, counted one by one
        for named in self.graphs():
            counted = self.texts.counted(named.value, lambda named=named: self.count(named))
            if counted is None:
                counted = self._number(COUNT_GRAPH_UP_TO.format(graph=named, limit=budget + 1))
                if counted > budget:
                    return len(self.store)
                budget -= counted
            total += counted
        return total

    def _number(self, query: str) -> int:
        """The one number a counting query answers."""
        for row in self.store.query(query, use_default_graph_as_union=True):
            return int(row["n"].value)
        return 0

    def dump(self, output: IO[bytes] | Path, format: RdfFormat, graph: NamedNode | DefaultGraph,
             prefixes: dict[str, str] | None = None) -> None:
        """Serialize one graph's triples with Oxigraph's own writer (streamed).

        Into a path, Oxigraph writes without holding the GIL.
        """
        try:
            self.store.dump(output, format, from_graph=graph, prefixes=prefixes)
        except OSError as error:
            raise StoreError(f"dumping graph {graph} failed: {error}") from error

    def add(self, triples: Iterable[Triple], graph: NamedNode) -> None:
        """Add a few triples to a graph (the metadata graph)."""
        if self.texts is not None:
            self.texts.written([graph.value])
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


def _written(quads: Iterator[Quad], text: IO[bytes] | Any, chunk: int = 4096
             ) -> Iterator[Quad]:
    """The quads, also written as N-Quads into ``text`` (a chunk at a time, by Oxigraph)."""
    while batch := list(islice(quads, chunk)):
        serialize(batch, text, RdfFormat.N_QUADS)
        yield from batch


def _syntax_location(error: SyntaxError) -> str:
    details = error.args[1] if len(error.args) > 1 else None
    if isinstance(details, tuple) and len(details) >= 3 and details[1]:
        return f"line {details[1]} column {details[2]}"
    return ""


class ViewQueries:
    """Generic reads and writes on a staging store, for build steps that derive graphs."""

    def __init__(self, view: StagingView) -> None:
        self.store = view.store
        self.texts = view.texts

    def select(self, sparql: str, **bindings: NamedNode) -> Iterator[dict]:
        """Rows of a SELECT query (variables bound to terms, never formatted into the text)."""
        substitutions = {Variable(k): v for k, v in bindings.items()} or None
        results = self.store.query(sparql, prefixes=PREFIXES, substitutions=substitutions,
                                   use_default_graph_as_union=True)
        names = [v.value for v in results.variables]
        for row in results:
            yield {name: row[name] for name in names}

    def first_iris(self, sparql: str, **bindings: NamedNode) -> list[str]:
        """The IRIs in the first column of a SELECT query's rows (blank nodes left out).

        The rows are written as TSV by Oxigraph, without the GIL: a thread that
        reads many rows one by one would wait for the GIL at each while another
        thread runs Python (250,000 rows: 37 s against 5 s alone).
        """
        substitutions = {Variable(k): v for k, v in bindings.items()} or None
        results = self.store.query(sparql, prefixes=PREFIXES, substitutions=substitutions,
                                   use_default_graph_as_union=True)
        text = results.serialize(format=QueryResultsFormat.TSV).decode()
        # TSV writes an IRI as <...>, which holds no tab or line break.
        return [line.split("\t", 1)[0][1:-1] for line in text.splitlines()[1:]
                if line.startswith("<")]

    def quads(self, subject: NamedNode | None = None, predicate: NamedNode | None = None,
              obj: object = None, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Quads matching a pattern (None matches anything)."""
        return self.store.quads_for_pattern(subject, predicate, obj, graph)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads."""
        graphs: set[str] = set()
        try:
            self.store.extend(_noting_graphs(quads, graphs))
        finally:
            self._written(graphs)

    def remove(self, quads: Iterable[Quad]) -> None:
        """Remove quads."""
        graphs: set[str] = set()
        try:
            for quad in list(_noting_graphs(quads, graphs)):
                self.store.remove(quad)
        finally:
            self._written(graphs)

    def _written(self, graphs: set[str]) -> None:
        if self.texts is not None:
            self.texts.written(graphs)


def _noting_graphs(quads: Iterable[Quad], graphs: set[str]) -> Iterator[Quad]:
    """The quads, with the graph of each noted as they pass (the default graph as '')."""
    for quad in quads:
        graph = quad.graph_name
        graphs.add(graph.value if isinstance(graph, NamedNode) else "")
        yield quad
