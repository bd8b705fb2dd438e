"""The journey map: the persona's story step by step, with the designed emotion curve.

Columns are the steps (under a band naming the pre-service, service and post-service
periods); lanes are what the customer does, thinks, feels and asks, the touchpoints,
the designed (and, with an overlay, the measured) emotion, actual volumes, pain points,
opportunities, service interactions and the teams facing the customer. The line of
visibility separates them from the backstage (provider-only) activities below.

Drawn for ``audience="consumer"``, the map shows only what a consumer may see
(:func:`cojourney.domain.visibility.consumer_view`): no teams, no line of visibility,
no backstage lane, and of the overlay only the measured emotion.

The optional ``overlay`` carries measured data, all keys optional::

    {"touchpoints": {tp_id: {"journeys": int, "median_seconds": float, "emotion": float}},
     "steps": {step_id: {"reached": int, "left": int, "emotion": float}}}

and, for the "Against design" lane (:mod:`cojourney.render.measured_lane`), numbers
``designed_seconds``, ``waits_beyond``, ``hours_beyond`` (touchpoints) and
``designed_seconds``, ``median_seconds`` (steps), and the keys ``satisfaction``, ``sla``,
``moments`` and ``leaks`` of :func:`cojourney.report.overlay_marks.add_marks`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal, TypedDict

from cojourney.domain import Journey, Opportunity, PainPoint, Touchpoint, Visibility, Workspace
from cojourney.domain.visibility import Audience, check_audience, consumer_view
from cojourney.render import cards, icons, offering_marks
from cojourney.render.experience import emotion_lane, volume_lane
from cojourney.render.layout import (
    EMPTY,
    LABEL_W,
    LANE_PAD,
    MARGIN,
    PAD,
    STRIP_W,
    Cell,
    Column,
    Divider,
    Lane,
    Row,
    draw_grid,
    layout_columns,
    legend_block,
    period_lane,
    resolve_journey,
    stack_in_slots,
    step_header,
)
from cojourney.render.measured_lane import legend_entries as measured_legend
from cojourney.render.measured_lane import measured_lane
from cojourney.render.svg import (
    Palette,
    circle,
    group,
    human_duration,
    label,
    line,
    rect,
    svg_document,
    text_lines,
    thousands,
    wrap,
)

log = logging.getLogger(__name__)


class TouchpointMeasures(TypedDict, total=False):
    """Measured data of one touchpoint: how many journeys passed it, their median time there,
    and the measured emotion (-3..+3)."""

    journeys: int
    median_seconds: float
    emotion: float


class StepMeasures(TypedDict, total=False):
    """Measured data of one step: journeys that reached it, that left the journey in it, and
    the measured emotion (-3..+3)."""

    reached: int
    left: int
    emotion: float


class Overlay(TypedDict, total=False):
    """Measured data drawn over the designed journey map (every key is optional)."""

    touchpoints: dict[str, TouchpointMeasures]
    steps: dict[str, StepMeasures]


#: An empty step in the touchpoint lane: a gap in the design, shown as such.
_GAP = Cell(
    16.0, label(0, 12, "no touchpoint designed", size=10.5, fill=Palette.faint, font_style="italic")
)
#: The same for consumers: the step may well have backstage work, which is not theirs to see.
_CONSUMER_GAP = Cell(
    16.0,
    label(0, 12, "nothing for you to do here", size=10.5, fill=Palette.faint, font_style="italic"),
)

HEADER_H = 78.0


@dataclass
class JourneyModel:
    """What the map shows, gathered once from the workspace."""

    journey: Journey
    seq: dict[str, int]
    front: dict[str, list[Touchpoint]]
    back: dict[str, list[Touchpoint]]
    pains: dict[str | None, list[PainPoint]]
    opportunities: dict[str | None, list[Opportunity]]
    pain_count: dict[str, int]
    overlay_tp: dict[str, dict[str, float]] = field(default_factory=dict)
    overlay_step: dict[str, dict[str, float]] = field(default_factory=dict)
    #: The overlay's comparisons with the design (satisfaction, sla, moments, leaks).
    marks: dict[str, Any] = field(default_factory=dict)
    workspace: Workspace | None = None  #: for the offerings' names (offering marks)

    def slot_of(self, step_id: str, tp_id: str | None) -> int | None:
        for i, tp in enumerate(self.front.get(step_id, [])):
            if tp.id == tp_id:
                return i
        return None


def _clean(raw: Any) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = {}
    for key, values in (raw or {}).items():
        if not isinstance(values, Mapping):
            continue
        numbers = {
            k: float(v)
            for k, v in values.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
        }
        if numbers:
            result[str(key)] = numbers
    return result


def _model(
    workspace: Workspace, journey: Journey, overlay: Mapping[str, Any] | None
) -> JourneyModel:
    order = journey.expected_order()
    seq = {tp_id: i + 1 for i, tp_id in enumerate(order)}
    rank = {tp.id: (seq.get(tp.id, 10**6), i) for i, tp in enumerate(journey.touchpoints)}
    front: dict[str, list[Touchpoint]] = {s.id: [] for s in journey.steps}
    back: dict[str, list[Touchpoint]] = {s.id: [] for s in journey.steps}
    for tp in sorted(journey.touchpoints, key=lambda t: rank[t.id]):
        target = back if tp.visibility == Visibility.PROVIDER_ONLY else front
        target.setdefault(tp.step, []).append(tp)
    step_of = journey.step_of()
    steps = {s.id for s in journey.steps}

    def where(item: PainPoint | Opportunity) -> str | None:
        step = item.step or step_of.get(item.touchpoint or "")
        return step if step in steps else None

    pains: dict[str | None, list[PainPoint]] = {}
    pain_count: dict[str, int] = {}
    for pain in workspace.pain_points:
        if pain.journey == journey.id:
            pains.setdefault(where(pain), []).append(pain)
            if pain.touchpoint:
                pain_count[pain.touchpoint] = pain_count.get(pain.touchpoint, 0) + 1
    for group_ in pains.values():
        group_.sort(key=lambda p: cards.SEVERITY_ORDER.get(p.severity.value, 9))
    opportunities: dict[str | None, list[Opportunity]] = {}
    for opp in workspace.opportunities:
        if opp.journey == journey.id:
            opportunities.setdefault(where(opp), []).append(opp)
    model = JourneyModel(journey, seq, front, back, pains, opportunities, pain_count)
    model.workspace = workspace
    if overlay:
        model.overlay_tp = _clean(overlay.get("touchpoints"))
        model.overlay_step = _clean(overlay.get("steps"))
        model.marks = {
            key: overlay[key]
            for key in ("satisfaction", "sla", "moments", "leaks")
            if isinstance(overlay.get(key), Mapping | list) and overlay[key]
        }
        unknown = (set(model.overlay_tp) - set(step_of)) | (set(model.overlay_step) - steps)
        if unknown:
            log.warning(
                "overlay names ids that are not in journey %s: %s",
                journey.id,
                ", ".join(sorted(unknown)),
            )
    return model


# --- lanes -------------------------------------------------------------------------------------


def _accent(step_period: str) -> str:
    return Palette.periods.get(step_period, ("", Palette.muted))[1]


def _touchpoint_lane(m: JourneyModel, columns: list[Column], *, consumer: bool = False) -> Lane:
    gap = _CONSUMER_GAP if consumer else _GAP

    def build(min_height: float) -> dict[int, Cell]:
        cells = {}
        for col in columns:
            tps = m.front.get(col.step.id, [])
            items = [
                (
                    i,
                    cards.touchpoint_card(
                        tp,
                        col.slot_w,
                        seq=m.seq.get(tp.id),
                        pains=m.pain_count.get(tp.id, 0),
                        accent=_accent(col.step.period.value),
                        min_height=min_height,
                    ),
                )
                for i, tp in enumerate(tps)
            ]
            cells[col.index] = stack_in_slots(col, items) if items else gap
        return cells

    first = build(0.0)
    tallest = max((c.height for c in first.values()), default=0.0)
    return Lane(
        "touchpoints", "Touchpoints", build(tallest), subtitle="seen by the customer", empty_text=""
    )


def _backstage_lane(m: JourneyModel, columns: list[Column]) -> Lane:
    cells = {}
    for col in columns:
        items: list[tuple[int | None, Cell]] = []
        for tp in m.back.get(col.step.id, []):
            extra = []
            if tp.owner:
                extra.append(tp.owner.team + (f" · {tp.owner.role}" if tp.owner.role else ""))
            measured = m.overlay_tp.get(tp.id, {})
            if "journeys" in measured:
                extra.append(f"{thousands(measured['journeys'])} journeys")
            card = cards.touchpoint_card(
                tp,
                col.slot_w,
                seq=m.seq.get(tp.id),
                accent=Palette.rule_strong,
                extra=" · ".join(extra) or None,
            )
            items.append((None, card))
        for ix in m.journey.interactions:
            if ix.step == col.step.id and ix.visibility == Visibility.PROVIDER_ONLY:
                items.append((None, cards.interaction_card(ix, col.slot_w, show_resources=True)))
        cells[col.index] = stack_in_slots(col, items) if items else EMPTY
    return Lane(
        "backstage",
        "Backstage",
        cells,
        subtitle="provider only",
        zone="back",
        empty_text="No backstage activity modelled for this journey",
    )


def _interaction_lane(m: JourneyModel, columns: list[Column]) -> Lane:
    cells = {}
    for col in columns:
        items = []
        for ix in m.journey.interactions:
            if ix.step != col.step.id or ix.visibility == Visibility.PROVIDER_ONLY:
                continue
            slot = next(
                (
                    m.slot_of(col.step.id, t)
                    for t in ix.touchpoints
                    if m.slot_of(col.step.id, t) is not None
                ),
                None,
            )
            items.append((slot, cards.interaction_card(ix, col.slot_w)))
        cells[col.index] = stack_in_slots(col, items) if items else EMPTY
    return Lane("interactions", "Service interactions", cells, subtitle="value co-created")


def _teams_lane(m: JourneyModel, columns: list[Column]) -> Lane:
    cells = {}
    for col in columns:
        owners: list[str] = []
        owned = [
            *(t.owner for t in m.front.get(col.step.id, [])),
            *(
                ix.owner
                for ix in m.journey.interactions
                if ix.step == col.step.id and ix.visibility != Visibility.PROVIDER_ONLY
            ),
        ]
        for owner in owned:
            if owner:
                text = owner.team + (f" · {owner.role}" if owner.role else "")
                if text not in owners:
                    owners.append(text)
        cells[col.index] = cards.chips(owners, col.inner_w, icon_name="people") if owners else EMPTY
    return Lane("teams", "Teams and roles", cells, subtitle="facing the customer")


def _notes_lane(
    key: str,
    title_: str,
    notes: Mapping[str | None, list[Any]],
    m: JourneyModel,
    columns: list[Column],
) -> Lane:
    names = {tp.id: tp.name for tp in m.journey.touchpoints}
    pain_names = {p.id: p.name for ps in m.pains.values() for p in ps}
    cells = {}
    for col in columns:
        items = []
        for note in notes.get(col.step.id, []):
            ref = f"at {names[note.touchpoint]}" if note.touchpoint in names else None
            if isinstance(note, Opportunity) and note.pain_points:
                answered = [pain_names[p] for p in note.pain_points if p in pain_names]
                if answered:
                    ref = "answers: " + "; ".join(answered)
            items.append(
                (
                    m.slot_of(col.step.id, note.touchpoint),
                    cards.note_card(note, col.slot_w, ref=ref),
                )
            )
        cells[col.index] = stack_in_slots(col, items) if items else EMPTY
    return Lane(key, title_, cells)


def _whole_journey_lane(m: JourneyModel, columns: list[Column]) -> Lane | None:
    notes: list[PainPoint | Opportunity] = [*m.pains.get(None, []), *m.opportunities.get(None, [])]
    if not notes:
        return None
    x0 = columns[0].inner_x
    width = columns[-1].x + columns[-1].width - PAD - x0
    card_w = min(260.0, width)
    per_row = max(1, int((width + 10) // (card_w + 10)))
    built = [cards.note_card(n, card_w) for n in notes]
    rows = [built[i : i + per_row] for i in range(0, len(built), per_row)]
    height = sum(max(c.height for c in r) for r in rows) + 8 * (len(rows) - 1)

    def draw(y: float, h: float) -> str:
        out: list[str] = []
        yy = y + LANE_PAD
        for r in rows:
            out.extend(group(c.markup, x0 + i * (card_w + 10), yy) for i, c in enumerate(r))
            yy += max(c.height for c in r) + 8
        return "".join(out)

    return Lane(
        "whole-journey",
        "Whole journey",
        subtitle="pain points and opportunities not tied to one step",
        fixed_height=height + 2 * LANE_PAD,
        custom=draw,
    )


def _simple_lane(
    key: str, title_: str, columns: list[Column], build: Any, **kw: Any
) -> Lane | None:
    cells = {col.index: build(col) for col in columns}
    if not any(c.height for c in cells.values()):
        return None
    return Lane(key, title_, cells, **kw)


def _rows(
    m: JourneyModel, columns: list[Column], overlay: bool, *, consumer: bool = False
) -> list[Row]:
    j = m.journey

    def header(col: Column) -> Cell:
        step = col.step
        extra = None
        if step.expected_duration:
            extra = human_duration(step.expected_duration)
        else:
            total = sum(
                (t.expected_duration for t in j.touchpoints_in(step.id) if t.expected_duration),
                start=timedelta(),
            )
            extra = f"{human_duration(total)} at touchpoints" if total else None
        return step_header(step, col.index + 1, col.inner_w, extra)

    def goals(col: Column) -> Cell:
        s = col.step
        return cards.labelled_bullets(
            [
                ("Customer goal", [s.customer_goal] if s.customer_goal else [], None),
                ("Provider goal", [s.provider_goal] if s.provider_goal else [], None),
            ],
            col.inner_w,
        )

    def tfa(col: Column) -> Cell:
        s = col.step
        return cards.labelled_bullets(
            [
                ("Thinks", [f"“{t}”" for t in s.customer_thinks], "italic"),
                ("Feels", s.customer_feels, None),
                ("Asks", [f"“{t}”" for t in s.customer_asks], "italic"),
            ],
            col.inner_w,
        )

    rows: list[Row | None] = [
        period_lane(columns),
        Lane("steps", "Step", {c.index: header(c) for c in columns}, zone="header"),
        _simple_lane("goals", "Goals", columns, goals),
        _simple_lane(
            "does",
            "Customer does",
            columns,
            lambda c: cards.bullets(c.step.customer_does, c.inner_w),
        ),
        _simple_lane("thinks", "Thinks, feels, asks", columns, tfa),
        _touchpoint_lane(m, columns, consumer=consumer),
        emotion_lane(m, columns, overlay),
        volume_lane(m, columns) if overlay and not consumer else None,
        measured_lane(m, columns) if overlay and not consumer else None,
    ]
    if any(m.pains.get(c.step.id) for c in columns):
        rows.append(_notes_lane("pains", "Pain points", m.pains, m, columns))
    if any(m.opportunities.get(c.step.id) for c in columns):
        rows.append(_notes_lane("opportunities", "Opportunities", m.opportunities, m, columns))
    rows.append(_whole_journey_lane(m, columns))
    rows.append(offering_marks.offering_lane(m.workspace, j, columns, m.slot_of))
    interactions = _interaction_lane(m, columns)
    if any(c.height for c in interactions.cells.values()):
        rows.append(interactions)
    if consumer:  # the consumer's side of the line only: no teams, no backstage
        return [r for r in rows if r is not None]
    rows.append(_teams_lane(m, columns))
    rows.append(
        Divider(
            "line of visibility",
            above="↑ the customer sees this",
            below="↓ the customer does not see this",
        )
    )
    rows.append(_backstage_lane(m, columns))
    return [r for r in rows if r is not None]


def legend_entries(
    m: JourneyModel, overlay: bool, *, consumer: bool = False
) -> list[tuple[str, str]]:
    """The legend: what each mark means (used inside the SVG and by the HTML page)."""
    entries = [
        (rect(0, 1, 26, 14, rx=4, fill=fill), f"{name} period")
        for key, name in (
            ("pre_service", "Pre-service"),
            ("service", "Service"),
            ("post_service", "Post-service"),
        )
        for fill, _ in [Palette.periods[key]]
    ]
    entries.append((icons.star(13, 8, 7.5), "Moment of truth"))
    if any(tp.optional for tp in m.journey.touchpoints):
        entries.append(
            (
                rect(
                    1,
                    1,
                    24,
                    14,
                    rx=3,
                    fill="#fff",
                    stroke=Palette.card_border,
                    stroke_dasharray="4 3",
                ),
                "Optional touchpoint",
            )
        )
    if any(tp.visibility == Visibility.CONSUMER_ONLY for tp in m.journey.touchpoints):
        entries.append(
            (icons.icon("eye_off", 6, 1, 14, Palette.faint), "Customer only (provider cannot see)")
        )
    entries.append(
        (
            line(0, 8, 26, 8, stroke="#3e4c59", stroke_width=2.6)
            + circle(13, 8, 4.5, fill=Palette.positive, stroke="#fff", stroke_width=1.5),
            "Designed emotion",
        )
    )
    if overlay:
        entries.append(
            (
                line(
                    0, 8, 26, 8, stroke=Palette.measured, stroke_width=2.2, stroke_dasharray="6 4"
                ),
                "Measured emotion",
            )
        )
        if not consumer:
            entries.append(
                (rect(8, 1, 10, 14, rx=2, fill=Palette.volume, opacity=0.85), "Actual journeys")
            )
            if m.marks:
                entries.extend(measured_legend())
    if m.pains:
        entries.append((icons.icon("alert", 6, 0, 15, Palette.pain), "Pain point"))
    if m.opportunities:
        entries.append((icons.icon("bulb", 6, 0, 15, Palette.opportunity), "Opportunity"))
    kinds = {ix.kind.value for ix in m.journey.interactions}
    for kind, colour in Palette.interactions.items():
        if kind in kinds:
            entries.append((circle(13, 8, 5, fill=colour), cards.INTERACTION_LABELS[kind]))
    entries += offering_marks.legend_entries(m.journey)
    if consumer:
        return entries
    entries.append(
        (
            line(0, 8, 26, 8, stroke=Palette.visibility, stroke_width=2, stroke_dasharray="6 3"),
            "Line of visibility",
        )
    )
    return entries


def build_svg(
    workspace: Workspace,
    journey: Journey,
    overlay: Mapping[str, Any] | None = None,
    *,
    standalone: bool = True,
    consumer: bool = False,
) -> tuple[str, list[tuple[str, str]]]:
    """The journey map as an ``<svg>`` and its legend entries.

    ``consumer`` leaves out the provider's side of the line of visibility; callers pass
    the consumer view of the workspace with it (see :func:`render_journey_map`).
    """
    m = _model(workspace, journey, overlay)
    has_overlay = bool(m.overlay_tp or m.overlay_step)
    slots = {s.id: max(len(m.front[s.id]), math.ceil(len(m.back[s.id]) / 2)) for s in journey.steps}
    x0 = MARGIN + STRIP_W + LABEL_W
    columns = layout_columns(journey.steps, slots, x0)
    width = columns[-1].x + columns[-1].width + MARGIN
    top = MARGIN + (HEADER_H if standalone else 0)
    grid, bottom, _ = draw_grid(_rows(m, columns, has_overlay, consumer=consumer), columns, top)
    parts = [grid]
    entries = legend_entries(m, has_overlay, consumer=consumer)
    if standalone:
        leg = legend_block(entries, width, bottom)
        parts += [_header(workspace, journey, width), leg.markup]
        bottom += leg.height
    height = bottom + MARGIN
    parts.insert(0, rect(0, 0, width, height, fill=Palette.paper))
    n_tp = len(journey.touchpoints)
    desc = f"Journey map of {journey.name}: {len(journey.steps)} steps, {n_tp} touchpoints, " + (
        "with the designed emotion curve."
        if consumer
        else "with the designed emotion curve and the line of visibility."
    )
    svg = svg_document(
        "".join(parts),
        width,
        height,
        title_text=f"Journey map: {journey.name}",
        desc=desc,
        id_prefix="cj-journey-map",
        css_class="cj-map",
    )
    return svg, entries


def _header(workspace: Workspace, journey: Journey, width: float) -> str:
    personas = [p.name for p in workspace.personas if p.id in journey.personas]
    mots = sum(1 for t in journey.touchpoints if t.moment_of_truth)
    facts = [
        workspace.workspace.name,
        f"{len(journey.steps)} steps",
        f"{len(journey.touchpoints)} touchpoints",
        f"{mots} moments of truth",
    ]
    if personas:
        facts.insert(1, "persona: " + ", ".join(personas))
    total = journey.expected_duration()
    if total:
        facts.append(f"{human_duration(total)} at touchpoints")
    sub = wrap("  ·  ".join(facts), width - 2 * MARGIN, 12.5, max_lines=2)
    return (
        label(
            MARGIN,
            MARGIN + 10,
            "CUSTOMER JOURNEY MAP",
            size=10.5,
            font_weight=700,
            fill=Palette.faint,
            letter_spacing=1.2,
        )
        + text_lines(
            MARGIN,
            MARGIN + 16,
            wrap(journey.name, width - 2 * MARGIN, 22, bold=True, max_lines=1),
            size=22,
            weight=700,
        )
        + text_lines(MARGIN, MARGIN + 46, sub, size=12.5, fill=Palette.muted)
    )


def render_journey_map(
    workspace: Workspace,
    journey_id: str | None = None,
    *,
    fmt: Literal["html", "svg"] = "html",
    overlay: Mapping[str, Any] | None = None,
    audience: Audience = "provider",
) -> str:
    """Draw one journey as a journey map: a standalone SVG or a self-contained HTML page.

    ``overlay`` adds measured data (see the module docstring): volumes and drop-off in an
    "Actual journeys" lane and the measured emotion as a dashed curve.
    ``audience="consumer"`` draws only what a consumer may see: the map is drawn from
    :func:`~cojourney.domain.visibility.consumer_view` of the workspace, and of the
    overlay only the measured emotion of consumer-facing touchpoints and of the steps.
    """
    consumer = check_audience(audience) == "consumer"
    if consumer:
        workspace = consumer_view(workspace, resolve_journey(workspace, journey_id).id)
        overlay = consumer_overlay(workspace.journey(), overlay)
    journey = resolve_journey(workspace, journey_id)
    if fmt == "svg":
        return build_svg(workspace, journey, overlay, standalone=True, consumer=consumer)[0]
    if fmt != "html":
        from cojourney.errors import InputError

        raise InputError(f"the journey map is drawn as html or svg, not {fmt!r}")
    from cojourney.render.html import journey_page

    svg, entries = build_svg(workspace, journey, overlay, standalone=False, consumer=consumer)
    return journey_page(
        workspace,
        journey,
        svg,
        entries,
        overlay=bool(overlay and (overlay.get("touchpoints") or overlay.get("steps"))),
        consumer=consumer,
    )


def consumer_overlay(
    journey: Journey, overlay: Mapping[str, Any] | None
) -> dict[str, dict[str, dict[str, float]]] | None:
    """Of ``overlay``, only what a consumer may see: the measured emotion of ``journey``'s
    touchpoints and steps (pass the consumer journey). Volumes, drop-off and times at
    touchpoints are the provider's business figures and are left out."""
    if not overlay:
        return None
    touchpoints = {tp.id for tp in journey.touchpoints}
    steps = {s.id for s in journey.steps}

    def emotions(raw: Any, ids: set[str]) -> dict[str, dict[str, float]]:
        return {
            key: {"emotion": values["emotion"]}
            for key, values in _clean(raw).items()
            if key in ids and "emotion" in values
        }

    kept = {
        "touchpoints": emotions(overlay.get("touchpoints"), touchpoints),
        "steps": emotions(overlay.get("steps"), steps),
    }
    return kept if kept["touchpoints"] or kept["steps"] else None
