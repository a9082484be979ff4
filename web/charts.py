"""Pictures drawn on the server as inline SVG (no JavaScript): the geometry is
computed here and ``templates/charts.html`` writes it out, escaped by Jinja.

- an organization's cooperation network: the organizations it (or one of its
  units) shares an agreement with, around it;
- an event's programme as a timeline, in programme order;
- the home page's counts by kind (bars) and events per year (columns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from kg.namespaces import KG, ORG
from kg.store import Snapshot
from web import related
from web.related import Labeller

MAX_PARTNERS = 16
AGREEMENTS_READ = 200


@dataclass
class Node:
    """A labelled point that links to a page."""

    x: float
    y: float
    text: str
    href: str | None
    full: str
    center: bool = False
    anchor: str = "middle"


@dataclass
class Edge:
    """A line between two nodes, with what it stands for."""

    x1: float
    y1: float
    x2: float
    y2: float
    title: str
    weight: int = 1
    dashed: bool = False


@dataclass
class Chart:
    """Nodes, edges and bars of one picture, and its size."""

    width: int
    height: int
    title: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    more: int = 0


@dataclass
class Bar:
    """A bar (or column) with its label and number."""

    x: float
    y: float
    width: float
    height: float
    text: str
    count: int
    href: str | None = None


def short(text: str, size: int = 34) -> str:
    """Text cut to fit a picture's label, with an ellipsis."""
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def cooperation_network(snapshot: Snapshot, iri: NamedNode, labeller: Labeller,
                        title: str) -> Chart | None:
    """The organizations linked by agreements to this one, its units or its parent.

    Units and parents are drawn beside it with dashed lines; None without agreements.
    """
    units = related.subjects(snapshot, ORG.unitOf, iri, 8)[0]
    parents = [p for p in related.objects(snapshot, iri, ORG.unitOf, 2) if isinstance(p, NamedNode)]
    members = [iri, *units, *parents]
    pairs: dict[tuple[str, str], list[NamedNode]] = {}
    for member in members:
        agreements, _ = related.subjects(snapshot, KG.party, member, AGREEMENTS_READ)
        for agreement in agreements:
            for party in related.objects(snapshot, agreement, KG.party, 10):
                if party != member:
                    pairs.setdefault((member.value, party.value), []).append(agreement)
    if not pairs:
        return None
    partners: dict[str, int] = {}
    for (_, partner), agreements in pairs.items():
        partners[partner] = partners.get(partner, 0) + len(agreements)
    ranked = sorted(partners, key=lambda p: -partners[p])
    shown = [p for p in ranked if p != iri.value][:MAX_PARTNERS]
    around = [m.value for m in members[1:]]
    shown = [p for p in shown if p not in around]
    return _draw_network(iri.value, around, shown, pairs, labeller, title,
                         max(0, len(ranked) - len(shown) - 1))


def _draw_network(center: str, units: list[str], partners: list[str],
                  pairs: dict[tuple[str, str], list[NamedNode]], labeller: Labeller,
                  title: str, more: int) -> Chart:
    ring = units + [p for p in partners if p not in units]
    width, height = 720, 460 if len(ring) > 6 else 360
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 50
    labeller.learn([NamedNode(i) for i in [center, *ring]])
    chart = Chart(width, height, title, more=more)
    places = {center: (cx, cy)}
    chart.nodes.append(_node(labeller, center, cx, cy, center=True))
    for index, member in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * index / max(1, len(ring))
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        places[member] = (x, y)
        anchor = "middle" if abs(math.cos(angle)) < 0.3 else ("start" if x > cx else "end")
        chart.nodes.append(_node(labeller, member, x, y, anchor=anchor))
    for unit in units:
        chart.edges.append(Edge(cx, cy, *places[unit], labeller.text(NamedNode(unit)),
                                dashed=True))
    for (member, partner), agreements in pairs.items():
        if partner in places and member in places:
            names = "; ".join(labeller.text(a) for a in agreements[:3])
            chart.edges.append(Edge(*places[member], *places[partner], names,
                                    weight=min(6, len(agreements))))
    return chart


def _node(labeller: Labeller, iri: str, x: float, y: float, center: bool = False,
          anchor: str = "middle") -> Node:
    link = labeller.link(NamedNode(iri))
    return Node(round(x, 1), round(y, 1), short(link.text, 30), link.href, link.text, center,
                anchor)


def programme_timeline(items: list, title: str) -> Chart | None:
    """A vertical timeline of a programme's parts, in order; None without parts."""
    if not items:
        return None
    row = 44
    chart = Chart(640, 30 + row * len(items), title)
    for index, item in enumerate(items):
        y = 24 + index * row
        marker = item.time or (str(item.order) if item.order is not None else str(index + 1))
        chart.nodes.append(Node(56, y, short(item.event.text, 70), item.event.href,
                                item.event.text, anchor="start"))
        chart.bars.append(Bar(8, y, 0, 0, marker, index + 1))
        if index:
            chart.edges.append(Edge(40, y - row + 8, 40, y - 8, ""))
    return chart


def count_bars(counts: list[tuple[str, int, str | None]], title: str) -> Chart:
    """Horizontal bars: one per kind, as long as its count (square-root scaled past 1,000)."""
    row, left, span = 34, 150, 420
    chart = Chart(left + span + 90, 12 + row * len(counts), title)
    biggest = max([c for _, c, _ in counts] + [1])
    for index, (text, count, href) in enumerate(counts):
        width = span * (math.sqrt(count) / math.sqrt(biggest) if biggest > 1000
                        else count / biggest)
        chart.bars.append(Bar(left, 8 + index * row, round(max(width, 2 if count else 0), 1),
                              22, text, count, href))
    return chart


def year_columns(years: list[tuple[str, int]], title: str) -> Chart | None:
    """Columns of events per year, oldest first; None when no event has a year."""
    if not years:
        return None
    years = years[-40:]
    width, height, bottom = 720, 220, 190
    step = (width - 40) / len(years)
    biggest = max(n for _, n in years)
    chart = Chart(width, height, title)
    for index, (year, count) in enumerate(years):
        tall = (bottom - 30) * count / biggest
        chart.bars.append(Bar(round(20 + index * step + step * 0.15, 1), round(bottom - tall, 1),
                              round(step * 0.7, 1), round(tall, 1), year, count))
    return chart
