"""Tests of a difference between two groups of measure units (control, treatment).

Which test fits depends on what the units are (:mod:`.measures_sql`):

* **shares** (0 or 100 per unit: ``journey_share``, ``event_share``, ``csat`` and
  ``top_box`` answers): the pooled **two-proportion z-test**; the confidence interval
  of the difference is Wald's (unpooled); **Fisher's exact test** is the robustness
  check;
* **means** (durations, attributes, scores, NPS as -100/0/100 per answer, events per
  journey): **Welch's t-test** and its interval; **Mann-Whitney U** is the robustness
  check;
* **percentiles, minimum, maximum**: the difference of the statistic with a
  percentile **bootstrap** interval (999 resamples, fixed seed: the same data give
  the same interval), and Mann-Whitney U for the p-value.

Differences are ``treatment - control``, in the indicator's unit (percentage points for
shares). Everything is vectorised numpy/scipy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["Difference", "compare_means", "compare_shares", "compare_statistic"]

#: Bootstrap resamples for percentile statistics.
BOOTSTRAP_RESAMPLES = 999


@dataclass(frozen=True)
class Difference:
    """The difference between two groups and its test."""

    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str
    robust_test: str | None = None
    robust_p_value: float | None = None


def _finite(value: float) -> float | None:
    import math

    return float(value) if math.isfinite(value) else None


def compare_shares(control: np.ndarray, treatment: np.ndarray, alpha: float) -> Difference:
    """Two-proportion z-test on units worth 0 or 100 (percentage points).

    >>> import numpy as np
    >>> d = compare_shares(np.array([100.0] * 30 + [0.0] * 70), np.array([100.0] * 50 + [0.0] * 50), 0.05)
    >>> round(d.difference, 6), round(d.p_value, 4)
    (20.0, 0.0039)
    """
    import numpy as np
    from scipy import stats

    n1, n2 = len(control), len(treatment)
    x1, x2 = int(np.sum(control > 0)), int(np.sum(treatment > 0))
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = (pooled * (1 - pooled) * (1 / n1 + 1 / n2)) ** 0.5
    diff = p2 - p1
    p_value = 1.0 if se0 == 0 else float(2 * stats.norm.sf(abs(diff / se0)))
    half = float(stats.norm.ppf(1 - alpha / 2)) * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2) ** 0.5
    fisher = stats.fisher_exact([[x2, n2 - x2], [x1, n1 - x1]])
    return Difference(
        100 * diff,
        100 * (diff - half),
        100 * (diff + half),
        p_value,
        "two-proportion z-test",
        "Fisher exact",
        float(fisher.pvalue),
    )


def compare_means(control: np.ndarray, treatment: np.ndarray, alpha: float) -> Difference:
    """Welch's t-test of the means, with Mann-Whitney U as the robustness check.

    >>> import numpy as np
    >>> d = compare_means(np.array([1.0, 2.0, 3.0, 4.0]), np.array([3.0, 4.0, 5.0, 6.0, 9.0]), 0.05)
    >>> round(d.difference, 6), round(d.p_value, 4)
    (2.9, 0.0515)
    """
    import numpy as np
    from scipy import stats

    diff = float(np.mean(treatment) - np.mean(control))
    if np.var(control) == 0 and np.var(treatment) == 0:
        p = 1.0 if diff == 0 else 0.0
        return Difference(diff, diff, diff, p, "Welch t-test (no variance)")
    result = stats.ttest_ind(treatment, control, equal_var=False)
    ci = result.confidence_interval(1 - alpha)
    mw = stats.mannwhitneyu(treatment, control, alternative="two-sided")
    return Difference(
        diff,
        _finite(ci.low),
        _finite(ci.high),
        _finite(result.pvalue),
        "Welch t-test",
        "Mann-Whitney U",
        _finite(mw.pvalue),
    )


def compare_statistic(
    control: np.ndarray, treatment: np.ndarray, alpha: float, statistic: str
) -> Difference:
    """Difference of a percentile (or min, max) with a bootstrap interval; Mann-Whitney p."""
    import numpy as np
    from scipy import stats

    def stat(x: np.ndarray, axis: int = -1) -> np.ndarray:
        if statistic in ("min", "max"):
            return np.asarray(np.min(x, axis=axis) if statistic == "min" else np.max(x, axis=axis))
        q = {"median": 50.0, "p90": 90.0, "p95": 95.0}[statistic]
        return np.asarray(np.percentile(x, q, axis=axis))

    diff = float(stat(treatment) - stat(control))
    boot = stats.bootstrap(
        (treatment, control),
        lambda a, b, axis=-1: stat(a, axis) - stat(b, axis),
        n_resamples=BOOTSTRAP_RESAMPLES,
        confidence_level=1 - alpha,
        method="percentile",
        vectorized=True,
        batch=50,
        random_state=0,
    )
    mw = stats.mannwhitneyu(treatment, control, alternative="two-sided")
    p_value = _finite(mw.pvalue)
    return Difference(
        diff,
        _finite(boot.confidence_interval.low),
        _finite(boot.confidence_interval.high),
        p_value,
        f"Mann-Whitney U (bootstrap interval of the {statistic})",
    )
