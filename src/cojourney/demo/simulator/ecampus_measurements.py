"""The eCampus measurements: the indicators no event log or survey holds.

Seven eCampus value indicators have no ``measure``: their figures come from other
systems, which the simulator stands in for, writing one measurement per indicator
per month (per day for the platform monitoring) over the simulated period:

=============================  ==========================  ========================
indicator                      system                      simulated
=============================  ==========================  ========================
fleet-utilisation              Axle telematics             33 % rising to ~44 %
commute-time-saved             telematics + trip planner   ~38 min, stable
free-charging-bay-rate         Axle telematics             ~84 % rising to ~89 %
axle-revenue-share             billing, Axle ledger        R$ 9,000 rising to ~16,000
member-cost-per-trip           billing                     R$ 30 falling to ~26
university-discount-uptake     app + student affairs       9 % rising to ~14 %
booking-app-availability       platform monitoring         daily, ~99.6 %
=============================  ==========================  ========================

Each value is the trend's level at that time plus seeded noise, so the same seed gives
the same measurements (docs/demo-data.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa

__all__ = ["MEASURED", "SYSTEMS", "measurements_table"]


@dataclass(frozen=True, slots=True)
class _Series:
    indicator: str
    system: str
    unit: str
    first: float  #: level in the first month
    last: float  #: level in the last month
    noise: float  #: standard deviation of a value around the level
    daily: bool = False
    low: float = 0.0
    high: float = float("inf")


_SERIES: Final = (
    _Series("fleet-utilisation", "telematics", "%", 33.0, 44.0, 1.2, high=100.0),
    _Series("commute-time-saved", "telematics", "minutes", 38.0, 38.5, 1.5),
    _Series("free-charging-bay-rate", "telematics", "%", 84.0, 89.0, 1.0, high=100.0),
    _Series("axle-revenue-share", "billing", "R$", 9000.0, 16000.0, 600.0),
    _Series("member-cost-per-trip", "billing", "R$", 30.0, 26.0, 0.6),
    _Series("university-discount-uptake", "billing", "%", 9.0, 14.0, 0.7, high=100.0),
    _Series("booking-app-availability", "monitoring", "%", 99.5, 99.7, 0.25, True, high=100.0),
)
#: The indicators the simulator measures, and the system each stands in for.
SYSTEMS: Final = {s.indicator: s.system for s in _SERIES}
MEASURED: Final = frozenset(SYSTEMS)


def measurements_table(start: date, end: date, time_zone: str, seed: int) -> pa.Table:
    """The measurements from ``start``'s month to ``end``'s, in the store's columns.

    Monthly values are taken on the 1st at noon local time, of the month they
    describe; daily values at noon of each day.
    """
    rng = np.random.default_rng([seed, 20_251])
    zone = ZoneInfo(time_zone)
    months = _months(start, end)
    indicators: list[str] = []
    times: list[datetime] = []
    values: list[float] = []
    units: list[str] = []
    for series in _SERIES:
        days = _days(months[0], end) if series.daily else months
        span = max(len(days) - 1, 1)
        for k, day in enumerate(days):
            level = series.first + (series.last - series.first) * k / span
            value = float(np.clip(level + rng.normal(0.0, series.noise), series.low, series.high))
            indicators.append(series.indicator)
            times.append(datetime(day.year, day.month, day.day, 12, tzinfo=zone).astimezone(UTC))
            values.append(round(value, 2))
            units.append(series.unit)
    return pa.table(
        {
            "indicator": pa.array(indicators, pa.string()),
            "timestamp": pa.array(times, pa.timestamp("us", tz="UTC")),
            "measurement_seq": pa.array(range(len(values)), pa.int64()),
            "value": pa.array(values, pa.float64()),
            "segment": pa.array([None] * len(values), pa.string()),
            "unit": pa.array(units, pa.string()),
        }
    )


def _months(start: date, end: date) -> list[date]:
    out = [date(start.year, start.month, 1)]
    while (out[-1].year, out[-1].month) < (end.year, end.month):
        last = out[-1]
        out.append(date(last.year + last.month // 12, last.month % 12 + 1, 1))
    return out


def _days(first: date, end: date) -> list[date]:
    return [first + timedelta(days=k) for k in range((end - first).days + 1)]
