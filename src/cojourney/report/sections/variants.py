"""Section 3: the variant explorer.

The most frequent variants (distinct activity sequences) as rows of activity chips:
share, journeys, mean duration and conformance fitness; a text filter keeps the rows
that pass a touchpoint whose id or name contains the text, and a click on a row
expands it (a ``<details>`` element: no script needed) to the full sequence with its
steps and whether it starts in the middle or ends early.
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import badge, duration, esc, integer, number, percent
from cojourney.report.sections import NO_EVENTS, Section, no_data

SECTION_ID = "variants"
#: Chips shown in a collapsed row; the rest appear when it is expanded.
CHIPS_COLLAPSED = 14


def _chip(activity: str, journey: dict[str, Any]) -> str:
    tp = journey["touchpoints"].get(activity)
    if tp is None:
        return f'<span class="cj-chip cj-chip-unknown" title="not in the design">{esc(activity)}</span>'
    step = journey["steps"][tp["column"]]["name"] if tp["column"] < len(journey["steps"]) else ""
    return (
        f'<span class="cj-chip cj-col-{tp["column"] % 8}" title="{esc(step)}: '
        f'{esc(activity)}">{esc(tp["name"])}</span>'
    )


def _fitness_tone(value: Any) -> str:
    if value is None:
        return "neutral"
    return "good" if value >= 0.95 else ("warn" if value >= 0.8 else "bad")


def build(
    analysis: dict[str, Any] | None, journey: dict[str, Any], *, empty: tuple[str, str] = NO_EVENTS
) -> Section:
    """The section from ``JourneyAnalysis.to_dict()`` (``None``: no events)."""
    if analysis is None or not analysis["variants"]["top"]:
        return no_data(SECTION_ID, *empty)
    variants = analysis["variants"]
    rows = []
    covered = 0.0
    for rank, v in enumerate(variants["top"], 1):
        acts = v["activities"]
        covered += v["share"]
        names = " ".join(
            [a for a in acts] + [journey["touchpoints"].get(a, {}).get("name", "") for a in acts]
        )
        chips = "".join(_chip(a, journey) for a in acts[:CHIPS_COLLAPSED])
        more = (
            f'<span class="cj-chip cj-chip-more">+{len(acts) - CHIPS_COLLAPSED} more</span>'
            if len(acts) > CHIPS_COLLAPSED
            else ""
        )
        flags = []
        if v.get("starts_in_middle"):
            flags.append(badge("starts in the middle", "warn"))
        if v.get("ends_early"):
            flags.append(badge("ends early", "bad"))
        fitness = v.get("fitness")
        detail_rows = "".join(
            f'<li>{_chip(a, journey)}<span class="cj-muted">{esc(_step_name(a, journey))}</span></li>'
            for a in acts
        )
        rows.append(f"""
<details class="cj-variant" data-text="{esc(names.lower())}">
  <summary>
    <span class="cj-variant-rank">#{rank}</span>
    <span class="cj-variant-share" title="share of all journeys">{percent(v["share"], 1)}</span>
    <span class="cj-variant-n">{integer(v["journeys"])} journeys</span>
    <span class="cj-variant-dur" title="mean duration">{duration(v["mean_duration_seconds"])}</span>
    <span class="cj-variant-fit">{badge("fitness " + number(fitness, 2), _fitness_tone(fitness))}</span>
    <span class="cj-variant-chips">{chips}{more}</span>
  </summary>
  <div class="cj-variant-detail">
    <p>{len(acts)} events{", " if flags else ""}{" ".join(flags)}</p>
    <ol class="cj-variant-steps">{detail_rows}</ol>
  </div>
</details>""")
    count = variants["count"]
    shown = len(variants["top"])
    html = f"""
<div class="cj-filter">
  <label>Filter by touchpoint <input type="search" class="cj-variant-filter"
    placeholder="e.g. licence" aria-label="Filter variants by touchpoint"></label>
  <span class="cj-variant-count" aria-live="polite">{shown} of {shown} shown</span>
</div>
<div class="cj-variants">{"".join(rows)}</div>
<p class="cj-caption">The {shown} most frequent of {integer(count)} variants cover
{percent(covered, 1)} of the journeys. Fitness is the conformance to the designed path
(1 = no skipped touchpoint, no order violation, no unknown activity). Click a row to see
every event.</p>"""
    return Section(
        SECTION_ID,
        "Variant explorer",
        html,
        lede="The distinct paths customers take, most frequent first.",
        headline={"variants": count, "top_share": variants["top"][0]["share"]},
    )


def _step_name(activity: str, journey: dict[str, Any]) -> str:
    tp = journey["touchpoints"].get(activity)
    if tp is None:
        return "not in the design"
    steps = journey["steps"]
    return steps[tp["column"]]["name"] if tp["column"] < len(steps) else ""
