"""Section 2: the actual-journey graph, interactive.

Nodes are the activities of the actual journeys, laid out left to right in the
column of their touchpoint's designed step (activities the design does not know go
in an extra column on the right), top to bottom in designed-path order. Edges are
the directly-follows relations. ``report.js`` draws it with an ECharts ``graph``
series and two controls: a frequency/performance toggle (edge labels and widths by
count, or by median or mean time between the two events) and a detail slider that
keeps the top X% of activities by events and, among them, the top X% of paths by
count (as Disco's and PM4Py's path sliders do).
"""

from __future__ import annotations

import math
from typing import Any

from cojourney.report.html import esc, integer, percent
from cojourney.report.sections import NO_EVENTS, Section, no_data

SECTION_ID = "journey-graph"
CHART_ID = "chart-journey-graph"
#: Above this many edges, the graph opens with the detail slider below 100%.
BUSY_EDGES = 60
UNKNOWN_COLUMN = "Not in the design"


def shown(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], detail: int) -> tuple[int, int]:
    """(activities, paths) the graph shows at ``detail`` percent, as ``report.js`` picks
    them: the top ``detail``% of activities by events (at least one; ties by id), then
    the top ``detail``% by events of the paths between those."""
    keep = max(1, math.ceil(len(nodes) * detail / 100))
    kept = {n["id"] for n in sorted(nodes, key=lambda n: (-n["events"], n["id"]))[:keep]}
    candidates = sum(1 for e in edges if e["source"] in kept and e["target"] in kept)
    return keep, math.ceil(candidates * detail / 100)


def default_detail(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> int:
    """The highest detail (a multiple of 5) that draws at most :data:`BUSY_EDGES` paths."""
    for detail in range(100, 4, -5):
        if shown(nodes, edges, detail)[1] <= BUSY_EDGES:
            return detail
    return 5


def build(
    analysis: dict[str, Any] | None, journey: dict[str, Any], *, empty: tuple[str, str] = NO_EVENTS
) -> Section:
    """The section from ``JourneyAnalysis.to_dict()`` (``None``: no events) and
    :func:`cojourney.report.design.journey_facts`."""
    if analysis is None or not analysis["graph"]["nodes"]:
        return no_data(SECTION_ID, *empty)
    tps = journey["touchpoints"]
    columns = [s["name"] for s in journey["steps"]]
    nodes = []
    unknown = 0
    for n in analysis["graph"]["nodes"]:
        tp = tps.get(n["activity"])
        if tp is not None:
            column, order = tp["column"], tp["order"]
        else:
            column, order = len(columns), 10_000 + unknown
            unknown += 1
        nodes.append(
            {
                "id": n["activity"],
                "label": tp["name"] if tp else n["activity"],
                "column": column,
                "order": order,
                "events": n["events"],
                "journeys": n["journeys"],
                "designed": tp is not None,
            }
        )
    if unknown:
        columns.append(UNKNOWN_COLUMN)
    edges = [
        {
            "source": e["source"],
            "target": e["target"],
            "events": e["events"],
            "journeys": e["journeys"],
            "mean": e["mean_seconds"],
            "median": e["median_seconds"],
        }
        for e in analysis["graph"]["edges"]
    ]
    detail = default_detail(nodes, edges)
    spec = {
        "type": "journey-graph",
        "nodes": nodes,
        "edges": edges,
        "columns": columns,
        "detail": detail,
        "mode": "frequency",
    }
    counts = analysis["counts"]
    total_journeys = counts["journeys"]
    designed = sum(1 for n in nodes if n["designed"])
    html = f"""
<div class="cj-graph-controls" data-for="{CHART_ID}">
  <fieldset class="cj-toggle" aria-label="What the edges show">
    <label><input type="radio" name="cj-graph-mode" value="frequency" checked> Frequency</label>
    <label><input type="radio" name="cj-graph-mode" value="median"> Median time</label>
    <label><input type="radio" name="cj-graph-mode" value="mean"> Mean time</label>
  </fieldset>
  <label class="cj-slider">Detail: top <output class="cj-graph-detail-value">{detail}</output>% of
    activities and paths
    <input type="range" class="cj-graph-detail" min="5" max="100" step="5" value="{detail}"
           aria-label="Share of activities and paths shown">
  </label>
  <span class="cj-graph-status" aria-live="polite"></span>
</div>
<div id="{CHART_ID}" class="cj-chart cj-chart-graph" data-chart="{CHART_ID}" role="img"
     aria-label="Actual-journey graph" style="height:640px"></div>
<p class="cj-caption">{integer(total_journeys)} journeys, {integer(counts["events"])} events,
{integer(len(nodes))} activities ({integer(designed)} designed touchpoints{
        f", {integer(unknown)} not in the design" if unknown else ""
    }),
{integer(len(edges))} paths. Columns are the designed steps; a node's size is its events.
Backward paths (to an earlier step) are drawn in red. Drag to pan, scroll to zoom;
hover for the numbers.</p>"""
    if unknown:
        names = ", ".join(esc(n["id"]) for n in nodes if not n["designed"])
        html += f'<p class="cj-caption">Activities not in the design: {names}.</p>'
    share_perfect = analysis["conformance"].get("perfect_share")
    return Section(
        SECTION_ID,
        "Actual journeys",
        html,
        charts={CHART_ID: spec},
        lede="How customers really travel the journey: every activity and every "
        "move from one to the next, against the designed steps.",
        headline={
            "activities": len(nodes),
            "paths": len(edges),
            "unknown": unknown,
            "perfect_share": share_perfect,
            "perfect_text": percent(share_perfect),
        },
    )
