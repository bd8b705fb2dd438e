"""Experience analytics: survey answers against a designed journey.

:func:`analyze_experience` reads the ``feedback`` log of an
:class:`~cojourney.events.store.EventSource` (the canonical feedback schema,
:mod:`cojourney.events.feedback_schema`) and computes, with the standard
definitions and always with the sample size and a 95% interval
(:mod:`cojourney.analytics.stats`):

* scores per question, overall and by touchpoint, step, segment, channel and month
  (:mod:`.experience_scores`), and on request by the persona, cohort or case
  attributes of the answer's journey (:mod:`.experience_groups`): CSAT = share of 4-5 answers, NPS = % of 9-10 minus %
  of 0-6, CES, emotion and custom questions = mean answer;
* the measured emotion curve per step beside the designed one;
* the free-text comments per touchpoint, the latest first (:mod:`.experience_comments`),
  and the most recent ones (the ``themes_max_comments`` setting) grouped into themes
  (:mod:`.comment_themes`);
* touchpoint versus journey experience, peak-end and moments of truth
  (:mod:`.experience_journeys`), on *normalised* answers: each question's scale
  mapped onto 0..1 (CES, like CSAT and NPS, is better when higher, as in the
  "it was easy" agreement scale of CES 2.0).

An answer is *good* or *poor* by its question's bands (:data:`ANSWER_BANDS`):
CSAT 4-5 / 1-2, NPS 9-10 / 0-6 (promoters / detractors), CES 5-7 / 1-3, emotion
1..3 / -3..-1; a custom question with a known scale: its top / bottom quarter.

These analyses run as DuckDB SQL on the source's connection (the store, or a
Parquet source): vectorised, one pass per analysis over a filtered copy of the
answers; they do not run on Spark.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.comment_themes import CommentThemes, comment_themes
from cojourney.analytics.experience_comments import comments_by_touchpoint, recent_comments
from cojourney.analytics.experience_groups import column_of, extra_dimensions, group_answers
from cojourney.analytics.experience_journeys import moments_of_truth, peak_end, touchpoint_gap
from cojourney.analytics.experience_results import ExperienceAnalysis
from cojourney.analytics.experience_scores import emotion_curve, score_breakdowns
from cojourney.errors import InputError, Location, NotFound, Problem
from cojourney.events import feedback_schema as F
from cojourney.settings import current_settings

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.filters import JourneyFilter
    from cojourney.domain import Journey, Workspace
    from cojourney.events.sql import SqlConnection
    from cojourney.events.store import EventSource

__all__ = ["ANSWER_BANDS", "analyze_experience", "bands", "question_scales", "workspace_scales"]

log = logging.getLogger(__name__)

#: ``{question: (poor at most, good at least)}`` on the question's own scale.
ANSWER_BANDS: Final[dict[str, tuple[float, float]]] = {
    "csat": (2.0, 4.0),
    "nps": (6.0, 9.0),
    "ces": (3.0, 5.0),
    "emotion": (-1.0, 1.0),
}


def question_scales(
    extra: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """The standard question scales plus ``extra`` (custom questions)."""
    return {**F.QUESTION_SCALES, **(extra or {})}


def bands(
    scales: Mapping[str, tuple[float, float]],
    declared: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Poor and good thresholds of every question with a scale: the standard bands, the
    ``declared`` ones (a workspace's survey questions), else the scale's lowest and
    highest quarters."""
    out = {}
    for q, (lo, hi) in scales.items():
        default = (lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo))
        out[q] = ANSWER_BANDS.get(q) or (declared or {}).get(q) or default
    return out


def workspace_scales(
    workspace: Workspace,
) -> tuple[dict[str, tuple[float, float]], dict[str, tuple[float, float]]]:
    """The scales and the (poor, good) bands of the workspace's declared survey questions."""
    return (
        {q.id: q.scale for q in workspace.questions},
        {q.id: q.bands for q in workspace.questions},
    )


def analyze_experience(
    source: EventSource,
    workspace: Workspace,
    journey_id: str | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    segment: str | Sequence[str] | None = None,
    scales: Mapping[str, tuple[float, float]] | None = None,
    top_journeys: int = 20,
    by: Sequence[str] = (),
    journey_filter: JourneyFilter | None = None,
) -> ExperienceAnalysis:
    """Every experience analysis of the feedback in ``source`` against a designed journey.

    Parameters
    ----------
    source
        Where the answers are: its ``feedback`` log (DuckDB only).
    workspace
        The workspace: its touchpoints give steps, names, designed emotions and
        moments of truth.
    journey_id
        The designed journey (default: the workspace's default journey). When the
        workspace has several journeys, only journey instances with an answer (or,
        if the source has events, an event) at one of its touchpoints are analysed.
    start, end
        Only answers given in ``[start, end)`` (naive datetimes are UTC).
    segment
        Only answers of this segment (or these segments). An answer without a
        segment takes the smallest segment of its journey's other answers.
    scales
        ``{question: (lowest, highest)}`` of custom questions, so that their
        answers count in the normalised analyses (the standard scales are known).
    top_journeys
        How many journeys the gap analysis lists in each direction.
    by
        More breakdowns of the scores: ``persona``, ``cohort`` or a case attribute of
        the answer's journey, found in the source's events
        (:mod:`.experience_groups`); the answers' own dimensions are always there.
    journey_filter
        Only answers of the journeys it keeps by case attribute, persona and cohort
        (its ``rules``, else the workspace's persona rules); its other fields are not
        used (``start``, ``end`` and ``segment`` above filter the answers).

    Returns
    -------
    ExperienceAnalysis

    Raises
    ------
    cojourney.errors.NotFound
        The source holds no feedback, or there is no such journey.
    cojourney.errors.InputError
        An empty time range.
    """
    journey = _journey(workspace, journey_id)
    if start is not None and end is not None and _utc(end) <= _utc(start):
        raise InputError(
            Problem(
                "the time range is empty",
                Location(field="end"),
                found=f"{start} .. {end}",
                hint="the end must come after the start",
            )
        )
    segments = (segment,) if isinstance(segment, str) else tuple(segment or ())
    declared_scales, _ = workspace_scales(workspace)
    all_scales = question_scales({**declared_scales, **(scales or {})})
    con = source.sql
    table = f"__cojourney_answers_{uuid.uuid4().hex[:12]}"
    sql = _answers_sql(source, workspace, journey, start, end, segments, all_scales)
    extra = extra_dimensions(by)
    con.execute(f"CREATE TEMP TABLE {table} AS {sql}")
    try:
        filters = _filters(start, end, segments)
        if extra or (journey_filter is not None and journey_filter.active):
            group_answers(con, source, workspace, table, extra, journey_filter)
            filters.update(_group_filters(journey_filter))
        return _analyse(
            con,
            table,
            journey,
            workspace,
            all_scales,
            top_journeys,
            filters,
            source.label,
            {d: column_of(d) for d in extra},
        )
    finally:
        con.execute(f"DROP TABLE IF EXISTS {table}")


def _analyse(
    con: SqlConnection,
    table: str,
    journey: Journey,
    workspace: Workspace,
    scales: dict[str, tuple[float, float]],
    top: int,
    filters: dict[str, Any],
    label: str,
    extra: dict[str, str],
) -> ExperienceAnalysis:
    totals = con.execute(f"SELECT count(*), count(DISTINCT journey_id) FROM {table}").fetchone()
    assert totals is not None
    questions = dict(
        con.execute(
            f"SELECT question, count(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
    )
    overall, breakdowns = score_breakdowns(con, table, journey, extra)
    comments = comments_by_touchpoint(con, table, journey, workspace)
    log.info(
        "experience of journey %s: %d answers of %d journeys", journey.id, totals[0], totals[1]
    )
    return ExperienceAnalysis(
        journey_id=journey.id,
        answers=int(totals[0]),
        journeys=int(totals[1]),
        questions={str(k): int(v) for k, v in questions.items()},
        overall=overall,
        breakdowns=breakdowns,
        emotion_curve=emotion_curve(journey, breakdowns),
        gap=touchpoint_gap(con, table, top),
        peak_end=peak_end(con, table),
        moments_of_truth=moments_of_truth(con, table, journey, workspace),
        filters=filters,
        source=label,
        comments=comments,
        themes=_themes(con, table, scales, sum(c.count for c in comments)),
    )


def _themes(
    con: SqlConnection,
    table: str,
    scales: dict[str, tuple[float, float]],
    available: int,
) -> CommentThemes | None:
    """The themes of the most recent comments (``None`` when no answer has one);
    ``available`` is how many comments there are in all."""
    if not available:
        return None
    limit = current_settings().themes_max_comments
    found = comment_themes(recent_comments(con, table, limit), scales=scales, max_comments=limit)
    return replace(found, available=available)


# --------------------------------------------------------------------------- the answers


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _case(expr: str, pairs: Mapping[str, str], default: str = "NULL") -> str:
    if not pairs:
        return default
    whens = " ".join(f"WHEN {_literal(k)} THEN {v}" for k, v in pairs.items())
    return f"CASE {expr} {whens} ELSE {default} END"


def _answers_sql(
    source: EventSource,
    workspace: Workspace,
    journey: Journey,
    start: datetime | None,
    end: datetime | None,
    segments: tuple[str, ...],
    scales: dict[str, tuple[float, float]],
) -> str:
    """The filtered answers, one row each, with step, segment, month, normalised score
    and the good/poor flags."""
    try:
        feedback = source.table_name("feedback")
    except NotFound:
        raise NotFound(
            f"{source.label} holds no survey answers; import them first (import.feedback)"
        ) from None
    steps = {t.id: _literal(t.step) for t in journey.touchpoints}
    norm = _case(
        "question", {q: f"(score - {lo!r}) / {hi - lo!r}" for q, (lo, hi) in scales.items()}
    )
    thresholds = bands(scales, workspace_scales(workspace)[1])
    poor = _case("question", {q: f"score <= {p!r}" for q, (p, _) in thresholds.items()})
    good = _case("question", {q: f"score >= {g!r}" for q, (_, g) in thresholds.items()})
    where = (
        [f"journey_id IN ({_instances(source, feedback, journey)})"]
        if len(workspace.journeys) > 1
        else []
    )
    outer = []
    if start is not None:
        outer.append(f"timestamp >= CAST({_literal(_utc(start).isoformat())} AS TIMESTAMPTZ)")
    if end is not None:
        outer.append(f"timestamp < CAST({_literal(_utc(end).isoformat())} AS TIMESTAMPTZ)")
    if segments:
        outer.append(f"segment IN ({', '.join(map(_literal, segments))})")
    return f"""
SELECT * FROM (
  SELECT journey_id, timestamp, answer_seq, question, score, touchpoint, comment,
    coalesce(step, {_case("touchpoint", steps)}) AS step, channel,
    coalesce(segment, min(segment) OVER (PARTITION BY journey_id)) AS segment,
    strftime(timezone('UTC', timestamp), '%Y-%m') AS month,
    {norm} AS norm, coalesce({poor}, false) AS poor, coalesce({good}, false) AS good
  FROM "{feedback}" {"WHERE " + " AND ".join(where) if where else ""}
) {"WHERE " + " AND ".join(outer) if outer else ""}"""


def _instances(source: EventSource, feedback: str, journey: Journey) -> str:
    """SQL of the journey instances that belong to ``journey``: an answer or an event at
    one of its touchpoints."""
    ids = ", ".join(_literal(t.id) for t in journey.touchpoints) or "NULL"
    sql = f'SELECT journey_id FROM "{feedback}" WHERE touchpoint IN ({ids})'
    try:
        events = source.table_name("events")
    except NotFound:
        return sql
    return sql + f' UNION SELECT journey_id FROM "{events}" WHERE activity IN ({ids})'


def _journey(workspace: Workspace, journey_id: str | None) -> Journey:
    try:
        return workspace.journey(journey_id)
    except KeyError:
        known = ", ".join(j.id for j in workspace.journeys) or "none"
        raise NotFound(
            f"no journey {journey_id or workspace.workspace.default_journey!r} in "
            f"workspace {workspace.workspace.id!r}; the journeys are: {known}"
        ) from None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _filters(
    start: datetime | None, end: datetime | None, segments: tuple[str, ...]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if start is not None:
        out["start"] = _utc(start).isoformat()
    if end is not None:
        out["end"] = _utc(end).isoformat()
    if segments:
        out["segments"] = list(segments)
    return out


def _group_filters(journey_filter: JourneyFilter | None) -> dict[str, Any]:
    """The case attribute, persona and cohort filters that are set, JSON-ready."""
    if journey_filter is None:
        return {}
    kept = ("attributes", "personas", "cohorts")
    return {k: v for k, v in journey_filter.to_dict().items() if k in kept}
