"""Assembling the report page: one self-contained HTML file.

Everything is inline: the CSS (``assets/report.css``), Apache ECharts 5.6.0
(``vendor/echarts.min.js``, its licence header kept), the chart data (one
``<script type="application/json">`` block) and the small script that draws the
charts and drives the controls (``assets/report.js``). The page asks the network for
nothing, so it opens offline, from a USB stick or an e-mail attachment.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cojourney.report.sections import Section

HERE = Path(__file__).parent
ECHARTS = HERE / "vendor" / "echarts.min.js"
ASSETS = HERE / "assets"
DATA_ID = "cj-report-data"


@dataclass
class ReportPage:
    """What the page shows around its sections.

    Attributes
    ----------
    title
        The page title and main heading (usually the journey's name).
    kicker
        The line above the heading (workspace name).
    facts
        ``(value, label)`` pairs shown beside the heading (period, journeys, events...).
    sections
        The sections in page order (the executive summary first).
    generator
        "cojourney 0.1.0" or similar, for the footer.
    generated_at
        When the report was built (text).
    """

    title: str
    kicker: str
    sections: Sequence[Section]
    facts: Sequence[tuple[str, str]] = field(default_factory=list)
    generator: str = "cojourney"
    generated_at: str = ""
    notes: Sequence[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["j2", "html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=4)
def _asset(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if re.search(r"</script|<!--", text, re.IGNORECASE):  # would end or confuse a <script> block
        raise ValueError(f"{path.name} cannot be inlined in a <script> element")
    return text


def script_json(data: Any) -> str:
    """``data`` as JSON that is safe inside ``<script type="application/json">``."""
    text = json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_jsonable
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot put a {type(value).__name__} in the report data")


def render_report(page: ReportPage) -> str:
    """The whole report as one HTML document."""
    charts: dict[str, Any] = {}
    for section in page.sections:
        for chart_id, spec in section.charts.items():
            if chart_id in charts:
                raise ValueError(f"two sections draw a chart {chart_id!r}")
            charts[chart_id] = _finite(spec)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            page=page,
            sections=[
                {
                    "id": s.id,
                    "title": s.title,
                    "status": s.status.value,
                    "lede": s.lede,
                    "html": Markup(s.html),
                }
                for s in page.sections
            ],
            css=Markup(_asset(ASSETS / "report.css")),
            echarts=Markup(_asset(ECHARTS)),
            script=Markup(_asset(ASSETS / "report.js")),
            data=Markup(script_json({"charts": charts})),
            data_id=DATA_ID,
        )
    )


def write_page(out: Path, html: str) -> Path:
    """Write ``html`` to ``out`` all at once (a half-written report never appears)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=".cojourney-report-", suffix=".html", dir=out.parent
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(html)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is meant to be shared
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def head_facts(journey: dict[str, Any], analysis: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The facts beside the page heading: steps, touchpoints, journeys, events."""
    from cojourney.report.html import integer

    facts = [
        (str(len(journey["steps"])), "steps"),
        (str(len(journey["touchpoints"])), "touchpoints"),
    ]
    if analysis is not None:
        facts.append((integer(analysis["counts"]["journeys"]), "journeys"))
        facts.append((integer(analysis["counts"]["events"]), "events"))
    return facts


def head_notes(
    start: datetime | None,
    end: datetime | None,
    source: str | None,
    engine: str,
    kept: str | None = None,
) -> list[str]:
    """The notes under the page heading: the period, the journey filters (``kept``, in
    words) and where the events came from."""
    if start or end:
        since = start.isoformat(timespec="minutes") if start else "the first"
        until = end.isoformat(timespec="minutes") if end else "the last"
        notes = [f"Journeys that started from {since} until {until} (UTC, end excluded)."]
    elif kept is None:
        notes = ["Every journey in the event log."]
    else:
        notes = []
    if kept is not None:
        notes.append(f"Only the journeys kept by: {kept}.")
    if source is not None:
        notes.append(f"Events: {source}; journey analyses on {engine}.")
    return notes


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as ``None`` (JSON has neither)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
