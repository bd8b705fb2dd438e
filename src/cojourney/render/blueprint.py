"""The service blueprint: what the customer sees and does, and what makes it happen.

Columns are the steps; lanes, top to bottom: the offerings delivered (when the journey
names them: :mod:`cojourney.render.offering_marks`), physical evidence, customer actions,
the line of interaction, frontstage (touchpoints and interactions in the band of
visibility), the line of visibility, backstage (provider-only activities), the line
of internal interaction and the support processes (the provider resources that the
interactions draw on).
"""

from __future__ import annotations

import math
from typing import Literal

from cojourney.domain import (
    Channel,
    Journey,
    ServiceInteraction,
    TouchpointKind,
    Visibility,
    Workspace,
)
from cojourney.render import cards, icons, offering_marks
from cojourney.render.layout import (
    EMPTY,
    LABEL_W,
    MARGIN,
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
from cojourney.render.svg import (
    Palette,
    block_height,
    circle,
    label,
    line,
    rect,
    svg_document,
    tag,
    text_lines,
    title,
    wrap,
)

_PLACES = {Channel.PHYSICAL, Channel.IN_PERSON, Channel.LETTER, Channel.SELF_SERVICE}
SUPPORT = "#6d42a8"


def _evidence(journey: Journey, workspace: Workspace, step_id: str) -> list[tuple[str, str]]:
    """What the customer can see or hold in a step: places, things, channels, products."""
    products = {p.id: p.name for p in workspace.products}
    items: list[tuple[str, str]] = []
    for tp in journey.touchpoints_in(step_id):
        if tp.visibility == Visibility.PROVIDER_ONLY:
            continue
        if tp.kind == TouchpointKind.ENVIRONMENT or tp.channel in _PLACES:
            item = (tp.name, tp.channel.value)
        else:
            item = (icons.CHANNEL_LABELS.get(tp.channel.value, tp.channel.value), tp.channel.value)
        if item not in items:
            items.append(item)
        for pid in tp.products:
            product = (products.get(pid, pid), "physical")
            if product not in items:
                items.append(product)
    return items


def _customer_actions(journey: Journey, step_id: str) -> list[str]:
    actions = list(journey.step(step_id).customer_does)
    for tp in journey.touchpoints_in(step_id):
        for text in (
            tp.customer_action,
            tp.name if tp.visibility == Visibility.CONSUMER_ONLY else None,
        ):
            if text and text not in actions:
                actions.append(text)
    return actions


def support_card(resource: str, users: list[ServiceInteraction], width: float) -> Cell:
    """A provider resource and the interactions that draw on it."""
    pad = 8.0
    name_lines = wrap(resource, width - 2 * pad - 18, 11.5, bold=True, max_lines=3)
    y = pad + block_height(len(name_lines), 11.5) + 3
    used = wrap("for " + "; ".join(ix.name for ix in users), width - 2 * pad, 10, max_lines=3)
    height = y + block_height(len(used), 10) + pad
    parts = [
        rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            rx=5,
            fill="#faf8fd",
            stroke=SUPPORT,
            stroke_width=0.8,
            stroke_opacity=0.5,
        ),
        icons.icon("system", pad, pad, 13, SUPPORT),
        text_lines(pad + 18, pad - 1, name_lines, size=11.5, weight=600, fill=Palette.ink),
        text_lines(pad, y, used, size=10, fill=Palette.muted, style="italic"),
        title(f"{resource}: used by " + ", ".join(ix.name for ix in users)),
    ]
    return Cell(height, tag("g", "".join(parts), class_="cj-support"))


def _rows(workspace: Workspace, journey: Journey, columns: list[Column]) -> list[Row]:
    seq = {tp_id: i + 1 for i, tp_id in enumerate(journey.expected_order())}
    front_of = {
        c.step.id: [t for t in journey.touchpoints_in(c.step.id) if t.visibility == Visibility.BAND]
        for c in columns
    }
    for tps in front_of.values():
        tps.sort(key=lambda t: seq.get(t.id, 10**6))
    # touchpoint cards of the frontstage share one height, so that they line up
    tallest = max(
        (
            cards.touchpoint_card(t, c.slot_w, seq=seq.get(t.id)).height
            for c in columns
            for t in front_of[c.step.id]
        ),
        default=0.0,
    )
    evidence, actions, front, back, support = {}, {}, {}, {}, {}
    for col in columns:
        sid, accent = (
            col.step.id,
            Palette.periods.get(col.step.period.value, ("", Palette.muted))[1],
        )
        ev = _evidence(journey, workspace, sid)
        evidence[col.index] = (
            cards.chips(ev, col.inner_w, fill="#e9f3ee", colour="#1d5b44") if ev else EMPTY
        )
        acts = _customer_actions(journey, sid)
        actions[col.index] = cards.bullets(acts, col.inner_w) if acts else EMPTY
        slot = {t.id: i for i, t in enumerate(front_of[sid])}
        items: list[tuple[int | None, Cell]] = [
            (
                i,
                cards.touchpoint_card(
                    t, col.slot_w, seq=seq.get(t.id), accent=accent, min_height=tallest
                ),
            )
            for i, t in enumerate(front_of[sid])
        ]
        back_items: list[tuple[int | None, Cell]] = [
            (
                None,
                cards.touchpoint_card(
                    t,
                    col.slot_w,
                    seq=seq.get(t.id),
                    accent=Palette.rule_strong,
                    extra=(t.owner.team + (f" · {t.owner.role}" if t.owner.role else ""))
                    if t.owner
                    else None,
                ),
            )
            for t in journey.touchpoints_in(sid)
            if t.visibility == Visibility.PROVIDER_ONLY
        ]
        resources: dict[str, list[ServiceInteraction]] = {}
        for ix in journey.interactions:
            if ix.step != sid:
                continue
            card = cards.interaction_card(ix, col.slot_w)
            if ix.visibility == Visibility.PROVIDER_ONLY:
                back_items.append((None, card))
            else:
                preferred = next((slot[t] for t in ix.touchpoints if t in slot), None)
                items.append((preferred, card))
            for resource in ix.provider_resources:
                resources.setdefault(resource, []).append(ix)
        front[col.index] = stack_in_slots(col, items) if items else EMPTY
        back[col.index] = stack_in_slots(col, back_items) if back_items else EMPTY
        support[col.index] = (
            stack_in_slots(
                col, [(None, support_card(r, users, col.slot_w)) for r, users in resources.items()]
            )
            if resources
            else EMPTY
        )

    def header(col: Column) -> Cell:
        return step_header(col.step, col.index + 1, col.inner_w)

    def slot_of(step_id: str, tp_id: str | None) -> int | None:
        ids = [t.id for t in front_of.get(step_id, [])]
        return ids.index(tp_id) if tp_id in ids else None

    offerings = offering_marks.offering_lane(workspace, journey, columns, slot_of, zone="customer")
    return [
        period_lane(columns),
        Lane("steps", "Step", {c.index: header(c) for c in columns}, zone="header"),
        *([offerings] if offerings else []),
        Lane(
            "evidence",
            "Physical evidence",
            evidence,
            subtitle="places, things, channels",
            zone="customer",
        ),
        Lane("customer", "Customer actions", actions, zone="customer"),
        Divider(
            "line of interaction",
            colour="#3e4c59",
            dash="none",
            width=1.6,
            above="↑ the customer acts",
            below="↓ the provider responds",
        ),
        Lane(
            "frontstage",
            "Frontstage",
            front,
            subtitle="touchpoints and interactions in the band",
            empty_text="—",
        ),
        Divider(
            "line of visibility",
            above="↑ visible to the customer",
            below="↓ hidden from the customer",
        ),
        Lane(
            "backstage",
            "Backstage",
            back,
            subtitle="provider only",
            zone="back",
            empty_text="No backstage activity modelled",
        ),
        Divider("line of internal interaction", colour=SUPPORT, dash="2 4", width=1.8),
        Lane(
            "support",
            "Support processes",
            support,
            subtitle="provider resources used",
            zone="support",
            empty_text="No provider resources named on the interactions",
        ),
    ]


def legend_entries(journey: Journey) -> list[tuple[str, str]]:
    entries = [(icons.star(13, 8, 7.5), "Moment of truth")]
    kinds = {ix.kind.value for ix in journey.interactions}
    entries += [
        (circle(13, 8, 5, fill=colour), cards.INTERACTION_LABELS[kind])
        for kind, colour in Palette.interactions.items()
        if kind in kinds
    ]
    entries += offering_marks.legend_entries(journey)
    entries += [
        (line(0, 8, 26, 8, stroke="#3e4c59", stroke_width=1.6), "Line of interaction"),
        (
            line(0, 8, 26, 8, stroke=Palette.visibility, stroke_width=2, stroke_dasharray="6 3"),
            "Line of visibility",
        ),
        (
            line(0, 8, 26, 8, stroke=SUPPORT, stroke_width=1.8, stroke_dasharray="2 4"),
            "Line of internal interaction",
        ),
    ]
    return entries


def build_svg(workspace: Workspace, journey: Journey, *, standalone: bool = True) -> str:
    """The blueprint of ``journey`` as an ``<svg>``."""
    slots = {}
    for step in journey.steps:
        tps = journey.touchpoints_in(step.id)
        n_front = sum(1 for t in tps if t.visibility == Visibility.BAND)
        n_back = sum(1 for t in tps if t.visibility == Visibility.PROVIDER_ONLY)
        slots[step.id] = max(n_front, math.ceil(n_back / 2))
    columns = layout_columns(journey.steps, slots, MARGIN + STRIP_W + LABEL_W)
    width = columns[-1].x + columns[-1].width + MARGIN
    top = MARGIN + (70 if standalone else 0)
    grid, bottom, _ = draw_grid(_rows(workspace, journey, columns), columns, top)
    parts = []
    if standalone:
        parts.append(
            label(
                MARGIN,
                MARGIN + 10,
                "SERVICE BLUEPRINT",
                size=10.5,
                font_weight=700,
                fill=Palette.faint,
                letter_spacing=1.2,
            )
            + label(MARGIN, MARGIN + 38, journey.name, size=22, font_weight=700, fill=Palette.ink)
            + label(MARGIN, MARGIN + 58, workspace.workspace.name, size=12.5, fill=Palette.muted)
        )
        leg = legend_block(legend_entries(journey), width, bottom)
        parts.append(leg.markup)
        bottom += leg.height
    height = bottom + MARGIN
    body = rect(0, 0, width, height, fill=Palette.paper) + grid + "".join(parts)
    return svg_document(
        body,
        width,
        height,
        title_text=f"Service blueprint: {journey.name}",
        desc=f"Service blueprint of {journey.name}: physical evidence, customer actions, "
        "frontstage, backstage and support processes, with the lines of "
        "interaction, visibility and internal interaction.",
        id_prefix="cj-blueprint",
        css_class="cj-map",
    )


def render_blueprint(
    workspace: Workspace, journey_id: str | None = None, *, fmt: Literal["html", "svg"] = "html"
) -> str:
    """Draw the service blueprint of one journey as a standalone SVG or an HTML page."""
    journey = resolve_journey(workspace, journey_id)
    if fmt == "svg":
        return build_svg(workspace, journey, standalone=True)
    if fmt != "html":
        from cojourney.errors import InputError

        raise InputError(f"the blueprint is drawn as html or svg, not {fmt!r}")
    from cojourney.render.html import blueprint_page

    return blueprint_page(
        workspace, journey, build_svg(workspace, journey, standalone=False), legend_entries(journey)
    )
