"""Indicators timed by an SLA clock: one computation for ``value`` and ``agreements``.

An agreement's clock may name the indicator whose targets it measures
(``clock.indicator``), e.g. "licence check time" timed from the upload to the approval
in office hours. Such a ``duration`` indicator then has *one* value per period, the
clock's: the ``statistic`` (median, p95, ...) of the business time (pauses left out)
of the journeys whose clock stopped in time or late (``met`` or ``breached`` with a
stop event), in the measure's ``time_unit`` x ``factor``, per period of the clock's
start. Both ``cojourney value`` (:func:`cojourney.analytics.value_realization.realize_value`)
and ``cojourney agreements``
(:func:`cojourney.analytics.agreement_targets.judge_by_clocks`) show these values,
and both judge a period the same way: met (on track) when the clock's compliance for
that period reaches the target's attainment; otherwise the indicator's warning level
tells *at risk* from *off track* in ``value``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from cojourney.analytics.measures_results import IndicatorSeries, Status, status_of
from cojourney.analytics.sla_results import ClockStatus
from cojourney.domain.measures import MeasureKind, Statistic

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Agreement, Indicator, Measure, SlaClock, Workspace

__all__ = ["clock_of", "clock_period_values", "clock_series", "statistic_of"]


def clock_of(workspace: Workspace, indicator: Indicator) -> tuple[Agreement, SlaClock] | None:
    """The first agreement clock that names ``indicator`` (a ``duration`` measure only)."""
    measure = indicator.measure
    if measure is None or measure.kind is not MeasureKind.DURATION:
        return None
    for agreement in workspace.agreements:
        for clock in agreement.clocks:
            if clock.indicator == indicator.id:
                return agreement, clock
    return None


def statistic_of(values: np.ndarray, statistic: Statistic) -> float | None:
    """``statistic`` of ``values`` (percentiles interpolate linearly; empty: ``None``)."""
    if values.size == 0:
        return None
    match statistic:
        case Statistic.MEDIAN:
            return float(np.percentile(values, 50))
        case Statistic.P90:
            return float(np.percentile(values, 90))
        case Statistic.P95:
            return float(np.percentile(values, 95))
        case Statistic.SUM:
            return float(values.sum())
        case Statistic.MIN:
            return float(values.min())
        case Statistic.MAX:
            return float(values.max())
        case _:
            return float(values.mean())


def clock_period_values(
    result: ClockResult, measure: Measure, priority: str | None = None
) -> tuple[dict[date, tuple[int, float | None]], tuple[int, float | None]]:
    """Per period of the clock's start: (journeys, value) of the stopped clocks, and
    the same over every period (see the module docstring).

    ``priority`` keeps the journeys of that priority only.
    """
    j = result.journeys
    decided = np.isin(j.status, [ClockStatus.MET.value, ClockStatus.BREACHED.value])
    keep = decided & np.isfinite(j.stop) & np.isfinite(j.elapsed_seconds)
    if priority is not None:
        keep &= j.priority == priority
    scale = measure.factor / measure.time_unit.seconds
    values = j.elapsed_seconds * scale
    out: dict[date, tuple[int, float | None]] = {}
    for period in np.unique(j.period[keep]).tolist():
        rows = keep & (j.period == np.datetime64(period, "D"))
        out[period] = (int(rows.sum()), statistic_of(values[rows], measure.statistic))
    return out, (int(keep.sum()), statistic_of(values[keep], measure.statistic))


def clock_series(
    workspace: Workspace,
    indicator: Indicator,
    result: ClockResult,
    *,
    start: date | None = None,
    end: date | None = None,
) -> IndicatorSeries:
    """The indicator's series from its clock, judged as the agreement judges it.

    Values per period: :func:`clock_period_values`. Status on the latest period with
    stopped clocks: ``on_track`` when the clock's compliance there meets the attainment,
    else ``at_risk`` or ``off_track`` by the indicator's warning level (as
    :func:`cojourney.analytics.measures.status_of`, but a value that meets the target
    while the compliance misses is ``at_risk``); without a verdict, by the value.
    """
    from dataclasses import replace

    from cojourney.analytics.measures import series_from_periods

    measure = indicator.measure
    assert measure is not None
    by_period, (n, overall) = clock_period_values(result, measure)
    note = (
        f"business time of the SLA clock {result.agreement_id}/{result.clock_id} "
        f"(pauses left out; stopped clocks), judged by its compliance"
    )
    series = series_from_periods(
        workspace, indicator, by_period, overall, n, start=start, end=end, period=result.period_unit
    )
    current = series.current
    verdict = result.period(current.period_start) if current is not None else None
    if verdict is None or verdict.meets is None:
        return replace(series, note=note)
    if verdict.meets:
        status = Status.ON_TRACK
    else:
        status = status_of(indicator, current.value if current else None)
        if status is Status.ON_TRACK:
            status = Status.AT_RISK
    return replace(series, status=status, note=note)
