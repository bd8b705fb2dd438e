"""Indicators measured from imported measurements: :func:`measurement_series`.

An indicator without a ``measure`` (nothing cojourney can compute from events or
survey answers) is measured from the ``measurements`` log when that log holds
values for it (``cojourney import --kind measurements``, or the demo's simulated
telematics, billing and monitoring). Its value in a period is the **mean** of its
measurements whose time falls in that period (all segments together), ``n`` the
number of measurements; the period is the month. Status (on the latest period with a
value) and trend follow the same rules as every other indicator
(:func:`cojourney.analytics.measures_results.status_of`, :func:`~cojourney.analytics.measures_results.trend_of`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from cojourney.analytics.measures_calendar import Frame, period_floor, period_next
from cojourney.analytics.measures_results import (
    IndicatorSeries,
    PeriodValue,
    status_of,
    trend_of,
)
from cojourney.errors import NotFound

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.domain import Workspace
    from cojourney.domain.value import Indicator
    from cojourney.events.store import EventSource

__all__ = ["MEASUREMENT_PERIOD", "measured_indicator_ids", "measurement_series"]

#: The period unit of indicators measured from measurements.
MEASUREMENT_PERIOD = "month"


def measured_indicator_ids(source: EventSource) -> set[str]:
    """The indicators the source holds measurements of (none without the log)."""
    try:
        table = source.table_name("measurements")
    except NotFound:
        return set()
    rows = source.sql.execute(f'SELECT DISTINCT indicator FROM "{table}"').fetchall()
    return {str(r[0]) for r in rows}


def measurement_series(
    source: EventSource,
    workspace: Workspace,
    indicator: Indicator,
    *,
    start: date | None = None,
    end: date | None = None,
) -> IndicatorSeries:
    """The indicator's monthly series from its measurements (see the module docstring).

    Raises
    ------
    cojourney.errors.NotFound
        The source has no measurements log.
    """
    table = source.table_name("measurements")
    frame = Frame(workspace.workspace.time_zone, MEASUREMENT_PERIOD, start, end)
    ts = '"timestamp"'
    period = frame.period_of(ts)
    rows = source.sql.execute(
        f'SELECT {period} AS p, count(*), avg(value) FROM "{table}" '
        f"WHERE indicator = ? AND {frame.window(ts)} GROUP BY p ORDER BY p",
        [indicator.id],
    ).fetchall()
    by_period: dict[date, tuple[int, float | None]] = {
        _day(p): (int(n), float(v)) for p, n, v in rows
    }
    total = sum(n for n, _v in by_period.values())
    overall_row = source.sql.execute(
        f'SELECT avg(value) FROM "{table}" WHERE indicator = ? AND {frame.window(ts)}',
        [indicator.id],
    ).fetchone()
    overall = float(overall_row[0]) if overall_row and overall_row[0] is not None else None
    periods = _calendar(frame, by_period)
    current = next((p for p in reversed(periods) if p.n > 0), None)
    trend, slope = trend_of(periods, indicator.direction)
    return IndicatorSeries(
        indicator.id,
        indicator.name,
        indicator.unit,
        indicator.direction,
        indicator.target,
        indicator.warning,
        "measurements",
        "mean",
        MEASUREMENT_PERIOD,
        tuple(periods),
        overall,
        total,
        current,
        status_of(indicator, current.value if current else None),
        trend,
        slope,
    )


def _day(value: object) -> date:
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    return date.fromisoformat(str(value)[:10])


def _calendar(frame: Frame, by_period: dict[date, tuple[int, float | None]]) -> list[PeriodValue]:
    known = sorted(by_period)
    first = (
        period_floor(frame.start, frame.period) if frame.start else (known[0] if known else None)
    )
    last = period_floor(frame.end, frame.period) if frame.end else (known[-1] if known else None)
    out: list[PeriodValue] = []
    if first is None or last is None:
        return out
    day = first
    while day <= last:
        n, value = by_period.get(day, (0, None))
        out.append(PeriodValue(day, value, n))
        day = period_next(day, frame.period)
    return out
