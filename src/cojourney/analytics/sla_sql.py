"""One SLA clock timed on the engine: events, targets, business time and status in one query.

:func:`clock_journeys` runs the clock's query (:func:`cojourney.analytics.sla_events.clock_ctes`:
start, stop, pauses, priority, segment, last events per journey) and continues it in SQL:

* the target of each journey (``clock.target_for(priority, segment)``: the most specific
  target) as ``CASE`` expressions: allowed time, attainment and calendar;
* whether a journey without a stop ended or went silent
  (:mod:`cojourney.analytics.journey_state`: its last touchpoint ends the design, or its
  last event is older than the in-progress window), which stops its clock at its last
  event;
* elapsed and paused business time and the deadline
  (:func:`cojourney.analytics.business_time_sql.timing_ctes`, over the calendar tables
  registered for the query);
* the status (:class:`~cojourney.analytics.sla_results.ClockStatus`).

What comes back to Python is one row per journey with its summary (no event, no pause):
the :class:`~cojourney.analytics.sla_results.ClockJourneys` arrays. The numpy path
(:func:`cojourney.analytics.sla.time_clock` over
:func:`cojourney.analytics.sla_events.clock_events`) computes the same and is the
reference the tests compare this one with.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from cojourney.analytics.business_time_sql import CalendarViews, timing_ctes
from cojourney.analytics.journey_state import in_progress_seconds
from cojourney.analytics.measures_calendar import parse_period, period_sql
from cojourney.analytics.sla_events import clock_ctes, clock_parameters, data_start
from cojourney.analytics.sla_results import ClockJourneys, ClockStatus

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Sequence

    from numpy.typing import NDArray

    from cojourney.domain import BusinessCalendar, Journey, SlaClock
    from cojourney.events.store import EventSource

__all__ = ["clock_journeys"]


def _targets(
    clock: SlaClock, codes: dict[str | None, int], params: dict[str, object]
) -> tuple[str, str, str]:
    """``CASE`` expressions of the allowed seconds, attainment and calendar code of the
    most specific target of each journey (``jn.priority``, ``jn.segment``)."""
    ranked = sorted(
        enumerate(clock.targets),
        key=lambda it: (-((it[1].priority is not None) + (it[1].segment is not None)), it[0]),
    )
    allowed, attainment, calendar = [], [], []
    for i, target in ranked:
        conditions = ["true"]
        if target.priority is not None:
            params[f"target_{i}_priority"] = target.priority
            conditions.append(f"jn.priority = $target_{i}_priority")
        if target.segment is not None:
            params[f"target_{i}_segment"] = target.segment
            conditions.append(f"jn.segment = $target_{i}_segment")
        when = " AND ".join(conditions)
        params[f"target_{i}_allowed"] = float(target.within.total_seconds())
        params[f"target_{i}_attainment"] = float(target.attainment)
        allowed.append(f"WHEN {when} THEN $target_{i}_allowed")
        attainment.append(f"WHEN {when} THEN $target_{i}_attainment")
        calendar.append(f"WHEN {when} THEN {codes[target.calendar or clock.calendar]}")

    def case(branches: list[str], cast: str) -> str:
        if not branches:
            return f"CAST(NULL AS {cast})"
        return "CASE " + " ".join(branches) + f" ELSE CAST(NULL AS {cast}) END"

    return case(allowed, "DOUBLE"), case(attainment, "DOUBLE"), case(calendar, "INTEGER")


def _sql(
    ctes: str, targets: tuple[str, str, str], period: str, views: CalendarViews, status: str
) -> str:
    allowed, attainment, calendar = targets
    return f"""{ctes},
bt_all AS (
  SELECT jn.j, jn.start_us / 1e6 AS start_s, jn.stop_us / 1e6 AS stop_s, jn.priority,
         jn.segment, jn.last_us / 1e6 AS last_s, jn.last_tp, {period} AS period,
         {allowed} AS allowed, {attainment} AS attainment, {calendar} AS cal
  FROM journeys jn
  WHERE ($from_ts IS NULL OR jn.start_ts >= $from_ts) AND ($to_ts IS NULL OR jn.start_ts < $to_ts)
),
bt_st AS (
  SELECT *, stop_s IS NOT NULL AS finished,
         stop_s IS NULL AND (coalesce(list_contains($ends, last_tp), false)
                             OR ($as_of_s - last_s) >= $window) AS abandoned
  FROM bt_all
),
bt_in AS (
  SELECT j, cal, start_s, allowed,
         CASE WHEN finished THEN stop_s WHEN abandoned THEN greatest(last_s, start_s)
              ELSE $as_of_s END AS end_s
  FROM bt_st WHERE allowed IS NOT NULL
),
bt_pz AS (
  SELECT j, s_us / 1e6 AS ps, coalesce(e_us / 1e6, $as_of_s) AS pe FROM pause_rows
),
{timing_ctes("bt_in", "bt_pz", views)}
SELECT s.j AS journey_id, s.priority, s.segment, s.period, s.start_s AS start,
       s.stop_s AS stop, o.elapsed, o.paused, s.allowed, s.attainment, o.deadline,
       s.abandoned, {status} AS status
FROM bt_st s LEFT JOIN bt_out o ON o.j = s.j
ORDER BY s.j
"""


def _status(abandoned_as: str) -> str:
    over = "coalesce(o.elapsed > s.allowed, false)"
    return (
        f"CASE WHEN s.allowed IS NULL THEN '{ClockStatus.NO_TARGET.value}' "
        f"WHEN s.abandoned THEN '{ClockStatus(str(abandoned_as)).value}' "
        f"WHEN s.finished AND NOT {over} THEN '{ClockStatus.MET.value}' "
        f"WHEN {over} THEN '{ClockStatus.BREACHED.value}' "
        f"WHEN coalesce(o.elapsed > $warning * s.allowed, false) "
        f"THEN '{ClockStatus.AT_RISK.value}' "
        f"ELSE '{ClockStatus.RUNNING.value}' END"
    )


def clock_journeys(
    source: EventSource,
    clock: SlaClock,
    calendars: dict[str | None, BusinessCalendar | None],
    *,
    as_of: datetime,
    journey: Journey | None = None,
    time_zone: str = "UTC",
    period: str = "month",
    start: datetime | None = None,
    end: datetime | None = None,
) -> ClockJourneys:
    """Every journey of one clock, timed on the engine (see the module docstring).

    Parameters are those of :func:`cojourney.analytics.sla_events.clock_events` and
    :func:`cojourney.analytics.sla.time_clock`; the result equals ``time_clock``'s
    within float noise.
    """
    touchpoints: Sequence[str] = [t.id for t in journey.touchpoints] if journey else ()
    priority_column, params = clock_parameters(
        clock, as_of=as_of, start=start, end=end, touchpoints=touchpoints
    )
    names = sorted(calendars, key=lambda n: (n is not None, n or ""))
    codes = {name: i for i, name in enumerate(names)}
    targets = _targets(clock, codes, params)
    ends = sorted(journey.ending_touchpoints()) if journey is not None else []
    params.update(
        {
            "ends": ends or ["\x00"],  # typed as a list of strings
            "as_of_s": as_of.timestamp(),
            "window": float(in_progress_seconds(journey)),
            "warning": float(clock.warning),
        }
    )
    first = data_start(source)
    last = as_of.timestamp()
    first = last if first is None else min(first, last)
    reach = max((t.within.total_seconds() for t in clock.targets), default=0.0) + 86_400.0
    table = source.table_name("events")
    ctes = clock_ctes(table, priority_column, bool(clock.pause), bool(clock.resume))
    unit = parse_period(period)
    connection = source.sql
    with CalendarViews(connection, [calendars[n] for n in names], first, last, reach) as views:
        sql = _sql(
            ctes,
            targets,
            period_sql(unit, "jn.start_ts", time_zone),
            views,
            _status(clock.abandoned_as),
        )
        result = connection.execute(sql, params).fetch_arrow_table()
    return _journeys(result)


def _journeys(table: object) -> ClockJourneys:
    import pyarrow as pa
    import pyarrow.compute as pc

    assert isinstance(table, pa.Table)

    def floats(name: str) -> NDArray[np.float64]:
        column = pc.fill_null(table.column(name).cast("float64"), np.nan)
        return np.asarray(column.to_numpy(), dtype=np.float64)

    def objects(name: str) -> NDArray[np.object_]:
        return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=object)

    period = np.asarray(
        table.column("period").cast("date32").to_numpy(zero_copy_only=False),
        dtype="datetime64[D]",
    )
    if table.num_rows == 0:
        nothing = np.empty(0)
        return ClockJourneys(
            objects("journey_id"),
            objects("priority"),
            objects("segment"),
            period,
            floats("start"),
            floats("stop"),
            nothing,
            nothing,
            nothing,
            nothing,
            nothing,
            np.empty(0, dtype=object),
        )
    abandoned = pc.fill_null(table.column("abandoned"), False)
    return ClockJourneys(
        journey_id=objects("journey_id"),
        priority=objects("priority"),
        segment=objects("segment"),
        period=period,
        start=floats("start"),
        stop=floats("stop"),
        elapsed_seconds=floats("elapsed"),
        paused_seconds=floats("paused"),
        allowed_seconds=floats("allowed"),
        attainment=floats("attainment"),
        deadline=floats("deadline"),
        status=objects("status"),
        abandoned=np.asarray(abandoned.to_numpy(zero_copy_only=False), dtype=bool),
    )
