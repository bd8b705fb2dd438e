"""The events an SLA clock reads, per journey instance, extracted with one DuckDB query.

For one :class:`~cojourney.domain.SlaClock` and the events table of an event source,
:func:`clock_events` returns one row per journey that has a ``start`` event:

* **start**: the journey's first event of any ``start`` touchpoint;
* **stop**: its first event of any ``stop`` touchpoint after the start (none: running);
* **pauses**: each event of a ``pause`` touchpoint between start and stop pauses the
  clock until the next event of the journey (any activity), or, when the clock names
  ``resume`` touchpoints, until the next of those (a pause while already paused adds
  nothing). A pause ends at the stop at the latest; one still open when the data end
  (or at ``as_of``) has no end (NaN);
* **priority**: the clock's ``priority_attribute`` (a key of the JSON ``attributes``, or
  the ``segment`` column when it is ``"segment"``): the last value recorded on or before
  the stop (on or before ``as_of`` while running), so a re-prioritised journey counts
  with its latest priority;
* **segment**: the journey's first non-empty segment;
* **period**: the start truncated to the period unit (``month`` ...) in a time zone;
* **last event** and **last touchpoint**: the journey's last event (any activity) and
  the activity of its last event among ``touchpoints`` (the journey's design), from
  which :mod:`cojourney.analytics.journey_state` tells an ended or abandoned journey
  from one in progress.

Events after ``as_of`` are ignored, as if the data ended there. Journeys are ordered by
id. The work is one SQL statement (windows ordered by ``(timestamp, event_seq)``); the
pauses come back as lists of (start, end) structs, flattened with Arrow and sorted with
numpy, never in a Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

from cojourney.analytics.measures_calendar import parse_period, period_sql

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray

    from cojourney.domain import SlaClock
    from cojourney.events.store import EventSource

__all__ = [
    "ClockEvents",
    "clock_ctes",
    "clock_events",
    "clock_parameters",
    "data_end",
    "data_start",
]


@dataclass(frozen=True, eq=False)
class ClockEvents:
    """What one clock reads, one entry per journey (pauses flattened).

    Instants are UTC epoch seconds (NaN: none). ``pause_journey`` is the index of each
    pause's journey; pauses of a journey are consecutive and in time order.
    """

    journey_id: NDArray[np.object_]
    start: NDArray[np.float64]
    stop: NDArray[np.float64]
    priority: NDArray[np.object_]
    segment: NDArray[np.object_]
    period: NDArray[np.datetime64]
    pause_journey: NDArray[np.int64]
    pause_start: NDArray[np.float64]
    pause_end: NDArray[np.float64]
    last_event: NDArray[np.float64] | None = None
    last_touchpoint: NDArray[np.object_] | None = None

    def __len__(self) -> int:
        return int(self.journey_id.size)


def data_end(source: EventSource) -> datetime | None:
    """The latest event timestamp of the source (``None`` when it holds no event).

    A source restricted to some journeys (:mod:`cojourney.analytics.journey_scope`)
    answers with its whole log's end: whether a journey is still in progress or went
    silent does not depend on which other journeys are looked at.
    """
    from cojourney.analytics.journey_scope import ScopedSource

    while isinstance(source, ScopedSource):
        source = source.parent
    table = source.table_name("events")
    row = source.sql.execute(f'SELECT epoch_us(max("timestamp")) FROM "{table}"').fetchone()
    if not row or row[0] is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(row[0]))


def clock_ctes(table: str, priority_column: str, pauses: bool, resume: bool) -> str:
    """The common table expressions of a clock's query, up to ``journeys`` (one row per
    journey with a start: ``j``, ``start_us``, ``start_ts``, ``stop_us``, ``priority``,
    ``segment``, ``last_us``, ``last_tp``) and ``pause_rows`` (``j``, ``s_us``, ``e_us``;
    ``e_us`` NULL: still paused); parameters as :func:`clock_parameters` gives them."""
    pause_end = "resume_us" if resume else "next_us"
    eligible = "NOT coalesce(prev_pause, false)" if resume else "true"
    # One window specification (one sort) gives both the position and the next event.
    next_us = 'lead(epoch_us(e."timestamp")) OVER w' if pauses and not resume else "NULL"
    return f"""
WITH started AS (
  SELECT DISTINCT journey_id FROM "{table}"
  WHERE list_contains($start, activity) AND "timestamp" <= $as_of
),
ev AS MATERIALIZED (
  SELECT e.journey_id AS j, e.activity AS a, e."timestamp" AS ts, epoch_us(e."timestamp") AS us,
         e.segment AS seg, nullif({priority_column}, '') AS prio,
         row_number() OVER w AS rn, {next_us} AS next_us
  FROM "{table}" e SEMI JOIN started s ON e.journey_id = s.journey_id
  WHERE e."timestamp" <= $as_of
  WINDOW w AS (PARTITION BY e.journey_id ORDER BY e."timestamp", e.event_seq)
),
st AS (
  SELECT j, min(rn) AS start_rn, arg_min(us, rn) AS start_us, arg_min(ts, rn) AS start_ts
  FROM ev WHERE list_contains($start, a) GROUP BY j
),
sp AS (
  SELECT ev.j, min(ev.rn) AS stop_rn, arg_min(ev.us, ev.rn) AS stop_us FROM ev JOIN st USING (j)
  WHERE list_contains($stop, ev.a) AND ev.rn > st.start_rn GROUP BY ev.j
),
journeys AS (
  SELECT st.j, any_value(st.start_rn) AS start_rn, any_value(st.start_us) AS start_us,
         any_value(st.start_ts) AS start_ts, any_value(sp.stop_rn) AS stop_rn,
         any_value(sp.stop_us) AS stop_us,
         arg_max(ev.prio, ev.rn) FILTER (WHERE ev.prio IS NOT NULL
                                         AND (sp.stop_rn IS NULL OR ev.rn <= sp.stop_rn))
           AS priority,
         arg_min(ev.seg, ev.rn) FILTER (WHERE ev.seg IS NOT NULL AND ev.seg <> '') AS segment,
         max(ev.us) AS last_us,
         arg_max(ev.a, ev.rn) FILTER (WHERE list_contains($touchpoints, ev.a)) AS last_tp
  FROM ev JOIN st USING (j) LEFT JOIN sp USING (j)
  GROUP BY st.j
),
switches AS (
  SELECT ev.j, ev.rn, ev.us, ev.next_us, list_contains($pause, ev.a) AS is_pause
  FROM ev JOIN journeys jn USING (j)
  WHERE ev.rn > jn.start_rn AND (jn.stop_rn IS NULL OR ev.rn < jn.stop_rn)
    AND (list_contains($pause, ev.a) OR list_contains($resume, ev.a))
),
paired AS (
  SELECT *, lag(is_pause) OVER (PARTITION BY j ORDER BY rn) AS prev_pause,
         min(CASE WHEN NOT is_pause THEN us END) OVER (
           PARTITION BY j ORDER BY rn ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS resume_us
  FROM switches
),
pause_rows AS (
  SELECT p.j, p.us AS s_us, CASE WHEN jn.stop_us IS NULL THEN p.{pause_end}
           ELSE least(coalesce(p.{pause_end}, jn.stop_us), jn.stop_us) END AS e_us
  FROM paired p JOIN journeys jn USING (j)
  WHERE p.is_pause AND {eligible}
)"""


def data_start(source: EventSource) -> float | None:
    """The earliest event timestamp of the source in UTC epoch seconds (``None``: no event)."""
    table = source.table_name("events")
    row = source.sql.execute(f'SELECT epoch_us(min("timestamp")) FROM "{table}"').fetchone()
    if not row or row[0] is None:
        return None
    return int(row[0]) / 1e6


def _sql(table: str, priority_column: str, pauses: bool, resume: bool, period: str) -> str:
    return (
        clock_ctes(table, priority_column, pauses, resume)
        + f""",
pauses AS (
  SELECT j, list(struct_pack(s := s_us, e := e_us)) AS pause FROM pause_rows GROUP BY j
)
SELECT jn.j AS journey_id, jn.start_us / 1e6 AS start, jn.stop_us / 1e6 AS stop,
       jn.priority, jn.segment, jn.last_us / 1e6 AS last_event, jn.last_tp AS last_touchpoint,
       {period} AS period,
       pauses.pause
FROM journeys jn LEFT JOIN pauses USING (j)
WHERE ($from_ts IS NULL OR jn.start_ts >= $from_ts) AND ($to_ts IS NULL OR jn.start_ts < $to_ts)
ORDER BY jn.j
"""
    )


def clock_parameters(
    clock: SlaClock,
    *,
    as_of: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    touchpoints: Sequence[str] = (),
) -> tuple[str, dict[str, object]]:
    """The priority column expression and the parameters of :func:`clock_ctes`."""
    if clock.priority_attribute == "segment":
        priority_column = "e.segment"
    else:
        priority_column = "json_extract_string(e.attributes, $attribute)"
    params: dict[str, object] = {
        "start": list(clock.start),
        "stop": list(clock.stop),
        "pause": list(clock.pause),
        "resume": list(clock.resume),
        "as_of": as_of,
        "from_ts": start,
        "to_ts": end,
        "touchpoints": list(touchpoints) or ["\x00"],  # typed as a list of strings
    }
    if clock.priority_attribute != "segment":
        params["attribute"] = '$."' + clock.priority_attribute.replace('"', '\\"') + '"'
    return priority_column, params


def clock_events(
    source: EventSource,
    clock: SlaClock,
    *,
    as_of: datetime,
    time_zone: str = "UTC",
    period: str = "month",
    start: datetime | None = None,
    end: datetime | None = None,
    touchpoints: Sequence[str] = (),
) -> ClockEvents:
    """Start, stop, pauses, priority, segment and period of every journey of one clock.

    Parameters
    ----------
    source
        The event source (its ``events`` table is read on its own connection).
    clock
        The SLA clock.
    as_of
        Ignore events after this instant (timezone-aware).
    time_zone
        IANA time zone in which the periods are cut.
    period
        The period unit (``day``, ``week``, ``month``, ``quarter``, ``semester``,
        ``year``), cut as the indicator measures cut theirs
        (:func:`cojourney.analytics.measures_calendar.period_sql`).
    start, end
        Keep journeys whose clock started at or after ``start`` and before ``end``.
    touchpoints
        The touchpoints of the clock's journey: ``last_touchpoint`` is the journey's
        last event among them (none given: ``None``).

    Returns
    -------
    ClockEvents
        One entry per journey with a start event, ordered by journey id.
    """
    import pyarrow.compute as pc

    unit = parse_period(period)
    priority_column, params = clock_parameters(
        clock, as_of=as_of, start=start, end=end, touchpoints=touchpoints
    )
    sql = _sql(
        source.table_name("events"),
        priority_column,
        bool(clock.pause),
        bool(clock.resume),
        period_sql(unit, "jn.start_ts", time_zone),
    )
    table = source.sql.execute(sql, params).fetch_arrow_table()

    def floats(name: str) -> NDArray[np.float64]:
        column = pc.fill_null(table.column(name).cast("float64"), np.nan)
        return np.asarray(column.to_numpy(), dtype=np.float64)

    def objects(name: str) -> NDArray[np.object_]:
        return np.asarray(table.column(name).to_numpy(), dtype=object)

    pauses = table.column("pause").combine_chunks()
    flat = pc.list_flatten(pauses)
    pause_journey = np.asarray(pc.list_parent_indices(pauses).to_numpy(), dtype=np.int64)

    def micros(field: str) -> NDArray[np.float64]:
        values = pc.fill_null(pc.struct_field(flat, field).cast("float64"), np.nan)
        return np.asarray(values.to_numpy(), dtype=np.float64) / 1e6

    pause_start, pause_end = micros("s"), micros("e")
    order = np.lexsort((pause_start, pause_journey))  # list() keeps no order
    period_values = table.column("period").cast("date32").to_numpy()
    return ClockEvents(
        journey_id=objects("journey_id"),
        start=floats("start"),
        stop=floats("stop"),
        priority=objects("priority"),
        segment=objects("segment"),
        period=np.asarray(period_values, dtype="datetime64[D]"),
        pause_journey=pause_journey[order],
        pause_start=pause_start[order],
        pause_end=pause_end[order],
        last_event=floats("last_event"),
        last_touchpoint=objects("last_touchpoint"),
    )
