"""Agreement targets on indicators, period by period: :func:`evaluate_targets`.

Every target of an agreement (SLA, OLA, XLA, outcome-based) names an indicator, a
comparator and a value, optionally for one ``priority`` or ``segment`` and over a
``period`` (``month``, ``quarter``, ``semester``...; default: the measure's period).
Each target is evaluated on the indicator's measure (:mod:`.measures`), per period,
and each period is **met** or **missed**.

* **Moving targets.** Targets of one agreement on the same indicator, priority,
  segment and period form one series; the target *in force* in a period is the latest
  one whose ``effective_from`` is on or before the period's first day (a target
  without ``effective_from`` has always been in force). A period before any target
  is in force is neither met nor missed.
* **Priority.** ``priority: P1`` keeps the journeys with an event whose priority
  attribute is ``P1``: the attribute named by the agreement's first SLA clock
  (``priority_attribute``), else ``priority``.
* **Segment.** ``segment`` keeps the journeys of that segment when it is an id
  (``katrina``); a description in words ("members whose car came back late") is
  shown but not applied (``segment_applied`` is false).
* **SLA clocks.** When one of the agreement's clocks times the target's indicator
  (``clock.indicator``), the series names it (``clock``): the clock counts business
  time and pauses, the indicator's measure elapsed time.
* **Baseline vs current** (XLAs above all): ``baseline`` is the target's baseline
  (else the indicator's), ``current`` the latest period with data, ``change`` the
  difference.

The result is stable API for the SLA-clock and watermelon analyses, which read
:class:`TargetSeries` (``agreement_id``, ``kind``, ``services``, ``periods``...).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from cojourney.analytics.measures import IndicatorSeries, JourneySet, evaluate, find_indicator
from cojourney.analytics.measures_calendar import parse_period
from cojourney.domain.common import ID_PATTERN
from cojourney.domain.value import Agreement, AgreementBasis, AgreementKind, Target
from cojourney.errors import Location

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = [
    "TargetPeriod",
    "TargetSeries",
    "TargetStatus",
    "evaluate_targets",
    "judge_by_clocks",
    "target_in_force",
]

log = logging.getLogger(__name__)


class TargetStatus(StrEnum):
    """A target's state in its latest period with data."""

    MET = "met"
    MISSED = "missed"
    NO_DATA = "no_data"
    NOT_MEASURED = "not_measured"  #: the indicator has no measure


@dataclass(frozen=True)
class TargetPeriod:
    """One period of a target: the value, its sample size, the target in force, met or not."""

    period_start: date
    value: float | None
    n: int
    target: float | None
    comparator: str | None
    met: bool | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "value": self.value,
            "n": self.n,
            "target": self.target,
            "comparator": self.comparator,
            "met": self.met,
        }


@dataclass(frozen=True)
class TargetSeries:
    """One target (or one moving target) of an agreement, evaluated per period.

    Attributes
    ----------
    agreement_id, agreement_name, kind, basis, services
        The agreement.
    indicator_id, indicator_name, unit
        The indicator the target is set on.
    priority, segment, segment_applied
        Which journeys count (see the module docstring).
    period
        The period unit it is assessed over.
    targets
        The targets of the series, oldest ``effective_from`` first.
    target
        The target in force in the latest period (else the latest target).
    baseline, current, change
        Where the indicator stood when agreed, the latest period with data, and
        ``current.value - baseline``.
    periods
        Each period: value, ``n``, the target in force, met.
    met, missed, attainment
        Periods met and missed, and the percentage met (``None``: none assessed).
    status
        Met or missed in the latest period with data; ``no_data``; ``not_measured``.
    series
        The indicator series behind it (``None`` when not measured).
    note
        Why something is missing.
    clock
        The agreement's SLA clock that times the same indicator, if any: the clock
        counts business time and pauses (:mod:`cojourney.analytics.sla`), this series
        the indicator's measure (elapsed time), so prefer the clock for attainment.
    """

    agreement_id: str
    agreement_name: str
    kind: AgreementKind
    basis: AgreementBasis
    services: tuple[str, ...]
    indicator_id: str
    indicator_name: str
    unit: str
    priority: str | None
    segment: str | None
    segment_applied: bool
    period: str
    targets: tuple[Target, ...]
    target: Target | None
    baseline: float | None
    current: TargetPeriod | None
    change: float | None
    periods: tuple[TargetPeriod, ...]
    met: int
    missed: int
    attainment: float | None
    status: TargetStatus
    series: IndicatorSeries | None = None
    note: str | None = None
    clock: str | None = None

    @property
    def measured(self) -> bool:
        return self.status is not TargetStatus.NOT_MEASURED

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "agreement": self.agreement_id,
            "agreement_name": self.agreement_name,
            "kind": self.kind.value,
            "basis": self.basis.value,
            "services": list(self.services),
            "indicator": self.indicator_id,
            "indicator_name": self.indicator_name,
            "unit": self.unit,
            "priority": self.priority,
            "segment": self.segment,
            "segment_applied": self.segment_applied,
            "period": self.period,
            "targets": [t.model_dump(mode="json", exclude_none=True) for t in self.targets],
            "target": self.target.model_dump(mode="json", exclude_none=True)
            if self.target
            else None,
            "baseline": self.baseline,
            "current": self.current.to_dict() if self.current else None,
            "change": self.change,
            "met": self.met,
            "missed": self.missed,
            "attainment": self.attainment,
            "status": self.status.value,
            "note": self.note,
            "clock": self.clock,
            "periods": [p.to_dict() for p in self.periods],
        }


def evaluate_targets(
    source: EventSource,
    workspace: Workspace,
    agreement_id: str | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> list[TargetSeries]:
    """Evaluate the targets of one agreement, or of every agreement, per period.

    Parameters
    ----------
    source
        The events and feedback (DuckDB).
    workspace
        The agreements, their indicators and the time zone.
    agreement_id
        One agreement; ``None`` for all, in workspace order.
    start, end
        The window (local dates, both included).

    Returns
    -------
    list[TargetSeries]
        One per target, or per moving target (see the module docstring), in the order
        the targets are written.

    Raises
    ------
    cojourney.errors.NotFound
        No agreement ``agreement_id``.
    cojourney.errors.InputError
        A target's ``period`` is not a known period.
    """
    if agreement_id is None:
        agreements = list(workspace.agreements)
    else:
        agreements = [workspace.require("agreements", agreement_id)]
    out: list[TargetSeries] = []
    for agreement in agreements:
        for group in _groups(workspace, agreement):
            out.append(_evaluate_group(source, workspace, agreement, group, start, end))
    log.info("evaluated %d target series of %d agreements", len(out), len(agreements))
    return out


def target_in_force(targets: list[Target] | tuple[Target, ...], day: date) -> Target | None:
    """The latest target whose ``effective_from`` is on or before ``day``.

    >>> from datetime import date
    >>> ts = [Target(indicator="x", comparator=">=", value=v, effective_from=f)
    ...       for v, f in ((80, None), (90, date(2025, 7, 1)))]
    >>> [target_in_force(ts, date(2025, m, 1)).value for m in (6, 7)]
    [80.0, 90.0]
    """
    in_force = [t for t in targets if t.effective_from is None or t.effective_from <= day]
    if not in_force:
        return None
    return max(enumerate(in_force), key=lambda kt: (kt[1].effective_from or date.min, kt[0]))[1]


# --------------------------------------------------------------------------- helpers


@dataclass
class _Group:
    indicator: str
    priority: str | None
    segment: str | None
    period: str | None
    index: int
    targets: list[Target]


def _groups(workspace: Workspace, agreement: Agreement) -> list[_Group]:
    agreement_index = workspace.agreements.index(agreement)
    groups: dict[tuple[Any, ...], _Group] = {}
    for k, target in enumerate(agreement.targets):
        period = None
        if target.period is not None:
            where = Location(
                file="agreements.yaml", field=f"agreements[{agreement_index}].targets[{k}].period"
            )
            period = parse_period(target.period, where=where)
        key = (target.indicator, target.priority, target.segment, period)
        groups.setdefault(
            key, _Group(target.indicator, target.priority, target.segment, period, k, [])
        )
        groups[key].targets.append(target)
    for group in groups.values():
        group.targets.sort(key=lambda t: t.effective_from or date.min)
    return sorted(groups.values(), key=lambda g: g.index)


def _journey_sets(agreement: Agreement, group: _Group) -> tuple[list[JourneySet], bool]:
    sets: list[JourneySet] = []
    if group.priority is not None:
        attribute = agreement.clocks[0].priority_attribute if agreement.clocks else "priority"
        sets.append(JourneySet.attribute(attribute, group.priority))
    applied = False
    if group.segment is not None and re.fullmatch(ID_PATTERN, group.segment):
        sets.append(JourneySet.segment(group.segment))
        applied = True
    return sets, applied


def _evaluate_group(
    source: EventSource,
    workspace: Workspace,
    agreement: Agreement,
    group: _Group,
    start: date | None,
    end: date | None,
) -> TargetSeries:
    indicator = find_indicator(workspace, group.indicator)
    sets, applied = _journey_sets(agreement, group)
    latest = group.targets[-1]
    clock = next((c.id for c in agreement.clocks if c.indicator == indicator.id), None)
    baseline = next(
        (t.baseline for t in reversed(group.targets) if t.baseline is not None), indicator.baseline
    )
    common: dict[str, Any] = dict(
        agreement_id=agreement.id,
        agreement_name=agreement.name,
        kind=agreement.kind,
        basis=agreement.basis,
        services=tuple(agreement.services),
        indicator_id=indicator.id,
        indicator_name=indicator.name,
        unit=indicator.unit,
        priority=group.priority,
        segment=group.segment,
        segment_applied=applied,
        targets=tuple(group.targets),
        baseline=baseline,
        clock=clock,
    )
    if indicator.measure is None:
        return TargetSeries(
            **common,
            period=group.period or "month",
            target=latest,
            current=None,
            change=None,
            periods=(),
            met=0,
            missed=0,
            attainment=None,
            status=TargetStatus.NOT_MEASURED,
            note=f"indicator {indicator.id!r} has no measure "
            f"(data source: {indicator.data_source or 'not given'})",
        )
    series = evaluate(
        source, workspace, indicator, start=start, end=end, sets=sets, period=group.period
    )
    periods = []
    for p in series.periods:
        target = target_in_force(group.targets, p.period_start)
        met = (
            None
            if target is None or p.value is None or p.n == 0
            else target.comparator.holds(p.value, target.value)
        )
        periods.append(
            TargetPeriod(
                p.period_start,
                p.value,
                p.n,
                target.value if target else None,
                target.comparator.value if target else None,
                met,
            )
        )
    current = next((p for p in reversed(periods) if p.n > 0), None)
    met_count = sum(1 for p in periods if p.met is True)
    missed_count = sum(1 for p in periods if p.met is False)
    assessed = met_count + missed_count
    if current is None or current.met is None:
        status = TargetStatus.NO_DATA
    else:
        status = TargetStatus.MET if current.met else TargetStatus.MISSED
    in_force = target_in_force(group.targets, periods[-1].period_start) if periods else None
    return TargetSeries(
        **common,
        period=series.period,
        target=in_force or latest,
        current=current,
        change=(current.value - baseline)
        if current and current.value is not None and baseline is not None
        else None,
        periods=tuple(periods),
        met=met_count,
        missed=missed_count,
        attainment=100.0 * met_count / assessed if assessed else None,
        status=status,
        series=series,
        note=series.note
        or (
            f"also timed by the SLA clock {clock!r} (business time, pauses); "
            "this series is the indicator's measure"
            if clock
            else None
        ),
    )


def judge_by_clocks(
    series: Sequence[TargetSeries],
    clocks: Sequence[ClockResult],
    workspace: Workspace | None = None,
) -> list[TargetSeries]:
    """Targets timed by an SLA clock, met or missed as the clock says.

    A target such as "P3 resolved within 24 support hours for 95% of incidents" is about
    the clock: business time with pauses left out, and a share of journeys. The
    indicator's measure (the series' values) counts elapsed wall-clock time, so for a
    series whose agreement has a clock on its indicator (:attr:`TargetSeries.clock`),
    each period is judged by the clock's compliance for that period (and priority)
    against the target's attainment. With the ``workspace``, the values become the
    clock's too (:func:`cojourney.analytics.clock_measures.clock_period_values`: the
    measure's statistic of the business time of the stopped clocks), the very values
    ``cojourney value`` shows; without it they stay the measure's. Series without a
    clock, or whose period unit differs from the clock's, are returned unchanged.
    """
    from cojourney.analytics.clock_measures import clock_period_values

    measures = {i.id: i.measure for i in workspace.indicators} if workspace else {}
    by_clock = {(c.agreement_id, c.clock_id): c for c in clocks}
    judged = []
    for s in series:
        clock = by_clock.get((s.agreement_id, s.clock)) if s.clock else None
        if clock is None or clock.period_unit != s.period or not s.periods:
            judged.append(s)
            continue
        rows = clock.cells if s.priority else clock.periods
        verdicts = {r.period: r.meets for r in rows if not s.priority or r.priority == s.priority}
        measure = measures.get(s.indicator_id)
        values = clock_period_values(clock, measure, s.priority)[0] if measure else {}
        periods = tuple(
            replace(
                p,
                met=verdicts.get(p.period_start),
                n=values.get(p.period_start, (p.n, p.value))[0] if measure else p.n,
                value=values.get(p.period_start, (0, None))[1] if measure else p.value,
            )
            for p in s.periods
        )
        met = sum(1 for p in periods if p.met is True)
        missed = sum(1 for p in periods if p.met is False)
        latest = next((p for p in reversed(periods) if p.met is not None), None)
        status = (
            TargetStatus.NO_DATA
            if latest is None
            else TargetStatus.MET
            if latest.met
            else TargetStatus.MISSED
        )
        judged.append(
            replace(
                s,
                periods=periods,
                met=met,
                missed=missed,
                attainment=100.0 * met / (met + missed) if met + missed else None,
                status=status,
                current=next((p for p in reversed(periods) if p.n > 0), None),
                note=f"met or missed as the SLA clock {s.clock!r} says (business time, pauses left "
                "out, share of journeys against the attainment); the values are "
                + (
                    "the clock's business time (as in value realization)"
                    if measure
                    else "the indicator's measure (elapsed time)"
                ),
            )
        )
    return judged
