"""Agents that records name inline (MARC headings), declared once for the release.

A catalogue record names its contributors; it does not describe them, and the
same person is named by many records in many files. So a source's graph only
links a contribution to the agent's IRI (made from the heading's name and
dates, see :mod:`kg.marc.headings`) and keeps the name as the record gives it
(``rdfs:label`` of the contribution). The agent itself is declared (typed
``foaf:Person`` or ``org:Organization``, with one name) in one derived graph,
``{BASE}graph/agents``, unless a source declares it: a people or organizations
source, or RDF. Then that declaration is the one that counts and the records
only link to it. No entity is thus declared in two sources, and the derived
graph changes only where the agents that changed sources name change.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from pyoxigraph import Literal, NamedNode, Quad

from kg.convert.agent_names import Names, merge_names, names_agents, names_elsewhere
from kg.iris import Minter
from kg.namespaces import BF, FOAF, ORG, RDF, SCHEMA, SKOS, XSD
from kg.store.staging import StagingView, ViewQueries

AGENTS = "agents"
# Above this many candidates one scan beats one look-up each.
_BULK = 2000
# A source declares an agent by typing it with one of these (in a graph not the agents graph).
_DECLARING = (FOAF.Person, ORG.Organization)

_DATES = re.compile(r"\$d\s*(\d{4})\s*-\s*(\d{4})?")


def agents_graph(minter: Minter) -> NamedNode:
    """The graph that declares agents named inline by records."""
    return minter.graph(AGENTS)


def named_agents(view: StagingView, graphs: list[NamedNode]) -> set[str]:
    """IRIs of the agents that contributions in these graphs name (a scan of ``bf:agent``)."""
    return {quad.object.value for graph in graphs
            for quad in view.quads(None, BF.agent, None, graph)
            if isinstance(quad.object, NamedNode)}


def declared_in(view: StagingView, graphs: list[NamedNode]) -> set[str]:
    """IRIs that these graphs type as people or organizations."""
    return {quad.subject.value for graph in graphs for cls in _DECLARING
            for quad in view.quads(None, RDF.type, cls, graph)
            if isinstance(quad.subject, NamedNode)}


def refresh_agents(view: StagingView, minter: Minter, candidates: set[str],
                   named: dict[str, Names]) -> set[str]:
    """Bring the agents graph up to date for these agents; the IRIs whose declaration changed.

    ``named`` holds the names that each graph this build converted gives agents
    (:mod:`kg.convert.agent_names`); those agents are candidates too. The
    other graphs are only looked into for the candidates.
    """
    access = ViewQueries(view)
    graph = agents_graph(minter)
    names: Names = {}
    for found in named.values():
        merge_names(names, found)
    kinds = _agent_kinds(minter, candidates | names.keys())
    candidates = set(kinds)
    if not candidates:
        return set()
    others = [g for g in view.graphs()
              if g.value not in named and g != graph and names_agents(access, g)]
    merge_names(names, names_elsewhere(access, candidates, others))
    declared = _declared_by_sources(view, access, graph, candidates)

    def desired(iri: str) -> list[Quad]:
        return [] if iri in declared else _declaration(graph, iri, kinds[iri], names.get(iri))

    return _update(view, graph, candidates, desired)


def _update(view: StagingView, graph: NamedNode, candidates: set[str],
            desired: Callable[[str], list[Quad]]) -> set[str]:
    """Give each candidate its desired quads in the agents graph; the IRIs that changed."""
    access = ViewQueries(view)
    empty = next(access.quads(None, None, None, graph), None) is None
    current = {} if empty else _current(access, graph, candidates)
    changed: set[str] = set()
    dropped: list[Quad] = []

    def additions() -> Iterator[Quad]:
        for iri in candidates:
            now, wanted = current.get(iri), desired(iri)
            if now is None:  # most agents on a first build: no sets to compare
                if wanted:
                    changed.add(iri)
                    yield from wanted
            elif now != set(wanted):
                changed.add(iri)
                dropped.extend(now - set(wanted))
                yield from set(wanted) - now

    if empty and len(candidates) > _BULK:  # a first build: one bulk load of the whole graph
        view.replace_graph(graph, additions())
    else:
        added = list(additions())
        access.remove(dropped)
        access.add(added)
    return changed


def _agent_kinds(minter: Minter, iris: set[str]) -> dict[str, str | None]:
    """The IRIs that may be agents, with their kind (None: not one of our IRIs)."""
    kinds: dict[str, str | None] = {}
    for iri in iris:
        ref = minter.parse(iri)
        if ref is None or ref.kind in ("person", "organization"):
            kinds[iri] = ref.kind if ref is not None else None
    return kinds


def _declared_by_sources(view: StagingView, access: ViewQueries, graph: NamedNode,
                         candidates: set[str]) -> set[str]:
    """The candidates that a source (any graph but the agents graph) declares."""
    if len(candidates) > _BULK:
        sources = [g for g in view.graphs() if g != graph]
        return declared_in(view, sources) & candidates
    classes = set(_DECLARING)
    return {iri for iri in candidates
            if any(q.graph_name != graph and isinstance(q.graph_name, NamedNode)
                   and q.object in classes
                   for q in access.quads(NamedNode(iri), RDF.type, None, None))}


def _current(access: ViewQueries, graph: NamedNode, candidates: set[str]) -> dict[str, set[Quad]]:
    """The candidates' quads in the agents graph."""
    current: dict[str, set[Quad]] = {}
    if len(candidates) > _BULK:  # one scan of the graph
        for quad in access.quads(None, None, None, graph):
            if quad.subject.value in candidates:
                current.setdefault(quad.subject.value, set()).add(quad)
        return current
    for iri in candidates:
        quads = set(access.quads(NamedNode(iri), None, None, graph))
        if quads:
            current[iri] = quads
    return current


def _declaration(graph: NamedNode, iri: str, kind: str | None,
                 name: tuple[str, str | None] | None) -> list[Quad]:
    """The quads that declare a named agent that no source declares."""
    if kind is None or name is None:
        return []
    return _describe(NamedNode(iri), kind, name[0], name[1] or "", graph)


def _describe(iri: NamedNode, kind: str, name: str, marc: str, graph: NamedNode) -> list[Quad]:
    if kind == "organization":
        triples = [(RDF.type, ORG.Organization), (RDF.type, ORG.FormalOrganization),
                   (RDF.type, SCHEMA.Organization),
                   # A heading does not say its language: 'und' (undetermined).
                   (SKOS.prefLabel, Literal(name, language="und"))]
    else:
        triples = [(RDF.type, FOAF.Person), (RDF.type, SCHEMA.Person), (FOAF.name, Literal(name))]
        dates = _DATES.search(marc)
        if dates:
            triples.append((SCHEMA.birthDate, Literal(dates.group(1), datatype=XSD.gYear)))
            if dates.group(2):
                triples.append((SCHEMA.deathDate, Literal(dates.group(2), datatype=XSD.gYear)))
    return [Quad(iri, p, o, graph) for p, o in triples]
