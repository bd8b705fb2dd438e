"""Scores per question, overall and by touchpoint, step, segment, channel and month,
and the emotion curve (DuckDB SQL over the filtered answers of
:mod:`cojourney.analytics.experience`).

One ``GROUPING SETS`` query counts, per question and group, the answers with a
score, their mean and standard deviation, the 4-5 answers (CSAT), promoters (9-10)
and detractors (0-6); the intervals are then computed for all groups at once
(:mod:`cojourney.analytics.stats`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from cojourney.analytics.experience_results import EmotionPoint, ScoreBreakdown, ScoreRow
from cojourney.analytics.stats import mean_intervals, nps_intervals, wilson_intervals

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Journey
    from cojourney.events.sql import SqlConnection

__all__ = ["DIMENSIONS", "emotion_curve", "metric_of", "score_breakdowns"]

#: The breakdown dimensions, in the order they are reported.
DIMENSIONS: Final[tuple[str, ...]] = ("touchpoint", "step", "segment", "channel", "month")
#: The headline metric of the standard questions; every other question is ``mean``.
METRICS: Final[dict[str, str]] = {"csat": "csat", "nps": "nps"}


def metric_of(question: str) -> str:
    """``csat``, ``nps`` or ``mean``: how a question's answers are summarised."""
    return METRICS.get(question, "mean")


def score_breakdowns(
    con: SqlConnection,
    table: str,
    journey: Journey,
    extra: Mapping[str, str] | None = None,
) -> tuple[tuple[ScoreRow, ...], tuple[ScoreBreakdown, ...]]:
    """Every question's score overall, by each of :data:`DIMENSIONS`, and by each
    ``extra`` dimension (``{dimension: column of table}``, e.g. a journey's persona)."""
    names = (*DIMENSIONS, *(extra or {}))
    columns = (*DIMENSIONS, *(f'"{c}"' for c in (extra or {}).values()))
    dims = ", ".join(columns)
    sets = ", ".join(["(question)", *(f"(question, {d})" for d in columns)])
    rows = con.execute(f"""
SELECT question, {dims}, GROUPING({dims}) AS g, count(score) AS n, avg(score) AS mean,
  stddev_samp(score) AS sd, count(*) FILTER (WHERE score >= 4) AS top,
  count(*) FILTER (WHERE score >= 9) AS promoters, count(*) FILTER (WHERE score <= 6) AS detractors
FROM {table} WHERE score IS NOT NULL
GROUP BY GROUPING SETS ({sets})""").fetchall()
    groups: dict[str | None, list[ScoreRow]] = {None: [], **{d: [] for d in names}}
    for dimension, score in _score_rows(rows, names):
        groups[dimension].append(score)
    overall = groups[None]
    order = _orders(journey)
    overall.sort(key=lambda s: (-s.n, s.question))
    breakdowns = []
    for dim in names:
        items = sorted(groups[dim], key=order.get(dim, _by_size))
        breakdowns.append(ScoreBreakdown(dim, tuple(items)))
    return tuple(overall), tuple(breakdowns)


def _score_rows(
    rows: list[tuple[Any, ...]], names: tuple[str, ...]
) -> list[tuple[str | None, ScoreRow]]:
    """The rows' dimensions (``None``: overall), scores and intervals, computed for all rows
    at once. ``GROUPING(...)`` has a bit per dimension, the first one the highest, set
    when the dimension is not grouped on."""
    if not rows:
        return []
    k = len(names)
    cols = list(zip(*rows, strict=True))
    n = np.array(cols[k + 2], dtype=float)
    mean = np.array([np.nan if v is None else v for v in cols[k + 3]], dtype=float)
    sd = np.array([np.nan if v is None else v for v in cols[k + 4]], dtype=float)
    top, promoters, detractors = (np.array(cols[i], dtype=float) for i in (k + 5, k + 6, k + 7))
    c_low, c_high = wilson_intervals(top, n)
    nps_value, n_low, n_high = nps_intervals(promoters, detractors, n)
    m_low, m_high = mean_intervals(mean, sd, n)
    out = []
    for i, row in enumerate(rows):
        question = str(row[0])
        metric = metric_of(question)
        g = int(row[k + 1])
        grouped = next((j for j in range(k) if not g & (1 << (k - 1 - j))), None)
        key = None if grouped is None else row[1 + grouped]
        if metric == "csat":
            value, low, high = top[i] / n[i], c_low[i], c_high[i]
        elif metric == "nps":
            value, low, high = nps_value[i], n_low[i], n_high[i]
        else:
            value, low, high = mean[i], m_low[i], m_high[i]
        out.append(
            (
                None if grouped is None else names[grouped],
                ScoreRow(
                    question,
                    metric,
                    None if key is None else str(key),
                    int(n[i]),
                    _f(value),
                    _f(low),
                    _f(high),
                    _f(mean[i]),
                ),
            )
        )
    return out


def _f(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


SortKey = Callable[[ScoreRow], tuple[Any, ...]]


def _by_size(row: ScoreRow) -> tuple[Any, ...]:
    return (row.question, row.key is None, -row.n, row.key or "")


def _orders(journey: Journey) -> dict[str, SortKey]:
    """Sort keys: touchpoints and steps in design order, months in time order."""
    tp_rank = {tp: i for i, tp in enumerate(journey.expected_order())}
    tp_rank.update(
        {t.id: len(tp_rank) + i for i, t in enumerate(journey.touchpoints) if t.id not in tp_rank}
    )
    step_rank = {s.id: i for i, s in enumerate(journey.steps)}
    big = 1 << 30

    def by(rank: dict[str, int]) -> SortKey:
        return lambda r: (r.question, r.key is None, rank.get(r.key or "", big), r.key or "")

    return {
        "touchpoint": by(tp_rank),
        "step": by(step_rank),
        "month": lambda r: (r.question, r.key is None, r.key or ""),
        "cohort": lambda r: (r.question, r.key is None, r.key or ""),
    }


def emotion_curve(
    journey: Journey, breakdowns: tuple[ScoreBreakdown, ...]
) -> tuple[EmotionPoint, ...]:
    """Per step of the journey, in order: designed emotion and measured ``emotion`` answers."""
    by_step = next(b for b in breakdowns if b.dimension == "step")
    measured = {r.key: r for r in by_step.rows if r.question == "emotion"}
    designed = journey.designed_emotion_by_step()
    points = []
    for step in journey.steps:
        m = measured.get(step.id)
        points.append(
            EmotionPoint(
                step.id,
                step.name,
                designed.get(step.id),
                m.value if m else None,
                m.n if m else 0,
                m.low if m else None,
                m.high if m else None,
            )
        )
    return tuple(points)
