"""Small HTML-building helpers shared by the report sections: escaping, numbers, tables.

Every helper returns markup as ``str``, escaped where it takes text; numbers are
formatted for people (thousands separators, percentages, human durations), and a
missing value (``None``) is shown as an em dash rather than a made-up zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import escape

DASH = "—"


def esc(value: object) -> str:
    """``value`` as text safe in HTML content and attribute values."""
    return str(escape(str(value)))


def is_number(value: Any) -> bool:
    """Whether ``value`` is a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def integer(value: Any) -> str:
    """``12,345``; a dash for a missing value."""
    return f"{round(value):,}" if is_number(value) else DASH


def number(value: Any, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals (trailing zeros dropped)."""
    if not is_number(value):
        return DASH
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:,.{digits}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text == "-0" else text


def percent(share: Any, digits: int = 0) -> str:
    """A share (0..1) as a percentage: ``0.123`` -> ``12%``."""
    return f"{share * 100:.{digits}f}%" if is_number(share) else DASH


def signed(value: Any, digits: int = 1) -> str:
    """``+1.2``, ``−0.5`` (a true minus sign), ``0``."""
    if not is_number(value):
        return DASH
    text = f"{abs(value):.{digits}f}".rstrip("0").rstrip(".")
    if text == "0":
        return "0"
    return ("+" if value > 0 else "−") + text


def duration(seconds: Any) -> str:
    """A human duration: ``45s``, ``12m``, ``3h 05m``, ``4d 6h``; a dash when missing."""
    if not is_number(seconds):
        return DASH
    s = abs(float(seconds))
    sign = "−" if seconds < 0 else ""
    if s < 60:
        return f"{sign}{s:.0f}s"
    minutes = s / 60
    if minutes < 60:
        return f"{sign}{minutes:.0f}m"
    hours = minutes / 60
    if hours < 24:
        whole = int(hours)
        return f"{sign}{whole}h {round((hours - whole) * 60):02d}m"
    days = hours / 24
    whole = int(days)
    return f"{sign}{whole:,}d {round((days - whole) * 24)}h"


def attrs(**values: Any) -> str:
    """HTML attributes: ``class_`` becomes ``class``, ``data_x`` becomes ``data-x``;
    ``None`` and ``False`` are left out, ``True`` is a bare attribute."""
    parts = []
    for key, value in values.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(parts)


def tag(name: str, content: str | None = "", **values: Any) -> str:
    """``<name attrs>content</name>``; ``content`` is markup (escape text first)."""
    return f"<{name}{attrs(**values)}>{content or ''}</{name}>"


def table(
    headers: Sequence[str | tuple[str, str]],
    rows: Iterable[Sequence[str]],
    *,
    class_: str = "cj-table",
    caption: str | None = None,
    row_ids: Sequence[str | None] | None = None,
) -> str:
    """A table; a header ``(text, "num")`` right-aligns its column. Cells are markup;
    ``row_ids`` gives rows an ``id`` (an anchor other sections link to)."""
    kinds = [h[1] if isinstance(h, tuple) else "" for h in headers]
    head = "".join(
        tag("th", esc(h[0] if isinstance(h, tuple) else h), class_=k or None)
        for h, k in zip(headers, kinds, strict=True)
    )
    rows = list(rows)
    ids = list(row_ids) if row_ids is not None else [None] * len(rows)
    body = "".join(
        f"<tr{attrs(id=i)}>"
        + "".join(tag("td", cell, class_=k or None) for cell, k in zip(row, kinds, strict=True))
        + "</tr>"
        for row, i in zip(rows, ids, strict=True)
    )
    cap = tag("caption", esc(caption)) if caption else ""
    return (
        f'<div class="cj-table-wrap"><table{attrs(class_=class_)}>{cap}<thead><tr>{head}</tr>'
        f"</thead><tbody>{body}</tbody></table></div>"
    )


def panel(kind: str, title: str, text: str = "") -> str:
    """A message panel: ``kind`` is ``info``, ``no-data``, ``unavailable`` or ``warning``.
    ``title`` and ``text`` are plain text."""
    return (
        f'<div class="cj-panel cj-panel-{esc(kind)}" role="note"><strong>{esc(title)}</strong>'
        + (f"<p>{esc(text)}</p>" if text else "")
        + "</div>"
    )


def kpi(label: str, value: str, note: str = "", *, tone: str | None = None) -> str:
    """A headline number: a label (text), the value and a note (both text)."""
    cls = "cj-kpi" + (f" cj-tone-{tone}" if tone else "")
    return (
        f'<div class="{cls}"><span class="cj-kpi-label">{esc(label)}</span>'
        f'<span class="cj-kpi-value">{esc(value)}</span>'
        + (f'<span class="cj-kpi-note">{esc(note)}</span>' if note else "")
        + "</div>"
    )


def chart(chart_id: str, *, height: int = 320, label: str = "") -> str:
    """The container a chart is drawn into (by ``report.js``, from the chart spec)."""
    return tag(
        "div",
        "",
        id=chart_id,
        class_="cj-chart",
        data_chart=chart_id,
        style=f"height:{height}px",
        role="img",
        aria_label=label or None,
    )


def anchor_id(kind: str, *parts: str) -> str:
    """The id of a piece of evidence, e.g. ``anchor_id("funnel-step", "onboard")`` is
    ``funnel-step-onboard``: the rule of :func:`cojourney.analytics.leakage.anchor`
    (without its ``#``), so that the value-leakage links land on the evidence."""
    text = "-".join((kind, *parts)).lower()
    return re.sub(r"[^a-z0-9_.-]+", "-", text).strip("-")


def badge(text: str, tone: str) -> str:
    """A coloured pill: ``tone`` is good, warn, bad, neutral or info."""
    return tag("span", esc(text), class_=f"cj-badge cj-tone-{tone}")
