"""The pictures of the analyses pages, drawn as SVG on the server from the result.

Each picture sits above the tables that hold its numbers (and their CSV):

- actual journeys: the directly-follows graph (:mod:`cojourney.web.journey_graph`)
  and the step funnel (journeys reaching each designed step, and those that dropped
  off there);
- experience: the emotion curve, designed against measured per step, with the 95%
  interval of each measured mean.

SVG needs no script and no inline style, so it passes the pages' Content Security
Policy; ``graph.js`` only adds the instant controls.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from cojourney.web.journey_graph import VIEWS, GraphPicture, draw_graph, parse_shown, parse_view

__all__ = ["pictures"]


def pictures(
    name: str,
    result: Mapping[str, Any],
    journey: Mapping[str, Any],
    query: QueryParams,
) -> dict[str, Any]:
    """The pictures of the analysis ``name`` (extra context of ``analyses.html``).

    ``journey`` is :func:`cojourney.report.design.journey_facts` of the page's
    journey; ``query`` the page's query (``edges`` and ``view`` of the graph).
    """
    if name == "journeys":
        graph: GraphPicture | None = None
        if result.get("graph", {}).get("nodes"):
            total = len(result["graph"]["edges"])
            graph = draw_graph(
                result,
                journey,
                shown=parse_shown(query.get("edges"), total),
                view=parse_view(query.get("view")),
            )
        kept = [(k, v) for k, v in query.multi_items() if k not in ("edges", "view")]
        return {
            "graph": graph,
            "graph_views": VIEWS,
            "graph_hidden": kept,
            "graph_query": urlencode(kept),
            "funnel_svg": _funnel(result.get("funnel", {}).get("steps") or []),
        }
    if name == "experience":
        return {"curve_svg": _emotion_curve(result.get("emotion_curve") or [])}
    return {}


def _funnel(steps: list[Mapping[str, Any]]) -> str | None:
    """Horizontal bars: journeys reaching each step, the dropped-off part darker."""
    if not steps:
        return None
    top = max((int(s.get("reached") or 0) for s in steps), default=0) or 1
    label_w, bar_w, row = 190, 520, 34
    height = 30 + row * len(steps)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel" id="funnel-chart" '
        f'viewBox="0 0 {label_w + bar_w + 170} {height}" role="img" '
        'aria-labelledby="funnel-title">'
        '<title id="funnel-title">Journeys reaching each designed step, and those that '
        "dropped off there (the funnel table below has every number)</title>"
    ]
    for index, step in enumerate(steps):
        reached = int(step.get("reached") or 0)
        dropped = int(step.get("dropped_off") or 0)
        y = 10 + index * row
        w = bar_w * reached / top
        drop_w = bar_w * dropped / top
        name = str(step.get("name") or step.get("step"))
        out.append(
            f'<g class="funnel-step" data-step="{escape(str(step.get("step")))}" '
            f'data-reached="{reached}" data-dropped="{dropped}">'
            f"<title>{escape(name)}: {reached:,} journeys reached it, {dropped:,} dropped off"
            "</title>"
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end">{escape(name[:28])}</text>'
            f'<rect class="reached" x="{label_w}" y="{y}" width="{w - drop_w:.1f}" height="24"/>'
            f'<rect class="dropped" x="{label_w + w - drop_w:.1f}" y="{y}" '
            f'width="{drop_w:.1f}" height="24"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" class="funnel-value">{reached:,}'
            f"{f' ({dropped:,} dropped off)' if dropped else ''}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)


def _emotion_curve(points: list[Mapping[str, Any]]) -> str | None:
    """Designed (dashed) and measured (solid, with 95% intervals) emotion per step."""
    if not points:
        return None
    low_y, high_y = -3.0, 3.0
    left, width, top, height = 44, 640, 20, 200
    step_w = width / max(len(points), 1)

    def y_of(value: float) -> float:
        value = max(low_y, min(high_y, value))
        return top + height * (high_y - value) / (high_y - low_y)

    def x_of(index: int) -> float:
        return left + step_w * (index + 0.5)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="curve" id="emotion-curve" '
        f'viewBox="0 0 {left + width + 20} {top + height + 50}" role="img" '
        'aria-labelledby="curve-title">'
        '<title id="curve-title">Emotion per step, -3 to +3: designed (dashed) against '
        "measured (solid, with its 95% interval); the emotion curve table below has every "
        "number</title>"
    ]
    for tick in (-3, 0, 3):
        out.append(
            f'<line class="axis" x1="{left}" x2="{left + width}" y1="{y_of(tick):.1f}" '
            f'y2="{y_of(tick):.1f}"/><text x="{left - 6}" y="{y_of(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:+d}</text>'
        )
    for kind in ("designed", "measured"):
        coords = [
            f"{x_of(i):.1f},{y_of(float(p[kind])):.1f}"
            for i, p in enumerate(points)
            if p.get(kind) is not None
        ]
        if len(coords) > 1:
            out.append(f'<polyline class="{kind}" points="{" ".join(coords)}"/>')
    for i, p in enumerate(points):
        name = str(p.get("name") or p.get("step"))
        x = x_of(i)
        out.append(
            f'<text x="{x:.1f}" y="{top + height + 18}" text-anchor="middle" '
            f'class="curve-step">{escape(name[:14])}</text>'
        )
        if p.get("measured") is None:
            continue
        measured = float(p["measured"])
        if p.get("low") is not None and p.get("high") is not None:
            out.append(
                f'<line class="interval" x1="{x:.1f}" x2="{x:.1f}" '
                f'y1="{y_of(float(p["low"])):.1f}" y2="{y_of(float(p["high"])):.1f}"/>'
            )
        out.append(
            f'<circle class="measured-point" cx="{x:.1f}" cy="{y_of(measured):.1f}" r="4" '
            f'data-step="{escape(str(p.get("step")))}" data-measured="{measured!r}">'
            f"<title>{escape(name)}: measured {measured:.2f} (n = {p.get('n')}), designed "
            f"{p.get('designed')}</title></circle>"
        )
    out.append("</svg>")
    return "".join(out)
