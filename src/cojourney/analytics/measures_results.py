"""What an indicator evaluation gives: :class:`IndicatorSeries`, its status and trend.

Status and trend rules are in :mod:`cojourney.analytics.measures` (module docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from cojourney.domain.value import Direction, Indicator

__all__ = [
    "TREND_MIN_PERIODS",
    "TREND_PERIODS",
    "TREND_THRESHOLD",
    "IndicatorSeries",
    "PeriodValue",
    "Status",
    "Trend",
    "status_of",
    "trend_of",
]

#: How many of the latest periods with a value the trend looks at.
TREND_PERIODS = 6
#: Fewer periods with a value than this give no trend.
TREND_MIN_PERIODS = 3
#: Least-squares slope per period, relative to the mean, from which a change is a trend.
TREND_THRESHOLD = 0.02


class Status(StrEnum):
    """Where an indicator stands against its target and warning level."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"
    NOT_MEASURED = "not_measured"  #: the indicator has no measure

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class Trend(StrEnum):
    """Which way an indicator moved over the last periods, judged by its direction."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    STABLE = "stable"


@dataclass(frozen=True)
class PeriodValue:
    """The value of one period and the number of units behind it."""

    period_start: date
    value: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"period_start": self.period_start.isoformat(), "value": self.value, "n": self.n}


@dataclass(frozen=True)
class IndicatorSeries:
    """An indicator evaluated per period (see the module docstring).

    Attributes
    ----------
    indicator_id, name, unit, direction, target, warning
        From the indicator.
    kind, statistic, period
        How it was computed (the measure's kind and statistic, the period unit).
    periods
        One value per period, oldest first.
    overall, n
        The value over the whole window, and its number of units.
    current
        The latest period with units (``None``: no data).
    status, trend, trend_slope
        Against target (on ``current``), and over the last periods; ``trend_slope``
        is the relative slope per period (``None`` without a trend).
    note
        Why there is no data, when it is known (e.g. no feedback imported).
    """

    indicator_id: str
    name: str
    unit: str
    direction: Direction
    target: float | None
    warning: float | None
    kind: str
    statistic: str
    period: str
    periods: tuple[PeriodValue, ...]
    overall: float | None
    n: int
    current: PeriodValue | None
    status: Status
    trend: Trend | None
    trend_slope: float | None = None
    note: str | None = None

    def value_in(self, period_start: date) -> PeriodValue | None:
        """The period starting on ``period_start``, if listed."""
        return next((p for p in self.periods if p.period_start == period_start), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (dates as ISO strings, enums as their values)."""
        return {
            "indicator": self.indicator_id,
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction.value,
            "target": self.target,
            "warning": self.warning,
            "kind": self.kind,
            "statistic": self.statistic,
            "period": self.period,
            "overall": self.overall,
            "n": self.n,
            "current": self.current.to_dict() if self.current else None,
            "status": self.status.value,
            "trend": self.trend.value if self.trend else None,
            "trend_slope": self.trend_slope,
            "note": self.note,
            "periods": [p.to_dict() for p in self.periods],
        }


# --------------------------------------------------------------------------- status, trend


def status_of(indicator: Indicator, value: float | None) -> Status:
    """The status of ``value`` against the indicator's target and warning level.

    >>> from cojourney.domain import Indicator
    >>> ind = Indicator(id="x", name="X", definition="d", unit="%", direction="higher_is_better",
    ...                 target=95, warning=92)
    >>> [status_of(ind, v).value for v in (96, 93, 92, 91, None)]
    ['on_track', 'at_risk', 'at_risk', 'off_track', 'no_data']
    """
    if value is None:
        return Status.NO_DATA
    if indicator.target is None:
        return Status.NO_TARGET
    if indicator.meets(value):
        return Status.ON_TRACK
    if indicator.warning is None:
        return Status.OFF_TRACK
    higher = indicator.direction is Direction.HIGHER_IS_BETTER
    within = value >= indicator.warning if higher else value <= indicator.warning
    return Status.AT_RISK if within else Status.OFF_TRACK


def trend_of(
    periods: Sequence[PeriodValue], direction: Direction
) -> tuple[Trend | None, float | None]:
    """The trend of the last periods with a value, and the relative slope per period.

    ``periods`` is a calendar (consecutive periods): a period without a value keeps its
    place on the x axis. When the mean is 0, any slope is a trend and the relative
    slope is ``None``. Below, the slope is 1 per month over a mean of 11.33.

    >>> from datetime import date
    >>> ps = [PeriodValue(date(2025, m, 1), v, 1) for m, v in ((1, 10.0), (2, 11.0), (3, None), (4, 13.0))]
    >>> trend_of(ps, Direction.LOWER_IS_BETTER)
    (<Trend.WORSENING: 'worsening'>, 0.0882...)
    """
    points = [(float(k), p.value) for k, p in enumerate(periods) if p.value is not None]
    points = points[-TREND_PERIODS:]
    if len(points) < TREND_MIN_PERIODS:
        return None, None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    relative: float | None = slope / abs(my) if my != 0 else None
    change = relative if relative is not None else slope
    if abs(change) < (TREND_THRESHOLD if relative is not None else 1e-12):
        return Trend.STABLE, relative
    rising = change > 0
    good = rising == (direction is Direction.HIGHER_IS_BETTER)
    return (Trend.IMPROVING if good else Trend.WORSENING), relative
