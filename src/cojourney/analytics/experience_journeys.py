"""Per journey instance: touchpoint versus journey experience, peak-end, moments of truth.

All three work on *normalised* answers (``norm``: each question's scale onto 0..1)
of the filtered answers table of :mod:`cojourney.analytics.experience`:

* a journey's **touchpoint score** is the mean normalised answer about its
  touchpoints, its **journey score** the mean normalised journey-level answer
  (``touchpoint`` null: NPS, CES...), over questions with a known scale;
* **gap** (:func:`touchpoint_gap`): over journeys with both, the mean difference,
  the correlation, and the journeys whose touchpoint answers are all good while
  their journey-level answers are all poor (and the reverse);
* **peak-end** (:func:`peak_end`): over journeys with 2 or more touchpoint
  ``emotion``/``csat`` answers and a journey score; the *peak* is the answer
  farthest from neutral (the scale's middle; ties: the earliest), the *end* the
  last one (by time, then input order); Pearson's r of (peak + end)/2, and of the
  mean of those answers, with the journey score;
* **moments of truth** (:func:`moments_of_truth`): per touchpoint, the mean journey
  score of journeys with a poor answer there against that of the other scored
  journeys (Welch's 95% interval). A touchpoint is *significant* when its interval
  lies wholly on one side of 0; the significant ones are ranked first, from the most
  harmful (most negative difference), then those whose interval crosses 0 (or cannot
  be computed) in the same order: a large difference on a handful of answers does not
  outrank a smaller, certain one.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

import numpy as np

from cojourney.analytics.experience_results import (
    GapJourney,
    MomentOfTruth,
    PeakEnd,
    PeakEndTouchpoint,
    Share,
    TouchpointJourneyGap,
)
from cojourney.analytics.stats import (
    Estimate,
    correlation,
    mean_intervals,
    proportion,
    welch_from_stats,
)

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Journey, Workspace
    from cojourney.events.sql import SqlConnection

__all__ = ["moments_of_truth", "peak_end", "touchpoint_gap"]

#: Questions whose touchpoint answers make the peak and the end.
PEAK_END_QUESTIONS: Final[tuple[str, ...]] = ("emotion", "csat")


def _journey_scores(table: str) -> str:
    return (
        f"SELECT journey_id, avg(norm) AS j_score, count(*) AS j_n, bool_and(good) AS j_good, "
        f"bool_and(poor) AS j_poor FROM {table} WHERE touchpoint IS NULL AND norm IS NOT NULL "
        "GROUP BY journey_id"
    )


def _estimate(mean: float | None, sd: float | None, n: int) -> Estimate:
    if mean is None:
        return Estimate(None, n, None, None)
    low, high = mean_intervals([mean], [math.nan if sd is None else sd], [n])
    return Estimate(float(mean), n, _f(low[0]), _f(high[0]))


def _f(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _share(count: int, n: int) -> Share:
    p = proportion(count, n)
    return Share(count, n, p.value, p.low, p.high)


# --------------------------------------------------------------------------- gap


def touchpoint_gap(con: SqlConnection, table: str, top: int = 20) -> TouchpointJourneyGap:
    """Touchpoint versus journey experience (see the module docstring)."""
    per = (
        f"SELECT journey_id, tp_score, j_score, tp_score - j_score AS gap, tp_n, j_n, "
        f"tp_good AND j_poor AS well_but_poor, tp_poor AND j_good AS poor_but_well "
        f"FROM (SELECT journey_id, avg(norm) AS tp_score, count(*) AS tp_n, "
        f"bool_and(good) AS tp_good, bool_and(poor) AS tp_poor FROM {table} "
        f"WHERE touchpoint IS NOT NULL AND norm IS NOT NULL GROUP BY journey_id) "
        f"JOIN ({_journey_scores(table)}) USING (journey_id)"
    )
    row = con.execute(
        f"SELECT count(*), avg(tp_score), stddev_samp(tp_score), avg(j_score), "
        f"stddev_samp(j_score), avg(gap), stddev_samp(gap), corr(tp_score, j_score), "
        f"count(*) FILTER (WHERE well_but_poor), count(*) FILTER (WHERE poor_but_well) "
        f"FROM ({per})"
    ).fetchone()
    assert row is not None
    n = int(row[0])

    def listed(flag: str, order: str) -> tuple[GapJourney, ...]:
        rows = con.execute(
            f"SELECT journey_id, tp_score, j_score, gap, tp_n, j_n FROM ({per}) "
            f"WHERE {flag} ORDER BY gap {order}, journey_id LIMIT {int(top)}"
        ).fetchall()
        return tuple(
            GapJourney(str(r[0]), float(r[1]), float(r[2]), float(r[3]), int(r[4]), int(r[5]))
            for r in rows
        )

    return TouchpointJourneyGap(
        journeys=n,
        touchpoint_score=_estimate(row[1], row[2], n),
        journey_score=_estimate(row[3], row[4], n),
        gap=_estimate(row[5], row[6], n),
        correlation=correlation(row[7], n),
        well_but_poor=_share(int(row[8]), n),
        poor_but_well=_share(int(row[9]), n),
        well_but_poor_journeys=listed("well_but_poor", "DESC"),
        poor_but_well_journeys=listed("poor_but_well", "ASC"),
    )


# --------------------------------------------------------------------------- peak-end


def peak_end(con: SqlConnection, table: str) -> PeakEnd:
    """Peak-end against the mean of all touchpoint answers (see the module docstring)."""
    questions = ", ".join(f"'{q}'" for q in PEAK_END_QUESTIONS)
    per = f"""
SELECT r.journey_id, avg(norm) AS mean_all,
  max(norm) FILTER (WHERE peak_rank = 1) AS peak,
  max(touchpoint) FILTER (WHERE peak_rank = 1) AS peak_tp,
  max(norm) FILTER (WHERE end_rank = 1) AS last,
  max(touchpoint) FILTER (WHERE end_rank = 1) AS end_tp,
  any_value(j.j_score) AS j_score
FROM (SELECT journey_id, touchpoint, norm,
        row_number() OVER (PARTITION BY journey_id ORDER BY abs(norm - 0.5) DESC, timestamp,
                           answer_seq) AS peak_rank,
        row_number() OVER (PARTITION BY journey_id ORDER BY timestamp DESC, answer_seq DESC)
          AS end_rank
      FROM {table} WHERE touchpoint IS NOT NULL AND norm IS NOT NULL
        AND question IN ({questions})) r
JOIN ({_journey_scores(table)}) j USING (journey_id)
GROUP BY r.journey_id HAVING count(*) >= 2"""
    held = f"{table}_peak_end"
    con.execute(f"CREATE TEMP TABLE {held} AS {per}")
    try:
        row = con.execute(
            f"SELECT count(*), corr((peak + last) / 2, j_score), "
            f"corr(mean_all, j_score) FROM {held}"
        ).fetchone()
        counts = con.execute(
            f"SELECT tp, sum(p)::BIGINT AS peaks, sum(e)::BIGINT AS ends FROM (SELECT peak_tp "
            f"AS tp, 1 AS p, 0 AS e FROM {held} UNION ALL SELECT end_tp, 0, 1 FROM {held}) "
            f"GROUP BY tp "
            f"ORDER BY peaks + ends DESC, peaks DESC, tp"
        ).fetchall()
    finally:
        con.execute(f"DROP TABLE IF EXISTS {held}")
    assert row is not None
    n = int(row[0])
    touchpoints = tuple(
        PeakEndTouchpoint(str(t), int(p), int(e), p / n if n else 0.0, e / n if n else 0.0)
        for t, p, e in counts
    )
    pe, mean_all = correlation(row[1], n), correlation(row[2], n)
    better = None
    if (
        pe.r_squared is not None
        and mean_all.r_squared is not None
        and pe.r_squared != mean_all.r_squared
    ):
        better = "peak_end" if pe.r_squared > mean_all.r_squared else "mean_of_all"
    return PeakEnd(n, pe, mean_all, better, touchpoints)


# --------------------------------------------------------------------------- moments of truth


def moments_of_truth(
    con: SqlConnection, table: str, journey: Journey, workspace: Workspace
) -> tuple[MomentOfTruth, ...]:
    """Every touchpoint of the journey (and any other answered one), ranked by how much
    lower the journey score is after a poor answer there."""
    rows = con.execute(f"""
WITH js AS ({_journey_scores(table)}),
poor AS (SELECT DISTINCT journey_id, touchpoint FROM {table}
         WHERE touchpoint IS NOT NULL AND poor)
SELECT touchpoint, count(*), sum(j_score), sum(j_score * j_score)
FROM poor JOIN js USING (journey_id) GROUP BY touchpoint""").fetchall()
    design = {t.id: t for t in journey.touchpoints}
    names = {t.id: t for t in workspace.all_touchpoints().values()}
    found = {str(r[0]): r for r in rows}
    total = con.execute(
        f"SELECT count(*), sum(j_score), sum(j_score * j_score) FROM ({_journey_scores(table)})"
    ).fetchone()
    assert total is not None
    ids = list(dict.fromkeys([*journey.expected_order(), *design, *sorted(found)]))
    n_all = float(total[0])
    s_all, ss_all = float(total[1] or 0.0), float(total[2] or 0.0)
    na = np.array([float(found[t][1]) if t in found else 0.0 for t in ids])
    sa = np.array([float(found[t][2]) if t in found else 0.0 for t in ids])
    ssa = np.array([float(found[t][3]) if t in found else 0.0 for t in ids])
    nb, sb, ssb = n_all - na, s_all - sa, ss_all - ssa
    with np.errstate(divide="ignore", invalid="ignore"):
        ma, mb = sa / na, sb / nb
        sda = np.sqrt(np.maximum(ssa - na * ma * ma, 0.0) / (na - 1))
        sdb = np.sqrt(np.maximum(ssb - nb * mb * mb, 0.0) / (nb - 1))
    diff, low, high, _, p = welch_from_stats(ma, sda, na, mb, sdb, nb)
    with np.errstate(invalid="ignore"):
        significant = np.isfinite(low) & np.isfinite(high) & ((high < 0) | (low > 0))
    order = sorted(
        range(len(ids)),
        key=lambda i: (
            not significant[i],
            math.isnan(diff[i]),
            diff[i] if not math.isnan(diff[i]) else 0.0,
            ids[i],
        ),
    )
    out = []
    for rank, i in enumerate(order, 1):
        t = ids[i]
        tp = names.get(t)
        out.append(
            MomentOfTruth(
                rank,
                t,
                tp.name if tp else t,
                bool(tp and tp.moment_of_truth),
                int(na[i]),
                int(nb[i]),
                _f(ma[i]) if na[i] else None,
                _f(mb[i]) if nb[i] else None,
                _f(diff[i]),
                _f(low[i]),
                _f(high[i]),
                _f(p[i]),
                bool(significant[i]),
            )
        )
    return tuple(out)
