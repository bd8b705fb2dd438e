"""Section 8: value leakage, ranked.

Reads ``LeakageReport.to_dict()`` (:func:`cojourney.analytics.leakage.leakage_report`):
every place where the journey loses value (drop-off, bypassed gates, rework, moves
back, waiting, SLA breaches, poor touchpoint experience), ranked by severity: the
expected share of one journey's value lost, averaged over all journeys. Each leak
links to its evidence elsewhere in the report (a table row, or the section).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from cojourney.report.html import badge, duration, esc, integer, number, percent, table
from cojourney.report.sections import TITLES, Section, no_data, option_chart

SECTION_ID = "leakage"
CHART_ID = "chart-leakage"
CHART_LEAKS = 10
KIND_NAMES = {
    "drop_off": "drop-off",
    "gate_bypass": "gate bypassed",
    "rework": "rework",
    "loop": "move back",
    "waiting": "waiting",
    "sla_breach": "SLA breach",
    "experience": "poor experience",
}
#: Where the evidence of a kind of leak is when its own anchor is not in the page.
FALLBACK = {
    "drop_off": "funnel",
    "gate_bypass": "funnel",
    "rework": "funnel",
    "loop": "funnel",
    "waiting": "journey-graph",
    "sla_breach": "agreements",
    "experience": "experience",
}


def size_text(leak: dict[str, Any]) -> str:
    """How big a leak is, in words: its share of all journeys' value, and what it costs."""
    text = f"{percent(leak['severity'], 1)} of journey value"
    if leak.get("hours_lost"):
        text += f", {duration(leak['hours_lost'] * 3600)} lost"
    return text


def link(leak: dict[str, Any], ids: Collection[str]) -> str:
    """The evidence anchor when it is in the page, else the section that holds it."""
    target = leak["evidence"].lstrip("#")
    return target if target in ids else FALLBACK.get(leak["kind"], SECTION_ID)


def build(
    report: dict[str, Any] | None, ids: Collection[str], *, empty: tuple[str, str] | None = None
) -> Section:
    """The section from the leakage report and the element ids of the page (for links)."""
    if report is None:
        what, todo = empty or (
            "No events imported yet",
            "Import an event log to find where value leaks away.",
        )
        return no_data(SECTION_ID, what, todo)
    leaks = report["leaks"]
    notes = "".join(f'<p class="cj-caption">{esc(n)}.</p>' for n in report.get("notes", []))
    if not leaks:
        return Section(
            SECTION_ID,
            TITLES[SECTION_ID],
            f"<p>No value leak found in {integer(report['journeys'])} journeys.</p>" + notes,
            headline={"leaks": []},
        )
    rows = []
    for leak in leaks:
        rows.append(
            [
                str(leak["rank"]),
                badge(KIND_NAMES.get(leak["kind"], leak["kind"]), "bad"),
                f'<a href="#{esc(link(leak, ids))}">{esc(leak["label"])}</a>'
                + "".join(
                    f'<br><span class="cj-muted">“{esc(q)}”</span>'
                    for q in leak.get("quotes") or ()
                ),
                f'{integer(leak["journeys"])} <span class="cj-muted">({percent(leak["share"], 1)})</span>',
                percent(leak["severity"], 2),
                duration(leak["hours_lost"] * 3600) if leak.get("hours_lost") else "—",
                number(leak["score_lost"], 2) if leak.get("score_lost") is not None else "—",
            ]
        )
    top = leaks[:CHART_LEAKS]
    option = {
        "tooltip": {
            "trigger": "axis",
            "axisPointer": {"type": "shadow"},
            "valueFormatter": "fn:percent",
        },
        "grid": {"left": 260, "right": 40, "top": 10, "bottom": 30},
        "xAxis": {
            "type": "value",
            "name": "% of journey value",
            "axisLabel": {"formatter": "fn:percent"},
        },
        "yAxis": {
            "type": "category",
            "inverse": True,
            "axisLabel": {"width": 240, "overflow": "truncate"},
            "data": [f"{leak['rank']}. {leak['label']}" for leak in top],
        },
        "series": [
            {
                "type": "bar",
                "color": "#c93b3b",
                "barMaxWidth": 22,
                "data": [round(leak["severity"] * 100, 4) for leak in top],
            }
        ],
    }
    html = (
        f'<div id="{CHART_ID}" class="cj-chart" data-chart="{CHART_ID}" role="img" '
        f'aria-label="The largest value leaks" style="height:{60 + 30 * len(top)}px"></div>'
        + table(
            [
                "#",
                "Kind",
                "Where (links to the evidence)",
                ("Journeys affected", "num"),
                ("Share of value lost", "num"),
                ("Time lost", "num"),
                ("Score lost", "num"),
            ],
            rows,
            class_="cj-table cj-scroll-table",
        )
        + f'<p class="cj-caption">Severity is the share of journeys affected times the loss '
        f"per affected journey: the expected share of one journey's value lost, over "
        f"{integer(report['journeys'])} journeys. A drop-off loses the whole journey; a "
        "bypassed gate half of it; rework and moves back a quarter per repeat; waiting, "
        "breaches and poor scores in proportion.</p>" + notes
    )
    headline = [
        {"title": leak["label"], "size": size_text(leak), "anchor": link(leak, ids)}
        for leak in leaks[:3]
    ]
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        html,
        charts={CHART_ID: option_chart(option)},
        lede="Where potential value is lost along the journey, largest first, each "
        "with a link to its evidence.",
        headline={"leaks": headline},
    )
