"""Value leakage: where potential value is lost along the journey, ranked.

:func:`find_leaks` gathers the places where the journey loses value from analyses that
already ran (:class:`~cojourney.analytics.journey_results.JourneyAnalysis`, the SLA
clocks, the touchpoint scores) and ranks them by one severity score.

The kinds of leak: who is affected, what each affected journey loses (a fraction of
one journey's value, 0-1), and the anchor of the evidence in the report:

``drop_off`` (``#funnel-step-S``)
    Journeys abandoned with their last touchpoint in step S: not ended at an exit point
    or offboarding touchpoint, and silent for the in-progress window
    (:mod:`cojourney.analytics.journey_state`; :func:`unfinished_journeys`; from the
    analysis alone: the funnel's ``dropped_off``); journeys still in progress are not
    drop-offs. Each loses 1 (the journey's whole value).
``gate_bypass`` (``#gate-G``)
    Journeys that bypassed gate G; each loses :data:`GATE_LOSS` (0.5).
``rework`` (``#rework-touchpoint-T``)
    Journeys repeating touchpoint T outside every designed loop; each loses
    :data:`REPEAT_LOSS` (0.25) per extra visit, at most 1.
``loop`` (``#conformance-A-B``)
    Journeys moving back from A to B where no designed loop allows it; each loses
    0.25 per move back, at most 1.
``waiting`` (``#waiting-A-B``)
    Journeys that waited longer than designed between touchpoint A and the next one,
    B, for the :data:`WAITING_TOP` transitions with the most hours lost; each loses its
    hours lost divided by the median journey duration, at most 1. Only a wait beyond
    A's ``expected_duration`` counts, move by move (:func:`waiting_times`): a transition
    from a touchpoint without one is not judged, and the designed ``loops`` (the next
    trip) and ``gaps`` (the customer's own pace, a schedule) are left out.
``sla_breach`` (``#sla-breaches-C``)
    Journeys that breached clock C; each loses the mean overrun divided by the allowed
    time, at most 1.
``experience`` (``#experience-touchpoint-T``)
    A touchpoint T where at least :data:`POOR_SHARE` (25%) of the answers to a question
    are poor (the question's poor band: CSAT 1-2, CES 1-3, NPS 0-6, emotion -1 or
    lower; see :data:`cojourney.analytics.experience.ANSWER_BANDS`), with at least
    :data:`MIN_ANSWERS` answers. The journeys affected are that share of the journeys
    that visited T; each loses :data:`EXPERIENCE_WEIGHT` (0.5) x the score lost (1 -
    the normalised mean). A neutral answer is not a poor one, so a touchpoint designed
    to be neutral does not leak. (Scores known only by their mean: all visitors, when
    the mean is below :data:`LOW_SCORE`, 0.6 on 0-1.) Its ``quotes`` are up to 2 real
    comments to that question at T (else to any question at T), the lowest-scored and
    most recent first (:func:`worst_comments`).

**Severity** = share of journeys affected x loss per affected journey: the expected
fraction of one journey's value lost, averaged over all journeys (0-1). Shares are of
the journeys analysed (for ``sla_breach``: of the journeys the clock timed). Leaks are
ranked by severity, largest first. Hours lost: ``waiting`` sums, over the moves A -> B,
the time beyond A's ``expected_duration`` (moves within it add nothing); ``rework``
counts ``expected_duration`` per extra visit when it is set; ``sla_breach`` sums the
overruns. Transitions that a designed loop or gap allows (the wait for the next trip,
the monthly invoice) and activities outside the design are not waiting leaks.

Scores are normalised to 0-1 on the question's scale (``csat`` 1-5, ``ces`` 1-7, ``nps``
0-10, ``emotion`` -3..3; a custom question on the range of its answers):
:func:`touchpoint_scores` computes them from the feedback log with one DuckDB query.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cojourney.analytics.experience import bands, workspace_scales
from cojourney.analytics.leakage_sources import (
    Wait,
    unfinished_journeys,
    waiting_times,
    worst_comments,
)
from cojourney.errors import NotFound
from cojourney.events.feedback_schema import QUESTION_SCALES
from cojourney.events.store_schema import sql_value

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.journey_results import JourneyAnalysis
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Journey, Workspace
    from cojourney.events.store import EventSource

__all__ = [
    "EXPERIENCE_WEIGHT",
    "GATE_LOSS",
    "LOW_SCORE",
    "MIN_ANSWERS",
    "POOR_SHARE",
    "WAITING_TOP",
    "Leak",
    "LeakKind",
    "LeakageReport",
    "TouchpointScore",
    "Wait",
    "anchor",
    "find_leaks",
    "leakage_report",
    "touchpoint_scores",
    "unfinished_journeys",
    "waiting_times",
    "worst_comments",
]

log = logging.getLogger(__name__)

GATE_LOSS = 0.5  #: loss per journey that bypassed a gate (a requirement skipped)
REPEAT_LOSS = 0.25  #: loss per extra visit or move back, per journey (at most 1 in all)
EXPERIENCE_WEIGHT = 0.5  #: the most a poor touchpoint experience costs a journey
LOW_SCORE = 0.6  #: a normalised mean score below this is poor (when only a mean is known)
POOR_SHARE = 0.25  #: a touchpoint with at least this share of poor answers leaks
MIN_ANSWERS = 5  #: fewer answers than this are not enough to call a score poor
WAITING_TOP = 5  #: how many of the longest waits are listed


class LeakKind(StrEnum):
    DROP_OFF = "drop_off"
    GATE_BYPASS = "gate_bypass"
    REWORK = "rework"
    LOOP = "loop"
    WAITING = "waiting"
    SLA_BREACH = "sla_breach"
    EXPERIENCE = "experience"


@dataclass(frozen=True, slots=True)
class TouchpointScore:
    """Survey answers on one question about one touchpoint; ``normalised`` is the mean on 0-1."""

    touchpoint: str
    question: str
    answers: int
    journeys: int
    mean: float
    scale: tuple[float, float]
    normalised: float | None
    #: Share of the answers in the question's poor band (``experience.ANSWER_BANDS``).
    poor_share: float | None = None


@dataclass(frozen=True, slots=True)
class Leak:
    """Where value leaks, how much, and where the evidence is (see the module docstring)."""

    kind: LeakKind
    where: str
    label: str
    journeys: int
    share: float
    loss_per_journey: float
    severity: float
    evidence: str
    hours_lost: float | None = None
    score_lost: float | None = None
    rank: int = 0
    #: What customers wrote (``experience`` leaks: the lowest-scored comments).
    quotes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "kind": self.kind.value,
            "where": self.where,
            "label": self.label,
            "journeys": self.journeys,
            "share": self.share,
            "hours_lost": self.hours_lost,
            "score_lost": self.score_lost,
            "loss_per_journey": self.loss_per_journey,
            "severity": self.severity,
            "evidence": self.evidence,
            "quotes": list(self.quotes),
        }


@dataclass(frozen=True)
class LeakageReport:
    """The ranked leaks of one journey, with the inputs' sizes."""

    journey_id: str
    journeys: int
    leaks: tuple[Leak, ...]
    as_of: datetime | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "journey_id": self.journey_id,
            "journeys": self.journeys,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "leaks": [leak.to_dict() for leak in self.leaks],
            "notes": list(self.notes),
        }


def anchor(kind: str, *parts: str) -> str:
    """The report's anchor for a piece of evidence, e.g. ``anchor("funnel-step", "onboard")``.

    >>> anchor("waiting", "Solution proposed", "solution-confirmed")
    '#waiting-solution-proposed-solution-confirmed'
    """
    text = "-".join((kind, *parts)).lower()
    return "#" + re.sub(r"[^a-z0-9_.-]+", "-", text).strip("-")


# --------------------------------------------------------------------------- scores


def touchpoint_scores(
    source: EventSource, workspace: Workspace | None = None
) -> list[TouchpointScore]:
    """Mean score per touchpoint and question of the feedback log (empty without one).

    Scales: the standard ones, the ``workspace``'s survey questions, else the range of
    the question's answers."""
    try:
        table = source.table_name("feedback")
    except NotFound:
        return []
    con = source.sql
    ranges = dict(
        con.execute(f"""SELECT question, [min(score), max(score)] FROM "{table}"
                                  WHERE score IS NOT NULL GROUP BY question""").fetchall()
    )
    declared, declared_bands = workspace_scales(workspace) if workspace is not None else ({}, {})
    scales = {
        q: QUESTION_SCALES.get(q) or declared.get(q) or (float(r[0]), float(r[1]))
        for q, r in ranges.items()
    }
    poor_at = " ".join(
        f"WHEN {sql_value(q)} THEN {float(p)!r}"
        for q, (p, _) in bands(scales, declared_bands).items()
    )
    poor_limit = f"CASE question {poor_at} END" if poor_at else "NULL"
    rows = con.execute(f"""
        SELECT touchpoint, question, count(*) AS answers, count(DISTINCT journey_id) AS journeys,
               avg(score) AS mean,
               avg(CASE WHEN score <= {poor_limit} THEN 1.0 ELSE 0.0 END) AS poor
        FROM "{table}" WHERE score IS NOT NULL AND touchpoint IS NOT NULL
        GROUP BY touchpoint, question ORDER BY touchpoint, question""").fetchall()
    scores = []
    for tp, question, answers, journeys, mean, poor in rows:
        low, high = scales[question]
        normalised = (float(mean) - low) / (high - low) if high > low else None
        scores.append(
            TouchpointScore(
                tp,
                question,
                int(answers),
                int(journeys),
                float(mean),
                (low, high),
                normalised,
                float(poor),
            )
        )
    return scores


# --------------------------------------------------------------------------- leaks


def find_leaks(
    analysis: JourneyAnalysis,
    clocks: Sequence[ClockResult],
    touchpoint_scores: Sequence[TouchpointScore],
    workspace: Workspace,
    *,
    unfinished: Mapping[str, int] | None = None,
    waits: Sequence[Wait] | None = None,
    quotes: Mapping[tuple[str, str | None], Sequence[str]] | None = None,
) -> list[Leak]:
    """Every leak found in the analyses, ranked by severity (see the module docstring).

    Parameters
    ----------
    analysis
        The journey analysis (:func:`cojourney.analytics.report.analyze_journey`).
    clocks
        SLA clock results (:func:`cojourney.analytics.sla.evaluate_clocks`); may be empty.
    touchpoint_scores
        Scores per touchpoint and question (:func:`touchpoint_scores`); may be empty.
    workspace
        The workspace holding the analysed journey (its design: steps, exits, loops).
    unfinished
        Journeys that never reached an exit point, by last touchpoint
        (:func:`unfinished_journeys`); without it, drop-off counts the journeys whose
        last touchpoint is not an exit point (``analysis.entry_exit``).
    waits
        The moves that took longer than designed (:func:`waiting_times`); without it,
        each transition of the analysis counts its mean time beyond the designed one.
    quotes
        Comments per (touchpoint, question) that ``experience`` leaks quote
        (:func:`worst_comments`).

    Returns
    -------
    list of Leak
        Largest severity first, ``rank`` from 1; leaks affecting no journey are left out.
    """
    journey = workspace.journey(analysis.journey_id)
    population = analysis.counts.journeys
    reference = (analysis.durations.median or analysis.durations.mean or 3600.0) / 3600.0
    if unfinished is None:
        dropped: dict[str, int | tuple[int, str]] = {
            f.step: f.dropped_off for f in analysis.funnel.steps if f.dropped_off
        }
    else:
        dropped = dict(_by_step(unfinished, journey))
    leaks = [
        *_drop_offs(dropped, journey, population),
        *_gates(analysis, population),
        *_rework(analysis, journey, population),
        *_loops(analysis, population),
        *(
            _waiting(analysis, journey, population, reference or 1.0)
            if waits is None
            else _waits(waits, population, reference or 1.0)
        ),
        *_breaches(c for c in clocks if _clock_applies(workspace, journey, c)),
        *_experience(analysis, journey, touchpoint_scores, population, quotes or {}),
    ]
    leaks = [leak for leak in leaks if leak.journeys > 0 and leak.severity > 0]
    leaks.sort(key=lambda k: (-k.severity, k.kind.value, k.where))
    ranked = [replace(k, rank=i) for i, k in enumerate(leaks, 1)]
    log.info("%d leaks in journey %s", len(ranked), analysis.journey_id)
    return ranked


def _leak(
    kind: LeakKind,
    where: str,
    label: str,
    journeys: int,
    population: int,
    loss: float,
    evidence: str,
    **extra: float | None,
) -> Leak:
    share = journeys / population if population else 0.0
    loss = max(0.0, min(1.0, loss))
    return Leak(
        kind,
        where,
        label,
        journeys,
        share,
        loss,
        share * loss,
        evidence,
        hours_lost=extra.get("hours_lost"),
        score_lost=extra.get("score_lost"),
    )


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _by_step(unfinished: Mapping[str, int], journey: Journey) -> dict[str, tuple[int, str]]:
    """``{step: (journeys, touchpoint most left at)}`` from counts per last touchpoint."""
    step_of = journey.step_of()
    left: dict[str, dict[str, int]] = {}
    for touchpoint, count in unfinished.items():
        if count and touchpoint in step_of:
            left.setdefault(step_of[touchpoint], {})[touchpoint] = count
    return {
        step: (sum(by_tp.values()), min(by_tp.items(), key=lambda kv: (-kv[1], kv[0]))[0])
        for step, by_tp in left.items()
    }


def _drop_offs(
    dropped: Mapping[str, int | tuple[int, str]], journey: Journey, population: int
) -> list[Leak]:
    leaks = []
    for step, value in dropped.items():
        total, worst = value if isinstance(value, tuple) else (value, None)
        name = journey.step(step).name
        most = f" (most at {worst})" if worst else ""
        leaks.append(
            _leak(
                LeakKind.DROP_OFF,
                step,
                f"{_pct(total, population)} of journeys dropped off (went silent) "
                f"in step {name}{most}",
                total,
                population,
                1.0,
                anchor("funnel-step", step),
            )
        )
    return leaks


def _gates(analysis: JourneyAnalysis, population: int) -> list[Leak]:
    return [
        _leak(
            LeakKind.GATE_BYPASS,
            g.gate,
            f"gate {g.name} bypassed by {g.bypassed} of "
            f"{g.reached} journeys (most missing: {g.most_missing})",
            g.bypassed,
            population,
            GATE_LOSS,
            anchor("gate", g.gate),
        )
        for g in analysis.gates
    ]


def _in_loops(journey: Journey) -> set[str]:
    """Touchpoints inside a designed loop (between its ``to`` and its ``from``)."""
    order = journey.expected_order()
    position = {tp: i for i, tp in enumerate(order)}
    inside: set[str] = set()
    for loop in journey.path.loops:
        lo, hi = position.get(loop.to), position.get(loop.from_)
        if lo is not None and hi is not None:
            inside.update(order[min(lo, hi) : max(lo, hi) + 1])
    return inside


def _rework(analysis: JourneyAnalysis, journey: Journey, population: int) -> list[Leak]:
    looped = _in_loops(journey)
    touchpoints = {t.id: t for t in journey.touchpoints}
    leaks = []
    for r in analysis.rework.touchpoints:
        if r.touchpoint in looped or r.touchpoint not in touchpoints or not r.journeys_with_repeat:
            continue
        expected = touchpoints[r.touchpoint].expected_duration
        hours = r.extra_visits * expected.total_seconds() / 3600 if expected else None
        leaks.append(
            _leak(
                LeakKind.REWORK,
                r.touchpoint,
                f"{r.touchpoint} repeated in "
                f"{r.journeys_with_repeat} journeys ({r.extra_visits} extra visits)",
                r.journeys_with_repeat,
                population,
                REPEAT_LOSS * r.extra_visits / r.journeys_with_repeat,
                anchor("rework-touchpoint", r.touchpoint),
                hours_lost=hours,
            )
        )
    return leaks


def _loops(analysis: JourneyAnalysis, population: int) -> list[Leak]:
    return [
        _leak(
            LeakKind.LOOP,
            f"{v.from_touchpoint} -> {v.to_touchpoint}",
            f"{v.journeys} journeys move back from {v.from_touchpoint} to "
            f"{v.to_touchpoint} ({v.moves} times), which the design does not allow",
            v.journeys,
            population,
            REPEAT_LOSS * v.moves / v.journeys if v.journeys else 0,
            anchor("conformance", v.from_touchpoint, v.to_touchpoint),
        )
        for v in analysis.conformance.violations
    ]


def _waiting(
    analysis: JourneyAnalysis, journey: Journey, population: int, reference_hours: float
) -> list[Leak]:
    touchpoints = {t.id: t for t in journey.touchpoints}
    allowed = {(t.from_, t.to) for t in (*journey.path.loops, *journey.path.gaps)}
    candidates = []
    for edge in analysis.graph.edges:
        expected = (
            touchpoints[edge.source].expected_duration if edge.source in touchpoints else None
        )
        if (
            expected is None
            or edge.target not in touchpoints
            or (edge.source, edge.target) in allowed
            or not edge.journeys
        ):
            continue
        excess = edge.mean_seconds - expected.total_seconds()
        if excess > 0:
            candidates.append((edge.events * excess / 3600, edge, excess))
    candidates.sort(key=lambda c: (-c[0], c[1].source, c[1].target))
    leaks = []
    for hours, edge, excess in candidates[:WAITING_TOP]:
        leaks.append(
            _leak(
                LeakKind.WAITING,
                f"{edge.source} -> {edge.target}",
                f"{excess / 3600:.1f} h beyond the designed time from {edge.source} to {edge.target}, "
                f"{edge.events} times",
                edge.journeys,
                population,
                hours / edge.journeys / reference_hours,
                anchor("waiting", edge.source, edge.target),
                hours_lost=hours,
            )
        )
    return leaks


def _waits(waits: Sequence[Wait], population: int, reference_hours: float) -> list[Leak]:
    ranked = sorted(waits, key=lambda w: (-w.hours_beyond, w.source, w.target))
    return [
        _leak(
            LeakKind.WAITING,
            f"{w.source} -> {w.target}",
            f"{w.moves:,} waits beyond the designed {_hours(w.allowed_seconds)} from {w.source} "
            f"to {w.target}, {w.hours_beyond:,.1f} h beyond it in all",
            w.journeys,
            population,
            w.hours_beyond / w.journeys / reference_hours if w.journeys else 0.0,
            anchor("waiting", w.source, w.target),
            hours_lost=w.hours_beyond,
        )
        for w in ranked[:WAITING_TOP]
        if w.hours_beyond > 0
    ]


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.0f} min"


def _clock_applies(workspace: Workspace, journey: Journey, result: ClockResult) -> bool:
    """Whether a clock times this journey: it names it, or names none and starts at one of
    its touchpoints."""
    agreement = next((a for a in workspace.agreements if a.id == result.agreement_id), None)
    clocks = agreement.clocks if agreement else []
    clock = next((c for c in clocks if c.id == result.clock_id), None)
    if clock is None:
        return True
    if clock.journey is not None:
        return clock.journey == journey.id
    return any(t.id in clock.start for t in journey.touchpoints)


def _breaches(clocks: Iterable[ClockResult]) -> list[Leak]:
    leaks = []
    for clock in clocks:
        j = clock.journeys
        breached = clock.breach_order
        if breached.size == 0:
            continue
        overrun = j.elapsed_seconds[breached] - j.allowed_seconds[breached]
        loss = float((overrun / j.allowed_seconds[breached]).mean())
        decided = clock.total.met + clock.total.breached
        leaks.append(
            _leak(
                LeakKind.SLA_BREACH,
                f"{clock.agreement_id}/{clock.clock_id}",
                f"{clock.clock_name}: {breached.size} of {decided} decided journeys breached "
                f"({_pct(int(breached.size), decided)})",
                int(breached.size),
                len(j),
                loss,
                anchor("sla-breaches", clock.clock_id),
                hours_lost=float(overrun.sum() / 3600),
            )
        )
    return leaks


def _experience(
    analysis: JourneyAnalysis,
    journey: Journey,
    scores: Sequence[TouchpointScore],
    population: int,
    quotes: Mapping[tuple[str, str | None], Sequence[str]],
) -> list[Leak]:
    visited = {n.activity: n.journeys for n in analysis.graph.nodes}
    touchpoints = {t.id for t in journey.touchpoints}
    leaks = []
    for s in scores:
        if s.touchpoint not in touchpoints or s.normalised is None or s.answers < MIN_ANSWERS:
            continue
        visitors = visited.get(s.touchpoint, s.journeys)
        if s.poor_share is None:  # only a mean is known: judge the mean
            if s.normalised >= LOW_SCORE:
                continue
            affected = visitors
        else:  # the share of poor answers is the share of visitors who lost out
            if s.poor_share < POOR_SHARE:
                continue
            affected = int(visitors * s.poor_share + 0.5)  # rounded half up
        lost = 1.0 - s.normalised
        said = tuple(quotes.get((s.touchpoint, s.question)) or quotes.get((s.touchpoint, None), ()))
        leaks.append(
            replace(
                _leak(
                    LeakKind.EXPERIENCE,
                    f"{s.touchpoint} ({s.question})",
                    f"{s.question} at {s.touchpoint}: mean {s.mean:.2f} on {s.scale[0]:g}..{s.scale[1]:g} "
                    f"({s.answers} answers)",
                    affected,
                    population,
                    EXPERIENCE_WEIGHT * lost,
                    anchor("experience-touchpoint", s.touchpoint),
                    score_lost=lost,
                ),
                quotes=said,
            )
        )
    return leaks


# --------------------------------------------------------------------------- one call


def leakage_report(
    source: EventSource,
    workspace: Workspace,
    journey_id: str | None = None,
    *,
    clocks: Sequence[ClockResult] | None = None,
    analysis: JourneyAnalysis | None = None,
    as_of: datetime | None = None,
    waits: Sequence[Wait] | None = None,
) -> LeakageReport:
    """Analyse a journey's events, its SLA clocks and touchpoint scores, and rank the leaks.

    Parameters
    ----------
    source
        The events (and feedback, when imported).
    workspace
        The workspace; ``journey_id`` picks its journey (default: the default journey).
    clocks, analysis, waits
        Results already computed (they are computed here when not given): the
        clocks of :func:`~cojourney.analytics.sla.evaluate_clocks`, the journey
        analysis, the waits of
        :func:`~cojourney.analytics.leakage_sources.waiting_times` for this journey
        on this source.
    as_of
        The instant running SLA clocks are read at (default: the data's end).
    """
    from cojourney.analytics.engines.for_source import source_engine
    from cojourney.analytics.report import analyze_journey
    from cojourney.analytics.sla import evaluate_clocks

    journey = workspace.journey(journey_id)
    if analysis is None:
        with source_engine(source) as (engine, events):
            analysis = analyze_journey(events, journey, engine=engine, breakdown_by=())
    if clocks is None:
        clocks = evaluate_clocks(source, workspace, as_of=as_of)
    scores = touchpoint_scores(source, workspace)
    notes = [] if scores else ["no feedback imported: experience leaks are not assessed"]
    leaks = find_leaks(
        analysis,
        clocks,
        scores,
        workspace,
        unfinished=unfinished_journeys(source, journey),
        waits=waiting_times(source, journey) if waits is None else waits,
        quotes=worst_comments(source, [t.id for t in journey.touchpoints]) if scores else None,
    )
    return LeakageReport(
        journey.id,
        analysis.counts.journeys,
        tuple(leaks),
        clocks[0].as_of if clocks else None,
        tuple(notes),
    )
