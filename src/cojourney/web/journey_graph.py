"""The directly-follows graph of the actual journeys, drawn as SVG on the server.

The analyses page of the actual journeys shows the graph the CLI's ``analyze``
computes (``graph.nodes``, ``graph.edges`` of
:meth:`cojourney.services.analysis.JourneyAnalysis.to_dict`), drawn without a
script: nodes are the activities, in the column of their touchpoint's designed step
(activities the design does not know in a last column), top to bottom in
designed-path order; edges are the directly-follows relations, ranked by events.

Two views share one drawing: *frequency* (edge width and label by events) and
*performance* (by the median, or mean, time between the two events). The page shows
the top ``shown`` edges; the others are drawn hidden, so ``graph.js`` can change the
number and the view at once, while without JavaScript the GET form does the same
through ``edges`` and ``view``. Every number is an attribute of its element
(``data-events``, ``data-median``, ``data-mean``), so tests and scripts read the
analysis's own figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from cojourney.report.html import duration

__all__ = ["VIEWS", "GraphPicture", "draw_graph", "parse_view"]

View = Literal["frequency", "median", "mean"]
#: The views of the graph, with their labels.
VIEWS: dict[View, str] = {"frequency": "Frequency", "median": "Median time", "mean": "Mean time"}
#: Edges shown when the page does not say (the busiest first).
DEFAULT_EDGES = 30

_NODE_W, _NODE_H = 168, 40
_COL_W, _ROW_H = 250, 66
_MARGIN_X, _MARGIN_TOP = 24, 44
_MIN_STROKE, _MAX_STROKE = 1.2, 9.0
UNKNOWN_COLUMN = "Not in the design"


@dataclass(frozen=True)
class GraphPicture:
    """The SVG and the figures the page's controls need."""

    svg: str
    edges_total: int
    edges_shown: int
    nodes_total: int
    view: View


def parse_view(raw: str | None) -> View:
    """The view named by a query (unknown or empty: frequency)."""
    if raw == "median":
        return "median"
    if raw == "mean":
        return "mean"
    return "frequency"


def parse_shown(raw: str | None, total: int) -> int:
    """How many edges to show: the query's number, within 1..total (default 30)."""
    if total == 0:
        return 0
    try:
        wanted = int(raw) if raw else DEFAULT_EDGES
    except ValueError:
        wanted = DEFAULT_EDGES
    return max(1, min(total, wanted))


def _layout(
    nodes: Sequence[Mapping[str, Any]], journey: Mapping[str, Any]
) -> tuple[dict[str, tuple[float, float]], list[str], dict[str, str]]:
    """Top-left corner of each node, the column titles, and each node's label."""
    touchpoints: Mapping[str, Mapping[str, Any]] = journey["touchpoints"]
    columns = [str(s["name"]) for s in journey["steps"]]
    placed: dict[int, list[tuple[int, str]]] = {}
    labels: dict[str, str] = {}
    unknown = 0
    for node in nodes:
        name = str(node["activity"])
        tp = touchpoints.get(name)
        if tp is not None:
            column, order = int(tp["column"]), int(tp["order"])
            labels[name] = str(tp["name"])
        else:
            column, order = len(columns), 10_000 + unknown
            unknown += 1
            labels[name] = name
        placed.setdefault(column, []).append((order, name))
    if unknown:
        columns.append(UNKNOWN_COLUMN)
    used = sorted(placed)
    position: dict[str, tuple[float, float]] = {}
    for x_index, column in enumerate(used):
        for y_index, (_order, name) in enumerate(sorted(placed[column])):
            position[name] = (
                _MARGIN_X + x_index * _COL_W,
                _MARGIN_TOP + y_index * _ROW_H,
            )
    titles = [columns[c] if c < len(columns) else "" for c in used]
    return position, titles, labels


def _stroke(value: float, top: float) -> str:
    share = value / top if top > 0 else 0.0
    return f"{_MIN_STROKE + (_MAX_STROKE - _MIN_STROKE) * share:.2f}"


def _edge_path(
    a: tuple[float, float], b: tuple[float, float], self_loop: bool
) -> tuple[str, float, float]:
    """The edge's path and the point for its label."""
    if self_loop:
        x, y = a[0] + _NODE_W * 0.7, a[1]
        return (
            f"M{x:.1f},{y:.1f} c 18,-30 52,-4 22,14 L{x + 8:.1f},{y + _NODE_H * 0.3:.1f}",
            x + 34,
            y - 8,
        )
    if a[0] == b[0]:  # within a column
        rows = round(abs(b[1] - a[1]) / _ROW_H)
        cx = a[0] + _NODE_W / 2
        if b[1] > a[1] and rows == 1:  # the next row: straight down
            x1, y1, x2, y2 = cx, a[1] + _NODE_H, cx, b[1]
            return f"M{x1:.1f},{y1:.1f} L{x2:.1f},{y2:.1f}", cx + 16, (y1 + y2) / 2 + 4
        # further down: bulge right; upward: bulge left
        side = 1 if b[1] > a[1] else -1
        edge_x = a[0] + (_NODE_W if side > 0 else 0)
        bulge = side * (30 + 14 * rows)
        y1, y2 = a[1] + _NODE_H / 2, b[1] + _NODE_H / 2
        path = (
            f"M{edge_x:.1f},{y1:.1f} C{edge_x + bulge:.1f},{y1:.1f} "
            f"{edge_x + bulge:.1f},{y2:.1f} {edge_x:.1f},{y2:.1f}"
        )
        return path, edge_x + bulge * 0.75, (y1 + y2) / 2
    x1, y1 = a[0] + _NODE_W, a[1] + _NODE_H / 2
    x2, y2 = b[0], b[1] + _NODE_H / 2
    if x2 <= x1:  # backward: leave on the right, arrive on the left
        bend = max(60.0, (x1 - x2) / 3)
        c1 = (x1 + bend, y1 + 40)
        c2 = (x2 - bend, y2 + 40)
    else:
        reach = (x2 - x1) / 2
        c1 = (x1 + reach, y1)
        c2 = (x2 - reach, y2)
    mid_x = (x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8
    mid_y = (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8
    path = f"M{x1:.1f},{y1:.1f} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {x2:.1f},{y2:.1f}"
    return path, mid_x, mid_y


def _label(edge: Mapping[str, Any], view: View) -> str:
    if view == "frequency":
        return f"{int(edge['events']):,}"
    return duration(float(edge[f"{view}_seconds"]))


def draw_graph(
    analysis: Mapping[str, Any],
    journey: Mapping[str, Any],
    *,
    shown: int,
    view: View,
) -> GraphPicture:
    """The SVG of ``analysis["graph"]`` laid out on ``journey``'s designed steps.

    ``journey`` is :func:`cojourney.report.design.journey_facts` of the journey;
    ``shown`` the number of edges visible (the busiest; ties in the analysis's order).
    """
    nodes: list[Mapping[str, Any]] = list(analysis["graph"]["nodes"])
    edges: list[Mapping[str, Any]] = sorted(
        analysis["graph"]["edges"], key=lambda e: -int(e["events"])
    )
    position, titles, labels = _layout(nodes, journey)
    visible = {(e["source"], e["target"]) for e in edges[:shown]}
    reached = {n for pair in visible for n in pair}
    rows = max((int((y - _MARGIN_TOP) / _ROW_H) for _x, y in position.values()), default=0) + 1
    width = _MARGIN_X * 2 + max(len(titles), 1) * _COL_W
    height = _MARGIN_TOP + rows * _ROW_H + 40
    top = {
        "events": max((float(e["events"]) for e in edges), default=0.0),
        "median": max((float(e["median_seconds"]) for e in edges), default=0.0),
        "mean": max((float(e["mean_seconds"]) for e in edges), default=0.0),
    }
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dfg view-{view}" id="dfg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="dfg-title dfg-desc" '
        f'data-view="{view}" data-shown="{len(visible)}" data-total="{len(edges)}">',
        '<title id="dfg-title">Directly-follows graph of the actual journeys</title>',
        f'<desc id="dfg-desc">{len(nodes)} activities in the columns of their designed '
        f"steps; the {len(visible)} busiest of {len(edges)} paths drawn. The tables below "
        "hold every number.</desc>",
        '<defs><marker id="dfg-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" class="dfg-arrowhead"/></marker></defs>',
    ]
    for index, title in enumerate(titles):
        x = _MARGIN_X + index * _COL_W + _NODE_W / 2
        out.append(
            f'<text class="dfg-column" x="{x:.1f}" y="22" text-anchor="middle">'
            f"{escape(title)}</text>"
        )
    for rank, edge in enumerate(edges, start=1):
        source, target = str(edge["source"]), str(edge["target"])
        if source not in position or target not in position:
            continue
        path, lx, ly = _edge_path(position[source], position[target], source == target)
        backward = position[target][0] < position[source][0]
        hidden = (source, target) not in visible
        classes = "dfg-edge" + (" back" if backward else "") + (" off" if hidden else "")
        widths = {
            "frequency": _stroke(float(edge["events"]), top["events"]),
            "median": _stroke(float(edge["median_seconds"]), top["median"]),
            "mean": _stroke(float(edge["mean_seconds"]), top["mean"]),
        }
        labels_by_view = {v: _label(edge, v) for v in VIEWS}
        tip = (
            f"{labels[source]} → {labels[target]}: {int(edge['events']):,} times in "
            f"{int(edge['journeys']):,} journeys; median {labels_by_view['median']}, "
            f"mean {labels_by_view['mean']}"
        )
        out.append(
            f'<g class="{classes}" data-rank="{rank}" data-source="{escape(source)}" '
            f'data-target="{escape(target)}" data-events="{int(edge["events"])}" '
            f'data-journeys="{int(edge["journeys"])}" '
            f'data-median="{float(edge["median_seconds"])!r}" '
            f'data-mean="{float(edge["mean_seconds"])!r}" '
            f'data-width-frequency="{widths["frequency"]}" '
            f'data-width-median="{widths["median"]}" data-width-mean="{widths["mean"]}" '
            f'data-label-frequency="{escape(labels_by_view["frequency"])}" '
            f'data-label-median="{escape(labels_by_view["median"])}" '
            f'data-label-mean="{escape(labels_by_view["mean"])}">'
            f"<title>{escape(tip)}</title>"
            f'<path d="{path}" stroke-width="{widths[view]}" marker-end="url(#dfg-arrow)"/>'
            f'<text x="{lx:.1f}" y="{ly - 3:.1f}" text-anchor="middle" class="dfg-edge-label">'
            f"{escape(labels_by_view[view])}</text></g>"
        )
    for node in nodes:
        name = str(node["activity"])
        x, y = position[name]
        text = labels[name] if len(labels[name]) <= 24 else labels[name][:23] + "…"
        classes = "dfg-node" + ("" if name in reached else " idle")
        classes += "" if node.get("designed", True) else " unknown"
        out.append(
            f'<g class="{classes}" data-activity="{escape(name)}" '
            f'data-events="{int(node["events"])}" data-journeys="{int(node["journeys"])}">'
            f"<title>{escape(labels[name])}: {int(node['events']):,} events in "
            f"{int(node['journeys']):,} journeys</title>"
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{_NODE_W}" height="{_NODE_H}" rx="6"/>'
            f'<text x="{x + _NODE_W / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle">'
            f"{escape(text)}</text>"
            f'<text x="{x + _NODE_W / 2:.1f}" y="{y + 32:.1f}" text-anchor="middle" '
            f'class="dfg-node-count">{int(node["events"]):,}</text></g>'
        )
    out.append("</svg>")
    return GraphPicture("".join(out), len(edges), len(visible), len(nodes), view)
