"""The measured overlay against the design: waits, satisfaction, SLA status, moments of
truth and the worst leaks, placed at their step and touchpoint.

Each function reads results that the analyses already produce, so the overlay shows
the numbers of ``cojourney experience``, ``agreements`` and ``leakage``:

* :func:`waiting_beyond_design`: per touchpoint, the moves to the next touchpoint that
  took longer than its designed ``expected_duration`` and the hours beyond it (the
  leakage analysis's :func:`~cojourney.analytics.leakage_sources.waiting_times`: designed
  loops and gaps are the customer's own pace and do not count);
* :func:`satisfaction`: per touchpoint and step, the score of the touchpoint's own
  question (a workspace question asked there), else CSAT, else effort (CES), NPS or
  emotion, with its 95% interval and n (the experience analysis's breakdowns);
* :func:`sla_status`: the SLA clocks whose span covers a touchpoint (from its first start
  touchpoint to its last stop touchpoint on the designed path) with their status:
  ``breached`` when the clock's compliance misses its attainment, ``warning`` when it
  meets it (or nothing is decided yet) but journeys are at risk now (running past the
  clock's warning share of their allowed time), ``compliant`` when it meets it with none
  at risk, ``undecided`` otherwise;
* :func:`moments_of_truth`: the designed moments of truth and the measured ones (a
  significant harmful effect on the journey score: the 95% interval of the difference
  lies below 0);
* :func:`worst_leaks`: the top leaks (by severity) at the touchpoint or step they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.leakage_sources import Wait
    from cojourney.domain import Journey, Workspace

#: Preference of questions for "satisfaction" after the touchpoint's own question.
SATISFACTION_ORDER: Final[tuple[str, ...]] = ("csat", "ces", "nps", "emotion")
#: How many of the worst leaks the map marks.
TOP_LEAKS: Final[int] = 5
#: Status of an SLA clock, from the worst.
SLA_ORDER: Final[tuple[str, ...]] = ("breached", "warning", "compliant", "undecided")


def waiting_beyond_design(journey: Journey, waits: Iterable[Wait]) -> dict[str, dict[str, float]]:
    """Per touchpoint: ``designed_seconds`` (its expected duration), ``waits_beyond`` (moves
    to the next touchpoint that took longer) and ``hours_beyond`` (the time beyond it)."""
    out: dict[str, dict[str, float]] = {}
    for tp in journey.touchpoints:
        if tp.expected_duration is not None:
            out[tp.id] = {"designed_seconds": tp.expected_duration.total_seconds()}
    for wait in waits:
        if wait.source not in out:
            continue
        found = out[wait.source]
        found["waits_beyond"] = found.get("waits_beyond", 0.0) + wait.moves
        found["hours_beyond"] = found.get("hours_beyond", 0.0) + wait.hours_beyond
    return out


def step_times(journey: Journey, analysis: Mapping[str, Any] | None) -> dict[str, dict[str, float]]:
    """Per step: ``designed_seconds`` (the step's expected duration) and ``median_seconds``
    (the funnel's median time in the step)."""
    out: dict[str, dict[str, float]] = {}
    for step in journey.steps:
        if step.expected_duration is not None:
            out[step.id] = {"designed_seconds": step.expected_duration.total_seconds()}
    for row in (analysis or {}).get("funnel", {}).get("steps", []):
        if row.get("median_seconds_in_step") is not None:
            out.setdefault(row["step"], {})["median_seconds"] = float(row["median_seconds_in_step"])
    return out


def _own_questions(workspace: Workspace, journey: Journey) -> dict[str, list[str]]:
    """Touchpoint -> the workspace questions asked there (in declaration order)."""
    asked: dict[str, list[str]] = {}
    ids = {tp.id for tp in journey.touchpoints}
    for question in workspace.questions:
        for tp in question.touchpoints:
            if tp in ids:
                asked.setdefault(tp, []).append(question.id)
    return asked


def _score(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("question", "metric", "value", "low", "high", "n", "mean")}


def _pick(rows: Sequence[Mapping[str, Any]], prefer: Sequence[str]) -> dict[str, Any] | None:
    by_question = {r["question"]: r for r in rows if r["n"]}
    order = [*prefer, *SATISFACTION_ORDER, *sorted(by_question)]
    for question in order:
        if question in by_question:
            return _score(by_question[question])
    return None


def satisfaction(
    workspace: Workspace, journey: Journey, experience: Mapping[str, Any] | None
) -> dict[str, dict[str, dict[str, Any]]]:
    """``{"touchpoints": {id: score}, "steps": {id: score}}`` where a score is
    ``{question, metric, value, low, high, n, mean}`` of the experience analysis (CSAT a
    share 0..1, NPS points, the rest a mean answer)."""
    result: dict[str, dict[str, dict[str, Any]]] = {"touchpoints": {}, "steps": {}}
    if not experience or not experience.get("answers"):
        return result
    own = _own_questions(workspace, journey)
    rows: dict[str, dict[str, list[Mapping[str, Any]]]] = {"touchpoint": {}, "step": {}}
    for breakdown in experience["breakdowns"]:
        if breakdown["dimension"] in rows:
            for row in breakdown["rows"]:
                if row["key"]:
                    rows[breakdown["dimension"]].setdefault(row["key"], []).append(row)
    for tp in journey.touchpoints:
        found = _pick(rows["touchpoint"].get(tp.id, []), own.get(tp.id, []))
        if found:
            result["touchpoints"][tp.id] = found
    for step in journey.steps:
        asked = [q for tp in journey.touchpoints_in(step.id) for q in own.get(tp.id, [])]
        found = _pick(rows["step"].get(step.id, []), ["csat", *asked])
        if found:
            result["steps"][step.id] = found
    return result


def clock_span(journey: Journey, start: Sequence[str], stop: Sequence[str]) -> list[str]:
    """The touchpoints a clock covers: on the designed path, from its first start
    touchpoint to its last stop touchpoint (empty when the path holds neither)."""
    order = journey.expected_order()
    starts = [order.index(t) for t in start if t in order]
    stops = [order.index(t) for t in stop if t in order]
    if not starts or not stops:
        return []
    first, last = min(starts), max(stops)
    return order[first : last + 1] if first <= last else []


def clock_status(total: Mapping[str, Any]) -> str:
    """``breached``, ``warning``, ``compliant`` or ``undecided`` (see the module docstring)."""
    if total.get("meets") is False:
        return "breached"
    if total.get("at_risk"):
        return "warning"
    return "compliant" if total.get("meets") else "undecided"


def sla_status(
    workspace: Workspace, journey: Journey, clocks: Iterable[Mapping[str, Any]]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """``{"touchpoints": {id: [clock]}, "steps": {id: [clock]}}``: the SLA clocks covering
    each touchpoint and step, worst first; a clock is ``{agreement, clock, name, status,
    share_met, attainment, journeys, met, breached, at_risk}`` (``clocks``: the agreement
    analysis's ``ClockResult.to_dict()``)."""
    result: dict[str, dict[str, list[dict[str, Any]]]] = {"touchpoints": {}, "steps": {}}
    designs = {(a.id, c.id): c for a in workspace.agreements for c in a.clocks}
    step_of = journey.step_of()
    for clock in clocks:
        design = designs.get((clock["agreement_id"], clock["clock_id"]))
        if design is None or (design.journey is not None and design.journey != journey.id):
            continue
        covered = clock_span(journey, design.start, design.stop)
        if not covered:
            continue
        total = clock["total"]
        entry = {
            "agreement": clock["agreement_id"],
            "clock": clock["clock_id"],
            "name": clock["clock_name"],
            "status": clock_status(total),
            "share_met": total.get("share_met"),
            "attainment": total.get("attainment"),
            "journeys": total.get("journeys"),
            "met": total.get("met"),
            "breached": total.get("breached"),
            "at_risk": total.get("at_risk"),
        }
        steps: list[str] = []
        for tp in covered:
            result["touchpoints"].setdefault(tp, []).append(entry)
            if step_of.get(tp) and step_of[tp] not in steps:
                steps.append(step_of[tp])
        for step in steps:
            result["steps"].setdefault(step, []).append(entry)
    for where in result.values():
        for entries in where.values():
            entries.sort(key=lambda e: (SLA_ORDER.index(e["status"]), e["agreement"], e["clock"]))
    return result


def moments_of_truth(
    journey: Journey, experience: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Per touchpoint that is a designed or a measured moment of truth: ``designed``,
    ``measured`` and the measured effect (``rank``, ``difference``, ``low``, ``high``,
    ``journeys_poor``) when the experience analysis has one."""
    out: dict[str, dict[str, Any]] = {
        tp.id: {"designed": True, "measured": False}
        for tp in journey.touchpoints
        if tp.moment_of_truth
    }
    for row in (experience or {}).get("moments_of_truth", []):
        harmful = bool(row["significant"]) and (row["difference"] or 0.0) < 0
        if not harmful and row["touchpoint"] not in out:
            continue
        entry = out.setdefault(row["touchpoint"], {"designed": bool(row["designed"])})
        entry["measured"] = harmful
        for key in ("rank", "difference", "low", "high", "journeys_poor"):
            entry[key] = row[key]
    return out


def leak_place(journey: Journey, workspace: Workspace, kind: str, where: str) -> dict[str, str]:
    """Where a leak is marked: ``{"touchpoint": id, "step": id}`` (either may be absent)."""
    step_of = journey.step_of()
    steps = {s.id for s in journey.steps}
    touchpoint: str | None = None
    if kind == "drop_off":
        return {"step": where} if where in steps else {}
    if kind in ("loop", "waiting"):
        touchpoint = where.split(" -> ")[0]
    elif kind == "experience":
        touchpoint = where.rsplit(" (", 1)[0]
    elif kind == "rework":
        touchpoint = where
    elif kind == "gate_bypass":
        gate = next((g for g in journey.gates if g.id == where), None)
        touchpoint = gate.before[0] if gate and gate.before else None
    elif kind == "sla_breach":
        agreement, _, clock_id = where.partition("/")
        clock = next(
            (
                c
                for a in workspace.agreements
                if a.id == agreement
                for c in a.clocks
                if c.id == clock_id
            ),
            None,
        )
        span = clock_span(journey, clock.start, clock.stop) if clock else []
        touchpoint = span[-1] if span else None
    if touchpoint not in step_of:
        return {}
    assert touchpoint is not None
    return {"touchpoint": touchpoint, "step": step_of[touchpoint]}


def worst_leaks(
    workspace: Workspace,
    journey: Journey,
    leakage: Mapping[str, Any] | None,
    top: int = TOP_LEAKS,
) -> list[dict[str, Any]]:
    """The ``top`` most severe leaks (``LeakageReport.to_dict()``), each with where the map
    marks it (``touchpoint`` and/or ``step``; neither when it names no place of the map)."""
    out = []
    for leak in (leakage or {}).get("leaks", [])[:top]:
        entry = {
            k: leak[k] for k in ("rank", "kind", "where", "label", "journeys", "share", "severity")
        }
        entry.update(leak_place(journey, workspace, leak["kind"], leak["where"]))
        out.append(entry)
    return out


def add_marks(
    overlay: dict[str, Any],
    workspace: Workspace,
    journey: Journey,
    *,
    analysis: Mapping[str, Any] | None = None,
    experience: Mapping[str, Any] | None = None,
    clocks: Iterable[Mapping[str, Any]] = (),
    waits: Iterable[Wait] = (),
    leakage: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Complete ``overlay`` (:func:`cojourney.report.overlay.journey_overlay`) in place
    with the design comparisons: waits and times beyond design in its ``touchpoints``
    and ``steps``, and the keys ``satisfaction``, ``sla``, ``moments`` and ``leaks``."""
    touchpoints = overlay.setdefault("touchpoints", {})
    steps = overlay.setdefault("steps", {})
    for tp, values in waiting_beyond_design(journey, waits).items():
        touchpoints.setdefault(tp, {}).update(values)
    for step, values in step_times(journey, analysis).items():
        steps.setdefault(step, {}).update(values)
    overlay["satisfaction"] = satisfaction(workspace, journey, experience)
    overlay["sla"] = sla_status(workspace, journey, clocks)
    overlay["moments"] = moments_of_truth(journey, experience)
    overlay["leaks"] = worst_leaks(workspace, journey, leakage)
    return overlay
