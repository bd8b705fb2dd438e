"""The stakeholder map: a power/interest grid with each stakeholder's movement over time.

x is interest, y is influence, both 0..10, split at :data:`cojourney.domain.HIGH_LEVEL`
into the four quadrants (manage closely, keep satisfied, keep informed, monitor). Each
stakeholder is a dot at its latest snapshot; an arrow runs through its earlier
snapshots (earliest to latest), with the dates in its tooltip and in the table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from cojourney.domain import HIGH_LEVEL, Quadrant, Stakeholder, StakeholderSnapshot, Workspace
from cojourney.render import relationship_marks
from cojourney.render.layout import MARGIN
from cojourney.render.svg import (
    Palette,
    circle,
    label,
    line,
    num,
    rect,
    svg_document,
    tag,
    text_lines,
    text_width,
    title,
    wrap,
)

PLOT = 560.0  #: side of the square grid
AXIS = 56.0  #: room for the influence axis on the left
HEADER_H = 70.0
RIGHT_ROOM = 130.0  #: between the grid and the side panel: room for labels of dots near the edge

QUADRANT_STYLE: dict[Quadrant, tuple[str, str, str]] = {
    # fill, ink, what it means
    Quadrant.MANAGE_CLOSELY: ("#fdeee9", "#a3361b", "high influence · high interest"),
    Quadrant.KEEP_SATISFIED: ("#fdf5e3", "#8a5a00", "high influence · low interest"),
    Quadrant.KEEP_INFORMED: ("#e9f2fc", "#24558f", "low influence · high interest"),
    Quadrant.MONITOR: ("#f1f3f6", "#52606d", "low influence · low interest"),
}


@dataclass
class _Placed:
    stakeholder: Stakeholder
    snaps: list[StakeholderSnapshot]
    colour: str
    x: float = 0.0
    y: float = 0.0


def kind_colours(stakeholders: list[Stakeholder]) -> dict[str, str]:
    """One colour per stakeholder kind, in order of first appearance."""
    colours: dict[str, str] = {}
    for s in stakeholders:
        if s.kind.value not in colours:
            colours[s.kind.value] = Palette.categorical[len(colours) % len(Palette.categorical)]
    return colours


def _kind_label(kind: str) -> str:
    return kind.replace("_", " ").capitalize()


def table_rows(workspace: Workspace) -> list[dict[str, Any]]:
    """One row per stakeholder: kind, latest position, quadrant now and at the first assessment."""
    colours = kind_colours(workspace.stakeholders)
    held = relationship_marks.ties(workspace)
    rows = []
    for s in workspace.stakeholders:
        snaps = sorted(s.snapshots, key=lambda x: x.date)
        latest, first = (snaps[-1], snaps[0]) if snaps else (None, None)
        before = first.quadrant.value if first is not None and len(snaps) > 1 else None
        rows.append(
            {
                "id": s.id,
                "name": s.name,
                "kind": _kind_label(s.kind.value),
                "colour": colours[s.kind.value],
                "influence": f"{latest.influence:g}" if latest else "–",
                "interest": f"{latest.interest:g}" if latest else "–",
                "now": latest.quadrant.value if latest else None,
                "before": before,
                "moved": bool(before and latest and before != latest.quadrant.value),
                "relationship": held[s.id].relationship_text(),
                "relationship_type": (c.value if (c := held[s.id].closest) else None),
                "roles": held[s.id].roles_text(),
                "dates": " → ".join(d.date.isoformat() for d in (snaps[0], snaps[-1]))
                if len(snaps) > 1
                else (snaps[0].date.isoformat() if snaps else "–"),
            }
        )
    return rows


def _boxes_overlap(
    a: tuple[float, float, float, float], b: tuple[float, float, float, float]
) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


Box = tuple[float, float, float, float]


def _labels(placed: list[_Placed], px: float, py: float, reserved: list[tuple[Box, float]]) -> str:
    """Name labels beside the dots: of 20 candidate spots, the one that covers the least.

    ``reserved`` weighs what a label should not cover (dots, headings, dates). Another
    label weighs most; a spot away from the dot costs a little and gets a leader line.
    """
    taken = list(reserved) + [((p.x - 8, p.y - 8, p.x + 8, p.y + 8), 5.0) for p in placed]
    out = []
    for p in sorted(placed, key=lambda q: (q.y, q.x)):
        lines = wrap(p.stakeholder.name, 135, 12, bold=True, max_lines=3)
        w = max(text_width(ln, 12, bold=True) for ln in lines)
        h = 15.0 * len(lines)
        near = [
            (p.x + 11, p.y - h / 2, "start"),
            (p.x - 11, p.y - h / 2, "end"),
            (p.x - w / 2, p.y - 12 - h, "middle"),
            (p.x - w / 2, p.y + 12, "middle"),
            (p.x + 9, p.y - 8 - h, "start"),
            (p.x + 9, p.y + 8, "start"),
            (p.x - 9, p.y - 8 - h, "end"),
            (p.x - 9, p.y + 8, "end"),
        ]
        far = [
            (p.x + dx, p.y - h / 2 + dy, anchor)
            for dy in (-26, 26, -44, 44)
            for dx, anchor in ((16, "start"), (-16, "end"))
        ]
        far += [
            (p.x - w / 2, p.y - 28 - h, "middle"),
            (p.x - w / 2, p.y + 28, "middle"),
            (p.x + 24, p.y - h / 2, "start"),
            (p.x - 24, p.y - h / 2, "end"),
        ]
        candidates = near + far

        def box(c: tuple[float, float, str], w: float = w, h: float = h) -> Box:
            x, y, anchor = c
            left = x - w if anchor == "end" else x
            return (left - 2, y - 1, left + w + 2, y + h + 1)

        def cost(
            i: int, candidates: list[tuple[float, float, str]] = candidates, n_near: int = len(near)
        ) -> tuple[float, int]:
            b = box(candidates[i])
            outside = (
                b[0] < px + 2
                or b[2] > px + PLOT + RIGHT_ROOM - 10
                or b[1] < py - 10
                or b[3] > py + PLOT + 10
            )
            covered = sum(weight for t, weight in taken if _boxes_overlap(b, t))
            return covered + (4 if outside else 0) + (0.6 if i >= n_near else 0), i

        best_i = min(range(len(candidates)), key=cost)
        best = candidates[best_i]
        b = box(best)
        taken.append((b, 6.0))
        x, y, anchor = best
        if best_i >= len(near):  # a leader line from the dot to the nearest point of the label
            lx, ly = min(max(p.x, b[0]), b[2]), min(max(p.y, b[1]), b[3])
            out.append(line(p.x, p.y, lx, ly, stroke=p.colour, stroke_width=1, opacity=0.7))
        tx = x + w / 2 if anchor == "middle" else x
        out.append(
            text_lines(
                tx,
                y - 2,
                lines,
                size=12,
                weight=600,
                fill=Palette.ink,
                anchor=anchor if anchor != "start" else None,
                line_height=1.25,
                stroke="#fff",
                stroke_width=3,
                paint_order="stroke",
            )
        )
    return "".join(out)


def _grid(px: float, py: float) -> tuple[str, list[tuple[Box, float]]]:
    def sx(v: float) -> float:
        return px + v / 10 * PLOT

    def sy(v: float) -> float:
        return py + PLOT - v / 10 * PLOT

    half_x, half_y = sx(HIGH_LEVEL), sy(HIGH_LEVEL)
    out: list[str] = []
    reserved: list[tuple[Box, float]] = []
    quads = [
        (Quadrant.KEEP_SATISFIED, px, py, half_x, half_y),
        (Quadrant.MANAGE_CLOSELY, half_x, py, px + PLOT, half_y),
        (Quadrant.MONITOR, px, half_y, half_x, py + PLOT),
        (Quadrant.KEEP_INFORMED, half_x, half_y, px + PLOT, py + PLOT),
    ]
    for quadrant, x0, y0, x1, y1 in quads:
        out.append(rect(x0, y0, x1 - x0, y1 - y0, fill=QUADRANT_STYLE[quadrant][0]))
    for v in range(11):
        colour, width = (Palette.rule_strong, 1.6) if v == HIGH_LEVEL else ("#ffffff", 1.0)
        out.append(
            line(sx(v), py, sx(v), py + PLOT, stroke=colour, stroke_width=width, opacity=0.9)
        )
        out.append(
            line(px, sy(v), px + PLOT, sy(v), stroke=colour, stroke_width=width, opacity=0.9)
        )
        if v % 5 == 0:
            out.append(
                label(
                    sx(v), py + PLOT + 17, str(v), size=11, fill=Palette.muted, text_anchor="middle"
                )
            )
            out.append(
                label(px - 8, sy(v) + 4, str(v), size=11, fill=Palette.muted, text_anchor="end")
            )
    for quadrant, x0, y0, _x1, _y1 in quads:
        _, ink, meaning = QUADRANT_STYLE[quadrant]
        out.append(
            label(
                x0 + 12,
                y0 + 22,
                quadrant.value.upper(),
                size=12.5,
                font_weight=700,
                fill=ink,
                letter_spacing=0.8,
                class_="cj-quadrant",
            )
        )
        out.append(label(x0 + 12, y0 + 37, meaning, size=10.5, fill=ink, opacity=0.8))
        heading_w = text_width(quadrant.value.upper(), 12.5, bold=True, spacing=0.8)
        reserved.append(((x0 + 8, y0 + 8, x0 + 20 + heading_w, y0 + 26), 3.0))
        reserved.append(((x0 + 8, y0 + 26, x0 + 20 + text_width(meaning, 10.5), y0 + 41), 1.5))
    out.append(rect(px, py, PLOT, PLOT, fill="none", stroke=Palette.rule_strong, stroke_width=1))
    out.append(
        label(
            px + PLOT / 2,
            py + PLOT + 40,
            "INTEREST →",
            size=11.5,
            font_weight=700,
            fill=Palette.muted,
            text_anchor="middle",
            letter_spacing=1,
        )
    )
    cx, cy = px - 34, py + PLOT / 2
    out.append(
        tag(
            "text",
            "INFLUENCE →",
            x=cx,
            y=cy,
            font_size=11.5,
            font_weight=700,
            fill=Palette.muted,
            text_anchor="middle",
            letter_spacing=1,
            transform=f"rotate(-90 {num(cx)} {num(cy)})",
        )
    )
    return "".join(out), reserved


def _spread(placed: list[_Placed]) -> None:
    """Stakeholders at the very same spot are set around a small circle, so all are seen."""
    spots: dict[tuple[float, float], list[_Placed]] = {}
    for p in placed:
        spots.setdefault((round(p.x), round(p.y)), []).append(p)
    for group_ in spots.values():
        if len(group_) > 1:
            for i, p in enumerate(group_):
                angle = 2 * math.pi * i / len(group_)
                p.x += 10 * math.cos(angle)
                p.y += 10 * math.sin(angle)


def build_svg(workspace: Workspace, *, standalone: bool = True) -> str:
    """The power/interest grid as an ``<svg>`` (with its table when ``standalone``)."""
    colours = kind_colours(workspace.stakeholders)
    top = MARGIN + (HEADER_H if standalone else 0) + 10
    px, py = MARGIN + AXIS, top
    grid, reserved = _grid(px, py)

    def sx(v: float) -> float:
        return px + v / 10 * PLOT

    def sy(v: float) -> float:
        return py + PLOT - v / 10 * PLOT

    placed = []
    for s in workspace.stakeholders:
        snaps = sorted(s.snapshots, key=lambda x: x.date)
        if snaps:
            p = _Placed(s, snaps, colours[s.kind.value])
            p.x, p.y = sx(snaps[-1].interest), sy(snaps[-1].influence)
            placed.append(p)
    _spread(placed)
    defs = "".join(
        tag(
            "marker",
            tag("path", None, d="M0,0 L10,5 L0,10 z", fill=colour),
            id=f"cj-arrow-{i}",
            viewBox="0 0 10 10",
            refX="9",
            refY="5",
            markerWidth="4.2",
            markerHeight="4.2",
            orient="auto-start-reverse",
        )
        for i, colour in enumerate(Palette.categorical)
    )
    marks, trails = [], []
    held = relationship_marks.ties(workspace)
    for p in placed:
        history = "; ".join(
            f"{s.date.isoformat()}: influence {s.influence:g}, interest {s.interest:g}"
            + (f" ({s.note})" if s.note else "")
            for s in p.snaps
        )
        tie = held[p.stakeholder.id]
        tip = f"{p.stakeholder.name} ({_kind_label(p.stakeholder.kind.value)}), {p.snaps[-1].quadrant.value}: {history}"
        if tie.relationships:
            tip += f". Relationship: {tie.relationship_text()}"
        if tie.roles:
            tip += f". Consumer roles: {tie.roles_text()}"
        if len(p.snaps) > 1:
            pts = [(sx(s.interest), sy(s.influence)) for s in p.snaps[:-1]] + [(p.x, p.y)]
            (x0, y0), (x1, y1) = pts[-2], pts[-1]
            dist = math.hypot(x1 - x0, y1 - y0)
            if dist > 12:  # stop short of the dot so that the arrowhead shows
                pts[-1] = (x1 - (x1 - x0) / dist * 10, y1 - (y1 - y0) / dist * 10)
            d = "M" + " L".join(f"{num(x)},{num(y)}" for x, y in pts)
            idx = Palette.categorical.index(p.colour)
            first = p.snaps[0]
            trail = [
                title(f"{p.stakeholder.name} moved: {history}"),
                tag(
                    "path",
                    None,
                    d=d,
                    fill="none",
                    stroke=p.colour,
                    stroke_width=2.2,
                    stroke_opacity=0.75,
                    stroke_dasharray="6 4",
                    marker_end=f"url(#cj-arrow-{idx})",
                ),
                *(
                    circle(
                        sx(s.interest),
                        sy(s.influence),
                        4,
                        fill="#fff",
                        stroke=p.colour,
                        stroke_width=1.8,
                    )
                    for s in p.snaps[:-1]
                ),
                label(
                    sx(first.interest),
                    sy(first.influence) + 17,
                    first.date.strftime("%b %Y"),
                    size=9.5,
                    fill=p.colour,
                    text_anchor="middle",
                    stroke="#fff",
                    stroke_width=3,
                    paint_order="stroke",
                ),
            ]
            trails.append(tag("g", "".join(trail), class_="cj-movement"))
            fx, fy = sx(first.interest), sy(first.influence)
            reserved.append(
                ((fx - 24, fy + 7, fx + 24, fy + 20), 1.0)
            )  # the date of the first point
            reserved += [
                (
                    (
                        sx(s.interest) - 5,
                        sy(s.influence) - 5,
                        sx(s.interest) + 5,
                        sy(s.influence) + 5,
                    ),
                    1.0,
                )
                for s in p.snaps[:-1]
            ]
        closest = tie.closest
        ring = (
            tag("g", relationship_marks.ring(closest, p.x, p.y), class_=f"cj-ring-{closest.value}")
            if closest
            else ""
        )
        badges = relationship_marks.role_badges(tie.roles, p.x + 9, p.y + 14)
        if badges:
            reserved.append(((p.x + 2, p.y + 7, p.x + 16 + 13 * len(tie.roles), p.y + 21), 4.0))
        marks.append(
            tag(
                "g",
                title(tip)
                + ring
                + circle(p.x, p.y, 7.5, fill=p.colour, stroke="#fff", stroke_width=2)
                + badges,
                class_="cj-stakeholder",
            )
        )
    parts = [grid, *trails, *marks, _labels(placed, px, py, reserved)]
    right_x = px + PLOT + RIGHT_ROOM
    side, side_h = _side_panel(workspace, colours, right_x, py)
    ties_panel, ties_h = relationship_marks.side_panel(workspace, right_x, py + side_h + 18)
    parts += [side, ties_panel]
    side_h += 18 + ties_h if ties_h else 0
    width = right_x + 300 + MARGIN
    bottom = max(py + PLOT + 52, py + side_h)
    if standalone:
        n_moved = sum(1 for r in table_rows(workspace) if r["moved"])
        parts.insert(
            0,
            label(
                MARGIN,
                MARGIN + 10,
                "STAKEHOLDER MAP",
                size=10.5,
                font_weight=700,
                fill=Palette.faint,
                letter_spacing=1.2,
            )
            + label(
                MARGIN,
                MARGIN + 38,
                workspace.workspace.name,
                size=22,
                font_weight=700,
                fill=Palette.ink,
            )
            + label(
                MARGIN,
                MARGIN + 60,
                f"{len(workspace.stakeholders)} stakeholders · "
                f"{n_moved} changed quadrant · influence against interest, 0 to 10",
                size=12.5,
                fill=Palette.muted,
            ),
        )
        table, table_h = _table(workspace, MARGIN, bottom + 20, width - 2 * MARGIN)
        parts.append(table)
        bottom += 20 + table_h
    height = bottom + MARGIN
    body = rect(0, 0, width, height, fill=Palette.paper) + "".join(parts)
    return svg_document(
        body,
        width,
        height,
        title_text=f"Stakeholder map: {workspace.workspace.name}",
        desc="Power/interest grid: influence against interest, with each stakeholder's "
        "movement between its assessments.",
        id_prefix="cj-stakeholder-map",
        defs=defs,
        css_class="cj-map",
    )


def _side_panel(
    workspace: Workspace, colours: dict[str, str], x: float, y: float
) -> tuple[str, float]:
    out = [
        label(
            x, y + 12, "KINDS", size=10.5, font_weight=700, fill=Palette.faint, letter_spacing=0.8
        )
    ]
    yy = y + 30
    for kind, colour in colours.items():
        out.append(circle(x + 6, yy - 4, 6, fill=colour, stroke="#fff", stroke_width=1.5))
        out.append(label(x + 20, yy, _kind_label(kind), size=12, fill=Palette.ink))
        yy += 21
    yy += 14
    out.append(
        label(
            x,
            yy,
            "HOW TO READ IT",
            size=10.5,
            font_weight=700,
            fill=Palette.faint,
            letter_spacing=0.8,
        )
    )
    yy += 10
    out.append(circle(x + 6, yy + 8, 6, fill=Palette.muted))
    out.append(label(x + 20, yy + 12, "latest assessment", size=12, fill=Palette.ink))
    yy += 22
    out.append(
        line(
            x + 2,
            yy + 8,
            x + 14,
            yy + 8,
            stroke=Palette.muted,
            stroke_width=2,
            stroke_dasharray="4 3",
        )
    )
    out.append(circle(x + 2, yy + 8, 3.5, fill="#fff", stroke=Palette.muted, stroke_width=1.6))
    for ln_i, text in enumerate(
        wrap("movement since the first assessment (date at its start)", 250, 12)
    ):
        out.append(label(x + 20, yy + 12 + ln_i * 15, text, size=12, fill=Palette.ink))
    yy += 40
    dates = sorted({s.date for st in workspace.stakeholders for s in st.snapshots})
    if dates:
        text = f"Assessed {len(dates)} time{'s' if len(dates) > 1 else ''}: " + ", ".join(
            d.isoformat() for d in dates
        )
        lines = wrap(text, 280, 11.5)
        out.append(text_lines(x, yy, lines, size=11.5, fill=Palette.muted))
        yy += 16 * len(lines)
    missing = [s.name for s in workspace.stakeholders if not s.snapshots]
    if missing:
        lines = wrap("Not assessed yet: " + ", ".join(missing), 280, 11.5)
        out.append(text_lines(x, yy + 6, lines, size=11.5, fill=Palette.muted, style="italic"))
        yy += 6 + 16 * len(lines)
    return "".join(out), yy - y


def _table(workspace: Workspace, x: float, y: float, width: float) -> tuple[str, float]:
    """The table of stakeholders, drawn in SVG for the standalone picture."""
    heads = ["Stakeholder", "Kind", "Infl.", "Int.", "Quadrant now", "Before", "Assessed"]
    heads += ["Relationship", "Consumer roles"]
    shares = [0.15, 0.08, 0.05, 0.05, 0.12, 0.17, 0.17, 0.10, 0.11]
    xs = [x + sum(shares[:i]) * width for i in range(len(shares))]
    out = [
        label(
            xs[i] + 6,
            y + 14,
            h.upper(),
            size=10,
            font_weight=700,
            fill=Palette.faint,
            letter_spacing=0.6,
        )
        for i, h in enumerate(heads)
    ]
    out.append(line(x, y + 22, x + width, y + 22, stroke=Palette.rule_strong))
    yy = y + 22
    for r in table_rows(workspace):
        cells = [
            r["name"],
            r["kind"],
            r["influence"],
            r["interest"],
            r["now"] or "not assessed",
            (r["before"] or "–") + (" (moved)" if r["moved"] else ""),
            r["dates"],
            r["relationship_type"] or "–",
            r["roles"] or "–",
        ]
        for i, text in enumerate(cells):
            fit = wrap(text, shares[i] * width - 12, 12, max_lines=1)[0]
            style: dict[str, object] = {"fill": Palette.ink}
            if i in (4, 5) and text in {q.value for q in Quadrant}:
                style = {"fill": QUADRANT_STYLE[Quadrant(text)][1], "font_weight": 600}
            out.append(label(xs[i] + 6 + (14 if i == 0 else 0), yy + 19, fit, size=12, **style))
        out.append(circle(xs[0] + 11, yy + 15, 5, fill=r["colour"]))
        yy += 28
        out.append(line(x, yy, x + width, yy, stroke=Palette.rule))
    return tag("g", "".join(out), class_="cj-table"), yy - y


def render_stakeholder_map(workspace: Workspace, *, fmt: Literal["html", "svg"] = "html") -> str:
    """Draw the stakeholder map as a standalone SVG or a self-contained HTML page."""
    if fmt == "svg":
        return build_svg(workspace, standalone=True)
    if fmt != "html":
        from cojourney.errors import InputError

        raise InputError(f"the stakeholder map is drawn as html or svg, not {fmt!r}")
    from cojourney.render.html import stakeholder_page

    rows = table_rows(workspace)
    dates = sorted({s.date for st in workspace.stakeholders for s in st.snapshots})
    facts: list[tuple[Any, str]] = [
        (len(rows), "stakeholders"),
        (sum(1 for r in rows if r["now"]), "assessed"),
        (sum(1 for r in rows if r["moved"]), "changed quadrant"),
    ]
    if dates:
        facts.append((dates[-1].isoformat(), "latest assessment"))
    return stakeholder_page(workspace, build_svg(workspace, standalone=False), rows, facts)
