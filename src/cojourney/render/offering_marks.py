"""Which offerings each step and touchpoint delivers, drawn on the journey map and blueprint.

A service offering is made of goods, access to resources and service actions
(:class:`cojourney.domain.Offering`). Steps and touchpoints say which offerings they
deliver, and which of their parts (:class:`cojourney.domain.OfferingDelivery`). This
module draws them as one lane of cards: per step, a card for each offering delivered
at it (under the touchpoint that delivers it, when it is a touchpoint), with the parts
named there, each marked by its kind: a square for goods, a circle for access to
resources, a diamond for service actions.

Drawn from the consumer view of a workspace, the lane shows only what the consumer
view keeps: deliveries of the steps and consumer-facing touchpoints, and of each
offering only its name and the parts named there
(:func:`cojourney.domain.visibility.consumer_offerings`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cojourney.domain import (
    Journey,
    Offering,
    OfferingDelivery,
    Step,
    Touchpoint,
    Visibility,
    Workspace,
)
from cojourney.render.layout import EMPTY, Cell, Column, Lane, stack_in_slots
from cojourney.render.svg import (
    Palette,
    block_height,
    circle,
    rect,
    tag,
    text_lines,
    title,
    wrap,
)

#: The offering's colour (the cards' frame and heading).
OFFERING = "#0f6e78"
#: Each part of an offering: (label, colour).
PART_STYLE: dict[str, tuple[str, str]] = {
    "goods": ("Goods", Palette.interactions["transfer_of_goods"]),
    "access_to_resources": ("Access to resources", Palette.interactions["access_to_resources"]),
    "service_actions": ("Service actions", Palette.interactions["joint_service_action"]),
}


def part_mark(part: str, cx: float, cy: float, r: float = 4.0) -> str:
    """The mark of a part's kind: square (goods), circle (access), diamond (actions)."""
    colour = PART_STYLE[part][1]
    if part == "goods":
        return rect(cx - r, cy - r, 2 * r, 2 * r, rx=1, fill=colour)
    if part == "access_to_resources":
        return circle(cx, cy, r, fill=colour)
    points = f"{cx:g},{cy - r - 0.8:g} {cx + r + 0.8:g},{cy:g} {cx:g},{cy + r + 0.8:g} {cx - r - 0.8:g},{cy:g}"
    return tag("polygon", None, points=points, fill=colour)


@dataclass
class _Mark:
    """One offering delivered at one place (a step, or one touchpoint of it)."""

    offering: str
    name: str
    touchpoint: Touchpoint | None
    parts: list[tuple[str, str]] = field(default_factory=list)


def offering_card(mark: _Mark, width: float) -> Cell:
    """An offering delivered at a step or touchpoint: its name, where, and the parts."""
    pad = 8.0
    inner = width - 2 * pad - 3
    y = pad + 12
    body: list[str] = []
    name_lines = wrap(mark.name, inner, 11.5, bold=True, max_lines=3)
    body.append(text_lines(pad + 3, y, name_lines, size=11.5, weight=600, fill=Palette.ink))
    y += block_height(len(name_lines), 11.5) + 2
    if mark.touchpoint is not None:
        where = "backstage at " if mark.touchpoint.visibility == Visibility.PROVIDER_ONLY else "at "
        lines = wrap(where + mark.touchpoint.name, inner, 10, max_lines=2)
    else:
        lines = wrap("the whole step", inner, 10, max_lines=1)
    body.append(text_lines(pad + 3, y, lines, size=10, fill=Palette.muted, style="italic"))
    y += block_height(len(lines), 10) + 3
    for part, entry in mark.parts:
        lines = wrap(entry, inner - 14, 10.5, max_lines=3)
        body.append(tag("g", part_mark(part, pad + 8, y + 7, 3.6), class_=f"cj-part-{part}"))
        body.append(text_lines(pad + 17, y, lines, size=10.5, fill=Palette.ink))
        y += block_height(len(lines), 10.5) + 2
    height = y + pad - 2
    tip = f"Offering {mark.name}" + (
        f" at {mark.touchpoint.name}" if mark.touchpoint else " over the whole step"
    )
    if mark.parts:
        tip += ": " + "; ".join(f"{PART_STYLE[p][0].lower()}: {e}" for p, e in mark.parts)
    parts = [
        rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            rx=5,
            fill="#f0f8f8",
            stroke=OFFERING,
            stroke_width=0.9,
            stroke_opacity=0.6,
        ),
        text_lines(
            pad + 3,
            pad - 1,
            ["OFFERING"],
            size=9,
            weight=700,
            fill=OFFERING,
            line_height=1.2,
            letter_spacing=0.5,
        ),
        *body,
        title(tip),
    ]
    return Cell(height, tag("g", "".join(parts), class_="cj-offering"))


def _marks(offerings: dict[str, Offering], journey: Journey, step: Step) -> list[_Mark]:
    """The offerings delivered at ``step``, one mark per (place, offering), parts merged."""
    marks: dict[tuple[str | None, str], _Mark] = {}
    deliveries: list[tuple[Touchpoint | None, OfferingDelivery]] = [
        (tp, d) for s, tp, d in journey.offering_deliveries() if s.id == step.id
    ]
    for tp, delivery in deliveries:
        offering = offerings.get(delivery.offering)
        key = (tp.id if tp else None, delivery.offering)
        mark = marks.setdefault(
            key,
            _Mark(delivery.offering, offering.name if offering else delivery.offering, tp),
        )
        mark.parts += [p for p in delivery.parts() if p not in mark.parts]
    return list(marks.values())


def offering_lane(
    workspace: Workspace | None,
    journey: Journey,
    columns: Sequence[Column],
    slot_of: Callable[[str, str | None], int | None],
    *,
    zone: str = "front",
) -> Lane | None:
    """The lane of offering cards, or ``None`` when the journey names no delivery.

    ``workspace`` names the offerings (without it, or for an offering it lacks, the
    card shows the id); ``slot_of(step_id, touchpoint_id)`` places a touchpoint's card
    under the touchpoint; ``zone`` is the lane's zone (:class:`~cojourney.render.layout.Lane`).
    """
    if not journey.offering_deliveries():
        return None
    offerings = {o.id: o for o in workspace.offerings} if workspace else {}
    cells: dict[int, Cell] = {}
    for col in columns:
        items = [
            (
                slot_of(col.step.id, m.touchpoint.id) if m.touchpoint else None,
                offering_card(m, col.slot_w),
            )
            for m in _marks(offerings, journey, col.step)
        ]
        cells[col.index] = stack_in_slots(col, items) if items else EMPTY
    return Lane(
        "offerings",
        "Offerings delivered",
        cells,
        subtitle="goods, access to resources, service actions",
        zone=zone,
        empty_text="",
    )


def legend_entries(journey: Journey) -> list[tuple[str, str]]:
    """Legend entries for the offering cards and the kinds of part they name."""
    deliveries = journey.offering_deliveries()
    if not deliveries:
        return []
    entries = [
        (
            rect(1, 1, 24, 14, rx=3, fill="#f0f8f8", stroke=OFFERING, stroke_width=0.9),
            "Offering delivered",
        )
    ]
    named = {part for _s, _t, d in deliveries for part, _e in d.parts()}
    entries += [
        (part_mark(part, 13, 8, 4.5), label_)
        for part, (label_, _colour) in PART_STYLE.items()
        if part in named
    ]
    return entries
