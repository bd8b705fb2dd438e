"""Agreements and value indicators per group of journeys (a breakdown's rows).

A breakdown runs the same analysis once per group of
:func:`cojourney.analytics.journey_scope.journey_groups` (each journey in exactly one
group) and keeps, per group, what makes groups comparable:

* :class:`ClockGroupRow`: an SLA clock's compliance in the group over the whole
  window: the journeys, the decided ones (``met + breached``, the ``n`` of the share),
  the share met with its 95% Wilson interval, against the target's attainment;
* :class:`IndicatorGroupRow`: an indicator computed from the group's journeys (from
  events, survey answers or SLA clocks; indicators fed by measurements are not about
  journeys and have no group value), with its ``n`` (the units behind the value).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Final

from cojourney.analytics.stats import proportion

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.journey_scope import JourneyGroup
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.analytics.value_realization import ValueRealization

__all__ = ["ClockGroupRow", "IndicatorGroupRow", "clock_group_rows", "indicator_group_rows"]

#: The sources of the indicators a group has a value of (computed from its journeys).
JOURNEY_SOURCES: Final = ("events", "survey answers", "SLA clock")


@dataclass(frozen=True, slots=True)
class ClockGroupRow:
    """One SLA clock in one group (shares in percent; ``None``: nothing decided)."""

    agreement_id: str
    clock_id: str
    clock: str
    dimension: str
    group: str
    journeys: int
    met: int
    breached: int
    at_risk: int
    running: int
    abandoned: int
    decided: int
    share_met: float | None
    share_met_low: float | None
    share_met_high: float | None
    attainment: float | None
    meets: bool | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class IndicatorGroupRow:
    """One journey-based indicator in one group: its value over the window and latest."""

    indicator_id: str
    name: str
    unit: str
    source: str
    dimension: str
    group: str
    journeys: int
    n: int
    overall: float | None
    current_period: str | None
    current: float | None
    status: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clock_group_rows(
    dimension: str, group: JourneyGroup, clocks: list[ClockResult]
) -> list[ClockGroupRow]:
    """The compliance of every clock among the group's journeys."""
    rows = []
    for clock in clocks:
        total = clock.total
        decided = total.met + total.breached
        share = proportion(total.met, decided)
        rows.append(
            ClockGroupRow(
                agreement_id=clock.agreement_id,
                clock_id=clock.clock_id,
                clock=clock.clock_name,
                dimension=dimension,
                group=group.label,
                journeys=total.journeys,
                met=total.met,
                breached=total.breached,
                at_risk=total.at_risk,
                running=total.running,
                abandoned=total.abandoned,
                decided=decided,
                share_met=_percent(share.value),
                share_met_low=_percent(share.low),
                share_met_high=_percent(share.high),
                attainment=total.attainment,
                meets=total.meets,
            )
        )
    return rows


def indicator_group_rows(
    dimension: str, group: JourneyGroup, value: ValueRealization
) -> list[IndicatorGroupRow]:
    """The journey-based indicators computed on the group's journeys (each once, even
    when several stakeholders share it)."""
    rows: dict[str, IndicatorGroupRow] = {}
    for stakeholder in value.stakeholders:
        for item in stakeholder.indicators:
            series = item.series
            if item.indicator_id in rows or item.source not in JOURNEY_SOURCES:
                continue
            current = series.current if series else None
            rows[item.indicator_id] = IndicatorGroupRow(
                indicator_id=item.indicator_id,
                name=item.name,
                unit=item.unit,
                source=str(item.source),
                dimension=dimension,
                group=group.label,
                journeys=group.journeys,
                n=series.n if series else 0,
                overall=series.overall if series else None,
                current_period=current.period_start.isoformat() if current else None,
                current=current.value if current else None,
                status=item.status.value,
            )
    return list(rows.values())


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share
