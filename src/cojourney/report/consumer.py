"""The consumer report: one self-contained HTML page a provider can hand to its customers.

Where the journey report (:mod:`cojourney.report.page`) is written for the provider's
steering group, this page is written for the people who travel the journey. It shows
only what lies on the consumer's side of the line of visibility, taken from
:func:`cojourney.domain.visibility.consumer_view` (every text on the page comes from
that projection, which this module builds itself):

* the journey map drawn for consumers (handed over as SVG by the services layer);
* step by step: what the customer does, thinks, feels and asks, their goal, the
  touchpoints they meet (channel, what they do there, how long it takes) and what is
  done together with the provider (and what the customer brings to it);
* what customers told us: per consumer touchpoint, the mean answers to the standard
  questions (CSAT, effort, emotion), only where at least :data:`MIN_ANSWERS` people
  answered, so that nobody's answer can be singled out.

Nothing else: no backstage, no teams, no provider goals, no volumes, agreements,
targets, costs, risks, indicators or improvements. The page holds no script and no
embedded data, so what is shown is all there is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from cojourney.domain import Journey, Step, Workspace
from cojourney.domain.visibility import consumer_view
from cojourney.report.html import esc, integer, number, percent, table, tag
from cojourney.report.page import ASSETS, HERE

__all__ = [
    "MIN_ANSWERS",
    "QUESTIONS",
    "ConsumerFeedback",
    "consumer_feedback",
    "render_consumer_report",
]

#: Fewer answers than this at a touchpoint (or a step) are not shown to consumers.
MIN_ANSWERS = 5

#: The questions a consumer report shows, with their names (custom questions are the
#: provider's own and stay out).
QUESTIONS: dict[str, str] = {
    "csat": "Satisfied (CSAT)",
    "ces": "Effort (1 easy .. 7 hard)",
    "emotion": "Emotion (-3 .. +3)",
}

_PERIODS = {
    "pre_service": "Before the service",
    "service": "During the service",
    "post_service": "After the service",
}
_INTERACTIONS = {
    "transfer_of_goods": "something handed over",
    "access_to_resources": "access given",
    "operant_resources": "done for you",
    "joint_service_action": "done together",
}


@dataclass(frozen=True)
class ConsumerFeedback:
    """What customers answered, as a consumer may see it.

    Attributes
    ----------
    touchpoints
        Touchpoint id -> question -> ``(metric, value, answers)``.
    overlay
        The journey map overlay: measured emotion per touchpoint and step.
    """

    touchpoints: dict[str, dict[str, tuple[str, float, int]]]
    overlay: dict[str, dict[str, dict[str, float]]] | None


def consumer_feedback(journey: Journey, analysis: Mapping[str, Any] | None) -> ConsumerFeedback:
    """The part of an experience analysis (``ExperienceAnalysis.to_dict()``) a consumer
    may see: scores of :data:`QUESTIONS` at ``journey``'s touchpoints (pass the consumer
    journey) and the measured emotion of its steps, each from :data:`MIN_ANSWERS` answers
    or more."""
    visible = {tp.id for tp in journey.touchpoints}
    steps = {s.id for s in journey.steps}
    scores: dict[str, dict[str, tuple[str, float, int]]] = {}
    tp_emotion: dict[str, dict[str, float]] = {}
    step_emotion: dict[str, dict[str, float]] = {}
    for breakdown in (analysis or {}).get("breakdowns", []):
        if breakdown.get("dimension") != "touchpoint":
            continue
        for row in breakdown.get("rows", []):
            key, question, n = row.get("key"), row.get("question"), row.get("n") or 0
            if key not in visible or question not in QUESTIONS or n < MIN_ANSWERS:
                continue
            if row.get("value") is not None:
                scores.setdefault(key, {})[question] = (row["metric"], row["value"], n)
            if question == "emotion" and row.get("mean") is not None:
                tp_emotion[key] = {"emotion": row["mean"]}
    for point in (analysis or {}).get("emotion_curve", []):
        enough = (point.get("n") or 0) >= MIN_ANSWERS
        if point.get("step") in steps and point.get("measured") is not None and enough:
            step_emotion[point["step"]] = {"emotion": point["measured"]}
    overlay = {"touchpoints": tp_emotion, "steps": step_emotion}
    return ConsumerFeedback(scores, overlay if tp_emotion or step_emotion else None)


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


def render_consumer_report(
    workspace: Workspace,
    journey_id: str | None,
    map_svg: str,
    *,
    feedback: ConsumerFeedback | None = None,
    generator: str = "cojourney",
    generated_at: str = "",
) -> str:
    """The consumer report of one journey as one HTML document.

    Parameters
    ----------
    workspace
        The provider's workspace; only its consumer view is read.
    journey_id
        The journey (default: the workspace's default journey).
    map_svg
        The journey map drawn for consumers
        (``render_journey_map(..., fmt="svg", audience="consumer")``).
    feedback
        What customers answered (:func:`consumer_feedback`), if anything.
    generator, generated_at
        For the footer.
    """
    view = consumer_view(workspace, journey_id)
    journey = view.journey()
    sections = [
        _section(
            "journey-map",
            "Your journey at a glance",
            "Each column is a step; the cards are the moments you meet us, the curve how "
            "we hope each one feels.",
            _figure(map_svg, f"Journey map: {journey.name}"),
        ),
        _section(
            "steps",
            "Step by step",
            "What you do at each step, what we do together, and how long it takes.",
            "".join(_step(journey, step, i + 1) for i, step in enumerate(journey.steps)),
        ),
    ]
    if feedback is not None and feedback.touchpoints:
        sections.append(_feedback_section(journey, feedback))
    facts = [
        (integer(len(journey.steps)), "steps"),
        (integer(len(journey.touchpoints)), "touchpoints"),
        (integer(sum(1 for t in journey.touchpoints if t.moment_of_truth)), "moments of truth"),
    ]
    return (
        _environment()
        .get_template("consumer.html.j2")
        .render(
            title=journey.name,
            kicker=f"Your journey with {view.workspace.name}",
            facts=facts,
            sections=sections,
            css=Markup((ASSETS / "report.css").read_text(encoding="utf-8")),
            generator=generator,
            generated_at=generated_at,
        )
    )


def _section(section_id: str, title: str, lede: str, html: str) -> dict[str, Any]:
    return {"id": section_id, "title": title, "lede": lede, "html": Markup(html)}


def _figure(svg: str, label: str) -> str:
    return (
        f'<figure class="cj-figure cj-wide" aria-label="{esc(label)}">'
        '<label class="cj-fit"><input type="checkbox" class="cj-fit-toggle"> Fit to width</label>'
        f'<div class="cj-scroll">{svg}</div></figure>'
    )


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{max(minutes, 1)} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" + (f" {rest} min" if rest else "")
    return f"{round(hours / 24)} days"


def _list(heading: str, items: Sequence[str], *, quote: bool = False) -> str:
    if not items:
        return ""
    body = "".join(tag("li", esc(f"“{i}”" if quote else i)) for i in items)
    return tag("div", tag("h4", esc(heading)) + tag("ul", body), class_="cj-consumer-list")


def _step(journey: Journey, step: Step, number_: int) -> str:
    order = {tp_id: i + 1 for i, tp_id in enumerate(journey.expected_order())}
    touchpoints = sorted(journey.touchpoints_in(step.id), key=lambda t: order.get(t.id, 10**6))
    when = _PERIODS.get(step.period.value, "")
    took = _duration(step.expected_duration.total_seconds()) if step.expected_duration else ""
    head = tag("h3", esc(f"{number_}. {step.name}"), id=f"step-{step.id}")
    meta = " · ".join(t for t in (when, f"about {took}" if took else "") if t)
    parts = [head, tag("p", esc(meta), class_="cj-note")]
    if step.customer_goal:
        parts.append(tag("p", tag("strong", "Your goal: ") + esc(step.customer_goal)))
    parts.append(
        tag(
            "div",
            _list("You do", step.customer_does)
            + _list("You may think", step.customer_thinks, quote=True)
            + _list("You may feel", step.customer_feels)
            + _list("You may ask", step.customer_asks, quote=True),
            class_="cj-consumer-lists",
        )
    )
    if touchpoints:
        rows = []
        for tp in touchpoints:
            notes = [
                n
                for n in (
                    "a moment that matters" if tp.moment_of_truth else "",
                    "optional" if tp.optional else "",
                    "on your own" if tp.visibility.value == "consumer_only" else "",
                )
                if n
            ]
            rows.append(
                [
                    esc(order.get(tp.id, "")),
                    tag("strong", esc(tp.name)),
                    esc(tp.channel.value.replace("_", " ")),
                    esc(tp.customer_action or ""),
                    esc(
                        _duration(tp.expected_duration.total_seconds())
                        if tp.expected_duration
                        else ""
                    ),
                    esc(", ".join(notes)),
                ]
            )
        parts.append(
            table(
                [("#", "num"), "Touchpoint", "Channel", "What you do", "Time", "Note"],
                rows,
                row_ids=[f"touchpoint-{tp.id}" for tp in touchpoints],
            )
        )
    together = [ix for ix in journey.interactions if ix.step == step.id]
    if together:
        items = "".join(
            tag(
                "li",
                tag("strong", esc(ix.name))
                + esc(f" ({_INTERACTIONS.get(ix.kind.value, ix.kind.value)})")
                + (
                    esc("; you bring: " + ", ".join(ix.consumer_resources))
                    if ix.consumer_resources
                    else ""
                ),
            )
            for ix in together
        )
        parts.append(tag("div", tag("h4", "With us") + tag("ul", items), class_="cj-together"))
    return tag("article", "".join(parts), class_="cj-step")


def _score(metric: str, value: float) -> str:
    return percent(value) if metric == "csat" else number(value, 1)


def _feedback_section(journey: Journey, feedback: ConsumerFeedback) -> dict[str, Any]:
    asked = [q for q in QUESTIONS if any(q in s for s in feedback.touchpoints.values())]
    rows = []
    for tp in journey.touchpoints:
        scores = feedback.touchpoints.get(tp.id)
        if not scores:
            continue
        cells = [tag("strong", esc(tp.name))]
        for question in asked:
            if question in scores:
                metric, value, n = scores[question]
                cells.append(esc(f"{_score(metric, value)} ({integer(n)} answers)"))
            else:
                cells.append("")
        rows.append(cells)
    return _section(
        "feedback",
        "What customers told us",
        f"Answers of customers at the touchpoints where at least {MIN_ANSWERS} people "
        "answered. CSAT is the share of 4 and 5 answers.",
        table(["Touchpoint", *[(QUESTIONS[q], "num") for q in asked]], rows),
    )
