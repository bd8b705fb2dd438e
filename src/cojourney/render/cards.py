"""Cards and chips drawn inside the grid: touchpoints, interactions, pain points, opportunities."""

from __future__ import annotations

from collections.abc import Sequence

from cojourney.domain import Opportunity, PainPoint, ServiceInteraction, Touchpoint, Visibility
from cojourney.render import icons
from cojourney.render.layout import Cell
from cojourney.render.svg import (
    Palette,
    block_height,
    human_duration,
    label,
    rect,
    tag,
    text_lines,
    text_width,
    title,
    wrap,
)

INTERACTION_LABELS = {
    "transfer_of_goods": "Transfer of goods",
    "access_to_resources": "Access to resources",
    "operant_resources": "Operant resources",
    "joint_service_action": "Joint service action",
}
SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def touchpoint_card(
    tp: Touchpoint,
    width: float,
    *,
    seq: int | None = None,
    pains: int = 0,
    accent: str = Palette.muted,
    extra: str | None = None,
    min_height: float = 0.0,
) -> Cell:
    """Channel icon and name, touchpoint name, expected duration; a star for a moment of truth."""
    pad = 9.0
    inner = width - 2 * pad - 4
    mot = tp.moment_of_truth
    channel = icons.CHANNEL_LABELS.get(tp.channel.value, tp.channel.value)
    seq_w = text_width(f"{seq}", 9.5) + 10 if seq else 0.0
    channel_text = wrap(channel.upper(), inner - 19 - seq_w - 0.3 * len(channel), 9, max_lines=1)[0]
    name_lines = wrap(tp.name, inner, 12, bold=True, max_lines=5)
    y_name = pad + 21
    y_foot = y_name + block_height(len(name_lines), 12) + 7
    extra_lines = wrap(extra, inner, 10, max_lines=2) if extra else []
    height = max(
        min_height,
        y_foot + 14 + pad + (block_height(len(extra_lines), 10) + 3 if extra_lines else 0),
    )
    x0 = pad + 4
    parts = [
        rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            rx=6,
            fill="#fffbf0" if mot else Palette.paper,
            stroke=Palette.star if mot else Palette.card_border,
            stroke_width=1.8 if mot else 1,
            stroke_dasharray="4 3" if tp.optional else None,
        ),
        rect(0.5, 0.5, 4.5, height - 1, rx=2.2, fill=accent),
        icons.icon(tp.channel.value, x0, pad - 1, 15, Palette.muted),
        label(
            x0 + 19,
            pad + 10.5,
            channel_text,
            size=9,
            fill=Palette.muted,
            font_weight=600,
            letter_spacing=0.3,
        ),
        text_lines(x0, y_name, name_lines, size=12, weight=600, fill=Palette.ink),
    ]
    if seq:
        parts.append(
            label(
                width - pad, pad + 10.5, str(seq), size=9.5, fill=Palette.faint, text_anchor="end"
            )
        )
    if mot:  # pinned over the top-right corner, like a badge
        parts.append(tag("g", title("moment of truth") + icons.star(width - 30, 1, 8.5)))
    # the footer sits at the bottom of the card, so cards of one lane line up
    y_f = height - pad - 12 - (block_height(len(extra_lines), 10) + 3 if extra_lines else 0)
    fx = x0
    if tp.expected_duration:
        parts.append(icons.icon("clock", fx, y_f, 11.5, Palette.faint))
        text = human_duration(tp.expected_duration)
        parts.append(label(fx + 15, y_f + 10, text, size=10.5, fill=Palette.muted))
        fx += 15 + text_width(text, 10.5) + 8
    if tp.visibility == Visibility.CONSUMER_ONLY:
        parts.append(
            tag(
                "g",
                title("customer only: beyond the provider's line of visibility")
                + icons.icon("eye_off", fx, y_f, 11.5, Palette.faint),
            )
        )
        fx += 17
    tags = [
        t
        for t in (
            tp.kind.value if tp.kind.value != "direct" else None,
            "optional" if tp.optional else None,
        )
        if t
    ]
    badge = f"{pains}" if pains else ""
    bw = 20 + text_width(badge, 10) if pains else 0.0
    room = width - pad - bw - (4 if pains else 0) - fx
    while tags and text_width(" · ".join(tags), 9.5) > room:
        tags.pop(0)  # the kind goes first; "optional" is also shown by the dashed border
    if tags:
        parts.append(
            label(fx, y_f + 10, " · ".join(tags), size=9.5, fill=Palette.faint, font_style="italic")
        )
    if pains:
        parts.append(
            rect(
                width - pad - bw,
                y_f - 1,
                bw,
                14,
                rx=7,
                fill=Palette.pain_bg,
                stroke=Palette.pain,
                stroke_width=0.8,
            )
        )
        parts.append(icons.icon("alert", width - pad - bw + 4, y_f + 1, 10, Palette.pain, 2.4))
        parts.append(
            label(
                width - pad - 5,
                y_f + 9.8,
                badge,
                size=10,
                font_weight=700,
                fill=Palette.pain,
                text_anchor="end",
            )
        )
    if extra_lines:
        parts.append(
            text_lines(
                x0,
                height - pad - block_height(len(extra_lines), 10),
                extra_lines,
                size=10,
                fill=Palette.volume,
            )
        )
    tip = (
        tp.name
        + (" (moment of truth)" if mot else "")
        + (f": {tp.description}" if tp.description else "")
    )
    parts.append(title(tip))
    return Cell(height, tag("g", "".join(parts), class_="cj-touchpoint"))


def interaction_card(ix: ServiceInteraction, width: float, *, show_resources: bool = False) -> Cell:
    """The kind of interaction as a coloured tag, its name and owner."""
    colour = Palette.interactions.get(ix.kind.value, Palette.muted)
    pad = 8.0
    inner = width - 2 * pad - 3
    kind = INTERACTION_LABELS.get(ix.kind.value, ix.kind.value)
    kind_lines = wrap(kind.upper(), inner - 12, 9, bold=True, max_lines=2)
    name_lines = wrap(ix.name, inner, 11.5, bold=True, max_lines=4)
    y = pad + 4 + block_height(len(kind_lines), 9, 1.2) + 4
    body = [text_lines(pad + 3, y, name_lines, size=11.5, weight=600, fill=Palette.ink)]
    y += block_height(len(name_lines), 11.5) + 3
    if ix.owner:
        owner = ix.owner.team + (f" · {ix.owner.role}" if ix.owner.role else "")
        lines = wrap(owner, inner, 10, max_lines=2)
        body.append(text_lines(pad + 3, y, lines, size=10, fill=Palette.muted))
        y += block_height(len(lines), 10) + 2
    if show_resources and ix.provider_resources:
        lines = wrap("uses " + ", ".join(ix.provider_resources), inner, 10, max_lines=2)
        body.append(text_lines(pad + 3, y, lines, size=10, fill=Palette.faint, style="italic"))
        y += block_height(len(lines), 10) + 2
    height = y + pad - 2
    parts = [
        rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            rx=5,
            fill=Palette.paper,
            stroke=colour,
            stroke_width=1,
            stroke_opacity=0.55,
        ),
        rect(0.5, 0.5, 3.5, height - 1, rx=1.8, fill=colour),
        tag("circle", None, cx=pad + 7, cy=pad + 4.5, r=3.5, fill=colour),
        text_lines(
            pad + 14,
            pad,
            kind_lines,
            size=9,
            weight=700,
            fill=colour,
            line_height=1.2,
            letter_spacing=0.4,
        ),
        *body,
        title(f"{ix.name} ({kind})" + (f": {ix.description}" if ix.description else "")),
    ]
    return Cell(height, tag("g", "".join(parts), class_="cj-interaction"))


def note_card(item: PainPoint | Opportunity, width: float, *, ref: str | None = None) -> Cell:
    """A pain point (red, with its severity) or an opportunity (green)."""
    is_pain = isinstance(item, PainPoint)
    colour = Palette.pain if is_pain else Palette.opportunity
    fill = Palette.pain_bg if is_pain else Palette.opportunity_bg
    pad = 8.0
    inner = width - 2 * pad - 3
    head = item.severity.value.upper() if is_pain else "OPPORTUNITY"  # type: ignore[union-attr]
    name_lines = wrap(item.name, inner, 11.5, bold=True, max_lines=4)
    y = pad + 16
    body = [text_lines(pad + 3, y, name_lines, size=11.5, weight=600, fill=Palette.ink)]
    y += block_height(len(name_lines), 11.5) + 2
    if ref:
        lines = wrap(ref, inner, 10, max_lines=2)
        body.append(text_lines(pad + 3, y, lines, size=10, fill=Palette.muted, style="italic"))
        y += block_height(len(lines), 10) + 2
    height = y + pad - 2
    tip = item.name
    if item.description:
        tip += f": {item.description}"
    if is_pain and getattr(item, "evidence", None):
        tip += f" (evidence: {item.evidence})"  # type: ignore[union-attr]
    parts = [
        rect(
            0.5,
            0.5,
            width - 1,
            height - 1,
            rx=5,
            fill=fill,
            stroke=colour,
            stroke_width=0.8,
            stroke_opacity=0.6,
        ),
        icons.icon("alert" if is_pain else "bulb", pad + 2, pad - 1, 13, colour, 2.2),
        label(pad + 19, pad + 9.5, head, size=9, font_weight=700, fill=colour, letter_spacing=0.5),
        *body,
        title(tip),
    ]
    return Cell(height, tag("g", "".join(parts), class_="cj-pain" if is_pain else "cj-opportunity"))


def bullets(
    items: Sequence[str],
    width: float,
    *,
    size: float = 11.5,
    colour: str = Palette.ink,
    marker: str = "•",
    style: str | None = None,
) -> Cell:
    """A bulleted list with hanging indents."""
    parts, y = [], 0.0
    for item in items:
        lines = wrap(item, width - 12, size)
        parts.append(label(0, y + size, marker, size=size, fill=Palette.faint))
        parts.append(text_lines(12, y, lines, size=size, fill=colour, style=style))
        y += block_height(len(lines), size) + 4
    return Cell(max(0.0, y - 4), "".join(parts))


def labelled_bullets(groups: Sequence[tuple[str, Sequence[str], str | None]], width: float) -> Cell:
    """Small-caps headings (``THINKS``, ``FEELS``...) each over a list of quotes."""
    parts, y = [], 0.0
    for heading, items, style in groups:
        if not items:
            continue
        parts.append(
            label(
                0,
                y + 9,
                heading.upper(),
                size=9,
                font_weight=700,
                fill=Palette.faint,
                letter_spacing=0.6,
            )
        )
        y += 13
        for item in items:
            lines = wrap(item, width, 11)
            parts.append(text_lines(0, y, lines, size=11, fill=Palette.ink, style=style))
            y += block_height(len(lines), 11) + 3
        y += 5
    return Cell(max(0.0, y - 8), "".join(parts))


def chips(
    texts: Sequence[str | tuple[str, str]],
    width: float,
    *,
    icon_name: str | None = None,
    colour: str = Palette.muted,
    fill: str = "#eef2f7",
    size: float = 10.5,
) -> Cell:
    """Rounded pills flowing in rows; a text too long for one row wraps inside its pill.

    An item is a text (with ``icon_name`` as its icon, if any) or a ``(text, icon)`` pair.
    """
    parts, x, y, row_h = [], 0.0, 0.0, 0.0
    gap = 6.0
    for item in texts:
        text, item_icon = (item, icon_name) if isinstance(item, str) else item
        icon_w = 15.0 if item_icon else 0.0
        lines = wrap(text, width - 16 - icon_w, size)
        w = min(width, max(text_width(ln, size) for ln in lines) + 16 + icon_w)
        h = block_height(len(lines), size) + 8
        if x and x + w > width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        chip = [rect(x, y, w, h, rx=min(h / 2, 11), fill=fill), title(text)]
        if item_icon:
            chip.append(icons.icon(item_icon, x + 7, y + (h - 12) / 2, 12, colour))
        chip.append(text_lines(x + 8 + icon_w, y + 3.5, lines, size=size, fill=colour))
        parts.append(tag("g", "".join(chip)))
        x += w + gap
        row_h = max(row_h, h)
    return Cell(y + row_h, "".join(parts))
