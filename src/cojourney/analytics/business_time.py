"""Business time: working time between two instants under a business calendar, and deadlines.

A :class:`~cojourney.domain.BusinessCalendar` says which hours count (working hours per
weekday, in an IANA time zone, minus holidays). An SLA clock on "24 support hours" counts
only those hours. This module turns a calendar into its *working intervals* over a span
of days, as UTC epoch seconds, and answers two questions for whole arrays at once:

* :meth:`WorkingTime.elapsed`: the business seconds between ``start[i]`` and ``end[i]``;
* :meth:`WorkingTime.deadline`: the instant at which ``allowed[i]`` business seconds
  after ``start[i]`` have passed (the inverse).

How it works: the intervals are sorted and merged; ``cumulative[k]`` is the working time
before interval ``k``. The *clock reading* of an instant ``t`` is the working time from
the first interval to ``t``: ``cumulative[k] + clip(t - starts[k], 0, length[k])`` with
``k`` found by :func:`numpy.searchsorted`. Elapsed time is a difference of two readings;
a deadline is found by searching the cumulative ends for ``reading(start) + allowed``.
Nothing loops over the instants; only the calendar's days are enumerated once.

Time zones and daylight saving time: every day's working hours are placed in the
calendar's time zone with :mod:`zoneinfo`, so a working day is as long as its wall-clock
hours on both sides of a DST change, and a 24-hour day is 23 or 25 hours long on the
days the clocks change. A working-hours boundary that falls in a DST gap (a wall-clock
time that does not exist) is read with the offset before the change (PEP 495,
``fold=0``); one that is ambiguous (it occurs twice) is its first occurrence.

A calendar with no ``hours`` runs around the clock (24x7); it skips holidays only when
``holidays_stop_clock`` is true (whole local days). ``None`` as calendar means 24x7 in UTC.

>>> import numpy as np
>>> from datetime import datetime, timezone
>>> from cojourney.domain import BusinessCalendar, WorkingHours
>>> office = BusinessCalendar(id="office", name="Office", time_zone="Europe/Amsterdam",
...     hours=[WorkingHours(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00")])
>>> fri_4pm = datetime(2025, 1, 10, 15, tzinfo=timezone.utc).timestamp()  # 16:00 in Amsterdam
>>> mon_10am = datetime(2025, 1, 13, 9, tzinfo=timezone.utc).timestamp()  # 10:00 in Amsterdam
>>> business_seconds(office, [fri_4pm], [mon_10am]) / 3600
array([2.])
>>> deadline = business_deadline(office, [fri_4pm], [2 * 3600])
>>> datetime.fromtimestamp(deadline[0], timezone.utc).isoformat()
'2025-01-13T09:00:00+00:00'
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from cojourney.errors import InputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import ArrayLike, NDArray

    from cojourney.domain import BusinessCalendar

__all__ = ["WorkingTime", "business_deadline", "business_seconds", "working_intervals"]

log = logging.getLogger(__name__)

DAY = 86_400.0
#: Days of calendar added on each side of the instants asked about.
_MARGIN_DAYS = 2
#: The furthest a deadline is looked for after the last instant given (beyond: NaN).
MAX_HORIZON_DAYS = 366 * 10


def _zone(calendar: BusinessCalendar | None) -> ZoneInfo:
    name = calendar.time_zone if calendar is not None else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            Problem(
                "unknown time zone in a business calendar",
                found=repr(name),
                expected="an IANA time zone such as Europe/Amsterdam or America/Sao_Paulo",
                hint=f"fix 'time_zone' of calendar {calendar.id if calendar else ''!r} "
                "in agreements.yaml",
            )
        ) from None


def _is_24x7(calendar: BusinessCalendar | None) -> bool:
    """True when every instant counts (no hours and no holiday that stops the clock)."""
    return calendar is None or (
        not calendar.hours and not (calendar.holidays_stop_clock and calendar.holidays)
    )


def working_intervals(
    calendar: BusinessCalendar | None, first_day: date, last_day: date
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The calendar's working intervals on the local days ``first_day`` .. ``last_day``.

    Parameters
    ----------
    calendar
        The business calendar (``None``: 24x7 in UTC).
    first_day, last_day
        Local calendar days (in the calendar's time zone), both included.

    Returns
    -------
    tuple of numpy.ndarray
        ``(starts, ends)`` in UTC epoch seconds, sorted, merged where they overlap or
        touch, so that the intervals are disjoint.
    """
    zone = _zone(calendar)
    holidays = (
        {h.day for h in calendar.holidays}
        if calendar is not None and calendar.holidays_stop_clock
        else set()
    )
    hours = list(calendar.hours) if calendar is not None else []
    starts: list[float] = []
    ends: list[float] = []
    day = first_day
    while day <= last_day:
        if day not in holidays:
            if not hours:
                starts.append(_instant(day, time(0, 0), zone))
                ends.append(_instant(day + timedelta(days=1), time(0, 0), zone))
            for block in hours:
                if any(d.number == day.weekday() for d in block.days):
                    end_day = day + timedelta(days=1) if block.end == time(0, 0) else day
                    starts.append(_instant(day, block.start, zone))
                    ends.append(_instant(end_day, block.end, zone))
        day += timedelta(days=1)
    return _merge(np.asarray(starts, dtype=np.float64), np.asarray(ends, dtype=np.float64))


def _instant(day: date, at: time, zone: ZoneInfo) -> float:
    return datetime.combine(day, at, tzinfo=zone).timestamp()


def _merge(
    starts: NDArray[np.float64], ends: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    if starts.size == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    reach = np.maximum.accumulate(ends)
    new = np.ones(starts.size, dtype=bool)
    new[1:] = starts[1:] > reach[:-1]
    group = np.cumsum(new) - 1
    merged_ends = np.full(int(group[-1]) + 1, -np.inf)
    np.maximum.at(merged_ends, group, ends)
    return starts[new], merged_ends


class WorkingTime:
    """A business calendar's working intervals over a span, for vectorised time sums.

    Parameters
    ----------
    calendar
        The business calendar; ``None`` means 24x7 in UTC.
    first, last
        The span to cover, in UTC epoch seconds (the local days around them are
        enumerated). Instants before ``first`` cannot be asked about; the span grows
        forward by itself when a later instant or deadline is asked for.

    Notes
    -----
    The clock reading of an instant is the working time between the start of the span
    and that instant; only differences of readings are meaningful.
    """

    def __init__(
        self, calendar: BusinessCalendar | None, first: float, last: float | None = None
    ) -> None:
        self.calendar = calendar
        self.always = _is_24x7(calendar)
        self._zone = _zone(calendar)
        self._first_day = self._local_day(first) - timedelta(days=_MARGIN_DAYS)
        self._last_day = self._first_day - timedelta(days=1)
        self.origin = _instant(self._first_day, time(0, 0), self._zone)
        self.starts = np.empty(0)
        self.ends = np.empty(0)
        self.cumulative = np.empty(0)
        self._cum_ends = np.empty(0)
        if not self.always:
            self._extend_to(first if last is None else max(first, last))

    # ---------------------------------------------------------------- the span

    def _local_day(self, epoch: float) -> date:
        return datetime.fromtimestamp(float(epoch), UTC).astimezone(self._zone).date()

    @property
    def covered_until(self) -> float:
        """The end of the covered span (UTC epoch seconds)."""
        return _instant(self._last_day + timedelta(days=1), time(0, 0), self._zone)

    def _extend_to(self, epoch: float) -> None:
        """Enumerate more days so that the span covers ``epoch`` (plus a margin)."""
        wanted = self._local_day(epoch) + timedelta(days=_MARGIN_DAYS)
        if wanted <= self._last_day:
            return
        starts, ends = working_intervals(self.calendar, self._last_day + timedelta(days=1), wanted)
        if self.starts.size and starts.size and starts[0] <= self.ends[-1]:
            # An interval running over midnight into the new days: merge across the seam.
            starts, ends = _merge(
                np.concatenate([self.starts, starts]), np.concatenate([self.ends, ends])
            )
        else:
            starts, ends = np.concatenate([self.starts, starts]), np.concatenate([self.ends, ends])
        self.starts, self.ends = starts, ends
        lengths = ends - starts
        self._cum_ends = np.cumsum(lengths)
        self.cumulative = self._cum_ends - lengths
        self._last_day = wanted
        log.debug(
            "business calendar %s: %d working intervals up to %s",
            self.calendar.id if self.calendar else "24x7",
            starts.size,
            wanted,
        )

    def _check(self, instants: NDArray[np.float64]) -> None:
        finite = instants[np.isfinite(instants)]
        if finite.size == 0:
            return
        if finite.min() < self.origin:
            raise ValueError(
                "an instant before the start of the business-time span; "
                "build the WorkingTime from the earliest instant"
            )
        if not self.always and finite.max() >= self.covered_until:
            self._extend_to(float(finite.max()))

    # ---------------------------------------------------------------- the questions

    def reading(self, instants: ArrayLike) -> NDArray[np.float64]:
        """The clock reading (working seconds since the span start) at each instant.

        NaN instants give NaN.
        """
        t = np.asarray(instants, dtype=np.float64)
        self._check(t)
        if self.always:
            return t - self.origin
        if self.starts.size == 0:
            return np.where(np.isnan(t), np.nan, 0.0)
        k = np.searchsorted(self.starts, t, side="right") - 1
        inside = k >= 0
        kk = np.clip(k, 0, None)
        within = np.clip(t - self.starts[kk], 0.0, self.ends[kk] - self.starts[kk])
        result = np.where(inside, self.cumulative[kk] + within, 0.0)
        return np.where(np.isnan(t), np.nan, result)

    def elapsed(self, start: ArrayLike, end: ArrayLike) -> NDArray[np.float64]:
        """Business seconds from ``start[i]`` to ``end[i]`` (negative when ``end`` is earlier)."""
        return self.reading(end) - self.reading(start)

    def deadline(self, start: ArrayLike, allowed: ArrayLike) -> NDArray[np.float64]:
        """The instant when ``allowed[i]`` business seconds after ``start[i]`` have passed.

        A deadline that needs no working time (``allowed`` 0) is ``start`` itself; one
        that lies more than :data:`MAX_HORIZON_DAYS` after the latest start is NaN.
        """
        s = np.asarray(start, dtype=np.float64)
        a = np.broadcast_to(np.asarray(allowed, dtype=np.float64), s.shape)
        if self.always:
            return s + a
        target = self.reading(s) + a
        result = self._instant_of(target)
        if np.isnan(result[np.isfinite(target)]).any() and s.size:
            limit = float(np.nanmax(s)) + MAX_HORIZON_DAYS * DAY
            horizon = max(self.covered_until, float(np.nanmax(s)))
            while np.isnan(result[np.isfinite(target)]).any() and horizon < limit:
                needed = float(np.nanmax(target[np.isnan(result) & np.isfinite(target)]))
                missing = needed - (self._cum_ends[-1] if self._cum_ends.size else 0.0)
                horizon = min(limit, horizon + max(missing * 2, 30 * DAY))
                self._extend_to(horizon)
                result = self._instant_of(target)
        return np.where(np.isnan(result), np.nan, np.maximum(result, s))

    def _instant_of(self, target: NDArray[np.float64]) -> NDArray[np.float64]:
        """The instant at which the clock reading reaches ``target`` (NaN: beyond the span)."""
        if self._cum_ends.size == 0:
            return np.full(target.shape, np.nan)
        k = np.searchsorted(self._cum_ends, target, side="left")
        beyond = (k >= self._cum_ends.size) | np.isnan(target)
        kk = np.clip(k, 0, self._cum_ends.size - 1)
        instant = self.starts[kk] + (target - self.cumulative[kk])
        return np.where(beyond, np.nan, instant)


def business_seconds(
    calendar: BusinessCalendar | None, start: ArrayLike, end: ArrayLike
) -> NDArray[np.float64]:
    """Business seconds between ``start[i]`` and ``end[i]`` (UTC epoch seconds).

    Parameters
    ----------
    calendar
        The business calendar (``None``: 24x7 in UTC).
    start, end
        Arrays of UTC epoch seconds of the same length; NaN gives NaN.

    Returns
    -------
    numpy.ndarray
        Working seconds, negative where ``end`` is before ``start``.
    """
    s = np.atleast_1d(np.asarray(start, dtype=np.float64))
    e = np.atleast_1d(np.asarray(end, dtype=np.float64))
    if s.size == 0:
        return np.empty(0)
    both = np.concatenate([s, e])
    if not np.isfinite(both).any():
        return np.full(s.shape, np.nan)
    clock = WorkingTime(calendar, float(np.nanmin(both)), float(np.nanmax(both)))
    return clock.elapsed(s, e)


def business_deadline(
    calendar: BusinessCalendar | None, start: ArrayLike, allowed: ArrayLike
) -> NDArray[np.float64]:
    """The instant when ``allowed[i]`` business seconds after ``start[i]`` have passed.

    Parameters
    ----------
    calendar
        The business calendar (``None``: 24x7 in UTC).
    start
        UTC epoch seconds.
    allowed
        Business seconds (one value or one per start).

    Returns
    -------
    numpy.ndarray
        UTC epoch seconds; NaN for a NaN start or a deadline beyond :data:`MAX_HORIZON_DAYS`.
    """
    s = np.atleast_1d(np.asarray(start, dtype=np.float64))
    if s.size == 0 or not np.isfinite(s).any():
        return np.full(s.shape, np.nan)
    clock = WorkingTime(calendar, float(np.nanmin(s)), float(np.nanmax(s)))
    return clock.deadline(s, allowed)
