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

from pyoxigraph import Literal, NamedNode, Quad

from kg.iris import Minter
from kg.namespaces import FOAF, ORG, RDF, SCHEMA, SKOS, XSD
from kg.store.staging import StagingView, ViewQueries

AGENTS = "agents"
# Above this many candidates one query over everything beats one query each.
_BULK = 2000

NAMED = """
SELECT DISTINCT ?agent ?g WHERE { GRAPH ?g { ?c bf:agent ?agent ; rdfs:label ?label } }"""

DECLARATIONS = """
# ?agents (the agents graph) is bound; Oxigraph binds only projected variables.
SELECT ?agent ?agents (MIN(?label) AS ?name) (MIN(?key) AS ?marc) WHERE {
  ?c bf:agent ?agent ; rdfs:label ?label .
  OPTIONAL { ?c bflc:marcKey ?key }
  FILTER NOT EXISTS {
    GRAPH ?h { ?agent a ?class }
    FILTER(?h != ?agents && (?class = foaf:Person || ?class = org:Organization))
  }
} GROUP BY ?agent ?agents"""

_DATES = re.compile(r"\$d\s*(\d{4})\s*-\s*(\d{4})?")


def agents_graph(minter: Minter) -> NamedNode:
    """The graph that declares agents named inline by records."""
    return minter.graph(AGENTS)


def named_agents(view: StagingView, graphs: list[NamedNode]) -> set[str]:
    """IRIs of the agents that contributions in these graphs name inline."""
    access = ViewQueries(view)
    return {row["agent"].value for graph in graphs
            for row in access.select(NAMED, g=graph) if isinstance(row["agent"], NamedNode)}


def refresh_agents(view: StagingView, minter: Minter, candidates: set[str]) -> set[str]:
    """Bring the agents graph up to date for these agents; the IRIs whose declaration changed."""
    access = ViewQueries(view)
    graph = agents_graph(minter)
    candidates = {iri for iri in candidates if _may_be_agent(minter, iri)}
    current: dict[str, set[Quad]] = {}
    if len(candidates) > _BULK:
        # One query and one scan of the graph, instead of look-ups per agent.
        wanted = _declarations(access, graph, minter, None)
        for quad in access.quads(None, None, None, graph):
            current.setdefault(quad.subject.value, set()).add(quad)
        candidates |= set(current)
    else:
        wanted = {}
        for iri in candidates:
            wanted |= _declarations(access, graph, minter, NamedNode(iri))
            current[iri] = set(access.quads(NamedNode(iri), None, None, graph))
    changed = set()
    for iri in candidates:
        now, desired = current.get(iri, set()), set(wanted.get(iri, []))
        if now != desired:
            access.remove(now - desired)
            access.add(desired - now)
            changed.add(iri)
    return changed


def _may_be_agent(minter: Minter, iri: str) -> bool:
    ref = minter.parse(iri)
    return ref is None or ref.kind in ("person", "organization")


def _declarations(access: ViewQueries, graph: NamedNode, minter: Minter,
                  agent: NamedNode | None) -> dict[str, list[Quad]]:
    """The quads that declare each named agent that no source declares."""
    bindings = {"agents": graph} | ({"agent": agent} if agent is not None else {})
    found: dict[str, list[Quad]] = {}
    for row in access.select(DECLARATIONS, **bindings):
        iri, name = row["agent"], row["name"]
        ref = minter.parse(iri.value) if isinstance(iri, NamedNode) else None
        if ref is None or name is None:
            continue
        marc = row["marc"].value if row.get("marc") is not None else ""
        found[iri.value] = _describe(iri, ref.kind, name.value, marc, graph)
    return found


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
