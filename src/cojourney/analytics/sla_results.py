"""Plain, typed results of the SLA clocks (:mod:`cojourney.analytics.sla`).

Every result has ``to_dict()`` giving JSON-ready data (dates and instants as ISO 8601
strings, instants in UTC). Per-journey values stay in numpy arrays
(:class:`ClockJourneys`): a clock may time hundreds of thousands of journeys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray


class ClockStatus(StrEnum):
    """Where a journey's clock stands.

    ``met``: stopped within the allowed time; ``breached``: stopped after it, or still
    running and already past it; ``at_risk``: running, past ``warning`` x allowed;
    ``running``: running, below that; ``abandoned``: no stop event, and the journey
    ended or went silent (:mod:`cojourney.analytics.journey_state`), unless the clock's
    ``abandoned_as`` counts such a journey as met or breached; ``no_target``: no target
    of the clock applies to the journey's priority and segment.
    """

    MET = "met"
    BREACHED = "breached"
    AT_RISK = "at_risk"
    RUNNING = "running"
    ABANDONED = "abandoned"
    NO_TARGET = "no_target"


def to_plain(value: Any) -> Any:
    """JSON-ready data: dataclasses as dicts, tuples as lists, dates as ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, np.generic):
        return value.item()
    return value


def instant(epoch: float) -> datetime | None:
    """UTC epoch seconds as an aware datetime (``None`` for NaN)."""
    if epoch is None or not np.isfinite(epoch):
        return None
    return datetime.fromtimestamp(float(epoch), UTC)


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """Clock compliance of one group of journeys (a period, a priority, both, or all).

    ``share_met`` is ``met / (met + breached)`` in percent: journeys still running but
    already past their allowed time count as breached (their outcome is known); those
    running within it are not counted yet, nor are abandoned ones. ``attainment`` is the target's required
    percentage (the strictest one when the group mixes targets); ``meets`` says whether
    ``share_met`` reaches it, and for a group of several priorities whether every
    priority of the group does (``None``: nothing decided yet).
    """

    period: date | None
    priority: str | None
    journeys: int
    met: int
    breached: int
    at_risk: int
    running: int
    abandoned: int
    share_met: float | None
    attainment: float | None
    meets: bool | None

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = to_plain(self)
        return result


@dataclass(frozen=True, slots=True)
class Breach:
    """One journey whose clock passed its allowed time (times in business seconds)."""

    journey_id: str
    priority: str | None
    segment: str | None
    start: datetime
    stop: datetime | None
    deadline: datetime | None
    elapsed_seconds: float
    allowed_seconds: float
    overrun_seconds: float
    finished: bool
    #: No stop event, and the journey ended or went silent (``abandoned_as: breached``).
    abandoned: bool = False

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = to_plain(self)
        return result


@dataclass(frozen=True, eq=False)
class ClockJourneys:
    """Every journey a clock timed, as arrays of equal length (ordered by journey id).

    Instants are UTC epoch seconds (NaN: none); ``elapsed_seconds`` is business time
    from the start to the stop (or to ``as_of`` while running), pauses excluded;
    ``paused_seconds`` the business time paused; ``allowed_seconds`` and ``attainment``
    come from the journey's target (NaN: none); ``deadline`` is the instant the allowed
    time runs out (an open pause counts until ``as_of``).
    """

    journey_id: NDArray[np.object_]
    priority: NDArray[np.object_]
    segment: NDArray[np.object_]
    period: NDArray[np.datetime64]
    start: NDArray[np.float64]
    stop: NDArray[np.float64]
    elapsed_seconds: NDArray[np.float64]
    paused_seconds: NDArray[np.float64]
    allowed_seconds: NDArray[np.float64]
    attainment: NDArray[np.float64]
    deadline: NDArray[np.float64]
    status: NDArray[np.object_]
    #: Whether each clock stopped with its journey (ended or silent, no stop event).
    abandoned: NDArray[np.bool_] | None = None

    def __len__(self) -> int:
        return int(self.journey_id.size)

    def index(self, journey_id: str) -> int:
        """The position of a journey (ValueError when the clock did not time it)."""
        found = np.flatnonzero(self.journey_id == journey_id)
        if found.size == 0:
            raise ValueError(f"the clock did not time journey {journey_id!r}")
        return int(found[0])

    def row(self, i: int) -> dict[str, Any]:
        """One journey as JSON-ready data."""

        def number(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        start, stop = instant(self.start[i]), instant(self.stop[i])
        deadline = instant(self.deadline[i])
        return {
            "journey_id": self.journey_id[i],
            "priority": self.priority[i],
            "segment": self.segment[i],
            "period": str(self.period[i]),
            "start": start.isoformat() if start else None,
            "stop": stop.isoformat() if stop else None,
            "deadline": deadline.isoformat() if deadline else None,
            "elapsed_seconds": number(self.elapsed_seconds[i]),
            "paused_seconds": number(self.paused_seconds[i]),
            "allowed_seconds": number(self.allowed_seconds[i]),
            "status": self.status[i],
            "abandoned": bool(self.abandoned[i]) if self.abandoned is not None else False,
        }

    def rows(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The first ``limit`` journeys (all by default) as JSON-ready data."""
        count = len(self) if limit is None else min(limit, len(self))
        return [self.row(i) for i in range(count)]


@dataclass(frozen=True, eq=False)
class ClockResult:
    """One SLA clock of one agreement, evaluated on every journey it applies to.

    Attributes
    ----------
    agreement_id, agreement_kind, services
        The agreement the clock belongs to.
    clock_id, clock_name, indicator
        The clock, and the indicator whose targets it measures (if named).
    as_of
        The instant the running clocks were read at (the data's end by default).
    period_unit
        The unit of the compliance periods (``month``), cut in ``time_zone``.
    status_counts
        Journeys per :class:`ClockStatus` value.
    total, periods, priorities, cells
        Compliance over everything, per period, per priority and per
        (period, priority); see :class:`ComplianceRow`.
    breach_order
        Positions (in ``journeys``) of the breached journeys, largest overrun first;
        :attr:`breaches` builds the :class:`Breach` objects from it on first use.
    journeys
        Every journey timed.
    """

    agreement_id: str
    agreement_kind: str
    services: tuple[str, ...]
    clock_id: str
    clock_name: str
    indicator: str | None
    as_of: datetime
    period_unit: str
    time_zone: str
    status_counts: dict[str, int]
    total: ComplianceRow
    periods: tuple[ComplianceRow, ...]
    priorities: tuple[ComplianceRow, ...]
    cells: tuple[ComplianceRow, ...]
    breach_order: NDArray[np.int64]
    journeys: ClockJourneys

    @cached_property
    def breaches(self) -> tuple[Breach, ...]:
        """Every breached journey, largest overrun first (then by journey id)."""
        return self.top_breaches(None)

    def top_breaches(self, limit: int | None = 10) -> tuple[Breach, ...]:
        """The ``limit`` breaches with the largest overrun (all with ``None``)."""
        order = self.breach_order if limit is None else self.breach_order[:limit]
        return tuple(_breach(self.journeys, int(i)) for i in order.tolist())

    def period(self, start: date) -> ComplianceRow | None:
        """The compliance of the period starting on ``start`` (``None``: no journey)."""
        return next((row for row in self.periods if row.period == start), None)

    def to_dict(self, *, journeys: bool = False, breaches: int | None = None) -> dict[str, Any]:
        """JSON-ready data: the ``breaches`` largest breaches (all by default) and the
        per-journey rows only with ``journeys=True``."""
        result: dict[str, Any] = {
            f.name: to_plain(getattr(self, f.name))
            for f in fields(self)
            if f.name not in ("journeys", "breach_order")
        }
        result["journey_count"] = len(self.journeys)
        result["breach_count"] = int(self.breach_order.size)
        result["breaches"] = to_plain(self.top_breaches(breaches))
        if journeys:
            result["journeys"] = self.journeys.rows()
        return result


def _breach(journeys: ClockJourneys, i: int) -> Breach:
    start = instant(journeys.start[i])
    assert start is not None
    elapsed, allowed = float(journeys.elapsed_seconds[i]), float(journeys.allowed_seconds[i])
    return Breach(
        journey_id=str(journeys.journey_id[i]),
        priority=journeys.priority[i],
        segment=journeys.segment[i],
        start=start,
        stop=instant(journeys.stop[i]),
        deadline=instant(journeys.deadline[i]),
        elapsed_seconds=elapsed,
        allowed_seconds=allowed,
        overrun_seconds=elapsed - allowed,
        finished=bool(np.isfinite(journeys.stop[i])),
        abandoned=bool(journeys.abandoned[i]) if journeys.abandoned is not None else False,
    )
