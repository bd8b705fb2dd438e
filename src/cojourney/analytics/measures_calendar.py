"""Calendars of indicator measures: period units, period arithmetic and SQL literals.

Periods are calendar periods in the workspace's time zone: ``day``, ``week`` (Monday
first, as ISO and DuckDB's ``date_trunc``), ``month``, ``quarter``, ``semester``
(January-June, July-December) and ``year``. :func:`period_sql` and :func:`period_floor`
apply the same rule in SQL and in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cojourney.domain.measures import PeriodUnit
from cojourney.errors import InputError, Location, Problem

__all__ = [
    "SEMESTER",
    "Frame",
    "lit",
    "local_date_sql",
    "parse_period",
    "period_floor",
    "period_next",
    "period_sql",
]

#: A six-month period (January-June, July-December), for targets assessed per semester.
SEMESTER = "semester"
_PERIODS = (*(p.value for p in PeriodUnit), SEMESTER)
_PERIOD_ALIASES = {
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "quarterly": "quarter",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "half_year": SEMESTER,
    "half-year": SEMESTER,
    "halfyear": SEMESTER,
    "semesters": SEMESTER,
    "days": "day",
    "weeks": "week",
    "months": "month",
    "quarters": "quarter",
    "years": "year",
}


def lit(value: str | float | int | bool | date) -> str:
    """A SQL literal for a string, number, boolean or date."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value))
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def parse_period(value: str | PeriodUnit, *, where: Location | None = None) -> str:
    """The period unit named by ``value``: ``day``, ``week``, ``month``, ``quarter``,
    ``semester`` or ``year`` (``monthly``, ``half-year``... are accepted too).

    Raises
    ------
    cojourney.errors.InputError
        Not a period this module knows.
    """
    text = str(value.value if isinstance(value, PeriodUnit) else value).strip().lower()
    text = _PERIOD_ALIASES.get(text, text)
    if text not in _PERIODS:
        raise InputError(
            Problem(
                "unknown period",
                where or Location(field="period"),
                found=repr(value),
                expected=", ".join(_PERIODS),
                hint="use one of the expected period names",
            )
        )
    return text


def local_date_sql(ts_sql: str, time_zone: str) -> str:
    """The calendar date of a ``TIMESTAMPTZ`` expression in ``time_zone``."""
    return f"CAST(timezone({lit(time_zone)}, {ts_sql}) AS DATE)"


def period_sql(unit: str, ts_sql: str, time_zone: str) -> str:
    """The first day of the period holding a ``TIMESTAMPTZ`` expression, in ``time_zone``.

    Weeks start on Monday (ISO), as :func:`period_floor`.
    """
    local = f"timezone({lit(time_zone)}, {ts_sql})"
    if unit == SEMESTER:
        return f"make_date(year({local}), CASE WHEN month({local}) <= 6 THEN 1 ELSE 7 END, 1)"
    return f"CAST(date_trunc('{unit}', {local}) AS DATE)"


def period_floor(day: date, unit: str) -> date:
    """The first day of the period holding ``day`` (the same rule as :func:`period_sql`).

    >>> period_floor(date(2025, 8, 20), "quarter"), period_floor(date(2025, 8, 20), "week")
    (datetime.date(2025, 7, 1), datetime.date(2025, 8, 18))
    """
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    months = {"month": 1, "quarter": 3, SEMESTER: 6, "year": 12}[unit]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def period_next(start: date, unit: str) -> date:
    """The first day of the period after the one starting on ``start``."""
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    months = start.month - 1 + {"month": 1, "quarter": 3, SEMESTER: 6, "year": 12}[unit]
    return date(start.year + months // 12, months % 12 + 1, 1)


@dataclass(frozen=True)
class Frame:
    """The calendar of an evaluation: time zone, period unit and the ``[start, end]`` window
    (whole days, both included, in the time zone)."""

    time_zone: str
    period: str
    start: date | None = None
    end: date | None = None

    def window(self, ts_sql: str) -> str:
        """A SQL test that ``ts_sql`` falls in the window (``TRUE`` without one)."""
        day = local_date_sql(ts_sql, self.time_zone)
        parts = ([f"{day} >= {lit(self.start)}"] if self.start else []) + (
            [f"{day} <= {lit(self.end)}"] if self.end else []
        )
        return " AND ".join(parts) or "TRUE"

    def period_of(self, ts_sql: str) -> str:
        """The SQL first day of the period holding ``ts_sql``."""
        return period_sql(self.period, ts_sql, self.time_zone)
