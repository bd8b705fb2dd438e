"""SLA clocks: per journey, the business time from start to stop, its status and deadline.

:func:`evaluate_clocks` runs every :class:`~cojourney.domain.SlaClock` of a workspace's
agreements (or of one agreement) on an event source:

1. the clock's query runs on the engine (:func:`cojourney.analytics.sla_sql.clock_journeys`,
   built on :func:`cojourney.analytics.sla_events.clock_ctes`): per journey the start,
   stop, pauses, priority, segment and period, and from them, still in SQL, the steps
   2 to 4 below; one summary row per journey comes back;
2. each journey gets the target ``clock.target_for(priority, segment)``: the allowed time
   ``within``, the ``attainment`` and the calendar (the target's, else the clock's; none
   means 24x7 in UTC);
3. business time in SQL over small calendar tables
   (:mod:`cojourney.analytics.business_time_sql`): elapsed = business time from
   start to stop (or to ``as_of``) minus the business time paused; the deadline is the
   instant the allowed time runs out, later by every pause that began before it.
   :func:`time_clock` computes the same with numpy
   (:class:`cojourney.analytics.business_time.WorkingTime`) over
   :func:`~cojourney.analytics.sla_events.clock_events`; it is kept as the reference the
   tests compare the SQL with;
4. status: ``met`` / ``breached`` when stopped. Without a stop, the clock's journey is
   judged by the one rule of :mod:`cojourney.analytics.journey_state`: a journey that
   ended (at an exit point, or cancelling) or went silent (abandoned) stops its clock
   at its last event, with the status the clock's ``abandoned_as`` says (``abandoned``
   by default: neither met nor breached, left out of compliance); a journey still in
   progress keeps its clock running: ``breached`` once past the allowed time (the
   outcome is known), ``at_risk`` past ``warning`` x allowed, else ``running``
   (:class:`~cojourney.analytics.sla_results.ClockStatus`);
5. compliance, tallied with numpy over the per-journey rows (share met among decided
   journeys, against the target's attainment) per period of the start (``month`` in the
   workspace time zone), per priority and both, and the breaches.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np

from cojourney.analytics.business_time import WorkingTime
from cojourney.analytics.journey_state import JourneyState, states
from cojourney.analytics.sla_events import ClockEvents, data_end
from cojourney.analytics.sla_results import ClockJourneys, ClockResult, ClockStatus, ComplianceRow
from cojourney.analytics.sla_sql import clock_journeys
from cojourney.errors import InputError, Location, NotFound, Problem

if TYPE_CHECKING:  # pragma: no cover
    from numpy.typing import NDArray

    from cojourney.domain import (
        Agreement,
        BusinessCalendar,
        ClockTarget,
        Journey,
        SlaClock,
        Workspace,
    )
    from cojourney.events.store import EventSource

__all__ = ["clock_journey", "evaluate_clocks", "time_clock"]

log = logging.getLogger(__name__)

# Stands for "no value" while factorising priorities and segments (numpy strings drop
# trailing NUL characters, so the sentinel must not end with one).
_NONE = "\x00<none>"


def evaluate_clocks(
    source: EventSource,
    workspace: Workspace,
    *,
    agreement_id: str | None = None,
    as_of: datetime | date | None = None,
    start: datetime | date | None = None,
    end: datetime | date | None = None,
    period: str = "month",
) -> list[ClockResult]:
    """Evaluate the SLA clocks of the workspace's agreements on an event source.

    Parameters
    ----------
    source
        The events (an event store or a Parquet source).
    workspace
        The workspace: agreements with ``clocks``, and ``calendars``.
    agreement_id
        Only this agreement's clocks.
    as_of
        Read running clocks at this instant and ignore later events; by default the
        data's end (the latest event). Dates and naive datetimes are in the workspace
        time zone (a date means its end: midnight after it).
    start, end
        Only journeys whose clock started on or after ``start`` and before ``end`` (a
        date ``end`` includes that whole day). Dates and naive datetimes are in the
        workspace time zone.
    period
        The compliance period unit: ``day``, ``week``, ``month``, ``quarter``, ``semester``
        or ``year``.

    Returns
    -------
    list of ClockResult
        One per clock, in the order of the agreements and their clocks.

    Raises
    ------
    cojourney.errors.NotFound
        No agreement ``agreement_id``.
    cojourney.errors.InputError
        A clock names a calendar the workspace does not have.
    """
    zone_name = workspace.workspace.time_zone
    zone = ZoneInfo(zone_name)
    agreements = _agreements(workspace, agreement_id)
    as_of_at = _instant(as_of, zone, day_end=True) if as_of is not None else data_end(source)
    if as_of_at is None:
        as_of_at = datetime.now(UTC)
    from_at = _instant(start, zone) if start is not None else None
    to_at = _instant(end, zone, day_end=True) if end is not None else None
    results = []
    for index, agreement in enumerate(workspace.agreements):
        if agreement not in agreements:
            continue
        for k, clock in enumerate(agreement.clocks):
            calendars = _calendars(workspace, clock, (index, k))
            journey = clock_journey(workspace, clock)
            journeys = clock_journeys(
                source,
                clock,
                calendars,
                as_of=as_of_at,
                journey=journey,
                time_zone=zone_name,
                period=period,
                start=from_at,
                end=to_at,
            )
            results.append(_result(agreement, clock, journeys, as_of_at, period, zone_name))
            log.info(
                "clock %s/%s: %d journeys, %s",
                agreement.id,
                clock.id,
                len(journeys),
                results[-1].status_counts,
            )
    return results


def clock_journey(workspace: Workspace, clock: SlaClock) -> Journey | None:
    """The designed journey a clock times: the one it names, else the first whose
    touchpoints hold one of its start touchpoints (``None``: none)."""
    for journey in workspace.journeys:
        if clock.journey is not None:
            if journey.id == clock.journey:
                return journey
        elif any(t.id in clock.start for t in journey.touchpoints):
            return journey
    return None


def _agreements(workspace: Workspace, agreement_id: str | None) -> list[Agreement]:
    if agreement_id is None:
        return list(workspace.agreements)
    found = [a for a in workspace.agreements if a.id == agreement_id]
    if not found:
        known = ", ".join(a.id for a in workspace.agreements) or "none"
        raise NotFound(
            f"no agreement {agreement_id!r} in workspace {workspace.workspace.id!r}; "
            f"the agreements are: {known}"
        )
    return found


def _instant(value: datetime | date, zone: ZoneInfo, *, day_end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    day = value + timedelta(days=1) if day_end else value
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _calendars(
    workspace: Workspace, clock: SlaClock, where: tuple[int, int]
) -> dict[str | None, BusinessCalendar | None]:
    """The calendars the clock's targets use, by id (``None``: 24x7 in UTC)."""
    known = {c.id: c for c in workspace.calendars}
    wanted = {clock.calendar, *(t.calendar for t in clock.targets)}
    problems = []
    for name in sorted(n for n in wanted if n is not None and n not in known):
        problems.append(
            Problem(
                f"clock {clock.id!r} names an unknown calendar",
                Location(
                    "agreements.yaml", field=f"agreements[{where[0]}].clocks[{where[1]}].calendar"
                ),
                found=repr(name),
                expected=", ".join(sorted(known)) or "a calendar under 'calendars:'",
                hint="add the calendar under 'calendars:' in agreements.yaml or fix the id",
            )
        )
    if problems:
        raise InputError(problems)
    return {name: (known[name] if name is not None else None) for name in wanted}


# --------------------------------------------------------------------------- timing


def _factorise(values: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    """Distinct values (``None`` included, as ``None``) and the code of each entry."""
    if values.size == 0:
        return np.empty(0, dtype=object), np.empty(0, dtype=np.int64)
    missing = np.equal(values, np.full(values.shape, None, dtype=object))
    keyed = np.where(missing, _NONE, values).astype(str)
    uniques, codes = np.unique(keyed, return_inverse=True)
    distinct = np.array([None if u == _NONE else str(u) for u in uniques.tolist()], dtype=object)
    return distinct, codes.astype(np.int64).reshape(-1)


def time_clock(
    events: ClockEvents,
    clock: SlaClock,
    calendars: dict[str | None, BusinessCalendar | None],
    as_of: float,
    journey: Journey | None = None,
) -> ClockJourneys:
    """Elapsed business time, allowed time, deadline and status of each journey.

    Parameters
    ----------
    events
        The clock's events per journey (:func:`.sla_events.clock_events`).
    clock
        The clock (its targets and warning threshold).
    calendars
        The calendars by id, as named by the clock and its targets.
    as_of
        UTC epoch seconds at which running clocks are read (the data's end).
    journey
        The designed journey the clock times: with the journeys' last events it tells
        a clock whose journey ended or was abandoned (stopped at the last event) from a
        running one (:mod:`cojourney.analytics.journey_state`). ``None``: its default
        in-progress window and no ending touchpoint.
    """
    n = len(events)
    if n == 0:
        return _empty_journeys(events)
    priorities, p_codes = _factorise(events.priority)
    segments, s_codes = _factorise(events.segment)
    combos, combo_of = np.unique(p_codes * max(len(segments), 1) + s_codes, return_inverse=True)
    allowed = np.full(n, np.nan)
    attainment = np.full(n, np.nan)
    calendar_of = np.empty(n, dtype=object)
    for i, combo in enumerate(combos.tolist()):
        p, s = divmod(combo, max(len(segments), 1))
        target: ClockTarget | None = clock.target_for(priorities[p], segments[s])
        rows = combo_of == i
        if target is not None:
            allowed[rows] = target.within.total_seconds()
            attainment[rows] = target.attainment
            calendar_of[rows] = target.calendar or clock.calendar
    has_target = np.isfinite(allowed)
    finished = np.isfinite(events.stop)
    abandoned = ~finished & _journey_over(events, as_of, journey)
    last = events.last_event if events.last_event is not None else np.full(n, as_of)
    end = np.where(
        finished, events.stop, np.where(abandoned, np.maximum(last, events.start), as_of)
    )
    pause_end = np.where(np.isfinite(events.pause_end), events.pause_end, as_of)
    elapsed = np.full(n, np.nan)
    paused = np.zeros(n)
    deadline = np.full(n, np.nan)
    for name in {calendar_of[i] for i in np.flatnonzero(has_target).tolist()}:
        rows = has_target & (calendar_of == name)
        _time_group(
            events, rows, calendars.get(name), end, pause_end, allowed, elapsed, paused, deadline
        )
    return ClockJourneys(
        journey_id=events.journey_id,
        priority=events.priority,
        segment=events.segment,
        period=events.period,
        start=events.start,
        stop=events.stop,
        elapsed_seconds=elapsed,
        paused_seconds=np.where(has_target, paused, np.nan),
        allowed_seconds=allowed,
        attainment=attainment,
        deadline=deadline,
        status=_status(elapsed, allowed, finished, clock.warning, abandoned, clock.abandoned_as),
        abandoned=abandoned,
    )


def _journey_over(events: ClockEvents, as_of: float, journey: Journey | None) -> NDArray[np.bool_]:
    """Whether each journey ended or was abandoned (not in progress) at ``as_of``."""
    if events.last_event is None or events.last_touchpoint is None:
        return np.zeros(len(events), dtype=bool)
    state = states(events.last_touchpoint, events.last_event, as_of, journey)
    return np.asarray(state != JourneyState.IN_PROGRESS.value, dtype=bool)


def _time_group(
    events: ClockEvents,
    rows: NDArray[np.bool_],
    calendar: BusinessCalendar | None,
    end: NDArray[np.float64],
    pause_end: NDArray[np.float64],
    allowed: NDArray[np.float64],
    elapsed: NDArray[np.float64],
    paused: NDArray[np.float64],
    deadline: NDArray[np.float64],
) -> None:
    """Fill elapsed, paused and deadline for the journeys ``rows`` that share a calendar."""
    start = events.start
    clock = WorkingTime(calendar, float(start[rows].min()), float(end[rows].max()))
    raw = clock.elapsed(start[rows], end[rows])
    in_group = rows[events.pause_journey]
    pj = events.pause_journey[in_group]
    ps, pe = events.pause_start[in_group], pause_end[in_group]
    # The business time each pause takes out of the running clock (within start..end).
    lo = np.maximum(ps, start[pj])
    hi = np.minimum(pe, end[pj])
    taken = np.where(hi > lo, clock.elapsed(lo, np.maximum(hi, lo)), 0.0)
    paused_all = np.bincount(pj, weights=taken, minlength=start.size)
    paused[rows] = paused_all[rows]
    elapsed[rows] = raw - paused_all[rows]
    # Deadline: each pause that begins before the current deadline pushes it by its length.
    current = np.full(start.size, np.nan)
    current[rows] = clock.deadline(start[rows], allowed[rows])
    added = np.zeros(start.size)
    if pj.size:
        first = np.r_[0, np.flatnonzero(np.diff(pj)) + 1]
        rank = np.arange(pj.size) - np.repeat(first, np.diff(np.r_[first, pj.size]))
        full = clock.elapsed(ps, np.maximum(pe, ps))
        for r in range(int(rank.max()) + 1):
            pick = (rank == r) & (ps < current[pj])
            if not pick.any():
                continue
            moved = pj[pick]
            added[moved] += full[pick]
            current[moved] = clock.deadline(start[moved], allowed[moved] + added[moved])
    deadline[rows] = current[rows]


def _status(
    elapsed: NDArray[np.float64],
    allowed: NDArray[np.float64],
    finished: NDArray[np.bool_],
    warning: float,
    abandoned: NDArray[np.bool_] | None = None,
    abandoned_as: str = "abandoned",
) -> NDArray[np.object_]:
    with np.errstate(invalid="ignore"):
        over = elapsed > allowed
        risky = elapsed > warning * allowed
    if abandoned is None:
        abandoned = np.zeros(elapsed.shape, dtype=bool)
    choices = [np.isnan(allowed), abandoned, finished & ~over, over, risky]
    values = [
        ClockStatus.NO_TARGET.value,
        ClockStatus(str(abandoned_as)).value,
        ClockStatus.MET.value,
        ClockStatus.BREACHED.value,
        ClockStatus.AT_RISK.value,
    ]
    return np.asarray(np.select(choices, values, default=ClockStatus.RUNNING.value), dtype=object)


def _empty_journeys(events: ClockEvents) -> ClockJourneys:
    nothing = np.empty(0)
    return ClockJourneys(
        events.journey_id,
        events.priority,
        events.segment,
        events.period,
        events.start,
        events.stop,
        nothing,
        nothing,
        nothing,
        nothing,
        nothing,
        np.empty(0, dtype=object),
    )


# --------------------------------------------------------------------------- compliance


def _result(
    agreement: Agreement,
    clock: SlaClock,
    journeys: ClockJourneys,
    as_of: datetime,
    period: str,
    zone: str,
) -> ClockResult:
    status = journeys.status
    counts = {s.value: int((status == s.value).sum()) for s in ClockStatus}
    attainment = journeys.attainment
    everyone = np.ones(len(journeys), dtype=bool)
    periods = np.unique(journeys.period) if len(journeys) else np.empty(0, "datetime64[D]")
    priorities, p_codes = _factorise(journeys.priority)
    cells = tuple(
        _row(journeys, (journeys.period == p) & (p_codes == k), attainment, _day(p), priorities[k])
        for p in periods
        for k in range(len(priorities))
        if ((journeys.period == p) & (p_codes == k)).any()
    )

    def combined(
        rows: NDArray[np.bool_],
        parts: Sequence[ComplianceRow],
        day: date | None,
        priority: str | None,
    ) -> ComplianceRow:
        row = _row(journeys, rows, attainment, day, priority)
        verdicts = [c.meets for c in parts if c.meets is not None]
        return _with_meets(row, all(verdicts) if verdicts else None)

    by_period = tuple(
        combined(journeys.period == p, [c for c in cells if c.period == _day(p)], _day(p), None)
        for p in periods
    )
    by_priority = tuple(
        _row(journeys, p_codes == k, attainment, None, priorities[k])
        for k in range(len(priorities))
    )
    total = combined(everyone, by_priority, None, None)
    breached = np.flatnonzero(status == ClockStatus.BREACHED.value)
    overrun = journeys.elapsed_seconds[breached] - journeys.allowed_seconds[breached]
    order = breached[np.lexsort((journeys.journey_id[breached].astype(str), -overrun))]
    return ClockResult(
        agreement_id=agreement.id,
        agreement_kind=agreement.kind.value,
        services=tuple(agreement.services),
        clock_id=clock.id,
        clock_name=clock.name,
        indicator=clock.indicator,
        as_of=as_of.astimezone(UTC),
        period_unit=period,
        time_zone=zone,
        status_counts=counts,
        total=total,
        periods=by_period,
        priorities=by_priority,
        cells=cells,
        breach_order=order.astype(np.int64),
        journeys=journeys,
    )


def _day(value: np.datetime64) -> date:
    day: date = value.astype("datetime64[D]").astype(date)
    return day


def _row(
    journeys: ClockJourneys,
    rows: NDArray[np.bool_],
    attainment: NDArray[np.float64],
    period: date | None,
    priority: str | None,
) -> ComplianceRow:
    status = journeys.status[rows]
    met = int((status == ClockStatus.MET.value).sum())
    breached = int((status == ClockStatus.BREACHED.value).sum())
    wanted = attainment[rows]
    wanted = wanted[np.isfinite(wanted)]
    required = float(wanted.max()) if wanted.size else None
    share = 100.0 * met / (met + breached) if met + breached else None
    meets = None if share is None or required is None else share >= required
    return ComplianceRow(
        period=period,
        priority=priority,
        journeys=int(rows.sum()),
        met=met,
        breached=breached,
        at_risk=int((status == ClockStatus.AT_RISK.value).sum()),
        running=int((status == ClockStatus.RUNNING.value).sum()),
        abandoned=int((status == ClockStatus.ABANDONED.value).sum()),
        share_met=share,
        attainment=required,
        meets=meets,
    )


def _with_meets(row: ComplianceRow, meets: bool | None) -> ComplianceRow:
    return ComplianceRow(
        row.period,
        row.priority,
        row.journeys,
        row.met,
        row.breached,
        row.at_risk,
        row.running,
        row.abandoned,
        row.share_met,
        row.attainment,
        meets,
    )
