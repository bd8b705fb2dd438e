"""Section 5: experience, from the survey answers.

Reads ``ExperienceAnalysis.to_dict()`` (:func:`cojourney.analytics.experience.analyze_experience`):
the headline scores (NPS, CSAT, CES, emotion) with n and 95% intervals, the measured
emotion curve beside the designed one, scores per touchpoint and per step with
error bars, touchpoint versus journey experience, peak-end and the moments of truth
ranked by their effect on the journey score, the comments per touchpoint and their
themes (size, mean score, where, example comments).
"""

from __future__ import annotations

from typing import Any

from cojourney.report.html import anchor_id, badge, esc, integer, kpi, number, percent, table
from cojourney.report.sections import TITLES, Section, no_data

SECTION_ID = "experience"
QUESTION_NAMES = {
    "nps": "NPS",
    "csat": "CSAT",
    "ces": "Customer effort (CES)",
    "emotion": "Emotion",
}
#: Headline order of the standard questions; custom questions follow.
QUESTION_ORDER = ("nps", "csat", "ces", "emotion")
COLOURS = {"designed": "#3e4c59", "measured": "#8a4fbf", "score": "#3d6fb0"}


def score_text(metric: str, value: Any) -> str:
    """A score in its metric's units: CSAT as a percentage, NPS in points, else a mean."""
    if metric == "csat":
        return percent(value)
    if metric == "nps":
        return number(value, 0) if value is None or value <= 0 else f"+{number(value, 0)}"
    return number(value, 2)


def _chart_scale(metric: str, value: Any) -> Any:
    """Chart values: CSAT shares as percentages, the rest as they are."""
    if value is None:
        return None
    return value * 100 if metric == "csat" else value


def _name(question: str) -> str:
    return QUESTION_NAMES.get(question, question)


def _ordered(questions: list[str]) -> list[str]:
    return sorted(
        questions,
        key=lambda q: (QUESTION_ORDER.index(q) if q in QUESTION_ORDER else len(QUESTION_ORDER), q),
    )


def emotion_overlay(analysis: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Measured emotion per touchpoint and step, for the journey map overlay."""
    touchpoints = {}
    for b in analysis["breakdowns"]:
        if b["dimension"] == "touchpoint":
            touchpoints = {
                r["key"]: r["mean"]
                for r in b["rows"]
                if r["question"] == "emotion" and r["key"] and r["mean"] is not None
            }
    steps = {
        p["step"]: p["measured"] for p in analysis["emotion_curve"] if p["measured"] is not None
    }
    return {"touchpoints": touchpoints, "steps": steps}


def build(analysis: dict[str, Any] | None, journey: dict[str, Any]) -> Section:
    """The section (``None``: no survey answers were imported)."""
    if analysis is None or not analysis["answers"]:
        return no_data(
            SECTION_ID,
            "No survey answers imported yet",
            "Import survey answers (an import of kind feedback) to "
            "measure CSAT, NPS, effort and emotion along the journey.",
        )
    charts: dict[str, dict[str, Any]] = {}
    overall = {r["question"]: r for r in analysis["overall"]}
    questions = _ordered(list(overall))
    tiles = []
    headline = []
    for q in questions:
        r = overall[q]
        ci = (
            f"95% CI {score_text(r['metric'], r['low'])} to {score_text(r['metric'], r['high'])}"
            if r["low"] is not None
            else "no interval"
        )
        tiles.append(
            kpi(_name(q), score_text(r["metric"], r["value"]), f"{ci}; n = {integer(r['n'])}")
        )
        if q in ("nps", "csat"):
            headline.append(
                {
                    "label": _name(q),
                    "value": score_text(r["metric"], r["value"]),
                    "note": f"n = {integer(r['n'])}; {ci}",
                }
            )
    parts = [
        f'<div class="cj-kpis">{"".join(tiles)}</div>',
        f'<p class="cj-caption">{integer(analysis["answers"])} answers from '
        f"{integer(analysis['journeys'])} journeys. CSAT is the share of 4-5 answers, NPS "
        "the % of 9-10 minus the % of 0-6, the others the mean answer; intervals are 95%."
        "</p>",
    ]
    parts.append(_emotion_curve(analysis["emotion_curve"], charts))
    parts.append(_by_touchpoint(analysis, journey, questions, charts))
    parts.append(_by_step(analysis, questions))
    parts.append(_gap(analysis["gap"]))
    parts.append(_peak_end(analysis["peak_end"], journey))
    parts.append(_moments(analysis["moments_of_truth"], journey))
    parts.append(_comments(analysis.get("comments") or []))
    parts.append(_themes(analysis.get("themes"), journey))
    return Section(
        SECTION_ID,
        TITLES[SECTION_ID],
        "".join(parts),
        charts=charts,
        lede="How customers feel along the journey: scores with their sample sizes "
        "and intervals, touchpoint against journey, and the moments that "
        "make or break it.",
        headline={"kpis": headline},
    )


def _chart_div(chart_id: str, label: str, height: int) -> str:
    return (
        f'<div id="{chart_id}" class="cj-chart" data-chart="{chart_id}" role="img" '
        f'aria-label="{esc(label)}" style="height:{height}px"></div>'
    )


def _emotion_curve(curve: list[dict[str, Any]], charts: dict[str, dict[str, Any]]) -> str:
    if not any(p["measured"] is not None for p in curve):
        return (
            "<h3>Emotion curve</h3>"
            '<p class="cj-caption">No emotion answers: the measured curve needs the '
            "emotion question (-3..+3) asked along the journey.</p>"
        )
    charts["chart-emotion-curve"] = {
        "type": "ci-bars",
        "points": True,
        "categories": [p["name"] for p in curve],
        "axisName": "emotion",
        "min": -3,
        "max": 3,
        "series": [
            {
                "name": "designed",
                "type": "line",
                "color": COLOURS["designed"],
                "values": [p["designed"] for p in curve],
            },
            {
                "name": "measured",
                "type": "line",
                "color": COLOURS["measured"],
                "dashed": True,
                "values": [p["measured"] for p in curve],
                "low": [p["low"] for p in curve],
                "high": [p["high"] for p in curve],
                "n": [p["n"] for p in curve],
            },
        ],
    }
    return "<h3>Emotion curve: measured against designed</h3>" + _chart_div(
        "chart-emotion-curve", "Emotion curve", 300
    )


def _by_touchpoint(
    analysis: dict[str, Any],
    journey: dict[str, Any],
    questions: list[str],
    charts: dict[str, dict[str, Any]],
) -> str:
    rows: list[dict[str, Any]] = next(
        (b["rows"] for b in analysis["breakdowns"] if b["dimension"] == "touchpoint"), []
    )
    tps = journey["touchpoints"]
    html = []
    for q in questions:
        mine = [r for r in rows if r["question"] == q and r["key"] and r["n"]]
        if not mine:
            continue
        mine.sort(key=lambda r: tps.get(r["key"], {}).get("order", 10**6))
        metric = mine[0]["metric"]
        chart_id = f"chart-touchpoint-{q}"
        charts[chart_id] = {
            "type": "ci-bars",
            "categories": [tps.get(r["key"], {}).get("name", r["key"]) for r in mine],
            "axisName": {"csat": "% 4-5", "nps": "NPS"}.get(metric, "mean"),
            "series": [
                {
                    "name": _name(q),
                    "color": COLOURS["score"],
                    "values": [_chart_scale(metric, r["value"]) for r in mine],
                    "low": [_chart_scale(metric, r["low"]) for r in mine],
                    "high": [_chart_scale(metric, r["high"]) for r in mine],
                    "n": [r["n"] for r in mine],
                }
            ],
        }
        html.append(
            f"<div><h4>{esc(_name(q))} per touchpoint</h4>"
            + _chart_div(chart_id, f"{_name(q)} per touchpoint", 300)
            + "</div>"
        )
    if not html:
        return ""
    return (
        "<h3>Scores per touchpoint, with 95% intervals</h3>"
        f'<div class="cj-grid-2">{"".join(html)}</div>'
    )


def _by_step(analysis: dict[str, Any], questions: list[str]) -> str:
    rows: list[dict[str, Any]] = next(
        (b["rows"] for b in analysis["breakdowns"] if b["dimension"] == "step"), []
    )
    steps = [p["step"] for p in analysis["emotion_curve"]]
    names = {p["step"]: p["name"] for p in analysis["emotion_curve"]}
    cells: dict[tuple[str, str], dict[str, Any]] = {
        (r["key"], r["question"]): r for r in rows if r["key"]
    }
    asked = [q for q in questions if any((s, q) in cells for s in steps)]
    if not asked:
        return ""
    body = []
    for s in steps:
        if not any((s, q) in cells for q in asked):
            continue
        row = [esc(names.get(s, s))]
        for q in asked:
            r = cells.get((s, q))
            row.append(
                f'{score_text(r["metric"], r["value"])} <span class="cj-muted">'
                f"[{score_text(r['metric'], r['low'])}, {score_text(r['metric'], r['high'])}]"
                f" n={integer(r['n'])}</span>"
                if r
                else "—"
            )
        body.append(row)
    return "<h3>Scores per step</h3>" + table(["Step", *((_name(q), "num") for q in asked)], body)


def _gap(gap: dict[str, Any]) -> str:
    if not gap["journeys"]:
        return (
            '<h3>Touchpoint against journey</h3><p class="cj-caption">No journey has both '
            "touchpoint answers and a journey-level answer.</p>"
        )
    g = gap["gap"]
    wbp, pbw = gap["well_but_poor"], gap["poor_but_well"]
    tiles = "".join(
        [
            kpi("Touchpoint score", number(gap["touchpoint_score"]["value"], 2), "normalised 0..1"),
            kpi("Journey score", number(gap["journey_score"]["value"], 2), "normalised 0..1"),
            kpi(
                "Gap",
                number(g["value"], 2),
                f"95% CI {number(g['low'], 2)} to {number(g['high'], 2)}; touchpoint − journey",
            ),
            kpi(
                "Good touchpoints, poor journey",
                percent(wbp["share"], 1),
                f"{integer(wbp['count'])} of {integer(wbp['n'])} journeys",
                tone="bad" if (wbp["share"] or 0) > 0.1 else None,
            ),
        ]
    )
    r = gap["correlation"]
    return (
        "<h3>Touchpoint against journey</h3>"
        f'<div class="cj-kpis">{tiles}</div>'
        f'<p class="cj-caption">Over {integer(gap["journeys"])} journeys with both kinds of '
        f"answer; the correlation of the two scores is r = {number(r['r'], 2)} "
        f"(n = {integer(r['n'])}). Every touchpoint scored well while the journey as a whole "
        f"did not in {integer(wbp['count'])} journeys; the reverse in {integer(pbw['count'])}."
        "</p>"
    )


def _peak_end(pe: dict[str, Any], journey: dict[str, Any]) -> str:
    if not pe["journeys"]:
        return (
            '<h3>Peak-end</h3><p class="cj-caption">Needs journeys with two or more '
            "touchpoint answers and a journey score.</p>"
        )
    better = {"peak_end": "the peak and the end", "mean_of_all": "the mean of all answers"}
    verdict = better.get(pe["better"] or "", "neither")
    tps = journey["touchpoints"]
    rows = [
        [
            esc(tps.get(t["touchpoint"], {}).get("name", t["touchpoint"])),
            f"{integer(t['peak'])} ({percent(t['peak_share'])})",
            f"{integer(t['end'])} ({percent(t['end_share'])})",
        ]
        for t in pe["touchpoints"][:8]
    ]
    return (
        "<h3>Peak-end</h3>"
        f"<p>Over {integer(pe['journeys'])} journeys, (peak + end) / 2 explains "
        f"R² = {number(pe['peak_end']['r_squared'], 3)} of the journey score, the mean of "
        f"all touchpoint answers R² = {number(pe['mean_of_all']['r_squared'], 3)}: "
        f"<b>{esc(verdict)}</b> predicts the journey score better.</p>"
        + (
            table(["Touchpoint", ("Holds the peak", "num"), ("Is the end", "num")], rows)
            if rows
            else ""
        )
    )


def _moments(moments: list[dict[str, Any]], journey: dict[str, Any]) -> str:
    if not moments:
        return (
            '<h3>Moments of truth</h3><p class="cj-caption">Not enough answers to rank '
            "touchpoints by their effect on the journey score.</p>"
        )
    measured = [m for m in moments if m["difference"] is not None]
    untested = [m for m in moments if m["difference"] is None]
    if not measured:
        return (
            '<h3>Moments of truth</h3><p class="cj-caption">No touchpoint has enough poor '
            "answers beside journey scores to rank it by its effect on the journey score.</p>"
        )
    rows = []
    for m in measured[:12]:
        significant = bool(m.get("significant"))
        rows.append(
            [
                str(m["rank"]),
                esc(m["name"]) + (" ★" if m["designed"] else ""),
                integer(m["journeys_poor"]),
                number(m["mean_with_poor"], 2),
                number(m["mean_other"], 2),
                f'{number(m["difference"], 2)} <span class="cj-muted">'
                f"[{number(m['low'], 2)}, {number(m['high'], 2)}]</span>",
                badge(
                    (
                        "p < 0.001"
                        if (m["p_value"] or 1) < 0.001
                        else f"p = {number(m['p_value'], 3)}"
                    )
                    + ("" if significant else ", not significant (interval crosses 0)"),
                    "bad" if significant else "neutral",
                ),
            ]
        )
    return (
        "<h3>Moments of truth, ranked</h3>"
        + table(
            [
                "#",
                "Touchpoint (★ designed)",
                ("Poor answers", "num"),
                ("Journey score after a poor answer", "num"),
                ("Otherwise", "num"),
                ("Difference [95% CI]", "num"),
                "Test",
            ],
            rows,
        )
        + '<p class="cj-caption">Journey scores are normalised to 0..1; a negative '
        "difference means journeys with a poor answer at the touchpoint end up worse. "
        "Touchpoints whose 95% interval crosses 0 are not significant and ranked after "
        "the significant ones."
        + (
            f" Not ranked, for want of poor answers beside journey scores: "
            f"{esc(', '.join(m['name'] + (' ★' if m['designed'] else '') for m in untested))}."
            if untested
            else ""
        )
        + "</p>"
    )


def _comments(groups: list[dict[str, Any]]) -> str:
    """What customers wrote, per touchpoint: the count and the latest comments."""
    if not groups:
        return (
            '<h3>Comments</h3><p class="cj-caption">No answer carries a comment (import '
            "them with the answers' comment column).</p>"
        )
    out = ["<h3>Comments, per touchpoint</h3>"]
    for g in groups:
        rows = [
            [
                esc(c["timestamp"][:10]),
                esc(c["question"]),
                number(c["score"], 2) if c["score"] is not None else "—",
                esc(c["text"]),
            ]
            for c in g["latest"]
        ]
        anchor = anchor_id("comments-touchpoint", g["touchpoint"] or "journey")
        out.append(
            f'<div id="{anchor}">'
            + table(
                ["Date", "Question", ("Score", "num"), "Comment"],
                rows,
                caption=f"{g['name']}: {integer(g['count'])} comments, the latest "
                f"{len(rows)} shown",
            )
            + "</div>"
        )
    return "".join(out)


def _theme_scores(theme: dict[str, Any]) -> str:
    parts = []
    for s in theme["scores"]:
        scale = s["scale"]
        on = f" on {number(scale[0], 0)}–{number(scale[1], 0)}" if scale else ""
        parts.append(
            f"{esc(_name(s['question']))} {number(s['mean'], 2)}{on} "
            f'<span class="cj-muted">n={integer(s["answers"])}</span>'
        )
    return "<br>".join(parts) or "—"


def _themes(found: dict[str, Any] | None, journey: dict[str, Any]) -> str:
    """The comments grouped into themes: size, mean score, where, examples."""
    if not found:
        return ""
    if not found["themes"]:
        return (
            '<h3 id="comment-themes">Comment themes</h3><p class="cj-caption">'
            f"No themes: {esc(found['note'] or 'none found')}.</p>"
        )
    rows = []
    for t in found["themes"]:
        examples = "".join(
            f"<li>“{esc(e['text'])}”"
            + (
                f' <span class="cj-muted">({esc(e["question"] or "")} '
                f"{number(e['score'], 0)})</span>"
                if e["score"] is not None
                else ""
            )
            + "</li>"
            for e in t["examples"]
        )
        names = journey["touchpoints"]
        where = ", ".join(
            esc(names.get(w["touchpoint"], {}).get("name", w["touchpoint"]) or "the whole journey")
            + f" ({integer(w['comments'])})"
            for w in t["touchpoints"]
        )
        rows.append(
            [
                str(t["rank"]),
                f"<b>{esc(t['label'])}</b>",
                f"{integer(t['size'])} ({percent(t['share'])})",
                _theme_scores(t),
                where,
                f"<ul>{examples}</ul>",
            ]
        )
    unthemed = (
        f" {integer(found['unthemed'])} comments share no words with the others and are "
        "not in a theme."
        if found["unthemed"]
        else ""
    )
    return (
        '<h3 id="comment-themes">Comment themes</h3>'
        + table(
            [
                "#",
                "Theme (top words)",
                ("Comments", "num"),
                "Mean score",
                "Most frequent at",
                "Examples",
            ],
            rows,
        )
        + f'<p class="cj-caption">{integer(found["grouped"])} of the '
        f"{integer(found['available'])} comments (the most recent) grouped by the words they share (TF-IDF and k-means, offline): a theme in two "
        f"languages may show twice.{unthemed}</p>"
    )
