"""The grid shared by the journey map and the blueprint: step columns, lanes, dividers.

A picture is a stack of rows (:class:`Lane` or :class:`Divider`) over a list of
:class:`Column` (one per step). Each lane holds one :class:`Cell` per column, drawn in
the column's local coordinates; the lane is as tall as its tallest cell. Columns are
as wide as the touchpoint cards they hold need, so a step with eight touchpoints is
wider than a step with one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cojourney.domain import Journey, Step, Workspace
from cojourney.errors import InputError, NotFound, Problem
from cojourney.render import icons
from cojourney.render.svg import (
    PERIOD_LABELS,
    Palette,
    block_height,
    esc,
    group,
    label,
    line,
    num,
    rect,
    tag,
    text_lines,
    text_width,
    title,
    wrap,
)

MARGIN = 24.0  #: outer margin of every picture
STRIP_W = 22.0  #: the vertical frontstage / backstage strip
LABEL_W = 150.0  #: the lane-label column
CARD_W = 140.0  #: preferred width of one card slot
GAP = 10.0  #: between card slots
PAD = 12.0  #: inside a column, left and right
LANE_PAD = 10.0  #: inside a lane, top and bottom
MIN_INNER = 190.0  #: narrowest column content


@dataclass(frozen=True)
class Cell:
    """Markup drawn from its own (0, 0), and how tall it is."""

    height: float
    markup: str = ""


EMPTY = Cell(0.0)


@dataclass
class Column:
    """One step of the journey as a column of the grid."""

    index: int
    step: Step
    x: float
    width: float
    n_slots: int

    @property
    def inner_x(self) -> float:
        return self.x + PAD

    @property
    def inner_w(self) -> float:
        return self.width - 2 * PAD

    @property
    def slot_w(self) -> float:
        return (self.inner_w - (self.n_slots - 1) * GAP) / self.n_slots

    def slot_x(self, i: int) -> float:
        """Left edge of slot ``i``, relative to the column's inner left edge."""
        return i * (self.slot_w + GAP)

    def slot_centre(self, i: int) -> float:
        """Centre of slot ``i`` in picture coordinates."""
        return self.inner_x + self.slot_x(i) + self.slot_w / 2

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def layout_columns(steps: Sequence[Step], slots_needed: dict[str, int], x0: float) -> list[Column]:
    """Columns left to right from ``x0``, each wide enough for its slots of cards."""
    columns, x = [], x0
    for index, step in enumerate(steps):
        n = max(1, slots_needed.get(step.id, 0))
        inner = max(MIN_INNER, n * CARD_W + (n - 1) * GAP)
        n_slots = max(n, math.floor((inner + GAP) / (CARD_W + GAP)))
        columns.append(Column(index, step, x, inner + 2 * PAD, n_slots))
        x += inner + 2 * PAD
    return columns


def stack(cells: Sequence[Cell], gap: float = 8.0) -> Cell:
    """Cells one under the other."""
    parts, y = [], 0.0
    for cell in cells:
        if not cell.height:
            continue
        parts.append(group(cell.markup, 0, y))
        y += cell.height + gap
    return Cell(max(0.0, y - gap), "".join(parts))


def stack_in_slots(
    column: Column, items: Sequence[tuple[int | None, Cell]], gap: float = 8.0
) -> Cell:
    """Cards into the column's slots: an item goes under its preferred slot, else the shortest."""
    heights = [0.0] * column.n_slots
    parts = []
    for preferred, cell in items:
        if preferred is not None and 0 <= preferred < column.n_slots:
            i = preferred
        else:
            i = min(range(column.n_slots), key=lambda k: (heights[k], k))
        y = heights[i] + (gap if heights[i] else 0.0)
        parts.append(group(cell.markup, column.slot_x(i), y))
        heights[i] = y + cell.height
    return Cell(max(heights), "".join(parts))


@dataclass
class Lane:
    """A row of the grid. ``zone`` is front, back, support or header (no strip)."""

    key: str
    title: str
    cells: dict[int, Cell] = field(default_factory=dict)
    subtitle: str | None = None
    zone: str = "front"
    min_height: float = 44.0
    fixed_height: float | None = None
    #: draws content that spans columns, given the lane's top y and height
    custom: Callable[[float, float], str] | None = None
    #: draws in the label column, given the label column's x, the lane's top y and height
    custom_label: Callable[[float, float, float], str] | None = None
    empty_text: str | None = None

    @property
    def height(self) -> float:
        if self.fixed_height is not None:
            return self.fixed_height
        tallest = max((c.height for c in self.cells.values()), default=0.0)
        return max(self.min_height, tallest + 2 * LANE_PAD, self._title_height() + 2 * LANE_PAD)

    def _title_lines(self) -> tuple[list[str], list[str]]:
        width = LABEL_W - 20
        title_lines = wrap(self.title.upper(), width, 10.5, bold=True)
        sub = wrap(self.subtitle, width, 10) if self.subtitle else []
        return title_lines, sub

    def _title_height(self) -> float:
        title_lines, sub = self._title_lines()
        return block_height(len(title_lines), 10.5) + (4 + block_height(len(sub), 10) if sub else 0)


@dataclass
class Divider:
    """A labelled horizontal line between lanes: the line of visibility, of interaction..."""

    label: str
    colour: str = Palette.visibility
    dash: str = "9 5"
    width: float = 2.0
    above: str | None = None  #: small caption above the line, on the right
    below: str | None = None  #: small caption below the line, on the right
    height: float = 30.0


Row = Lane | Divider

_ZONE_STRIP = {
    "customer": ("#e3f1ea", "#1d6b4f", "CUSTOMER", "what the customer sees and does"),
    "front": ("#dde8f5", "#2c5c99", "FRONTSTAGE", "visible to the customer"),
    "back": ("#d9dfe8", "#3e4c59", "BACKSTAGE", "hidden from the customer"),
    "support": ("#e4e0ee", "#4f3d7a", "SUPPORT", "systems and people behind it"),
}


def _strip(zone: str, x: float, y: float, h: float) -> str:
    fill, ink, name, caption = _ZONE_STRIP[zone]
    text = f"{name} · {caption}"
    if text_width(text, 10, bold=True, spacing=0.8) > h - 16:
        text = name if text_width(name, 10, bold=True, spacing=0.8) <= h - 12 else ""
    cx, cy = x + STRIP_W / 2, y + h / 2
    out = rect(x, y, STRIP_W, h, fill=fill)
    if text:
        out += tag(
            "text",
            esc(text),
            x=cx,
            y=cy + 3.5,
            font_size=10.0,
            font_weight=700,
            fill=ink,
            text_anchor="middle",
            letter_spacing=0.8,
            transform=f"rotate(-90 {num(cx)} {num(cy)})",
        )
    return out


def draw_grid(
    rows: Sequence[Row], columns: Sequence[Column], y0: float
) -> tuple[str, float, dict[str, tuple[float, float]]]:
    """Draw ``rows`` from ``y0`` down; return markup, bottom y and each lane's (top, height)."""
    x_strip = MARGIN
    x_label = MARGIN + STRIP_W
    x_content = x_label + LABEL_W
    right = columns[-1].x + columns[-1].width if columns else x_content
    parts: list[str] = []
    positions: dict[str, tuple[float, float]] = {}
    y = y0
    zone_runs: list[tuple[str, float, float]] = []
    for row_index, row in enumerate(rows):
        if isinstance(row, Divider):
            y += row.height
            continue
        h = row.height
        positions[row.key] = (y, h)
        if row.zone == "back":
            fill = Palette.backstage
        elif row.zone == "customer":
            fill = "#fbfdfc" if row_index % 2 else Palette.paper
        elif row.zone == "support":
            fill = "#f3f1f8"
        else:
            fill = Palette.lane_alt if row_index % 2 else Palette.paper
        parts.append(rect(x_content, y, right - x_content, h, fill=fill))
        parts.append(rect(x_label, y, LABEL_W, h, fill=Palette.label_bg))
        parts.append(_lane_title(row, x_label, y, h))
        if row.custom is not None:
            parts.append(row.custom(y, h))
        for column in columns:
            cell = row.cells.get(column.index)
            if cell is not None and cell.height:
                parts.append(group(cell.markup, column.inner_x, y + LANE_PAD))
        if row.empty_text and not any(c.height for c in row.cells.values()) and row.custom is None:
            parts.append(
                label(
                    x_content + PAD,
                    y + h / 2 + 4,
                    row.empty_text,
                    size=11,
                    fill=Palette.faint,
                    font_style="italic",
                )
            )
        parts.append(line(x_label, y + h, right, y + h, stroke=Palette.rule, stroke_width=1))
        if row.zone in _ZONE_STRIP:
            if zone_runs and zone_runs[-1][0] == row.zone and abs(zone_runs[-1][2] - y) < 0.5:
                zone, top, _ = zone_runs[-1]
                zone_runs[-1] = (zone, top, y + h)
            else:
                zone_runs.append((row.zone, y, y + h))
        y += h
    for column in columns[1:]:
        parts.append(line(column.x, y0, column.x, y, stroke=Palette.rule, stroke_width=1))
    for zone, top, bottom in zone_runs:
        parts.append(_strip(zone, x_strip, top, bottom - top))
    # dividers last, so that they sit over the column rules
    y_div = y0
    for row in rows:
        if isinstance(row, Divider):
            parts.append(_divider(row, x_label, right, y_div))
            y_div += row.height
        else:
            y_div += row.height
    return "".join(parts), y, positions


def _lane_title(lane: Lane, x: float, y: float, h: float) -> str:
    if lane.custom_label is not None:
        return lane.custom_label(x, y, h)
    title_lines, sub = lane._title_lines()
    out = text_lines(
        x + 12,
        y + LANE_PAD,
        title_lines,
        size=10.5,
        weight=700,
        fill=Palette.muted,
        letter_spacing=0.6,
    )
    if sub:
        out += text_lines(
            x + 12,
            y + LANE_PAD + block_height(len(title_lines), 10.5) + 4,
            sub,
            size=10,
            fill=Palette.faint,
        )
    return out


def _divider(div: Divider, x_left: float, right: float, y: float) -> str:
    mid = y + div.height / 2
    out = [
        line(
            MARGIN,
            mid,
            right,
            mid,
            stroke=div.colour,
            stroke_width=div.width,
            stroke_dasharray=div.dash,
        )
    ]
    pill_w = text_width(div.label, 10.5, bold=True) + 18
    # the label at the left, and again every ~900 px so that it is seen on a wide map
    xs = [x_left + 8.0]
    reserve = 40 + (
        max(text_width(t, 9.5) for t in (div.above or "", div.below or "")) + 20
        if div.above or div.below
        else 0
    )
    while xs[-1] + 900 + pill_w < right - reserve:
        xs.append(xs[-1] + 900)
    for x in xs:
        out.append(
            rect(
                x,
                mid - 10,
                pill_w,
                20,
                rx=10,
                fill=Palette.paper,
                stroke=div.colour,
                stroke_width=1.2,
            )
        )
        out.append(
            label(
                x + pill_w / 2,
                mid + 3.8,
                div.label,
                size=10.5,
                font_weight=700,
                fill=div.colour,
                text_anchor="middle",
            )
        )
    if div.above:
        out.append(
            label(
                right - 8,
                mid - 5,
                div.above,
                size=9.5,
                fill=div.colour,
                text_anchor="end",
                font_style="italic",
            )
        )
    if div.below:
        out.append(
            label(
                right - 8,
                mid + 13,
                div.below,
                size=9.5,
                fill=div.colour,
                text_anchor="end",
                font_style="italic",
            )
        )
    return tag("g", "".join(out), class_="cj-divider")


def period_lane(columns: Sequence[Column]) -> Lane:
    """The header band: consecutive steps of one period share one coloured band."""
    runs: list[tuple[str, Column, Column]] = []
    for column in columns:
        period = column.step.period.value
        if runs and runs[-1][0] == period:
            runs[-1] = (period, runs[-1][1], column)
        else:
            runs.append((period, column, column))

    def draw(y: float, h: float) -> str:
        out = []
        for period, first, last in runs:
            fill, ink = Palette.periods.get(period, ("#eef2f7", Palette.muted))
            x0, x1 = first.x + 3, last.x + last.width - 3
            out.append(rect(x0, y + 5, x1 - x0, h - 10, rx=5, fill=fill))
            out.append(
                label(
                    (x0 + x1) / 2,
                    y + h / 2 + 4,
                    PERIOD_LABELS.get(period, period).upper(),
                    size=11,
                    font_weight=700,
                    fill=ink,
                    text_anchor="middle",
                    letter_spacing=1.2,
                )
            )
        return "".join(out)

    return Lane("period", "Period", zone="header", fixed_height=34.0, custom=draw)


def step_header(step: Step, number: int, width: float, extra: str | None = None) -> Cell:
    """Number badge, step name, its purpose and (``extra``) its duration."""
    _, accent = Palette.periods.get(step.period.value, ("#eef2f7", Palette.muted))
    name_lines = wrap(step.name, width - 32, 14.5, bold=True, max_lines=2)
    parts = [
        tag("circle", None, cx=11.0, cy=11.0, r=11.0, fill=accent),
        label(11, 15, str(number), size=11.5, font_weight=700, fill="#fff", text_anchor="middle"),
        text_lines(30, 0, name_lines, size=14.5, weight=700, fill=Palette.ink),
        title(step.name),
    ]
    y = max(22.0, block_height(len(name_lines), 14.5)) + 5
    if step.description:
        desc = wrap(step.description, width, 11, max_lines=3)
        parts.append(text_lines(0, y, desc, size=11, fill=Palette.muted))
        y += block_height(len(desc), 11) + 4
    if extra:
        parts.append(icons.icon("clock", 0, y + 1, 12, Palette.faint))
        parts.append(label(16, y + 11, extra, size=10.5, fill=Palette.muted))
        y += 15
    return Cell(y, "".join(parts))


def legend(entries: Sequence[tuple[str, str]], width: float, *, size: float = 11) -> Cell:
    """Entries (swatch markup drawn in a 26 x 16 box at the origin, text) flowing in rows."""
    parts, x, y, row_h = [], 0.0, 0.0, 22.0
    for swatch, text in entries:
        w = 30 + text_width(text, size) + 22
        if x and x + w > width:
            x, y = 0.0, y + row_h
        parts.append(group(swatch, x, y + 2))
        parts.append(label(x + 32, y + 14, text, size=size, fill=Palette.muted))
        x += w
    return Cell(y + row_h if entries else 0.0, "".join(parts))


def resolve_journey(workspace: Workspace, journey_id: str | None) -> Journey:
    """The journey to draw, with a message that lists the journeys when the id is unknown."""
    if not workspace.journeys:
        raise InputError(
            Problem(
                "the workspace has no journey to draw",
                hint="add a journey under journeys/ (see 'cojourney init')",
            )
        )
    try:
        return workspace.journey(journey_id)
    except KeyError:
        known = ", ".join(j.id for j in workspace.journeys)
        raise NotFound(
            f"no journey {journey_id or workspace.workspace.default_journey!r} in "
            f"workspace {workspace.workspace.id!r}; the journeys are: {known}"
        ) from None


def legend_block(entries: Sequence[tuple[str, str]], width: float, y: float) -> Cell:
    """The "LEGEND" heading and its entries under a picture that is ``width`` wide, from ``y``.

    The returned cell is already placed (its markup uses picture coordinates).
    """
    body = legend(entries, width - 2 * MARGIN - 70)
    markup = label(
        MARGIN, y + 30, "LEGEND", size=10, font_weight=700, fill=Palette.faint, letter_spacing=0.8
    ) + group(body.markup, MARGIN + 70, y + 16)
    return Cell(16 + body.height, markup)
