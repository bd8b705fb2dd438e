"""Did an improvement work? Its expected effects, tested on the data: :func:`evaluate_improvements`.

Each improvement of the register lists expected effects (indicator, baseline, target,
optionally a segment). For each effect the indicator's measure (:mod:`.measures`) is
computed for two groups of units and compared:

* ``before_after`` (the default): units *before* the change date
  (``comparison.change_date``, else the improvement's ``started``) against units on
  or after it. A unit is dated by its own time: the event, the answer, or the journey's
  anchor for journey-level measures (the first ``among`` event of a journey share,
  the start event of a duration). Members of a long journey that spans the change
  (a car-share membership) thus count on both sides, by when each trip happened.
* ``ab``: units of journeys whose ``comparison.attribute`` (an event attribute, or
  ``segment``) equals ``control`` against those where it equals ``treatment``;
  journeys in both groups are left out.

The test fits the measure (:mod:`.measures_stats`): a two-proportion z-test for
shares, Welch's t-test for means (durations, scores, NPS), Mann-Whitney U with a
bootstrap interval for percentiles; totals (``count``, ``sum``) compare the totals
per period with Welch's t-test. ``significant`` is ``p < comparison.alpha``;
``progress`` is how far the treatment (after) value went from the effect's baseline
to its target, in percent. Improvements without a comparison are evaluated before and
after their ``started`` date when they started and were not rejected.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cojourney.analytics.measures import JourneySet, UnitValues, find_indicator, unit_values
from cojourney.analytics.measures_calendar import lit
from cojourney.analytics.measures_stats import (
    Difference,
    compare_means,
    compare_shares,
    compare_statistic,
)
from cojourney.domain.improvement import ExpectedEffect, Improvement, ImprovementStatus
from cojourney.domain.improvement_trials import Comparison, ComparisonKind
from cojourney.domain.measures import MeasureKind, Statistic
from cojourney.domain.value import Direction, Indicator

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from cojourney.domain import Workspace
    from cojourney.events.store import EventSource

__all__ = ["EffectResult", "GroupValue", "ImprovementResult", "evaluate_improvements"]

log = logging.getLogger(__name__)

_SHARE_KINDS = (MeasureKind.JOURNEY_SHARE, MeasureKind.EVENT_SHARE)
_NOT_EVALUATED = (
    ImprovementStatus.PROPOSED,
    ImprovementStatus.APPROVED,
    ImprovementStatus.REJECTED,
)


@dataclass(frozen=True)
class GroupValue:
    """The indicator in one group: its value and the sample size of the test (units, or
    periods for totals)."""

    label: str
    value: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "n": self.n}


@dataclass(frozen=True)
class EffectResult:
    """One expected effect, tested: control vs treatment (before vs after)."""

    indicator_id: str
    indicator_name: str
    unit: str
    direction: Direction
    baseline: float
    target: float
    segment: str | None
    control: GroupValue | None = None
    treatment: GroupValue | None = None
    difference: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    confidence: float | None = None
    p_value: float | None = None
    test: str | None = None
    robust_test: str | None = None
    robust_p_value: float | None = None
    significant: bool | None = None
    improved: bool | None = None
    progress: float | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            k: getattr(self, k)
            for k in (
                "indicator_id",
                "indicator_name",
                "unit",
                "baseline",
                "target",
                "segment",
                "difference",
                "ci_low",
                "ci_high",
                "confidence",
                "p_value",
                "test",
                "robust_test",
                "robust_p_value",
                "significant",
                "improved",
                "progress",
                "note",
            )
        }
        data["direction"] = self.direction.value
        data["control"] = self.control.to_dict() if self.control else None
        data["treatment"] = self.treatment.to_dict() if self.treatment else None
        return data


@dataclass(frozen=True)
class ImprovementResult:
    """An improvement of the register and the tests of its expected effects."""

    improvement_id: str
    name: str
    status: ImprovementStatus
    comparison: str | None
    change_date: date | None
    attribute: str | None
    control_label: str | None
    treatment_label: str | None
    alpha: float
    effects: tuple[EffectResult, ...]
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "improvement": self.improvement_id,
            "name": self.name,
            "status": self.status.value,
            "comparison": self.comparison,
            "change_date": self.change_date.isoformat() if self.change_date else None,
            "attribute": self.attribute,
            "control": self.control_label,
            "treatment": self.treatment_label,
            "alpha": self.alpha,
            "note": self.note,
            "effects": [e.to_dict() for e in self.effects],
        }


def evaluate_improvements(
    source: EventSource, workspace: Workspace, *, improvement_id: str | None = None
) -> list[ImprovementResult]:
    """Test the expected effects of the improvements of the register.

    Parameters
    ----------
    source
        The events and feedback (DuckDB).
    workspace
        The improvements, their indicators and the time zone.
    improvement_id
        One improvement; ``None`` for all, in register order.

    Returns
    -------
    list[ImprovementResult]
        Per improvement, per effect: the two groups' values and sizes, the difference
        with its confidence interval, the p-value, significance and progress. Effects
        that cannot be tested carry a ``note`` saying why.

    Raises
    ------
    cojourney.errors.NotFound
        No improvement ``improvement_id``.
    """
    if improvement_id is None:
        improvements = list(workspace.improvements)
    else:
        improvements = [workspace.require("improvements", improvement_id)]
    return [_evaluate(source, workspace, imp) for imp in improvements]


# --------------------------------------------------------------------------- helpers


def _comparison(imp: Improvement) -> tuple[Comparison | None, str | None]:
    if imp.comparison is not None:
        return imp.comparison, None
    if imp.started is None or imp.status in _NOT_EVALUATED:
        why = "not started" if imp.started is None else f"status {imp.status.value}"
        return None, f"no comparison declared and {why}: not evaluated"
    return Comparison(kind=ComparisonKind.BEFORE_AFTER, change_date=imp.started), None


def _evaluate(source: EventSource, workspace: Workspace, imp: Improvement) -> ImprovementResult:
    comparison, note = _comparison(imp)
    change = None
    if comparison is not None and comparison.kind is ComparisonKind.BEFORE_AFTER:
        change = comparison.change_date or imp.started
        if change is None:
            comparison, note = None, "before/after comparison without a change date or 'started'"
    labels: tuple[str | None, str | None] = (None, None)
    if comparison is not None:
        labels = (
            ("before", "after")
            if comparison.kind is ComparisonKind.BEFORE_AFTER
            else (comparison.control, comparison.treatment)
        )
    effects = []
    for effect in imp.effects:
        indicator = find_indicator(workspace, effect.indicator)
        base = EffectResult(
            indicator.id,
            indicator.name,
            indicator.unit,
            indicator.direction,
            effect.baseline,
            effect.target,
            effect.segment,
        )
        if comparison is None:
            effects.append(_replace(base, note=note))
        elif indicator.measure is None:
            effects.append(
                _replace(
                    base,
                    note=f"indicator {indicator.id!r} has no measure "
                    f"(data source: {indicator.data_source or 'not given'})",
                )
            )
        else:
            effects.append(
                _test_effect(source, workspace, indicator, effect, comparison, change, base)
            )
    log.info("improvement %s: %d effects evaluated", imp.id, len(effects))
    alpha = comparison.alpha if comparison else Comparison().alpha
    return ImprovementResult(
        imp.id,
        imp.name,
        imp.status,
        comparison.kind.value if comparison else None,
        change,
        comparison.attribute if comparison else None,
        labels[0],
        labels[1],
        alpha,
        tuple(effects),
        note,
    )


def _replace(base: EffectResult, **changes: Any) -> EffectResult:
    import dataclasses

    return dataclasses.replace(base, **changes)


def _test_effect(
    source: EventSource,
    workspace: Workspace,
    indicator: Indicator,
    effect: ExpectedEffect,
    comparison: Comparison,
    change: date | None,
    base: EffectResult,
) -> EffectResult:
    sets = [JourneySet.segment(effect.segment)] if effect.segment else []
    if comparison.kind is ComparisonKind.BEFORE_AFTER:
        assert change is not None
        control, treatment = "before", "after"
        units = unit_values(
            source,
            workspace,
            indicator,
            sets=sets,
            group_sql=f"CASE WHEN d < {lit(change)} THEN 'before' ELSE 'after' END",
        )
    else:
        attribute = comparison.attribute or "segment"
        control, treatment = str(comparison.control), str(comparison.treatment)
        units = unit_values(
            source,
            workspace,
            indicator,
            sets=sets,
            group_sets={
                control: JourneySet.attribute(attribute, control),
                treatment: JourneySet.attribute(attribute, treatment),
            },
        )
    a, b = _samples(units, control), _samples(units, treatment)
    ctl = GroupValue(control, _value(units, a), len(a))
    trt = GroupValue(treatment, _value(units, b), len(b))
    result = _replace(
        base,
        control=ctl,
        treatment=trt,
        confidence=1 - comparison.alpha,
        progress=_progress(trt.value, effect),
    )
    if len(a) < 2 or len(b) < 2:
        label, size = (control, len(a)) if len(a) < 2 else (treatment, len(b))
        return _replace(
            result,
            note=f"too few units in group {label!r} to test (n={size}; at least 2 per group)",
        )
    diff = _difference(indicator, units, a, b, comparison.alpha)
    significant = diff.p_value is not None and diff.p_value < comparison.alpha
    improved = None
    if diff.difference is not None and diff.difference != 0:
        improved = (diff.difference > 0) == (indicator.direction is Direction.HIGHER_IS_BETTER)
    return _replace(
        result,
        difference=diff.difference,
        ci_low=diff.ci_low,
        ci_high=diff.ci_high,
        p_value=diff.p_value,
        test=diff.test,
        robust_test=diff.robust_test,
        robust_p_value=diff.robust_p_value,
        significant=significant,
        improved=improved,
    )


def _samples(units: UnitValues, label: str) -> np.ndarray:
    """The test's sample of a group: unit values, or totals per period for totals."""
    import numpy as np

    mask = units.group == label
    if not units.additive:
        sample: np.ndarray = units.value[mask]
        return sample
    periods, inverse = np.unique(units.period_start[mask], return_inverse=True)
    totals = np.zeros(len(periods))
    np.add.at(totals, inverse, units.value[mask])
    return totals


def _value(units: UnitValues, sample: np.ndarray) -> float | None:
    import numpy as np

    if len(sample) == 0:
        return None
    statistic = units.statistic
    if units.additive or statistic == "mean":
        return float(np.mean(sample))
    if statistic == "min":
        return float(np.min(sample))
    if statistic == "max":
        return float(np.max(sample))
    return float(np.percentile(sample, {"median": 50.0, "p90": 90.0, "p95": 95.0}[statistic]))


def _difference(
    indicator: Indicator, units: UnitValues, a: np.ndarray, b: np.ndarray, alpha: float
) -> Difference:
    measure = indicator.measure
    assert measure is not None
    share = measure.kind in _SHARE_KINDS or (
        measure.kind is MeasureKind.FEEDBACK
        and measure.statistic in (Statistic.CSAT, Statistic.TOP_BOX)
    )
    if share and measure.factor == 1.0:
        return compare_shares(a, b, alpha)
    if units.additive or units.statistic == "mean":
        return compare_means(a, b, alpha)
    return compare_statistic(a, b, alpha, units.statistic)


def _progress(value: float | None, effect: ExpectedEffect) -> float | None:
    if value is None or effect.target == effect.baseline:
        return None
    return 100.0 * (value - effect.baseline) / (effect.target - effect.baseline)
