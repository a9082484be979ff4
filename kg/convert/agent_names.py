"""The names that records give agents inline: per agent, its least label and MARC key.

A contribution names its agent (``bf:agent``) with an ``rdfs:label`` and
maybe a ``bflc:marcKey``; the agents graph declares each agent with the least
of its labels and of its keys over every graph (compared as strings, as
SPARQL's MIN compares simple literals). These are collected where they are
cheapest: from the triples a conversion makes, before they reach the store
(reading a term back from the store is a RocksDB look-up, so reading back the
contributions of 250,000 records costs more than converting them), and from
the store by pattern look-ups only for graphs this build did not convert.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyoxigraph import NamedNode, Quad

from kg.namespaces import BF, BFLC, RDFS
from kg.store.staging import ViewQueries

# Agent IRI -> (least label, least MARC key or None).
Names = dict[str, tuple[str, str | None]]

_AGENT, _LABEL, _KEY = BF.agent, RDFS.label, BFLC.marcKey

def add_name(names: Names, agent: str, label: str, key: str | None) -> None:
    """Keep the least label and the least key seen for an agent."""
    seen = names.get(agent)
    if seen is not None:
        label = min(label, seen[0])
        key = seen[1] if key is None else key if seen[1] is None else min(key, seen[1])
    names[agent] = (label, key)


def merge_names(names: Names, more: Names) -> None:
    """Add the names of ``more`` (another batch or graph) to ``names``."""
    for agent, (label, key) in more.items():
        add_name(names, agent, label, key)


def names_in_triples(triples: Iterable[tuple[Any, NamedNode, Any]]) -> Names:
    """The names that converted triples (a batch of records, one graph) give agents."""
    # One comparison of terms per triple: the workers pay this for every batch.
    agents: dict[object, list[str]] = {}
    labels: dict[object, list[str]] = {}
    keys: dict[object, list[str]] = {}
    for subject, predicate, obj in triples:
        if predicate == _AGENT:
            if isinstance(obj, NamedNode):
                agents.setdefault(subject, []).append(obj.value)
        elif predicate == _LABEL:
            labels.setdefault(subject, []).append(obj.value)
        elif predicate == _KEY:
            keys.setdefault(subject, []).append(obj.value)
    names: Names = {}
    for contribution, named in agents.items():
        if contribution in labels:
            label, key = min(labels[contribution]), min(keys.get(contribution, [None]))
            for agent in named:
                add_name(names, agent, label, key)
    return names


def names_in_graph(access: ViewQueries, graph: NamedNode) -> Names:
    """The names one graph of the store gives agents (a scan of its ``bf:agent``)."""
    return _named_by(access, access.quads(None, BF.agent, None, graph), graph)


def names_elsewhere(access: ViewQueries, agents: Iterable[str],
                    graphs: list[NamedNode]) -> Names:
    """The names these graphs give these agents (a look-up per agent and graph)."""
    names: Names = {}
    for graph in graphs:
        for agent in agents:
            merge_names(names, _named_by(access, access.quads(None, BF.agent, NamedNode(agent),
                                                               graph), graph))
    return names


def names_agents(access: ViewQueries, graph: NamedNode) -> bool:
    """True if some contribution in the graph names an agent."""
    return next(access.quads(None, BF.agent, None, graph), None) is not None


def _named_by(access: ViewQueries, links: Iterator[Quad], graph: NamedNode) -> Names:
    """The names of the contributions of these ``bf:agent`` quads, read from the graph."""
    names: Names = {}
    for link in links:
        if not isinstance(link.object, NamedNode):
            continue
        labels = [q.object.value for q in access.quads(link.subject, RDFS.label, None, graph)]
        if labels:
            keys = [q.object.value for q in access.quads(link.subject, BFLC.marcKey, None, graph)]
            add_name(names, link.object.value, min(labels), min(keys) if keys else None)
    return names
