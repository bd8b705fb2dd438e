"""Small SVG-building helpers: escaping, attributes, wrapped text, smooth curves, the palette.

Everything returns markup as ``str``; a picture is a list of fragments joined at the end.
Text is measured with a table of advance widths close to DejaVu Sans (the widest common
sans-serif that the system font stack may fall back to), so that wrapped text fits in
any of the fonts that the stack picks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import ClassVar

SVG_NS = "http://www.w3.org/2000/svg"

#: System font stack: no web fonts, something good everywhere.
FONT_STACK = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
    "'Liberation Sans', 'DejaVu Sans', sans-serif"
)


class Palette:
    """The one set of colours every picture uses."""

    ink = "#1f2933"
    muted = "#52606d"
    faint = "#7b8794"
    rule = "#d9e2ec"
    rule_strong = "#9aa5b1"
    paper = "#ffffff"
    lane_alt = "#f8fafc"
    label_bg = "#f1f4f8"
    backstage = "#eef2f7"
    card_border = "#c7d2de"
    visibility = "#334e68"
    positive = "#23895b"
    negative = "#c93b3b"
    neutral = "#7b8794"
    measured = "#8a4fbf"
    star = "#e8a200"
    pain = "#c93b3b"
    pain_bg = "#fdf0f0"
    opportunity = "#1f7a55"
    opportunity_bg = "#ebf7f1"
    volume = "#3d6fb0"
    #: Period of the service: (band fill, text and accent colour).
    periods: ClassVar[dict[str, tuple[str, str]]] = {
        "pre_service": ("#e6eef9", "#2c5c99"),
        "service": ("#e1f3ee", "#1d735d"),
        "post_service": ("#efe8f8", "#5d3f99"),
    }
    #: Kind of service interaction: accent colour.
    interactions: ClassVar[dict[str, str]] = {
        "transfer_of_goods": "#a0610a",
        "access_to_resources": "#2c6bb0",
        "operant_resources": "#6d42a8",
        "joint_service_action": "#1d7a66",
    }
    #: Stakeholder kinds: a categorical palette, cycled.
    categorical = (
        "#2c6bb0",
        "#d0731d",
        "#23895b",
        "#c93b3b",
        "#6d42a8",
        "#8c6d1f",
        "#c2408f",
        "#4f6477",
        "#1b8a9c",
        "#7a8f1f",
    )


PERIOD_LABELS = {"pre_service": "Pre-service", "service": "Service", "post_service": "Post-service"}

# --- escaping and attributes ---------------------------------------------------------------


def esc(value: object) -> str:
    """Escape text for XML content and attribute values (both quote kinds)."""
    text = str(value)
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros: ``12``, ``3.5``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(**kw: object) -> str:
    """``fill_opacity=0.5`` -> ``fill-opacity="0.5"``; ``class_`` -> ``class``; None is left out."""
    parts = []
    for key, value in kw.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        if isinstance(value, float):
            value = num(value)
        parts.append(f'{name}="{esc(value)}"')
    return (" " + " ".join(parts)) if parts else ""


def tag(name: str, content: str | None = None, /, **kw: object) -> str:
    """An element; self-closing when ``content`` is None."""
    if content is None:
        return f"<{name}{attrs(**kw)}/>"
    return f"<{name}{attrs(**kw)}>{content}</{name}>"


def group(content: str | Iterable[str], x: float = 0, y: float = 0, **kw: object) -> str:
    body = content if isinstance(content, str) else "".join(content)
    transform = f"translate({num(x)},{num(y)})" if (x or y) else None
    return tag("g", body, transform=transform, **kw)


def title(text: str) -> str:
    """A tooltip and accessible name for the enclosing element."""
    return tag("title", esc(text))


def rect(x: float, y: float, w: float, h: float, **kw: object) -> str:
    return tag(
        "rect", x=float(x), y=float(y), width=float(max(w, 0)), height=float(max(h, 0)), **kw
    )


def line(x1: float, y1: float, x2: float, y2: float, **kw: object) -> str:
    return tag("line", x1=float(x1), y1=float(y1), x2=float(x2), y2=float(y2), **kw)


def circle(cx: float, cy: float, r: float, **kw: object) -> str:
    return tag("circle", cx=float(cx), cy=float(cy), r=float(r), **kw)


# --- text measuring and wrapping ------------------------------------------------------------

# Advance widths in em, close to DejaVu Sans (wider than Arial, Segoe UI, Roboto, Helvetica).
_WIDTHS: dict[str, float] = {}
for _chars, _w in (
    ("il.,:;'|!", 0.30),
    ("jfrt()[]{}/\\", 0.40),
    ("I J-", 0.34),
    ('"', 0.46),
    ("sczx?", 0.56),
    ("abdeghnopquvyk", 0.63),
    ("0123456789$#_", 0.64),
    ("FLPTZ", 0.63),
    ("ABEKRSXYV", 0.70),
    ("CDGHNOQU", 0.78),
    ("w", 0.82),
    ("mM%", 0.98),
    ("W@", 1.0),
    ("&", 0.78),
    ("+=<>~*^", 0.84),
):
    for _c in _chars:
        _WIDTHS[_c] = _w
_DEFAULT_WIDTH = 0.66


def text_width(text: str, size: float, *, bold: bool = False, spacing: float = 0.0) -> float:
    """Estimated rendered width of ``text`` in px at font ``size`` (generous on purpose)."""
    em = sum(_WIDTHS.get(ch, _DEFAULT_WIDTH) for ch in text)
    return em * size * (1.15 if bold else 1.0) + spacing * len(text)


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    pieces, current = [], ""
    for ch in word:
        if current and text_width(current + ch + "-", size, bold=bold) > width:
            pieces.append(current + "-")
            current = ch
        else:
            current += ch
    return [*pieces, current]


def wrap(
    text: str, width: float, size: float, *, bold: bool = False, max_lines: int | None = None
) -> list[str]:
    """Greedy word wrap into lines no wider than ``width`` px; an ellipsis ends cut text."""
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold=bold) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if text_width(word, size, bold=bold) <= width:
                current = word
            else:
                *full, current = _break_word(word, width, size, bold)
                lines.extend(full)
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last + "…", size, bold=bold) > width:
            last = last[:-1]
        kept[-1] = last.rstrip() + "…"
        return kept
    return lines


def text_lines(
    x: float,
    y: float,
    lines: Sequence[str],
    *,
    size: float = 12,
    line_height: float = 1.3,
    weight: int | str | None = None,
    fill: str = Palette.ink,
    anchor: str | None = None,
    style: str | None = None,
    **kw: object,
) -> str:
    """A ``<text>`` whose first baseline is at ``y + size`` (``y`` is the top of the block)."""
    if not lines:
        return ""
    step = size * line_height
    spans = []
    for i, text_line in enumerate(lines):
        spans.append(tag("tspan", esc(text_line), x=float(x), dy=float(size if i == 0 else step)))
    return tag(
        "text",
        "".join(spans),
        x=float(x),
        y=float(y),
        font_size=float(size),
        font_weight=weight,
        fill=fill,
        text_anchor=anchor,
        font_style=style,
        **kw,
    )


def block_height(n_lines: int, size: float, line_height: float = 1.3) -> float:
    """Height of a text block from its top to below the descenders of its last line."""
    if n_lines <= 0:
        return 0.0
    return size * 1.25 + (n_lines - 1) * size * line_height


def label(x: float, y: float, text: str, *, size: float = 12, **kw: object) -> str:
    """One line of text with its baseline at ``y``."""
    return tag("text", esc(text), x=float(x), y=float(y), font_size=float(size), **kw)


# --- curves ---------------------------------------------------------------------------------


def smooth_path(points: Sequence[tuple[float, float]]) -> str:
    """A monotone cubic (Fritsch-Carlson) through ``points`` sorted by x: smooth, no overshoot.

    >>> smooth_path([(0, 0), (10, 10)])
    'M0,0 L10,10'
    """
    pts = sorted(points)
    if not pts:
        return ""
    if len(pts) <= 2:
        return "M" + " L".join(f"{num(x)},{num(y)}" for x, y in pts)
    n = len(pts)
    dx = [pts[i + 1][0] - pts[i][0] or 1e-9 for i in range(n - 1)]
    slope = [(pts[i + 1][1] - pts[i][1]) / dx[i] for i in range(n - 1)]
    tangent = [slope[0]] + [0.0] * (n - 2) + [slope[-1]]
    for i in range(1, n - 1):
        if slope[i - 1] * slope[i] <= 0:
            tangent[i] = 0.0
        else:
            tangent[i] = (slope[i - 1] + slope[i]) / 2
    for i in range(n - 1):
        if slope[i] == 0:
            tangent[i] = tangent[i + 1] = 0.0
            continue
        a, b = tangent[i] / slope[i], tangent[i + 1] / slope[i]
        h = math.hypot(a, b)
        if h > 3:
            t = 3 / h
            tangent[i], tangent[i + 1] = t * a * slope[i], t * b * slope[i]
    parts = [f"M{num(pts[0][0])},{num(pts[0][1])}"]
    for i in range(n - 1):
        (x0, y0), (x1, y1) = pts[i], pts[i + 1]
        third = dx[i] / 3
        parts.append(
            f"C{num(x0 + third)},{num(y0 + tangent[i] * third)} "
            f"{num(x1 - third)},{num(y1 - tangent[i + 1] * third)} {num(x1)},{num(y1)}"
        )
    return " ".join(parts)


# --- words ------------------------------------------------------------------------------------


def human_duration(value: timedelta | float | None) -> str:
    """``timedelta(minutes=90)`` -> ``'1 h 30 min'``; seconds as float are accepted too.

    >>> human_duration(45), human_duration(3600 * 26), human_duration(timedelta(minutes=5))
    ('45 s', '1 d 2 h', '5 min')
    """
    if value is None:
        return ""
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 60:
        return f"{minutes:.0f} min"
    hours, rest = divmod(round(minutes), 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def thousands(value: float) -> str:
    """``1234`` -> ``'1,234'``."""
    return f"{value:,.0f}"


def signed(value: float) -> str:
    """``2`` -> ``'+2'``, ``-1.5`` -> ``'−1.5'`` (a real minus sign), ``0`` -> ``'0'``."""
    text = f"{abs(value):.1f}".rstrip("0").rstrip(".")
    if value > 0:
        return "+" + text
    return ("\u2212" + text) if value < 0 else "0"


def emotion_colour(value: float) -> str:
    if value >= 0.5:
        return Palette.positive
    if value <= -0.5:
        return Palette.negative
    return Palette.neutral


def svg_document(
    body: str,
    width: float,
    height: float,
    *,
    title_text: str,
    desc: str = "",
    id_prefix: str = "cj",
    defs: str = "",
    css_class: str | None = None,
) -> str:
    """A complete, self-contained ``<svg>`` element that scales with its ``viewBox``."""
    head = tag("title", esc(title_text), id=f"{id_prefix}-title")
    if desc:
        head += tag("desc", esc(desc), id=f"{id_prefix}-desc")
    labelled = f"{id_prefix}-title" + (f" {id_prefix}-desc" if desc else "")
    return tag(
        "svg",
        head + (tag("defs", defs) if defs else "") + body,
        xmlns=SVG_NS,
        viewBox=f"0 0 {num(width)} {num(height)}",
        width=float(width),
        height=float(height),
        role="img",
        aria_labelledby=labelled,
        font_family=FONT_STACK,
        class_=css_class,
        preserveAspectRatio="xMinYMin meet",
    )
