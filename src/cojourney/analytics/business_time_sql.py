"""Business time in SQL: clock readings, paused time and deadlines on the engine.

:mod:`cojourney.analytics.business_time` computes working time with numpy; this module
makes the engine (DuckDB, or Spark through
:class:`cojourney.analytics.engines.spark_sql.SparkSqlConnection`) do the same arithmetic
in the query that finds the clocks' events, so no event and no pause row comes to Python.

Two small tables are built in Python per evaluation (:func:`calendar_tables`), their size
set by the days spanned, never by the events, and registered on the source's SQL
connection (:class:`CalendarViews`):

* the **timeline**: for each calendar, the span cut into pieces with no boundary inside
  (working-interval starts and ends, and every UTC midnight): ``cal``, ``d`` (the UTC day
  number, the join's equality key), ``lo``, ``hi``, ``r0`` (the clock reading at ``lo``)
  and ``rate`` (1 working, 0 not). The reading of an instant ``t`` is
  ``r0 + rate * (t - lo)`` of the piece holding it, found by an equi-join on
  ``(cal, floor(floor(t) / 86400))`` and the range ``lo <= t < hi`` (no ASOF join: Spark
  has none, and the day key keeps the join from comparing every pair);
* the **inverse**: the working time cut at every 86,400 business seconds: ``cal``, ``b``
  (the business-day number), ``rlo``, ``rhi``, ``r0`` and ``s0``; the instant at which the
  reading reaches ``R`` is ``s0 + (R - r0)`` of the piece with ``rlo < R <= rhi``.

The working intervals themselves come from
:func:`cojourney.analytics.business_time.working_intervals` (through
:class:`~cojourney.analytics.business_time.WorkingTime`), so time zones, daylight saving
time and holidays are handled exactly as there. Piece bounds are whole seconds (calendar
boundaries and midnights), which makes the day keys exact.

:func:`timing_ctes` then gives, per journey, elapsed and paused business time and the
deadline, with the semantics of the numpy path (:func:`cojourney.analytics.sla.time_clock`,
kept as the reference): paused time is the business time of each pause clipped to the
clock's run; a pause pushes the deadline by its whole business length when the clock's
unpaused time accrued at its start is still below the allowed time (and every earlier
pause did too).
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from cojourney.analytics.business_time import DAY, WorkingTime, _is_24x7

if TYPE_CHECKING:  # pragma: no cover
    from types import TracebackType

    import pyarrow as pa
    from numpy.typing import NDArray

    from cojourney.domain import BusinessCalendar
    from cojourney.events.sql import SqlConnection

__all__ = ["CalendarViews", "calendar_tables", "timing_ctes"]

log = logging.getLogger(__name__)

_NUMBERS = itertools.count()
#: Days of 24x7 time added on each side of the span.
_MARGIN_DAYS = 2
#: ``rlo`` of a calendar's first inverse piece: every reading up to its end falls in it.
_BEFORE_ALL = -1e18


def _intervals(
    calendar: BusinessCalendar | None, first: float, last: float, reach: float
) -> tuple[NDArray[np.float64], NDArray[np.float64], float, float]:
    """Working intervals covering ``first`` .. ``last`` and ``reach`` business seconds
    after ``last``, with the span ``(t0, t1)`` they were enumerated on."""
    if _is_24x7(calendar):
        t0 = (math.floor(first / DAY) - _MARGIN_DAYS) * DAY
        t1 = (math.ceil((last + reach) / DAY) + _MARGIN_DAYS) * DAY
        return np.array([t0]), np.array([t1]), t0, t1
    clock = WorkingTime(calendar, first, last)
    if reach > 0:
        clock.deadline(np.array([last]), np.array([reach]))  # extends the span as needed
    starts, ends = clock.starts, clock.ends
    t1 = max(clock.covered_until, float(ends.max()) if ends.size else clock.origin)
    return starts, ends, clock.origin, t1


def _pieces(
    code: int, starts: NDArray[np.float64], ends: NDArray[np.float64], t0: float, t1: float
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The timeline and inverse columns of one calendar."""
    lengths = ends - starts
    cum_ends = np.cumsum(lengths)
    cum = cum_ends - lengths
    days = np.arange(math.ceil(t0 / DAY), math.floor(t1 / DAY) + 1, dtype=np.float64) * DAY
    points = np.unique(np.concatenate([[t0, t1], starts, ends, days]))
    points = points[(points >= t0) & (points <= t1)]
    lo, hi = points[:-1], points[1:]
    if starts.size:
        k = np.searchsorted(starts, lo, side="right") - 1
        kk = np.clip(k, 0, None)
        inside = (k >= 0) & (lo < ends[kk])
        r0 = np.where(k >= 0, cum[kk] + np.clip(lo - starts[kk], 0.0, lengths[kk]), 0.0)
    else:
        inside = np.zeros(lo.size, dtype=bool)
        r0 = np.zeros(lo.size)
    timeline = {
        "cal": np.full(lo.size, code, dtype=np.int32),
        "d": np.floor(lo / DAY).astype(np.int64),
        "lo": lo,
        "hi": hi,
        "r0": r0,
        "rate": inside.astype(np.float64),
    }
    if starts.size == 0 or cum_ends[-1] <= 0:
        empty = np.empty(0)
        inverse = {
            "cal": np.empty(0, dtype=np.int32),
            "b": np.empty(0, dtype=np.int64),
            "rlo": empty,
            "rhi": empty,
            "r0": empty,
            "s0": empty,
        }
        return timeline, inverse
    total = float(cum_ends[-1])
    marks = np.arange(1, math.floor(total / DAY) + 1, dtype=np.float64) * DAY
    q_points = np.unique(np.concatenate([[0.0], cum, cum_ends, marks]))
    q_points = q_points[(q_points >= 0) & (q_points <= total)]
    p, q = q_points[:-1], q_points[1:]
    k = np.clip(np.searchsorted(cum_ends, q, side="left"), 0, cum_ends.size - 1)
    rlo = p.copy()
    rlo[0] = _BEFORE_ALL
    inverse = {
        "cal": np.full(p.size, code, dtype=np.int32),
        "b": np.floor(p / DAY).astype(np.int64),
        "rlo": rlo,
        "rhi": q,
        "r0": p,
        "s0": starts[k] + (p - cum[k]),
    }
    return timeline, inverse


def calendar_tables(
    calendars: Sequence[BusinessCalendar | None], first: float, last: float, reach: float
) -> tuple[pa.Table, pa.Table]:
    """The timeline and inverse tables of ``calendars`` (``cal`` = position in the list).

    Parameters
    ----------
    calendars
        The calendars (``None``: 24x7 in UTC).
    first, last
        The instants to read, in UTC epoch seconds (the earliest event, ``as_of``).
    reach
        Business seconds after ``last`` that deadlines may need (the largest allowed time).
    """
    import pyarrow as pa

    timelines, inverses = [], []
    for code, calendar in enumerate(calendars):
        starts, ends, t0, t1 = _intervals(calendar, first, last, reach)
        timeline, inverse = _pieces(code, starts, ends, t0, t1)
        timelines.append(pa.table(timeline))
        inverses.append(pa.table(inverse))
    return pa.concat_tables(timelines), pa.concat_tables(inverses)


@dataclass
class CalendarViews:
    """The calendar tables registered as views on a connection, for a ``with`` block.

    ``timeline`` and ``inverse`` are the view names (unique per instance); leaving the
    block unregisters them.
    """

    connection: SqlConnection
    calendars: Sequence[BusinessCalendar | None]
    first: float
    last: float
    reach: float
    timeline: str = ""
    inverse: str = ""

    def __enter__(self) -> CalendarViews:
        number = next(_NUMBERS)
        self.timeline = f"cojourney_sql_calendar_{number}"
        self.inverse = f"cojourney_sql_calendar_inverse_{number}"
        timeline, inverse = calendar_tables(self.calendars, self.first, self.last, self.reach)
        log.debug(
            "business time in SQL: %d timeline and %d inverse rows for %d calendars",
            timeline.num_rows,
            inverse.num_rows,
            len(self.calendars),
        )
        self.connection.register(self.timeline, timeline)
        self.connection.register(self.inverse, inverse)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for name in (self.timeline, self.inverse):
            if name:
                self.connection.unregister(name)


def _join(view: str, alias: str, calendar: str, instant: str) -> str:
    return (
        f'LEFT JOIN "{view}" {alias} ON {alias}.cal = {calendar} '
        f"AND {alias}.d = floor(floor({instant}) / 86400) "
        f"AND {alias}.lo <= {instant} AND {instant} < {alias}.hi"
    )


def _reading(alias: str, instant: str) -> str:
    return f"{alias}.r0 + {alias}.rate * ({instant} - {alias}.lo)"


def timing_ctes(journeys: str, pauses: str, views: CalendarViews) -> str:
    """Common table expressions ending in ``bt_out(j, elapsed, paused, deadline)``.

    Parameters
    ----------
    journeys
        A relation (a CTE name) of the timed journeys: ``j`` (unique), ``cal`` (the
        calendar's position), ``start_s``, ``end_s`` (the clock's run, epoch seconds) and
        ``allowed`` (business seconds).
    pauses
        A relation of their pauses: ``j``, ``ps``, ``pe`` (epoch seconds; an open pause
        ends at ``as_of``). Pauses of a journey do not overlap.
    views
        The registered calendar views.

    Notes
    -----
    The text starts with the first CTE (no ``WITH``) and ends without a comma.
    """
    tl, inv = views.timeline, views.inverse
    return f"""bt_j AS (
  SELECT x.j, x.cal, x.start_s, x.end_s, x.allowed,
         {_reading("a", "x.start_s")} AS r_start, {_reading("b", "x.end_s")} AS r_end
  FROM {journeys} x
  {_join(tl, "a", "x.cal", "x.start_s")}
  {_join(tl, "b", "x.cal", "x.end_s")}
),
bt_p AS (
  SELECT p.j, p.ps, p.pe, y.start_s, y.end_s, y.r_start, y.r_end, y.allowed,
         {_reading("a", "p.ps")} AS r_ps, {_reading("b", "p.pe")} AS r_pe
  FROM {pauses} p JOIN bt_j y ON p.j = y.j
  {_join(tl, "a", "y.cal", "p.ps")}
  {_join(tl, "b", "y.cal", "p.pe")}
),
bt_f AS (
  SELECT j, ps, pe, allowed,
         CASE WHEN least(pe, end_s) > greatest(ps, start_s)
              THEN least(r_pe, r_end) - greatest(r_ps, r_start) ELSE 0 END AS taken,
         greatest(r_pe, r_ps) - r_ps AS full_len,
         r_ps - r_start AS accrued
  FROM bt_p
),
bt_u AS (
  SELECT *, accrued - coalesce(sum(full_len) OVER (PARTITION BY j ORDER BY ps, pe
              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS unpaused
  FROM bt_f
),
bt_c AS (
  SELECT *, min(CASE WHEN unpaused < allowed THEN 1 ELSE 0 END) OVER (PARTITION BY j
              ORDER BY ps, pe ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS counted
  FROM bt_u
),
bt_pa AS (
  SELECT j, sum(taken) AS paused, sum(CASE WHEN counted = 1 THEN full_len ELSE 0 END) AS added
  FROM bt_c GROUP BY j
),
bt_d AS (
  SELECT y.j, y.cal, y.start_s, y.r_end - y.r_start - coalesce(z.paused, 0) AS elapsed,
         coalesce(z.paused, 0) AS paused, y.r_start + y.allowed + coalesce(z.added, 0) AS target
  FROM bt_j y LEFT JOIN bt_pa z ON z.j = y.j
),
bt_out AS (
  SELECT d.j, d.elapsed, d.paused,
         CASE WHEN v.s0 IS NULL THEN NULL
              ELSE greatest(v.s0 + (d.target - v.r0), d.start_s) END AS deadline
  FROM bt_d d LEFT JOIN "{inv}" v ON v.cal = d.cal
    AND v.b = floor(greatest(ceil(d.target) - 1, 0) / 86400)
    AND v.rlo < d.target AND d.target <= v.rhi
)"""
