"""The executive summary: headline numbers, the top value leaks, watermelon warnings.

It is built last, from the other sections' ``headline`` facts (so it never shows a
number the sections below do not back up) and from the journey analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cojourney.report.html import duration, esc, integer, kpi, number, panel, percent
from cojourney.report.sections import Section, Status

SECTION_ID = "summary"
TOP_LEAKS = 3


def build(sections: Sequence[Section], analysis: dict[str, Any] | None) -> Section:
    """The summary from the other sections (in page order) and ``JourneyAnalysis.to_dict()``."""
    by_id = {s.id: s for s in sections}
    kpis: list[str] = []
    if analysis is not None and analysis["counts"]["journeys"]:
        counts, durations = analysis["counts"], analysis["durations"]
        kpis.append(
            kpi(
                "Journeys",
                integer(counts["journeys"]),
                f"{integer(counts['events'])} events",
                tone="info",
            )
        )
        kpis.append(
            kpi(
                "Median journey",
                duration(durations["median"]),
                f"mean {duration(durations['mean'])}",
            )
        )
        funnel = by_id.get("funnel")
        onboarding = funnel.headline.get("onboarding") if funnel else None
        if onboarding and onboarding.get("reached"):
            share = onboarding["share_on_board"]
            kpis.append(
                kpi(
                    "Got on board",
                    percent(share),
                    f"of {integer(onboarding['reached'])} who reached onboarding",
                    tone="good" if share is not None and share >= 0.8 else "warn",
                )
            )
        conf = analysis["conformance"]
        kpis.append(
            kpi(
                "Followed the design",
                percent(conf["perfect_share"]),
                f"mean fitness {number(conf['mean_fitness'], 2)}",
            )
        )
    for section_id in ("experience", "agreements", "value", "improvements"):
        section = by_id.get(section_id)
        if section is not None and section.status is Status.OK:
            for item in section.headline.get("kpis", []):
                kpis.append(
                    kpi(item["label"], item["value"], item.get("note", ""), tone=item.get("tone"))
                )
    html = (
        f'<div class="cj-kpis">{"".join(kpis)}</div>'
        if kpis
        else panel(
            "no-data",
            "No events imported yet",
            "The numbers below come from the event and feedback logs: import them with "
            "cojourney import, then build the report again.",
        )
    )
    html += _watermelons(by_id.get("agreements"))
    html += _leaks(by_id.get("leakage"), by_id.get("funnel"))
    html += _missing(sections)
    return Section(
        SECTION_ID,
        "Executive summary",
        html,
        lede="The headline numbers of the period, where value leaks away, and "
        "where agreements look green but customers are not happy.",
    )


def _watermelons(agreements: Section | None) -> str:
    if agreements is None or agreements.status is not Status.OK:
        return ""
    warnings = agreements.headline.get("watermelons", [])
    if not warnings and not agreements.headline.get("watermelon_checked"):
        return (
            '<p class="cj-caption">Watermelon check: not available in this report '
            '(<a href="#agreements">agreements</a>).</p>'
        )
    if not warnings:
        return (
            '<p class="cj-caption">No watermelon warning: no agreement is met on paper '
            "while the experience indicators miss their targets.</p>"
        )
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    return (
        f'<div class="cj-panel cj-panel-warning" role="alert"><strong>Watermelon warning'
        f"{'s' if len(warnings) > 1 else ''}: green outside, red inside</strong>"
        f'<ul>{items}</ul><p><a href="#agreements">See the agreements</a></p></div>'
    )


def _leaks(leakage: Section | None, funnel: Section | None) -> str:
    out = "<h3>Top value leaks</h3>"
    if leakage is not None and leakage.status is Status.OK and leakage.headline.get("leaks"):
        items = "".join(
            f'<li><a href="#{esc(leak["anchor"])}">{esc(leak["title"])}</a> '
            f'<span class="cj-leak-size">{esc(leak["size"])}</span></li>'
            for leak in leakage.headline["leaks"][:TOP_LEAKS]
        )
        out += f'<ol class="cj-leaks">{items}</ol>'
    elif leakage is not None:
        why = (
            "the value leakage analysis found nothing to rank"
            if leakage.status is Status.NO_DATA
            else "see the value leakage section"
        )
        out += f'<p class="cj-caption">Not available: {esc(why)}.</p>'
    worst = funnel.headline.get("worst_step") if funnel else None
    if worst and worst["left"]:
        out += (
            f'<p class="cj-caption">Biggest drop-off: {integer(worst["left"])} '
            f"{'journey' if worst['left'] == 1 else 'journeys'} "
            f"({percent(worst['share'])}) of those that reached <b>{esc(worst['name'])}</b> "
            f'went silent there (<a href="#funnel">step funnel</a>).</p>'
        )
    return out


def _missing(sections: Sequence[Section]) -> str:
    missing = [s for s in sections if s.status is not Status.OK]
    if not missing:
        return ""
    items = "".join(
        f'<li><a href="#{esc(s.id)}">{esc(s.title)}</a>: '
        f"{'no data yet' if s.status is Status.NO_DATA else 'not available'}</li>"
        for s in missing
    )
    return f'<h3>Not in this report</h3><ul class="cj-missing">{items}</ul>'
