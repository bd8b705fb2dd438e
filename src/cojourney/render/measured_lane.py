"""The "Against design" lane of the measured journey map, and the words for its marks.

With a measured overlay (see :mod:`cojourney.render.journey_map`) that carries the
design comparisons of :func:`cojourney.report.overlay_marks.add_marks`, each step
column gets, on top, the step's time against its designed duration, its satisfaction,
the status of the SLA clocks covering it and the leaks marked there; under each
touchpoint, its satisfaction with the 95% interval and n, the waits beyond its
designed duration, the SLA clocks covering it, whether it is a designed or a measured
moment of truth, and its leaks. The same sentences (:func:`score_text`,
:func:`wait_text`, :func:`sla_text`, :func:`moment_text`, :func:`leak_text`) are the
text equivalents the pages list beside the map.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from cojourney.render import icons
from cojourney.render.layout import EMPTY, Cell, Column, Lane, stack, stack_in_slots
from cojourney.render.svg import (
    Palette,
    block_height,
    circle,
    human_duration,
    rect,
    tag,
    text_lines,
    title,
    wrap,
)

if TYPE_CHECKING:
    from cojourney.render.journey_map import JourneyModel

QUESTION_NAMES: Final[dict[str, str]] = {
    "csat": "CSAT",
    "nps": "NPS",
    "ces": "Effort (CES)",
    "emotion": "Emotion",
}
#: Colour of each SLA status.
SLA_COLOURS: Final[dict[str, str]] = {
    "breached": Palette.negative,
    "warning": "#b36b00",
    "compliant": Palette.positive,
    "undecided": Palette.neutral,
}
LEAK_KINDS: Final[dict[str, str]] = {
    "drop_off": "drop-off",
    "gate_bypass": "gate bypassed",
    "rework": "rework",
    "loop": "moving back",
    "waiting": "waiting",
    "sla_breach": "SLA breaches",
    "experience": "poor experience",
}
SIZE: Final[float] = 10.0


# --- words -------------------------------------------------------------------------------------


def _value(metric: str, value: float | None) -> str:
    if value is None:
        return "–"
    if metric == "csat":
        text = f"{value * 100:.0f}%"
    elif metric == "nps":
        text = f"{value:+.0f}"
    else:
        text = f"{value:.2f}"
    return text.replace("-", "\u2212")


def score_text(score: Mapping[str, Any]) -> str:
    """``CSAT 82% (95% CI 78% to 85%, n 673)``: a satisfaction score as the overlay holds it."""
    name = QUESTION_NAMES.get(score["question"], score["question"])
    metric = score["metric"]
    interval = (
        f"95% CI {_value(metric, score['low'])} to {_value(metric, score['high'])}, "
        if score.get("low") is not None and score.get("high") is not None
        else "no interval, "
    )
    return f"{name} {_value(metric, score['value'])} ({interval}n {score['n']:,})"


def wait_text(measures: Mapping[str, float]) -> str | None:
    """``12 waits beyond the designed 5 min, 3.4 h in all`` (``None``: nothing designed)."""
    if "designed_seconds" not in measures:
        return None
    designed = human_duration(measures["designed_seconds"])
    moves = int(measures.get("waits_beyond", 0))
    if not moves:
        return f"no wait beyond the designed {designed}"
    return (
        f"{moves:,} wait{'s' if moves != 1 else ''} beyond the designed {designed}, "
        f"{measures.get('hours_beyond', 0.0):,.1f} h beyond in all"
    )


def step_time_text(measures: Mapping[str, float]) -> str | None:
    """``median 5 d 19 h in the step, designed 5 d (+19 h beyond)``."""
    median = measures.get("median_seconds")
    designed = measures.get("designed_seconds")
    if median is None:
        return None
    text = f"median {human_duration(median)} in the step"
    if designed is None:
        return text
    text += f", designed {human_duration(designed)}"
    if median > designed:
        text += f" ({human_duration(median - designed)} beyond)"
    return text


def sla_text(clock: Mapping[str, Any]) -> str:
    """``SLA licence-check: compliant (89% met, 50% required)``."""
    met = clock.get("share_met")
    required = clock.get("attainment")
    detail = []
    if met is not None:
        detail.append(f"{met:.0f}% met")
    if required is not None:
        detail.append(f"{required:.0f}% required")
    if clock.get("at_risk"):
        detail.append(f"{clock['at_risk']:,} at risk")
    tail = f" ({', '.join(detail)})" if detail else ""
    return f"SLA {clock['name']}: {clock['status']}{tail}"


def moment_text(moment: Mapping[str, Any]) -> str:
    """Whether a touchpoint is a designed and/or measured moment of truth, and its effect."""
    kinds = [k for k in ("designed", "measured") if moment.get(k)]
    text = "moment of truth (" + (" and ".join(kinds) or "not confirmed") + ")"
    if moment.get("difference") is not None:
        text += f", journey score {moment['difference'] * 100:+.0f} pts with a poor answer"
    elif moment.get("designed") and not moment.get("measured"):
        text += ", no measured effect"
    return text


def leak_text(leak: Mapping[str, Any]) -> str:
    """``leak #1, poor experience: severity 22.2%``."""
    kind = LEAK_KINDS.get(leak["kind"], leak["kind"])
    return f"leak #{leak['rank']}, {kind}: severity {leak['severity'] * 100:.1f}%"


# --- drawing -----------------------------------------------------------------------------------


def _lines(items: Sequence[tuple[str, str, str]], width: float) -> Cell:
    """Marked lines: (kind of mark, colour, text), each wrapped to ``width``."""
    parts = []
    y = 0.0
    for mark, colour, text in items:
        lines = wrap(text, width - 14, SIZE)
        height = block_height(len(lines), SIZE)
        if mark == "star":
            sign = icons.star(5, y + 6.5, 5)
        elif mark == "leak":
            sign = rect(0, y + 1.5, 10, 10, rx=2, fill=colour)
        else:
            sign = circle(5, y + 6.5, 4, fill=colour)
        body = sign + text_lines(
            14, y, lines, size=SIZE, fill=colour if mark == "leak" else Palette.ink
        )
        parts.append(tag("g", title(text) + body, class_=f"cj-mark cj-mark-{mark}"))
        y += height + 4
    return Cell(max(0.0, y - 4), "".join(parts))


def _touchpoint_items(m: JourneyModel, tp_id: str) -> list[tuple[str, str, str]]:
    marks = m.marks
    items: list[tuple[str, str, str]] = []
    score = marks.get("satisfaction", {}).get("touchpoints", {}).get(tp_id)
    if score:
        items.append(("dot", Palette.measured, score_text(score)))
    wait = wait_text(m.overlay_tp.get(tp_id, {}))
    if wait and m.overlay_tp.get(tp_id, {}).get("waits_beyond"):
        items.append(("dot", Palette.pain, wait))
    for clock in marks.get("sla", {}).get("touchpoints", {}).get(tp_id, []):
        items.append(("dot", SLA_COLOURS.get(clock["status"], Palette.neutral), sla_text(clock)))
    moment = marks.get("moments", {}).get(tp_id)
    if moment and (moment.get("measured") or moment.get("designed")):
        items.append(("star", Palette.ink, moment_text(moment)))
    for leak in marks.get("leaks", []):
        if leak.get("touchpoint") == tp_id:
            items.append(("leak", Palette.pain, leak_text(leak)))
    return items


def _step_items(m: JourneyModel, step_id: str) -> list[tuple[str, str, str]]:
    marks = m.marks
    items: list[tuple[str, str, str]] = []
    timing = step_time_text(m.overlay_step.get(step_id, {}))
    if timing:
        measures = m.overlay_step.get(step_id, {})
        late = measures.get("median_seconds", 0.0) > measures.get("designed_seconds", float("inf"))
        items.append(("dot", Palette.pain if late else Palette.volume, timing))
    score = marks.get("satisfaction", {}).get("steps", {}).get(step_id)
    if score:
        items.append(("dot", Palette.measured, "step: " + score_text(score)))
    for clock in marks.get("sla", {}).get("steps", {}).get(step_id, []):
        items.append(("dot", SLA_COLOURS.get(clock["status"], Palette.neutral), sla_text(clock)))
    for leak in marks.get("leaks", []):
        if leak.get("step") == step_id and not leak.get("touchpoint"):
            items.append(("leak", Palette.pain, leak_text(leak)))
    return items


def measured_lane(m: JourneyModel, columns: list[Column]) -> Lane | None:
    """The lane, or ``None`` when the overlay holds no comparison with the design."""
    if not m.marks and not any("designed_seconds" in v for v in m.overlay_tp.values()):
        return None
    cells: dict[int, Cell] = {}
    for col in columns:
        head = _lines(_step_items(m, col.step.id), col.inner_w)
        items = []
        for i, tp in enumerate(m.front.get(col.step.id, [])):
            found = _touchpoint_items(m, tp.id)
            if found:
                items.append((i, _lines(found, col.slot_w)))
        below = stack_in_slots(col, items) if items else EMPTY
        cells[col.index] = stack([head, below], gap=10.0)
    if not any(c.height for c in cells.values()):
        return None
    return Lane(
        "against-design",
        "Against design",
        cells,
        subtitle="measured: satisfaction, waits, SLA, moments of truth, leaks",
    )


def legend_entries() -> list[tuple[str, str]]:
    """The legend entries of the lane's marks."""
    return [
        (circle(13, 8, 4.5, fill=Palette.measured), "Satisfaction (95% CI, n)"),
        (circle(13, 8, 4.5, fill=Palette.pain), "Waits beyond design"),
        (
            circle(6, 8, 4.5, fill=SLA_COLOURS["compliant"])
            + circle(13, 8, 4.5, fill=SLA_COLOURS["warning"])
            + circle(20, 8, 4.5, fill=SLA_COLOURS["breached"]),
            "SLA compliant / warning / breached",
        ),
        (rect(8, 3, 10, 10, rx=2, fill=Palette.pain), "One of the worst leaks (#rank)"),
    ]
