"""Local wall-clock time and business (support) hours, for whole arrays of instants.

The simulators work in UTC epoch microseconds (``int64``) like the canonical event
schema, but people act in local time: members pick cars up at 17:30 in São Paulo and
service desks work 07:00-19:00 in Amsterdam. :class:`LocalClock` converts between
UTC and *local* microseconds (the local wall-clock reading written as if it were UTC)
with one offset per local day, so daylight-saving changes are honoured at day
granularity. :class:`BusinessClock` counts only open minutes, so that "eight support
hours after this instant" is one vectorised lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
_EPOCH = date(1970, 1, 1)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - _EPOCH).days


def lognormal(
    rng: np.random.Generator, median: float | np.ndarray, sigma: float | np.ndarray, size: int
) -> np.ndarray:
    """``size`` log-normal draws with the given median(s) and sigma(s) (float64)."""
    spread = np.exp(np.asarray(sigma) * rng.standard_normal(size))
    return np.asarray(np.asarray(median, dtype=np.float64) * spread)


class LocalClock:
    """UTC <-> local wall-clock time in one IANA time zone, over a range of days.

    Parameters
    ----------
    time_zone
        An IANA time zone name (``America/Sao_Paulo``).
    first, last
        The local days the simulation may touch; instants outside use the nearest
        day's offset.
    """

    def __init__(self, time_zone: str, first: date, last: date) -> None:
        zone = ZoneInfo(time_zone)
        self.time_zone = time_zone
        self.first = first
        count = (last - first).days + 1
        self.day0 = day_number(first) * DAY
        offsets = []
        for k in range(count):
            day = first + timedelta(days=k)
            offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset() or timedelta()
            offsets.append(offset // timedelta(microseconds=1))
        self.offsets = np.array(offsets, dtype=np.int64)

    def _offset_of_local(self, local_us: np.ndarray) -> np.ndarray:
        index = np.clip((local_us - self.day0) // DAY, 0, self.offsets.size - 1)
        return np.asarray(self.offsets[index])

    def to_utc(self, local_us: np.ndarray) -> np.ndarray:
        """UTC microseconds of local wall-clock microseconds."""
        local_us = np.asarray(local_us, dtype=np.int64)
        return np.asarray(local_us - self._offset_of_local(local_us))

    def to_local(self, utc_us: np.ndarray) -> np.ndarray:
        """Local wall-clock microseconds of UTC microseconds."""
        utc_us = np.asarray(utc_us, dtype=np.int64)
        guess = utc_us + self._offset_of_local(utc_us)
        return np.asarray(utc_us + self._offset_of_local(guess))

    def midnight(self, day: date) -> int:
        """UTC microseconds of local midnight starting ``day``."""
        return int(self.to_utc(np.array([day_number(day) * DAY]))[0])

    def at_hour(self, utc_us: np.ndarray, hours: np.ndarray | float) -> np.ndarray:
        """The same local day as ``utc_us``, at local ``hours`` (a float, 17.5 = 17:30)."""
        local = self.to_local(utc_us)
        midnight = local - local % DAY
        return self.to_utc(midnight + (np.asarray(hours) * HOUR).astype(np.int64))

    def awake(self, utc_us: np.ndarray) -> np.ndarray:
        """Instants moved out of the night: 23:00-07:00 is squeezed into 07:00-08:00.

        The mapping keeps the order of instants, so a sequence stays a sequence.
        """
        local = self.to_local(utc_us)
        shifted = local - 23 * HOUR
        within = shifted % DAY
        night = within < 8 * HOUR
        mapped = shifted - within + 31 * HOUR + within // 8
        return np.where(night, self.to_utc(mapped), utc_us)

    def local_hour(self, utc_us: np.ndarray) -> np.ndarray:
        """Local hour of day as a float (17.5 = 17:30)."""
        return (self.to_local(utc_us) % DAY) / HOUR

    def weekday(self, utc_us: np.ndarray) -> np.ndarray:
        """Local weekday, Monday = 0."""
        return ((self.to_local(utc_us) // DAY) + 3) % 7


@dataclass(frozen=True)
class OpenHours:
    """Hours that count on some weekdays (Monday = 0), in minutes after midnight."""

    weekdays: frozenset[int]
    start_minute: int
    end_minute: int  #: exclusive; 1440 for midnight


#: 07:00-19:00 on working days: the support hours of the incident example.
WORKING_HOURS = (OpenHours(frozenset(range(5)), 7 * 60, 19 * 60),)


class BusinessClock:
    """Counts time in open minutes only (support hours), vectorised.

    ``position`` maps an instant to the number of open seconds since the start of the
    range; ``at_position`` maps back (to the first open instant at that count), so
    adding business time is ``at_position(position(t) + seconds)``.

    Parameters
    ----------
    clock
        The local clock (time zone and range of days).
    hours
        When the clock runs; an empty sequence means around the clock.
    holidays
        Local days on which it does not run.
    """

    def __init__(
        self,
        clock: LocalClock,
        hours: Iterable[OpenHours] = WORKING_HOURS,
        holidays: Iterable[date] = (),
    ) -> None:
        self.clock = clock
        days = clock.offsets.size
        minutes = np.arange(days * 1440)
        day = minutes // 1440
        minute_of_day = minutes % 1440
        weekday = (day + day_number(clock.first) + 3) % 7
        hours = tuple(hours)
        if hours:
            open_ = np.zeros(minutes.size, dtype=bool)
            for h in hours:
                open_ |= (
                    np.isin(weekday, list(h.weekdays))
                    & (minute_of_day >= h.start_minute)
                    & (minute_of_day < h.end_minute)
                )
        else:
            open_ = np.ones(minutes.size, dtype=bool)
        for holiday in holidays:
            k = (holiday - clock.first).days
            if 0 <= k < days:
                open_[k * 1440 : (k + 1) * 1440] = False
        self.open = open_
        self.cumulative = np.concatenate([[0], np.cumsum(open_)]).astype(np.float64)
        self.open_minutes = np.nonzero(open_)[0]  # the k-th open minute, for the inverse

    def position(self, utc_us: np.ndarray) -> np.ndarray:
        """Open seconds from the start of the range to each instant."""
        seconds = (self.clock.to_local(utc_us) - self.clock.day0) / SECOND
        seconds = np.clip(seconds, 0, self.open.size * 60 - 1)
        minute = (seconds // 60).astype(np.int64)
        return self.cumulative[minute] * 60 + self.open[minute] * (seconds - minute * 60)

    def at_position(self, position: np.ndarray) -> np.ndarray:
        """The first instant (UTC microseconds) at which ``position`` open seconds have passed."""
        position = np.clip(np.asarray(position, dtype=np.float64), 0, self.cumulative[-1] * 60 - 1)
        k = (position // 60).astype(np.int64)
        local_seconds = self.open_minutes[k] * 60 + (position - k * 60)
        return self.clock.to_utc(self.clock.day0 + (local_seconds * SECOND).astype(np.int64))

    def add(self, utc_us: np.ndarray, seconds: np.ndarray | float) -> np.ndarray:
        """The instant ``seconds`` of open time after each of ``utc_us``."""
        return self.at_position(self.position(utc_us) + seconds)

    def elapsed(self, start_us: np.ndarray, end_us: np.ndarray) -> np.ndarray:
        """Open seconds between two instants (element-wise)."""
        return np.asarray(self.position(end_us) - self.position(start_us))

    def random_instants(
        self, rng: np.random.Generator, n: int, start_us: int, end_us: int
    ) -> np.ndarray:
        """``n`` instants drawn uniformly over the open time between two instants."""
        lo, hi = self.position(np.array([start_us, end_us]))
        return self.at_position(rng.uniform(lo, hi, n))


def utc_us(moment: datetime) -> int:
    """Epoch microseconds of an aware datetime."""
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
