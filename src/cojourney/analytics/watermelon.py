"""The watermelon warning: green service levels over a red experience.

A *watermelon* report is green outside and red inside: the SLA's clocks and targets are
met while the users of the same service are unhappy. cojourney raises a warning for a
month when, for two agreements that share at least one service (``services``):

* the **service-level side** (an agreement of kind ``sla`` or ``ola``) is **green**: every
  piece of evidence covering the month is met (each clock's compliance reaches its
  attainment, each indicator target is met) and there is at least one; a target on an
  indicator that one of the agreement's clocks measures is judged by the clock;
* the **experience side** (an agreement of kind ``xla``) is **red**: at least one of its
  targets covering the month is missed.

Evidence is a plain :class:`Evidence` item (agreement, period start and unit, met or
not, and what it says), made from SLA clocks (:func:`clock_evidence`), from agreement
targets (:func:`target_evidence`, over
:func:`cojourney.analytics.agreement_targets.evaluate_targets`) or by hand. A period
*covers* a month when the month lies in it: a quarterly XLA target covers its three
months; a weekly item covers the month its week starts in.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cojourney.analytics.measures_calendar import parse_period, period_floor, period_next
from cojourney.domain.value import AgreementKind

if TYPE_CHECKING:  # pragma: no cover
    from cojourney.analytics.agreement_targets import TargetSeries
    from cojourney.analytics.sla_results import ClockResult
    from cojourney.domain import Workspace

__all__ = [
    "SERVICE_LEVEL_KINDS",
    "Evidence",
    "WatermelonWarning",
    "clock_evidence",
    "find_watermelons",
    "target_evidence",
]

log = logging.getLogger(__name__)

#: Agreement kinds whose green status can hide a red experience.
SERVICE_LEVEL_KINDS = frozenset({AgreementKind.SLA, AgreementKind.OLA})


@dataclass(frozen=True, slots=True)
class Evidence:
    """One met-or-not fact about an agreement in one period.

    ``what`` says it in words, e.g. ``"clock resolution: 97.0% met (95% required)"``.
    """

    agreement_id: str
    period_start: date
    period_unit: str
    met: bool
    what: str

    def months(self) -> list[date]:
        """The first days of the months this period covers."""
        unit = parse_period(self.period_unit)
        if unit in ("day", "week"):
            return [period_floor(self.period_start, "month")]
        first = period_floor(self.period_start, unit)
        end = period_next(first, unit)
        months, month = [], first
        while month < end:
            months.append(month)
            month = period_next(month, "month")
        return months


@dataclass(frozen=True, slots=True)
class WatermelonWarning:
    """A month in which a service-level agreement is green and an XLA of a shared service is red."""

    month: date
    sla_id: str
    sla_kind: str
    xla_id: str
    services: tuple[str, ...]
    green: tuple[str, ...]
    red: tuple[str, ...]

    @property
    def message(self) -> str:
        return (
            f"{self.month:%Y-%m}: {self.sla_id} is green ({'; '.join(self.green)}) but "
            f"{self.xla_id} is red ({'; '.join(self.red)}) for {', '.join(self.services)}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month.isoformat(),
            "sla": self.sla_id,
            "sla_kind": self.sla_kind,
            "xla": self.xla_id,
            "services": list(self.services),
            "green": list(self.green),
            "red": list(self.red),
            "message": self.message,
        }


def clock_evidence(clocks: Iterable[ClockResult]) -> list[Evidence]:
    """Each clock's compliance per period, as evidence (periods with nothing decided left out)."""
    items = []
    for clock in clocks:
        for row in clock.periods:
            if row.meets is None or row.period is None:
                continue
            required = f", {row.attainment:g}% required" if row.attainment is not None else ""
            share = f"{row.share_met:.1f}% met" if row.share_met is not None else "nothing decided"
            items.append(
                Evidence(
                    clock.agreement_id,
                    row.period,
                    clock.period_unit,
                    row.meets,
                    f"clock {clock.clock_id}: {share}{required}",
                )
            )
    return items


def target_evidence(
    series: Iterable[TargetSeries], workspace: Workspace | None = None
) -> list[Evidence]:
    """Each agreement target's periods that were assessed (met or missed), as evidence.

    With ``workspace``, targets on an indicator that one of the agreement's clocks
    measures (``clock.indicator``) are left out: the clock judges them, in business time
    with pauses and attainment (:func:`clock_evidence`), where the indicator's measure
    counts wall-clock time.
    """
    timed = {
        (a.id, c.indicator)
        for a in (workspace.agreements if workspace else [])
        for c in a.clocks
        if c.indicator
    }
    items = []
    for s in series:
        if (s.agreement_id, s.indicator_id) in timed:
            continue
        segment = s.segment if s.segment_applied else None
        scope = "".join(f" {v}" for v in (s.priority, segment) if v)
        for p in s.periods:
            if p.met is None:
                continue
            value = f"{p.value:.4g}" if p.value is not None else "no value"
            items.append(
                Evidence(
                    s.agreement_id,
                    p.period_start,
                    s.period,
                    p.met,
                    f"{s.indicator_id}{scope} {value} (target {p.comparator} {p.target:g})",
                )
            )
    return items


def find_watermelons(workspace: Workspace, evidence: Sequence[Evidence]) -> list[WatermelonWarning]:
    """Every month in which a green SLA or OLA shares a service with a red XLA.

    Parameters
    ----------
    workspace
        The agreements (their kinds and services).
    evidence
        Met-or-not facts per agreement and period (see the module docstring).

    Returns
    -------
    list of WatermelonWarning
        Ordered by month, then service-level agreement, then XLA.
    """
    by_month: dict[tuple[str, date], list[Evidence]] = defaultdict(list)
    for item in evidence:
        for month in item.months():
            by_month[(item.agreement_id, month)].append(item)
    agreements = {a.id: a for a in workspace.agreements}
    levels = [a for a in workspace.agreements if a.kind in SERVICE_LEVEL_KINDS]
    experiences = [a for a in workspace.agreements if a.kind is AgreementKind.XLA]
    months = sorted({m for (_, m) in by_month})
    warnings = []
    for month in months:
        for sla in levels:
            facts = by_month.get((sla.id, month), [])
            if not facts or not all(f.met for f in facts):
                continue
            for xla in experiences:
                shared = tuple(s for s in sla.services if s in set(xla.services))
                red = [f for f in by_month.get((xla.id, month), []) if not f.met]
                if shared and red:
                    warnings.append(
                        WatermelonWarning(
                            month,
                            sla.id,
                            agreements[sla.id].kind.value,
                            xla.id,
                            shared,
                            tuple(f.what for f in facts),
                            tuple(f.what for f in red),
                        )
                    )
    log.info("%d watermelon warnings", len(warnings))
    return warnings
