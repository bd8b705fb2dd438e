"""Section 6: agreements: SLA clocks, targets (SLA, OLA, XLA, outcome-based), watermelons.

Reads the plain results of :func:`cojourney.analytics.sla.evaluate_clocks`
(``ClockResult.to_dict()``), :func:`cojourney.analytics.agreement_targets.evaluate_targets`
(``TargetSeries.to_dict()``) and, when there is one, the watermelon check: warnings
where agreements are met on paper while the experience misses its targets.
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import (
    anchor_id,
    badge,
    duration,
    esc,
    integer,
    kpi,
    number,
    panel,
    table,
)
from cojourney.report.sections import TITLES, Section, Status, option_chart

SECTION_ID = "agreements"
BREACHES_SHOWN = 10
TARGET_CHARTS = 12
STATUS_TONES = {
    "met": "good",
    "breached": "bad",
    "at_risk": "warn",
    "running": "info",
    "abandoned": "neutral",
    "no_target": "neutral",
}
TARGET_TONES = {"met": "good", "missed": "bad", "no_data": "neutral", "not_measured": "neutral"}
PRIORITY_COLOURS = ("#2c6bb0", "#d0731d", "#6d42a8", "#23895b", "#c2408f", "#4f6477")


def kind_label(kind: str) -> str:
    """``sla`` -> ``SLA``, ``outcome_based`` -> ``Outcome-based``."""
    return kind.upper() if kind in ("sla", "ola", "xla") else kind.replace("_", "-").capitalize()


def build(
    clocks: list[dict[str, Any]] | None,
    targets: list[dict[str, Any]] | None,
    agreements: dict[str, dict[str, Any]],
    *,
    has_events: bool,
    watermelons: list[dict[str, Any]] | None = None,
    watermelon_note: str | None = None,
    clock_note: str | None = None,
    target_note: str | None = None,
) -> Section:
    """The section.

    Parameters
    ----------
    clocks, targets
        The clock and target results (``None``: that analysis is not available, see
        ``clock_note``/``target_note``).
    agreements
        ``workspace_facts(...)["agreements"]``: what is declared.
    has_events
        Whether any event was imported.
    watermelons
        ``[{"agreement": ..., "message": ...}]`` from the watermelon check, or ``None``
        when it is not available (``watermelon_note`` says why).
    """
    if not agreements:
        return _no_data(
            "No agreements declared",
            "Declare SLAs, XLAs or outcome-based agreements with targets and SLA "
            "clocks in agreements.yaml to see them measured here.",
        )
    if not any(a["clocks"] or a["targets"] for a in agreements.values()):
        return _no_data(
            "No clocks or targets declared",
            "The agreements declare no SLA clocks and no targets to measure.",
        )
    if not has_events:
        return _no_data(
            "No events imported yet",
            "Import an event log (and feedback) to measure the agreements.",
        )
    parts: list[str] = []
    headline_kpis: list[dict[str, Any]] = []
    warnings = [w["message"] for w in watermelons or []]
    if warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
        parts.append(
            f'<div class="cj-panel cj-panel-warning" role="alert"><strong>Watermelon '
            f"warning{'s' if len(warnings) > 1 else ''}: green outside, red inside"
            f"</strong><ul>{items}</ul></div>"
        )
    elif watermelons is None and watermelon_note:
        parts.append(panel("unavailable", "Watermelon check not available", watermelon_note))
    charts: dict[str, dict[str, Any]] = {}
    parts.append("<h3>SLA clocks</h3>")
    if clocks is None:
        parts.append(panel("unavailable", "Not available", clock_note or ""))
    elif not clocks:
        parts.append('<p class="cj-caption">No SLA clock is declared on the agreements.</p>')
    else:
        for i, clock in enumerate(clocks):
            parts.append(_clock(clock, i, charts))
        total_met = sum(c["total"]["met"] for c in clocks)
        total_decided = total_met + sum(c["total"]["breached"] for c in clocks)
        if total_decided:
            share = total_met / total_decided
            meets = all(c["total"]["meets"] is not False for c in clocks)
            headline_kpis.append(
                {
                    "label": "SLA clocks met",
                    "value": f"{share:.0%}",
                    "note": f"{integer(total_met)} of {integer(total_decided)} timed journeys",
                    "tone": "good" if meets else "bad",
                }
            )
    parts.append("<h3>Targets</h3>")
    if targets is None:
        parts.append(panel("unavailable", "Not available", target_note or ""))
    elif not targets:
        parts.append('<p class="cj-caption">The agreements set no targets on indicators.</p>')
    else:
        parts.append(_targets_table(targets))
        parts.append(_target_charts(targets, charts))
        met = sum(1 for t in targets if t["status"] == "met")
        assessed = sum(1 for t in targets if t["status"] in ("met", "missed"))
        if assessed:
            headline_kpis.append(
                {
                    "label": "Targets met",
                    "value": f"{met} of {assessed}",
                    "note": "in the latest period with data",
                    "tone": "good" if met == assessed else "warn",
                }
            )
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        "".join(parts),
        charts=charts,
        lede="Whether the agreements are kept: SLA clocks per journey, targets per "
        "period, and where agreements look green while customers are not happy.",
        headline={
            "kpis": headline_kpis,
            "watermelons": warnings,
            "watermelon_checked": watermelons is not None,
        },
    )


def _no_data(what: str, todo: str) -> Section:
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        panel("no-data", what, todo),
        status=Status.NO_DATA,
        reason=f"{what}: {todo}",
    )


def _clock(clock: dict[str, Any], index: int, charts: dict[str, dict[str, Any]]) -> str:
    counts = clock["status_counts"]
    total = clock["total"]
    name = f"{clock['clock_name']} ({clock['agreement_id']}, {kind_label(clock['agreement_kind'])})"
    if not clock.get("journey_count", total["journeys"]):
        return f"<h4>{esc(name)}</h4>" + panel(
            "no-data",
            "No journey timed",
            "No journey of the period has an event that starts this clock.",
        )
    tiles = "".join(
        kpi(label, integer(counts.get(key, 0)), tone=STATUS_TONES[key])
        for key, label in (
            ("met", "Met"),
            ("breached", "Breached"),
            ("at_risk", "At risk"),
            ("running", "Running"),
            ("abandoned", "Abandoned"),
        )
    )
    share = total["share_met"]
    verdict = ("meets" if total["meets"] else "misses") if total["meets"] is not None else "—"
    named = [p for p in clock["priorities"] if p["priority"] is not None]
    if named and total["meets"] is not None:
        missing = [p["priority"] for p in named if p["meets"] is False]
        verdict = (
            "every priority meets its own" if not missing else "missed by " + ", ".join(missing)
        )
    html = (
        f'<h4 class="cj-clock-name">{esc(name)}</h4><div class="cj-kpis">{tiles}'
        + kpi(
            "Compliance",
            f"{number(share)}%" if share is not None else "—",
            f"target {number(total['attainment'])}%: {verdict}",
            tone="good" if total["meets"] else ("bad" if total["meets"] is False else None),
        )
        + "</div>"
    )
    if counts.get("abandoned"):
        html += (
            '<p class="cj-caption">Abandoned: no stop event, and the journey ended or went '
            "silent (no event for the in-progress window before the data's end); left out of "
            "compliance unless the clock's <code>abandoned_as</code> says otherwise.</p>"
        )
    html += _per_priority(clock)
    chart_id = f"chart-clock-{index}"
    charts[chart_id] = option_chart(_compliance_option(clock))
    html += (
        f'<div id="{chart_id}" class="cj-chart" data-chart="{chart_id}" role="img" '
        f'aria-label="Compliance over time" style="height:280px"></div>'
    )
    breaches = clock["breaches"][:BREACHES_SHOWN]
    if breaches:
        rows = [
            [
                esc(b["journey_id"]),
                esc(b["priority"] or "—"),
                esc((b["start"] or "")[:16]),
                duration(b["elapsed_seconds"]),
                duration(b["allowed_seconds"]),
                duration(b["overrun_seconds"]),
                "stopped"
                if b["finished"]
                else "abandoned"
                if b.get("abandoned")
                else "still running",
            ]
            for b in breaches
        ]
        html += (
            f'<div id="{anchor_id("sla-breaches", clock["clock_id"])}">'
            + table(
                [
                    "Journey",
                    "Priority",
                    "Started (UTC)",
                    ("Elapsed", "num"),
                    ("Allowed", "num"),
                    ("Over by", "num"),
                    "Clock",
                ],
                rows,
                caption=f"The {len(breaches)} largest breaches of "
                f"{integer(len(clock['breaches']))} (business time)",
            )
            + "</div>"
        )
    return html


def _per_priority(clock: dict[str, Any]) -> str:
    """Compliance per priority, each against its own attainment (when there are priorities)."""
    rows_in = [p for p in clock["priorities"] if p["priority"] is not None]
    if not rows_in:
        return ""
    rows = []
    for p in clock["priorities"]:
        verdict = "—" if p["meets"] is None else ("meets" if p["meets"] else "misses")
        rows.append(
            [
                esc(p["priority"] or "no priority"),
                integer(p["journeys"]),
                integer(p["met"]),
                integer(p["breached"]),
                integer(p["running"] + p["at_risk"]),
                integer(p.get("abandoned", 0)),
                f"{number(p['share_met'])}%" if p["share_met"] is not None else "—",
                f"{number(p['attainment'])}%" if p["attainment"] is not None else "—",
                f"{esc(p['priority'] or 'no priority')} {verdict} its target",
            ]
        )
    return table(
        [
            "Priority",
            ("Journeys", "num"),
            ("Met", "num"),
            ("Breached", "num"),
            ("Running", "num"),
            ("Abandoned", "num"),
            ("Met %", "num"),
            ("Required %", "num"),
            "Verdict",
        ],
        rows,
        caption="Compliance per priority, each against its own target",
    )


def _compliance_option(clock: dict[str, Any]) -> dict[str, Any]:
    periods = [p["period"] for p in clock["periods"]]
    priorities = [p["priority"] for p in clock["priorities"]]
    series = []
    if len(priorities) > 1:
        for k, priority in enumerate(priorities):
            by_period = {
                c["period"]: c["share_met"] for c in clock["cells"] if c["priority"] == priority
            }
            series.append(
                {
                    "name": priority or "no priority",
                    "type": "line",
                    "color": PRIORITY_COLOURS[k % len(PRIORITY_COLOURS)],
                    "data": [by_period.get(p) for p in periods],
                    "connectNulls": False,
                }
            )
    series.append(
        {
            "name": "all journeys",
            "type": "line",
            "color": "#1f2933",
            "lineStyle": {"width": 3},
            "data": [p["share_met"] for p in clock["periods"]],
        }
    )
    targets = sorted({p["attainment"] for p in clock["priorities"] if p["attainment"] is not None})
    if targets:
        series[-1]["markLine"] = {
            "silent": True,
            "symbol": "none",
            "lineStyle": {"type": "dashed", "color": "#c93b3b"},
            "data": [{"yAxis": t, "label": {"formatter": f"target {number(t)}%"}} for t in targets],
        }
    return {
        "tooltip": {"trigger": "axis", "valueFormatter": "fn:percent"},
        "legend": {"top": 0, "show": len(series) > 1},
        "grid": {"left": 50, "right": 90, "top": 36, "bottom": 30},
        "xAxis": {"type": "category", "data": [str(p)[:7] for p in periods]},
        "yAxis": {"type": "value", "name": "% met", "min": 0, "max": 100},
        "series": series,
    }


def _comparator(target: dict[str, Any] | None) -> str:
    if not target:
        return "—"
    return f"{target.get('comparator', '')} {number(target.get('value'))}"


def reference_points(values: list[float]) -> dict[str, Any]:
    """An invisible series at ``values`` so that a value axis with ``scale`` shows the
    reference lines (targets, baselines) drawn as mark lines."""
    return {
        "type": "scatter",
        "silent": True,
        "symbolSize": 0,
        "tooltip": {"show": False},
        "data": [[0, v] for v in values],
    }


def _targets_table(targets: list[dict[str, Any]]) -> str:
    rows = []
    for t in targets:
        current = t["current"] or {}
        scope = ", ".join(x for x in (t["priority"], t["segment"]) if x) or "all"
        rows.append(
            [
                esc(t["agreement_name"]),
                badge(kind_label(t["kind"]), "info"),
                esc(t["indicator_name"]),
                esc(scope),
                esc(_comparator(t["target"])) + f' <span class="cj-muted">{esc(t["unit"])}</span>',
                number(t["baseline"]),
                number(current.get("value")),
                (("+" if (t["change"] or 0) > 0 else "") + number(t["change"]))
                if t["change"] is not None
                else "—",
                f"{t['met']} / {t['met'] + t['missed']}",
                badge(t["status"].replace("_", " "), TARGET_TONES.get(t["status"], "neutral"))
                + (f'<br><span class="cj-muted">{esc(t["note"])}</span>' if t.get("note") else ""),
            ]
        )
    return table(
        [
            "Agreement",
            "Kind",
            "Indicator",
            "For",
            "Target",
            ("Baseline", "num"),
            ("Current", "num"),
            ("Change", "num"),
            ("Periods met", "num"),
            "Status",
        ],
        rows,
    )


def _target_charts(targets: list[dict[str, Any]], charts: dict[str, dict[str, Any]]) -> str:
    """Small charts: each measured target over time against its target (and baseline)."""
    shown = [t for t in targets if t["periods"]]
    shown.sort(key=lambda t: (t["kind"] != "xla", t["baseline"] is None))
    html = []
    for k, t in enumerate(shown[:TARGET_CHARTS]):
        chart_id = f"chart-target-{k}"
        lines = [
            {"yAxis": p, "name": "target"}
            for p in sorted({p["target"] for p in t["periods"] if p["target"] is not None})
        ]
        marks = [
            {
                "yAxis": y["yAxis"],
                "lineStyle": {"type": "dashed", "color": "#c93b3b"},
                "label": {"formatter": f"target {number(y['yAxis'])}"},
            }
            for y in lines
        ]
        if t["baseline"] is not None:
            marks.append(
                {
                    "yAxis": t["baseline"],
                    "lineStyle": {"type": "dotted", "color": "#52606d"},
                    "label": {"formatter": f"baseline {number(t['baseline'])}"},
                }
            )
        charts[chart_id] = option_chart(
            {
                "title": {
                    "text": " · ".join(
                        x
                        for x in (
                            t["indicator_name"],
                            t["priority"],
                            t["segment"],
                            t["agreement_name"],
                        )
                        if x
                    ),
                    "textStyle": {"fontSize": 12},
                    "left": 0,
                },
                "tooltip": {"trigger": "axis", "valueFormatter": "fn:number"},
                "grid": {"left": 46, "right": 80, "top": 48, "bottom": 26},
                "xAxis": {
                    "type": "category",
                    "data": [p["period_start"][:7] for p in t["periods"]],
                },
                "yAxis": {"type": "value", "name": t["unit"], "scale": True},
                "series": [
                    {
                        "type": "line",
                        "name": t["indicator_name"],
                        "color": "#3d6fb0",
                        "data": [p["value"] for p in t["periods"]],
                        "markLine": {"silent": True, "symbol": "none", "data": marks},
                    },
                    reference_points([m["yAxis"] for m in marks]),
                ],
            }
        )
        html.append(
            f'<div id="{chart_id}" class="cj-chart" data-chart="{chart_id}" role="img" '
            f'aria-label="{esc(t["indicator_name"])} over time" style="height:220px"></div>'
        )
    if not html:
        return ""
    note = (
        f'<p class="cj-caption">{len(shown) - TARGET_CHARTS} more targets are in the table.</p>'
        if len(shown) > TARGET_CHARTS
        else ""
    )
    return f'<div class="cj-grid-2">{"".join(html)}</div>{note}'
