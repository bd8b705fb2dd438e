"""Evaluate value indicators on the imported events and feedback: :func:`measure_series`.

An indicator's ``measure`` (:mod:`cojourney.domain.measures`) is compiled to SQL
(:mod:`.measures_sql`) and run on the source's DuckDB connection: this module runs on
DuckDB only (an :class:`~cojourney.events.store.EventSource`, from an event store or a
Parquet dataset). Everything is vectorised: one query per indicator.

What comes back (:class:`IndicatorSeries`):

* **per period** (``measure.period``, ``month`` by default; periods are calendar
  periods in the workspace's time zone, weeks start on Monday): the value and ``n``,
  the number of units it summarises (events, journeys, answers: see
  :mod:`.measures_sql`). Every period between the first and the last one (or the
  ``start``/``end`` window) is listed; a period without units has no value, except
  for totals (``count`` and the ``sum`` statistic), which are 0 there.
* **overall**: the statistic over every unit of the window; for totals, the mean
  total per period.
* **current**: the latest period with units. The **status** compares it with the
  indicator's target and warning level: ``on_track`` (target met), ``at_risk``
  (target missed, not beyond the warning level), ``off_track`` (beyond the warning
  level, or target missed when there is no warning level), ``no_data``, ``no_target``
  (and ``not_measured`` for an indicator without a measure, in value realization).
* **trend**: the least-squares slope of the last :data:`TREND_PERIODS` periods with a
  value (x = period number, gaps count), divided by the absolute mean of those
  values: a change of at least :data:`TREND_THRESHOLD` (2 % of the mean) per period
  is ``improving`` or ``worsening`` according to the indicator's direction, less is
  ``stable`` (with a mean of 0, any slope is a trend); fewer than
  :data:`TREND_MIN_PERIODS` values give no trend (``None``).

Percentiles (``median``, ``p90``, ``p95``) interpolate linearly between values,
like ``numpy.percentile``'s default.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cojourney.analytics.measures_calendar import (
    Frame,
    lit,
    parse_period,
    period_floor,
    period_next,
)
from cojourney.analytics.measures_results import (
    TREND_MIN_PERIODS,
    TREND_PERIODS,
    TREND_THRESHOLD,
    IndicatorSeries,
    PeriodValue,
    Status,
    Trend,
    status_of,
    trend_of,
)
from cojourney.analytics.measures_sql import JourneySet, Tables, UnitsQuery, compile_units
from cojourney.domain.value import Indicator
from cojourney.errors import InputError, Location, NotFound, Problem

if TYPE_CHECKING:  # pragma: no cover
    import duckdb
    import numpy as np

    from cojourney.domain import Measure, PeriodUnit, Workspace
    from cojourney.events.store import EventSource

__all__ = [
    "TREND_MIN_PERIODS",
    "TREND_PERIODS",
    "TREND_THRESHOLD",
    "IndicatorSeries",
    "JourneySet",
    "PeriodValue",
    "Status",
    "Trend",
    "UnitValues",
    "evaluate",
    "find_indicator",
    "measure_series",
    "require_measure",
    "status_of",
    "trend_of",
    "unit_values",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitValues:
    """The units of a measure as arrays (for tests of differences between groups).

    ``group`` holds the label given by the caller's SQL expression (or ``None``);
    ``period_start`` the unit's period; ``value`` the unit's ``y``.
    """

    journey_id: np.ndarray
    local_date: np.ndarray
    period_start: np.ndarray
    value: np.ndarray
    group: np.ndarray
    statistic: str
    additive: bool


# --------------------------------------------------------------------------- entry points


def measure_series(
    source: EventSource,
    workspace: Workspace,
    indicator: Indicator | str,
    *,
    start: date | None = None,
    end: date | None = None,
    segment: str | None = None,
    journeys: Collection[str]
    | duckdb.DuckDBPyRelation
    | JourneySet
    | Sequence[JourneySet]
    | None = None,
    period: PeriodUnit | str | None = None,
) -> IndicatorSeries:
    """Evaluate an indicator's measure on ``source``, per period.

    Parameters
    ----------
    source
        The events and feedback (DuckDB).
    workspace
        Gives the time zone of the periods (``workspace.workspace.time_zone``) and the
        indicator when ``indicator`` is an id.
    indicator
        The indicator, or its id.
    start, end
        The window: units whose time falls on ``start`` .. ``end`` (both included,
        local dates). Without them, every unit.
    segment
        Only journeys of this segment (in addition to the measure's own ``segment``).
    journeys
        Only these journeys: ids, a DuckDB relation with a ``journey_id`` column, or
        one or more :class:`JourneySet` (all must hold).
    period
        Overrides the measure's period (``month``, ``quarter``, ``semester``...).

    Returns
    -------
    IndicatorSeries
        Values per period, overall, status and trend. A feedback measure without
        imported feedback gives a series without data and a ``note``.

    Raises
    ------
    cojourney.errors.NotFound
        No indicator of that id.
    cojourney.errors.InputError
        The indicator has no ``measure``, or ``period`` is unknown.
    """
    ind = find_indicator(workspace, indicator)
    sets = _journey_sets(journeys)
    if segment is not None:
        sets.append(JourneySet.segment(segment))
    return evaluate(source, workspace, ind, start=start, end=end, sets=sets, period=period)


def find_indicator(workspace: Workspace, indicator: Indicator | str) -> Indicator:
    """The indicator itself, or the workspace's indicator of that id."""
    if isinstance(indicator, Indicator):
        return indicator
    found: Indicator = workspace.require("indicators", indicator)
    return found


def require_measure(indicator: Indicator) -> Measure:
    """The indicator's measure, or an :class:`InputError` that says how to add one."""
    if indicator.measure is None:
        raise InputError(
            Problem(
                f"indicator {indicator.id!r} has no measure, so it cannot be computed",
                Location(field=f"indicators[{indicator.id}].measure"),
                found="no 'measure:'",
                expected="a measure (kind, touchpoints...)",
                hint="add a 'measure:' to the indicator (see docs/concepts.md)",
            )
        )
    return indicator.measure


def evaluate(
    source: EventSource,
    workspace: Workspace,
    indicator: Indicator,
    *,
    start: date | None = None,
    end: date | None = None,
    sets: Sequence[JourneySet] = (),
    period: PeriodUnit | str | None = None,
) -> IndicatorSeries:
    """:func:`measure_series` with the journeys given as :class:`JourneySet` objects."""
    measure = require_measure(indicator)
    frame = _frame(workspace, measure, start, end, period)
    con = source.sql
    try:
        units, filters = _compile(source, measure, list(sets), frame)
    except NotFound as exc:
        return _series(indicator, measure, frame, {}, None, 0, False, note=str(exc))
    try:
        sql = (
            f"WITH u AS (SELECT *, {frame.period_of('t')} AS p FROM ({units.sql}) "
            f"WHERE {frame.window('t')}) "
            f"SELECT grouping(p) AS overall, p, count(*) AS n, {units.aggregate()} AS v "
            f"FROM u GROUP BY GROUPING SETS ((p), ())"
        )
        rows = con.execute(sql).fetchall()
    finally:
        for s in filters:
            s.release()
    by_period = {r[1]: (int(r[2]), _number(r[3])) for r in rows if not r[0]}
    total = next(((int(r[2]), _number(r[3])) for r in rows if r[0]), (0, None))
    log.debug("indicator %s: %d units in %d periods", indicator.id, total[0], len(by_period))
    return _series(indicator, measure, frame, by_period, total[1], total[0], units.additive)


def unit_values(
    source: EventSource,
    workspace: Workspace,
    indicator: Indicator,
    *,
    start: date | None = None,
    end: date | None = None,
    sets: Sequence[JourneySet] = (),
    group_sql: str | None = None,
    group_sets: dict[str, JourneySet] | None = None,
) -> UnitValues:
    """Every unit of an indicator's measure, with a group label.

    Parameters
    ----------
    group_sql
        A SQL expression over ``t`` (the unit's time) and ``d`` (its local date)
        giving the unit's group label.
    group_sets
        ``{label: journeys}``: a unit's group is the label whose journeys hold it;
        units whose journey is in several sets, or in none, are left out.
    """
    import numpy as np

    measure = require_measure(indicator)
    frame = _frame(workspace, measure, start, end, None)
    units, filters = _compile(source, measure, list(sets), frame)
    con = source.sql
    tz = workspace.workspace.time_zone
    label = group_sql or "NULL"
    try:
        if group_sets:
            cases = []
            for name, js in group_sets.items():
                filters.append(js)
                member = f"journey_id IN ({js.sql(con, _tables(source))})"
                cases.append((name, member))
            hits = " + ".join(f"CAST({m} AS INTEGER)" for _, m in cases)
            label = "CASE " + " ".join(f"WHEN {m} THEN {lit(n)}" for n, m in cases) + " END"
            where = f" AND ({hits}) = 1"
        else:
            where = ""
        sql = (
            f"SELECT journey_id, d, p, y, CAST({label} AS VARCHAR) AS g FROM ("
            f"SELECT journey_id, y, t, CAST(timezone({lit(tz)}, t) AS DATE) AS d, "
            f"{frame.period_of('t')} AS p FROM ({units.sql}) WHERE {frame.window('t')}) "
            f"WHERE TRUE{where} ORDER BY p, d, journey_id"
        )
        data = con.execute(sql).fetchnumpy()
    finally:
        for s in filters:
            s.release()
    return UnitValues(
        np.asarray(data["journey_id"]),
        np.asarray(data["d"]).astype("datetime64[D]"),
        np.asarray(data["p"]).astype("datetime64[D]"),
        np.asarray(data["y"], dtype=float),
        np.asarray(data["g"]),
        units.statistic.value,
        units.additive,
    )


# --------------------------------------------------------------------------- helpers


def _tables(source: EventSource) -> Tables:
    try:
        feedback: str | None = source.table_name("feedback")
    except NotFound:
        feedback = None
    return Tables(source.table_name("events"), feedback)


def _compile(
    source: EventSource, measure: Measure, sets: list[JourneySet], frame: Frame
) -> tuple[UnitsQuery, list[JourneySet]]:
    if measure.segment:
        sets = [*sets, JourneySet.segment(measure.segment)]
    tables = _tables(source)
    filters = [s.sql(source.sql, tables) for s in sets]
    try:
        return compile_units(measure, tables, filters, frame), sets
    except BaseException:
        for s in sets:
            s.release()
        raise


def _frame(
    workspace: Workspace,
    measure: Measure,
    start: date | None,
    end: date | None,
    period: PeriodUnit | str | None,
) -> Frame:
    if start is not None and end is not None and end < start:
        raise InputError(
            Problem(
                "the time window is empty",
                Location(field="end"),
                found=f"{start} .. {end}",
                hint="the end must not come before the start",
            )
        )
    unit = parse_period(period if period is not None else measure.period)
    return Frame(workspace.workspace.time_zone, unit, start, end)


def _journey_sets(journeys: Any) -> list[JourneySet]:
    if journeys is None:
        return []
    if isinstance(journeys, JourneySet):
        return [journeys]
    if (
        isinstance(journeys, Sequence)
        and not isinstance(journeys, str)
        and journeys
        and all(isinstance(j, JourneySet) for j in journeys)
    ):
        return list(journeys)
    if isinstance(journeys, str):
        journeys = [journeys]
    return [JourneySet.ids(journeys)]


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if number != number else number  # NaN: no value


def series_from_periods(
    workspace: Workspace,
    indicator: Indicator,
    by_period: dict[date, tuple[int, float | None]],
    overall: float | None,
    n: int,
    *,
    start: date | None = None,
    end: date | None = None,
    period: PeriodUnit | str | None = None,
) -> IndicatorSeries:
    """An indicator's series from values computed elsewhere (``{period start: (n, value)}``),
    with the calendar, status and trend of :func:`measure_series`."""
    measure = require_measure(indicator)
    frame = _frame(workspace, measure, start, end, period)
    return _series(indicator, measure, frame, by_period, overall, n, False)


def _series(
    indicator: Indicator,
    measure: Measure,
    frame: Frame,
    by_period: dict[date, tuple[int, float | None]],
    overall: float | None,
    n: int,
    additive: bool,
    note: str | None = None,
) -> IndicatorSeries:
    periods = _calendar(frame, by_period, additive)
    if additive and periods:
        overall = sum(p.value or 0.0 for p in periods) / len(periods)
    current = next((p for p in reversed(periods) if p.n > 0), None)
    trend, slope = trend_of(periods, indicator.direction)
    return IndicatorSeries(
        indicator.id,
        indicator.name,
        indicator.unit,
        indicator.direction,
        indicator.target,
        indicator.warning,
        measure.kind.value,
        measure.statistic.value,
        frame.period,
        tuple(periods),
        overall if n else None,
        n,
        current,
        status_of(indicator, current.value if current else None),
        trend,
        slope,
        note,
    )


def _calendar(
    frame: Frame, by_period: dict[date, tuple[int, float | None]], additive: bool
) -> list[PeriodValue]:
    """Every period from the first to the last (the window's, else the data's)."""
    known = sorted(by_period)
    first = (
        period_floor(frame.start, frame.period) if frame.start else (known[0] if known else None)
    )
    last = period_floor(frame.end, frame.period) if frame.end else (known[-1] if known else None)
    if first is None or last is None:
        return []
    out: list[PeriodValue] = []
    day = first
    while day <= last:
        n, value = by_period.get(day, (0, None))
        out.append(PeriodValue(day, 0.0 if additive and value is None else value, n))
        day = period_next(day, frame.period)
    return out
