"""Section 4: the step funnel, onboarding ("got on board or left"), gates, entry and exit.

Per step (definitions in :mod:`cojourney.analytics.funnel`): the journeys that
reached it, and whether after their last visit they moved on, went back or left the
journey there; the median time spent in the step.
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import anchor_id, badge, duration, esc, integer, kpi, percent, table
from cojourney.report.sections import NO_EVENTS, Section, no_data, option_chart

SECTION_ID = "funnel"
CHART_ID = "chart-funnel"
VIOLATIONS_SHOWN = 20
COLOURS = {"moved_on": "#3d6fb0", "went_back": "#e8a200", "left": "#c93b3b", "time": "#52606d"}


def _share(part: Any, whole: Any) -> float | None:
    return part / whole if whole else None


def build(
    analysis: dict[str, Any] | None, journey: dict[str, Any], *, empty: tuple[str, str] = NO_EVENTS
) -> Section:
    """The section from ``JourneyAnalysis.to_dict()`` (``None``: no events)."""
    if analysis is None or not analysis["counts"]["journeys"]:
        return no_data(SECTION_ID, *empty)
    steps = analysis["funnel"]["steps"]
    names = [s["name"] for s in steps]
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 60, "right": 70, "top": 40, "bottom": 40},
        "xAxis": {"type": "category", "data": names},
        "yAxis": [
            {"type": "value", "name": "journeys"},
            {
                "type": "value",
                "name": "median time",
                "axisLabel": {"formatter": "fn:duration"},
                "splitLine": {"show": False},
            },
        ],
        "series": [
            {
                "name": "moved on",
                "type": "bar",
                "stack": "reached",
                "color": COLOURS["moved_on"],
                "data": [s["moved_on"] for s in steps],
            },
            {
                "name": "went back",
                "type": "bar",
                "stack": "reached",
                "color": COLOURS["went_back"],
                "data": [s["went_back"] for s in steps],
            },
            {
                "name": "left",
                "type": "bar",
                "stack": "reached",
                "color": COLOURS["left"],
                "data": [s["left"] for s in steps],
            },
            {
                "name": "median time in step",
                "type": "line",
                "yAxisIndex": 1,
                "color": COLOURS["time"],
                "symbolSize": 7,
                "tooltip": {"valueFormatter": "fn:duration"},
                "data": [s["median_seconds_in_step"] for s in steps],
            },
        ],
    }
    rows = [
        [
            esc(s["name"]),
            integer(s["reached"]),
            integer(s["moved_on"]),
            integer(s["went_back"]),
            integer(s.get("ended", 0)),
            integer(s.get("in_progress", 0)),
            integer(s.get("dropped_off", s["left"])),
            percent(_share(s.get("dropped_off", s["left"]), s["reached"])),
            duration(s["median_seconds_in_step"]),
        ]
        for s in steps
    ]
    steps_table = table(
        [
            "Step",
            ("Reached", "num"),
            ("Moved on", "num"),
            ("Went back", "num"),
            ("Ended", "num"),
            ("In progress", "num"),
            ("Dropped off", "num"),
            ("Dropped off %", "num"),
            ("Median time in step", "num"),
        ],
        rows,
        row_ids=[anchor_id("funnel-step", s["step"]) for s in steps],
    )

    # The biggest drop-off: journeys that went silent (those that ended on purpose, at an
    # exit point or by cancelling, and those still in progress are not drop-offs).
    worst = max(
        (s for s in steps if s["reached"]),
        default=None,
        key=lambda s: (s.get("dropped_off", 0) / s["reached"], s.get("dropped_off", 0)),
    )
    onboarding = analysis["funnel"].get("onboarding")
    ee = analysis["entry_exit"]
    n = ee["journeys"]
    kpis = [kpi("Journeys", integer(n), f"{integer(analysis['counts']['events'])} events")]
    if onboarding and onboarding["reached"]:
        share = onboarding["share_on_board"]
        kpis.append(
            kpi(
                "Got on board",
                percent(share),
                f"{integer(onboarding['got_on_board'])} of {integer(onboarding['reached'])} "
                f"reached onboarding; {integer(onboarding.get('cancelled', 0))} cancelled, "
                f"{integer(onboarding.get('silent', onboarding['left']))} went silent, "
                f"{integer(onboarding.get('in_progress', 0))} in progress",
                tone="good" if share is not None and share >= 0.8 else "warn",
            )
        )
    kpis.append(
        kpi(
            "Started in the middle",
            percent(_share(ee["started_in_middle"], n)),
            f"{integer(ee['started_in_middle'])} journeys; {integer(ee['worked_back'])} "
            "worked back to an entry point",
        )
    )
    kpis.append(
        kpi(
            "Ended early",
            percent(_share(ee["ended_early"], n)),
            f"{integer(ee['ended_early'])} journeys left before a designed exit point",
            tone="bad" if n and ee["ended_early"] / n > 0.5 else None,
        )
    )
    rework = analysis["rework"]
    kpis.append(
        kpi(
            "Back and forth",
            percent(_share(rework["journeys_with_rework"], n)),
            f"{integer(rework['journeys_with_rework'])} journeys repeated a touchpoint "
            "or moved back",
        )
    )
    html = f'<div class="cj-kpis">{"".join(kpis)}</div>'
    html += (
        f'<div id="{CHART_ID}" class="cj-chart" data-chart="{CHART_ID}" role="img" '
        f'aria-label="Step funnel" style="height:360px"></div>'
    )
    html += steps_table
    html += _gates(analysis["gates"], journey)
    html += _rework(rework, analysis["conformance"], journey)
    headline = {
        "journeys": n,
        "ended_early": _share(ee["ended_early"], n),
        "onboarding": onboarding,
        "worst_step": worst
        and {
            "name": worst["name"],
            "left": worst.get("dropped_off", worst["left"]),
            "share": worst.get("dropped_off", worst["left"]) / worst["reached"],
        },
    }
    return Section(
        SECTION_ID,
        "Step funnel and onboarding",
        html,
        charts={CHART_ID: option_chart(option)},
        lede="Per step: how many journeys reached it, and whether they then moved on, "
        "went back or left the journey there.",
        headline=headline,
    )


def _gates(gates: list[dict[str, Any]], journey: dict[str, Any]) -> str:
    if not gates:
        return '<p class="cj-caption">The journey declares no onboarding gates.</p>'
    tps = journey["touchpoints"]

    def name(tp: str) -> str:
        return esc(tps.get(tp, {}).get("name", tp))

    rows = []
    for g in gates:
        share = _share(g["bypassed"], g["reached"])
        tone = "good" if not g["bypassed"] else ("warn" if (share or 0) < 0.05 else "bad")
        rows.append(
            [
                esc(g["name"]),
                ", ".join(name(t) for t in g["requires"]),
                ", ".join(name(t) for t in g["before"]),
                integer(g["reached"]),
                integer(g["respected"]),
                badge(f"{integer(g['bypassed'])} ({percent(share, 1)})", tone),
                name(g["most_missing"]) if g["most_missing"] else "—",
            ]
        )
    return "<h3>Onboarding gates: respected or bypassed</h3>" + table(
        [
            "Gate",
            "Requires",
            "Before",
            ("Reached", "num"),
            ("Respected", "num"),
            ("Bypassed", "num"),
            "Missing most",
        ],
        rows,
        row_ids=[anchor_id("gate", g["gate"]) for g in gates],
    )


def _rework(rework: dict[str, Any], conformance: dict[str, Any], journey: dict[str, Any]) -> str:
    """Repeated touchpoints and the moves back that no designed loop allows."""
    tps = journey["touchpoints"]

    def name(tp: str) -> str:
        return esc(tps.get(tp, {}).get("name", tp))

    out = ""
    repeated = sorted(
        (r for r in rework["touchpoints"] if r["extra_visits"]),
        key=lambda r: (-r["extra_visits"], r["touchpoint"]),
    )
    if repeated:
        rows = [
            [
                name(r["touchpoint"]),
                integer(r["journeys"]),
                integer(r["journeys_with_repeat"]),
                integer(r["extra_visits"]),
            ]
            for r in repeated
        ]
        out += "<h3>Repeated touchpoints</h3>" + table(
            [
                "Touchpoint",
                ("Journeys", "num"),
                ("Journeys repeating it", "num"),
                ("Extra visits", "num"),
            ],
            rows,
            class_="cj-table cj-scroll-table",
            row_ids=[anchor_id("rework-touchpoint", r["touchpoint"]) for r in repeated],
        )
    violations = conformance["violations"][:VIOLATIONS_SHOWN]
    if violations:
        rows = [
            [
                name(v["from_touchpoint"]),
                name(v["to_touchpoint"]),
                integer(v["moves"]),
                integer(v["journeys"]),
            ]
            for v in violations
        ]
        more = len(conformance["violations"]) - len(violations)
        out += "<h3>Moves back the design does not allow</h3>" + table(
            ["From", "Back to", ("Moves", "num"), ("Journeys", "num")],
            rows,
            caption=f"The {len(violations)} most frequent"
            + (f" of {integer(len(conformance['violations']))}" if more else ""),
            row_ids=[
                anchor_id("conformance", v["from_touchpoint"], v["to_touchpoint"])
                for v in violations
            ],
        )
    return out
