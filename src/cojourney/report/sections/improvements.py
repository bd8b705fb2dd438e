"""Section 9: improvements: did they work?

Reads ``ImprovementResult.to_dict()`` (:func:`cojourney.analytics.improvements.evaluate_improvements`):
per improvement and expected effect, the two groups (before/after the change, or
control/treatment of an A/B trial) with their sizes, the difference with its
confidence interval, the p-value and a verdict, and the progress from the effect's
baseline to its target.
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import badge, esc, integer, number, panel, percent
from cojourney.report.sections import TITLES, Section, Status, option_chart

SECTION_ID = "improvements"


def verdict(effect: dict[str, Any]) -> tuple[str, str]:
    """(text, tone) of an effect's test."""
    if effect.get("p_value") is None or effect.get("significant") is None:
        return "not tested", "neutral"
    if effect["significant"]:
        return (
            ("significant improvement", "good")
            if effect.get("improved")
            else ("significant worsening", "bad")
        )
    return "no significant difference", "warn"


def build(
    results: list[dict[str, Any]] | None, declared: dict[str, dict[str, Any]], *, has_events: bool
) -> Section:
    """The section from the evaluated improvements and the declared ones."""
    if not declared:
        return _no_data(
            "No improvements in the register",
            "Add improvements with expected effects (and a before/after or A/B "
            "comparison) to improvements.yaml to measure whether they work.",
        )
    if results is None or not has_events:
        return _no_data(
            "No events imported yet",
            "Import an event log and feedback to test the improvements' effects.",
        )
    charts: dict[str, dict[str, Any]] = {}
    cards = []
    tested = improved = 0
    for i, imp in enumerate(results):
        how = _comparison(imp)
        effects = []
        for k, effect in enumerate(imp["effects"]):
            text, tone = verdict(effect)
            tested += text != "not tested"
            improved += tone == "good"
            if imp.get("note") and effect.get("note") == imp["note"]:
                effect = {**effect, "note": None}
            effects.append(_effect(effect, text, tone, imp, f"chart-improvement-{i}-{k}", charts))
        body = "".join(effects) or '<p class="cj-caption">No expected effect is declared.</p>'
        if imp.get("note"):  # why it was not evaluated says more than "no comparison"
            how = imp["note"][:1].upper() + imp["note"][1:] + "."
        cards.append(
            f'<div class="cj-improvement"><h3>{esc(imp["name"])} '
            f"{badge(imp['status'].replace('_', ' '), 'info')}</h3>"
            f'<p class="cj-caption">{esc(how)}</p>{body}</div>'
        )
    headline = (
        [
            {
                "label": "Improvements that worked",
                "value": f"{improved} of {tested}",
                "note": "effects with a significant improvement",
                "tone": "good" if improved == tested else "warn",
            }
        ]
        if tested
        else []
    )
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        "".join(cards),
        charts=charts,
        lede="Each improvement's expected effects tested on the data: before and "
        "after the change, or control against treatment.",
        headline={"kpis": headline},
    )


def _no_data(what: str, todo: str) -> Section:
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        panel("no-data", what, todo),
        status=Status.NO_DATA,
        reason=f"{what}: {todo}",
    )


def _comparison(imp: dict[str, Any]) -> str:
    if imp["comparison"] == "ab":
        return (
            f"A/B trial on {imp['attribute']}: {imp['control']} (control) against "
            f"{imp['treatment']} (treatment), significance level {imp['alpha']}."
        )
    if imp["comparison"] == "before_after":
        return (
            f"Before and after {imp['change_date']}, significance level {imp['alpha']}."
            if imp["change_date"]
            else "Before and after the change."
        )
    return "No comparison: not evaluated."


def _effect(
    effect: dict[str, Any],
    text: str,
    tone: str,
    imp: dict[str, Any],
    chart_id: str,
    charts: dict[str, dict[str, Any]],
) -> str:
    unit = effect["unit"]
    control, treatment = effect.get("control"), effect.get("treatment")
    head = (
        f"<h4>{esc(effect['indicator_name'])}"
        + (
            f' <span class="cj-muted">({esc(effect["segment"])})</span>'
            if effect["segment"]
            else ""
        )
        + f" {badge(text, tone)}</h4>"
    )
    if control is None or treatment is None:
        return head + (
            f'<p class="cj-muted">{esc(effect["note"])}</p>' if effect.get("note") else ""
        )
    if effect.get("p_value") is None:  # one side has no data (yet): no difference to show
        why = effect.get("note") or "not enough data on both sides to compare"
        return head + (
            f"<p>{esc(control['label'])}: <b>{number(control['value'], 2)}</b> "
            f"{esc(unit)} (n = {integer(control['n'])}); {esc(treatment['label'])}: "
            f"<b>{number(treatment['value'], 2)}</b> {esc(unit)} "
            f'(n = {integer(treatment["n"])})</p><p class="cj-muted">{esc(why)}.</p>'
        )
    diff = effect["difference"]
    ci = (
        f"{number(effect['ci_low'], 2)} to {number(effect['ci_high'], 2)}"
        if effect["ci_low"] is not None
        else "—"
    )
    confidence = percent(effect["confidence"]) if effect.get("confidence") else "95%"
    progress = effect.get("progress")
    bar = max(0.0, min(100.0, progress)) if progress is not None else 0.0
    facts = (
        f"<p>{esc(control['label'])}: <b>{number(control['value'], 2)}</b> {esc(unit)} "
        f"(n = {integer(control['n'])}) → {esc(treatment['label'])}: "
        f"<b>{number(treatment['value'], 2)}</b> {esc(unit)} (n = {integer(treatment['n'])})"
        f"<br>Difference {'+' if (diff or 0) > 0 else ''}{number(diff, 2)} {esc(unit)}, "
        f"{confidence} CI {ci}; {_p(effect['p_value'])}"
        f' <span class="cj-muted">({esc(effect["test"] or "")})</span></p>'
        f'<div class="cj-progress" title="progress from baseline to target">'
        f'<span style="width:{bar:.1f}%"></span></div>'
        f'<p class="cj-muted">Progress from the baseline {number(effect["baseline"])} to the '
        f"target {number(effect['target'])}: {number(progress)}%</p>"
    )
    charts[chart_id] = option_chart(
        {
            "tooltip": {"trigger": "axis", "valueFormatter": "fn:number"},
            "grid": {"left": 50, "right": 110, "top": 30, "bottom": 26},
            "xAxis": {"type": "category", "data": [control["label"], treatment["label"]]},
            "yAxis": {"type": "value", "name": unit, "scale": False},
            "series": [
                {
                    "type": "bar",
                    "barMaxWidth": 60,
                    "name": effect["indicator_name"],
                    "data": [
                        {"value": control["value"], "itemStyle": {"color": "#9aa5b1"}},
                        {"value": treatment["value"], "itemStyle": {"color": "#3d6fb0"}},
                    ],
                    "markLine": {
                        "silent": True,
                        "symbol": "none",
                        "data": [
                            {
                                "yAxis": effect["baseline"],
                                "lineStyle": {"type": "dotted", "color": "#52606d"},
                                "label": {"formatter": f"baseline {number(effect['baseline'])}"},
                            },
                            {
                                "yAxis": effect["target"],
                                "lineStyle": {"type": "dashed", "color": "#1f7a55"},
                                "label": {"formatter": f"target {number(effect['target'])}"},
                            },
                        ],
                    },
                },
                {
                    "type": "scatter",
                    "silent": True,
                    "symbolSize": 0,
                    "tooltip": {"show": False},
                    "data": [[0, effect["baseline"]], [0, effect["target"]]],
                },
            ],
        }
    )
    chart = (
        f'<div id="{chart_id}" class="cj-chart" data-chart="{chart_id}" role="img" '
        f'aria-label="{esc(effect["indicator_name"])}: {esc(control["label"])} and '
        f'{esc(treatment["label"])}" style="height:200px"></div>'
    )
    return (
        f'<div class="cj-effect">{head}<div class="cj-grid-2"><div>{facts}</div>{chart}</div></div>'
    )


def _p(value: Any) -> str:
    if value is None:
        return "—"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
