"""Section 7: value indicators, per stakeholder.

Reads ``ValueRealization.to_dict()`` (:func:`cojourney.analytics.value_realization.realize_value`):
one card per measured indicator (aspect, current value, target, status colour, trend
and a sparkline of its periods), and the indicators that are *not measured* listed
with their data source: value that is not tracked is value that may leak.
"""

from __future__ import annotations

import re
from typing import Any

from cojourney.report.html import badge, esc, number, panel
from cojourney.report.sections import TITLES, Section, Status, option_chart

SECTION_ID = "value"
STATUS_TONES = {
    "on_track": "good",
    "at_risk": "warn",
    "off_track": "bad",
    "no_data": "neutral",
    "no_target": "neutral",
    "not_measured": "neutral",
}
TREND_TEXT = {"improving": "↗ improving", "worsening": "↘ worsening", "stable": "→ stable"}
SPARK_COLOURS = {"good": "#1f7a55", "warn": "#c98a00", "bad": "#c93b3b", "neutral": "#52606d"}


def build(
    value: dict[str, Any] | None, indicators: dict[str, dict[str, Any]], *, has_events: bool
) -> Section:
    """The section from ``ValueRealization.to_dict()`` and the declared indicators."""
    if not indicators:
        return _no_data(
            "No value indicators declared",
            "Declare indicators (with a measure) in value.yaml to track the value "
            "each stakeholder expects.",
        )
    if value is None or not has_events:
        return _no_data(
            "No events imported yet",
            "Import an event log and feedback to compute the measured indicators.",
        )
    measured = value["measured"]
    charts: dict[str, dict[str, Any]] = {}
    parts: list[str] = []
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for group in value["stakeholders"]:
        cards, missing = [], []
        for ind in group["indicators"]:
            if not ind["measured"]:
                missing.append(ind)
                continue
            cards.append(_card(ind, group["stakeholder"], charts))
            if ind["indicator"] not in seen:
                seen.add(ind["indicator"])
                counts[ind["status"]] = counts.get(ind["status"], 0) + 1
        body = f'<div class="cj-cards">{"".join(cards)}</div>' if cards else ""
        if missing:
            items = "".join(
                f'<li>{esc(i["name"])} <span class="cj-muted">({esc(i["aspect"])}; '
                f"{esc(i['data_source'] or 'no data source named')})</span></li>"
                for i in missing
            )
            body += (
                f'<p class="cj-caption"><b>Not measured</b> ({len(missing)}): no measure '
                f"is declared and no measurement is imported, so this value is not tracked."
                f'</p><ul class="cj-not-measured">'
                f"{items}</ul>"
            )
        parts.append(f"<h3>{esc(group['name'])}</h3>{body}")
    on, risk, off = counts.get("on_track", 0), counts.get("at_risk", 0), counts.get("off_track", 0)
    summary = (
        f'<div class="cj-kpis">'
        f'<div class="cj-kpi cj-tone-good"><span class="cj-kpi-label">On track</span>'
        f'<span class="cj-kpi-value">{on}</span></div>'
        f'<div class="cj-kpi cj-tone-warn"><span class="cj-kpi-label">At risk</span>'
        f'<span class="cj-kpi-value">{risk}</span></div>'
        f'<div class="cj-kpi cj-tone-bad"><span class="cj-kpi-label">Off track</span>'
        f'<span class="cj-kpi-value">{off}</span></div>'
        f'<div class="cj-kpi"><span class="cj-kpi-label">Not measured</span>'
        f'<span class="cj-kpi-value">{value["not_measured"]}</span>'
        f'<span class="cj-kpi-note">of {len(indicators)} indicators</span></div></div>'
    )
    if not measured:
        summary += panel(
            "no-data",
            "No indicator is measured yet",
            "Add a measure to the indicators in value.yaml so that cojourney "
            "computes them from the events and feedback.",
        )
    headline = []
    if on + risk + off:
        headline.append(
            {
                "label": "Value indicators on track",
                "value": f"{on} of {on + risk + off}",
                "note": f"{risk} at risk, {off} off track",
                "tone": "good" if not (risk or off) else ("bad" if off else "warn"),
            }
        )
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        summary + "".join(parts),
        charts=charts,
        lede="The value each stakeholder expects, indicator by indicator: where it "
        "stands against its target, and which way it is moving.",
        headline={"kpis": headline, "counts": counts},
    )


def _no_data(what: str, todo: str) -> Section:
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        panel("no-data", what, todo),
        status=Status.NO_DATA,
        reason=f"{what}: {todo}",
    )


def _slug(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "none").lower()).strip("-")


def _card(ind: dict[str, Any], stakeholder: str | None, charts: dict[str, dict[str, Any]]) -> str:
    tone = STATUS_TONES.get(ind["status"], "neutral")
    current = ind["current"] or {}
    series = ind["series"] or {}
    periods = series.get("periods", [])
    target = f"target {number(ind['target'])}" if ind["target"] is not None else "no target"
    trend = TREND_TEXT.get(ind["trend"] or "", "")
    spark = ""
    if len(periods) > 1:
        chart_id = f"spark-{_slug(stakeholder)}-{_slug(ind['indicator'])}"
        marks = (
            [
                {
                    "yAxis": ind["target"],
                    "lineStyle": {"type": "dashed", "color": "#9aa5b1"},
                    "label": {"show": False},
                }
            ]
            if ind["target"] is not None
            else []
        )
        charts[chart_id] = option_chart(
            {
                "grid": {"left": 2, "right": 2, "top": 4, "bottom": 4},
                "tooltip": {"trigger": "axis", "valueFormatter": "fn:number", "confine": True},
                "xAxis": {
                    "type": "category",
                    "show": False,
                    "data": [p["period_start"][:7] for p in periods],
                },
                "yAxis": {"type": "value", "show": False, "scale": True},
                "series": [
                    {
                        "type": "line",
                        "data": [p["value"] for p in periods],
                        "symbol": "none",
                        "color": SPARK_COLOURS[tone],
                        "lineStyle": {"width": 2},
                        "areaStyle": {"opacity": 0.08},
                        "markLine": {"silent": True, "symbol": "none", "data": marks},
                    },
                    {
                        "type": "scatter",
                        "silent": True,
                        "symbolSize": 0,
                        "tooltip": {"show": False},
                        "data": [[0, m["yAxis"]] for m in marks],
                    },
                ],
            }
        )
        spark = (
            f'<div id="{chart_id}" class="cj-chart cj-spark" data-chart="{chart_id}" '
            f'role="img" aria-label="trend of {esc(ind["name"])}"></div>'
        )
    period = f"{current['period_start'][:7]}, n = {current['n']}" if current else "no data"
    if ind.get("source"):
        period += f" · from {ind['source']}"
    note = series.get("note")
    return (
        f'<div class="cj-card cj-tone-{tone}"><h4>{esc(ind["name"])}</h4>'
        f"<div>{badge(ind['aspect'], 'info')} {badge(ind['status'].replace('_', ' '), tone)}</div>"
        f'<div class="cj-card-value">{number(current.get("value"))} '
        f'<span class="cj-muted">{esc(ind["unit"])}</span></div>'
        f'<div class="cj-muted">{esc(target)} · {esc(trend or "no trend yet")} · {esc(period)}</div>'
        + spark
        + (f'<div class="cj-muted">{esc(note)}</div>' if note else "")
        + (f'<div class="cj-muted">{esc(ind["description"])}</div>' if ind["description"] else "")
        + "</div>"
    )
