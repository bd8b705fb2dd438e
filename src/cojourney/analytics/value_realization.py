"""Value realization (the DSV *Realize* step): every indicator, per stakeholder: :func:`realize_value`.

Each stakeholder's value proposition names indicators for its outcomes, costs and
risks; each indicator may also name its own ``stakeholder`` and ``aspect`` (outcome,
cost, risk, utility, warranty, experience). :func:`realize_value` lists, per
stakeholder, every indicator that shows their value:

* indicators with a ``measure`` are computed on the events and feedback
  (:func:`cojourney.analytics.measures.measure_series`, once each): current value,
  status against target and warning, trend;
* a ``duration`` indicator timed by an agreement's SLA clock (``clock.indicator``) takes
  its values and status from the clock (:mod:`cojourney.analytics.clock_measures`), so
  ``value`` and ``agreements`` give one answer;
* an indicator without a measure is measured from the ``measurements`` log when it
  holds values for it (:mod:`cojourney.analytics.measured_indicators`: mean per month);
* the others are listed as ``not_measured`` with their data source, so the gap
  (value not tracked: a kind of value leakage) shows.

Each indicator names where its figures come from (``source``): ``events``,
``survey answers`` (a ``feedback`` measure), ``SLA clock`` or ``measurements``
(``None``: not measured).

Indicators that no value proposition names and that have no stakeholder are listed
under ``stakeholder_id = None``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cojourney.analytics.clock_measures import clock_of, clock_series
from cojourney.analytics.measured_indicators import measured_indicator_ids, measurement_series
from cojourney.analytics.measures import IndicatorSeries, PeriodValue, Status, Trend, evaluate
from cojourney.analytics.sla import evaluate_clocks
from cojourney.domain.measures import MeasureKind
from cojourney.domain.value import Direction, Indicator

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = [
    "SOURCE_ANSWERS",
    "SOURCE_CLOCK",
    "SOURCE_EVENTS",
    "SOURCE_MEASUREMENTS",
    "IndicatorValue",
    "StakeholderValue",
    "ValueRealization",
    "realize_value",
]

log = logging.getLogger(__name__)

#: Where an indicator's figures come from (``IndicatorValue.source``).
SOURCE_EVENTS = "events"
SOURCE_ANSWERS = "survey answers"
SOURCE_CLOCK = "SLA clock"
SOURCE_MEASUREMENTS = "measurements"


@dataclass(frozen=True)
class IndicatorValue:
    """One indicator as one stakeholder sees it.

    ``aspect`` is where the stakeholder's value proposition names it (outcome, cost,
    risk), else the indicator's own aspect; ``description`` is the value-proposition
    item it tracks (``None`` when it comes from the indicator's ``stakeholder``).
    """

    indicator_id: str
    name: str
    unit: str
    direction: Direction
    aspect: str
    description: str | None
    target: float | None
    warning: float | None
    owner: str | None
    data_source: str | None
    series: IndicatorSeries | None
    source: str | None = None

    @property
    def measured(self) -> bool:
        return self.series is not None

    @property
    def status(self) -> Status:
        return self.series.status if self.series else Status.NOT_MEASURED

    @property
    def trend(self) -> Trend | None:
        return self.series.trend if self.series else None

    @property
    def current(self) -> PeriodValue | None:
        return self.series.current if self.series else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator_id,
            "name": self.name,
            "unit": self.unit,
            "direction": self.direction.value,
            "aspect": self.aspect,
            "description": self.description,
            "target": self.target,
            "warning": self.warning,
            "owner": self.owner,
            "data_source": self.data_source,
            "measured": self.measured,
            "source": self.source,
            "status": self.status.value,
            "trend": self.trend.value if self.trend else None,
            "current": self.current.to_dict() if self.current else None,
            "series": self.series.to_dict() if self.series else None,
        }


@dataclass(frozen=True)
class StakeholderValue:
    """The indicators that show one stakeholder's value."""

    stakeholder_id: str | None
    name: str
    indicators: tuple[IndicatorValue, ...]

    def status_counts(self) -> dict[str, int]:
        """How many indicators are in each status."""
        return dict(Counter(i.status.value for i in self.indicators))

    def to_dict(self) -> dict[str, Any]:
        return {
            "stakeholder": self.stakeholder_id,
            "name": self.name,
            "status_counts": self.status_counts(),
            "indicators": [i.to_dict() for i in self.indicators],
        }


@dataclass(frozen=True)
class ValueRealization:
    """Every indicator of a workspace, grouped per stakeholder, for one window."""

    workspace_id: str
    start: date | None
    end: date | None
    stakeholders: tuple[StakeholderValue, ...]
    measured: int
    not_measured: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "workspace": self.workspace_id,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "measured": self.measured,
            "not_measured": self.not_measured,
            "stakeholders": [s.to_dict() for s in self.stakeholders],
        }


def realize_value(
    source: EventSource,
    workspace: Workspace,
    *,
    start: date | None = None,
    end: date | None = None,
    evaluated: Sequence[ClockResult] | None = None,
) -> ValueRealization:
    """Compute every measured indicator and group all indicators per stakeholder.

    Parameters
    ----------
    source
        The events and feedback (DuckDB).
    workspace
        The value propositions, indicators and time zone.
    start, end
        The window (local dates, both included); all data without them.
    evaluated
        Clocks already evaluated on ``source`` by
        :func:`~cojourney.analytics.sla.evaluate_clocks` over the whole data (no
        window, read at the data's end), as the report's agreements section has
        them: an indicator timed by one of them, with the same period unit, reads it
        instead of evaluating the clock again. Ignored with a window.

    Returns
    -------
    ValueRealization
        Per stakeholder, each indicator with its series (status, trend, current value),
        or ``not_measured`` and its data source; ``to_dict()`` gives JSON-ready data.
    """
    indicators = {i.id: i for i in workspace.indicators}
    entries = _entries(workspace, indicators)
    series: dict[str, IndicatorSeries] = {}
    origins: dict[str, str] = {}
    clocks: dict[tuple[str, str], list[ClockResult]] = {}
    known: dict[tuple[str, str, str], ClockResult] = {}
    if evaluated is not None and start is None and end is None:
        known = {(c.agreement_id, c.period_unit, c.clock_id): c for c in evaluated}
    in_log = measured_indicator_ids(source)
    for ind in workspace.indicators:
        if ind.measure is None:
            if ind.id in in_log:
                series[ind.id] = measurement_series(source, workspace, ind, start=start, end=end)
                origins[ind.id] = SOURCE_MEASUREMENTS
            continue
        timed = clock_of(workspace, ind)
        if timed is None:
            series[ind.id] = evaluate(source, workspace, ind, start=start, end=end)
            feedback = ind.measure.kind is MeasureKind.FEEDBACK
            origins[ind.id] = SOURCE_ANSWERS if feedback else SOURCE_EVENTS
            continue
        origins[ind.id] = SOURCE_CLOCK
        agreement, clock = timed
        key = (agreement.id, ind.measure.period.value)
        result = known.get((*key, clock.id))
        if result is None:
            if key not in clocks:
                clocks[key] = evaluate_clocks(
                    source,
                    workspace,
                    agreement_id=agreement.id,
                    start=start,
                    end=end,
                    period=key[1],
                )
            result = next(c for c in clocks[key] if c.clock_id == clock.id)
        series[ind.id] = clock_series(workspace, ind, result, start=start, end=end)
    names = {s.id: s.name for s in workspace.stakeholders}
    order = {s.id: k for k, s in enumerate(workspace.stakeholders)}
    groups = sorted(entries, key=lambda s: (s is None, order.get(s or "", len(order)), s or ""))
    stakeholders = []
    for sid in groups:
        values = tuple(
            _value(indicators[iid], aspect, text, series.get(iid), origins.get(iid))
            for iid, aspect, text in entries[sid]
        )
        stakeholders.append(
            StakeholderValue(sid, names.get(sid or "", sid or "(no stakeholder)"), values)
        )
    measured = len(series)
    log.info(
        "value realization of %s: %d indicators measured, %d not",
        workspace.workspace.id,
        measured,
        len(indicators) - measured,
    )
    return ValueRealization(
        workspace.workspace.id,
        start,
        end,
        tuple(stakeholders),
        measured,
        len(indicators) - measured,
    )


def _entries(
    workspace: Workspace, indicators: dict[str, Indicator]
) -> dict[str | None, list[tuple[str, str, str | None]]]:
    """``{stakeholder: [(indicator, aspect, description)]}``, value propositions first."""
    entries: dict[str | None, list[tuple[str, str, str | None]]] = {}
    seen: set[tuple[str | None, str]] = set()

    def add(stakeholder: str | None, indicator: str, aspect: str, text: str | None) -> None:
        if indicator in indicators and (stakeholder, indicator) not in seen:
            seen.add((stakeholder, indicator))
            entries.setdefault(stakeholder, []).append((indicator, aspect, text))

    for vp in workspace.value_propositions:
        for field, aspect in (("outcomes", "outcome"), ("costs", "cost"), ("risks", "risk")):
            for item in getattr(vp, field):
                if item.indicator:
                    add(vp.stakeholder, item.indicator, aspect, item.description)
    named = {iid for _, iid in seen}
    for ind in workspace.indicators:
        if ind.stakeholder is not None:
            add(ind.stakeholder, ind.id, ind.aspect.value, None)
        elif ind.id not in named:
            add(None, ind.id, ind.aspect.value, None)
    return entries


def _value(
    ind: Indicator,
    aspect: str,
    text: str | None,
    series: IndicatorSeries | None,
    origin: str | None,
) -> IndicatorValue:
    return IndicatorValue(
        ind.id,
        ind.name,
        ind.unit,
        ind.direction,
        aspect,
        text,
        ind.target,
        ind.warning,
        ind.owner,
        ind.data_source,
        series,
        origin,
    )
