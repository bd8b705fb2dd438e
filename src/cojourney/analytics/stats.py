"""Estimates with confidence intervals, and two-sample tests, for experience measures.

Every function works on summary numbers (counts, means, standard deviations), so the
heavy lifting stays in SQL; the ``*_intervals`` forms take NumPy arrays and compute
many groups at once. Intervals are two-sided at ``confidence`` (0.95 by default) and
are ``None`` (or NaN in arrays) where they are not defined (no answers; one answer
for a mean).

Definitions
===========

Proportion (CSAT: the share of 4-5 answers), Wilson score interval
    With :math:`\\hat p = x/n` and :math:`z = \\Phi^{-1}(1 - \\alpha/2)`:
    :math:`\\dfrac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}`.
    Wilson (1927), *JASA* 22:209-212; Agresti & Coull (1998), *Am. Stat.* 52:119-126.
Net Promoter Score
    :math:`\\mathrm{NPS} = 100(p_+ - p_-)` with :math:`p_+` the share of 9-10 and
    :math:`p_-` of 0-6 answers. Promoters, passives and detractors are one trinomial
    sample, so :math:`\\mathrm{Var}(p_+ - p_-) = (p_+ + p_- - (p_+ - p_-)^2)/n` and the
    interval is :math:`\\mathrm{NPS} \\pm 100 z \\sqrt{\\mathrm{Var}}` (clipped to
    -100..100). Rocks (2016), "Interval estimation for the net promoter score",
    *Am. Stat.* 70:365-372 (the Wald interval).
Mean (CES, emotion, custom questions), Student's t interval
    :math:`\\bar x \\pm t_{1-\\alpha/2,\\,n-1}\\, s/\\sqrt n`.
Two-proportion z-test (:func:`two_proportion_ztest`)
    :math:`z = (\\hat p_1 - \\hat p_2)/\\sqrt{\\hat p(1-\\hat p)(1/n_1 + 1/n_2)}` with
    the pooled :math:`\\hat p = (x_1 + x_2)/(n_1 + n_2)`; the interval of the
    difference is Wald's,
    :math:`\\pm z\\sqrt{\\hat p_1(1-\\hat p_1)/n_1 + \\hat p_2(1-\\hat p_2)/n_2}`.
    Agresti (2013), *Categorical Data Analysis*, 3rd ed., section 3.1.
Welch's t-test (:func:`welch_ttest`, :func:`welch_from_stats`)
    :math:`t = (\\bar x_1 - \\bar x_2)/\\sqrt{s_1^2/n_1 + s_2^2/n_2}` with the
    Welch-Satterthwaite degrees of freedom
    :math:`\\nu = (s_1^2/n_1 + s_2^2/n_2)^2 / \\left(\\frac{(s_1^2/n_1)^2}{n_1-1} +
    \\frac{(s_2^2/n_2)^2}{n_2-1}\\right)`. Welch (1947), *Biometrika* 34:28-35.
Mann-Whitney U test (:func:`mann_whitney_u`)
    Two-sided, by :func:`scipy.stats.mannwhitneyu` (exact for small samples without
    ties, else the normal approximation with tie and continuity corrections); the
    effect is the probability of superiority :math:`U_1/(n_1 n_2)`. Mann & Whitney
    (1947), *Ann. Math. Stat.* 18:50-60.
Pearson correlation (:func:`correlation`)
    :math:`r`, :math:`R^2 = r^2`, Fisher's interval :math:`\\tanh(\\operatorname{atanh} r
    \\pm z/\\sqrt{n-3})` and the t-test :math:`t = r\\sqrt{(n-2)/(1-r^2)}`. Fisher (1921),
    *Metron* 1:3-32.

>>> round(proportion(8, 10).low, 4), round(proportion(8, 10).high, 4)
(0.4902, 0.9433)
>>> nps(5, 2, 10).value
30.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Correlation",
    "Estimate",
    "TestResult",
    "correlation",
    "mann_whitney_u",
    "mean_estimate",
    "mean_intervals",
    "nps",
    "nps_intervals",
    "proportion",
    "two_proportion_ztest",
    "welch_from_stats",
    "welch_ttest",
    "wilson_intervals",
    "z_value",
]

Floats = NDArray[np.float64]


class _Plain:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Estimate(_Plain):
    """A value with its sample size and confidence interval (``None`` when undefined)."""

    value: float | None
    n: int
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class TestResult(_Plain):
    """A two-sample test: ``difference`` is sample 1 minus sample 2 (Mann-Whitney: the
    probability of superiority), with its interval where the method gives one."""

    __test__ = False  # not a pytest test class

    method: str
    statistic: float | None
    p_value: float | None
    n1: int
    n2: int
    difference: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Correlation(_Plain):
    """Pearson's ``r`` of ``n`` pairs, ``r_squared``, Fisher's interval and the p-value."""

    r: float | None
    r_squared: float | None
    n: int
    low: float | None
    high: float | None
    p_value: float | None


def _opt(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def z_value(confidence: float = 0.95) -> float:
    """The two-sided normal quantile: 1.959964 for 0.95."""
    from scipy.stats import norm

    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
    return float(norm.ppf(0.5 + confidence / 2))


# --------------------------------------------------------------------------- one sample


def wilson_intervals(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[Floats, Floats]:
    """Wilson score intervals of ``successes / n`` (NaN where ``n`` is 0)."""
    x, m = np.asarray(successes, dtype=float), np.asarray(n, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        denom = 1 + z * z / m
        centre = (p + z * z / (2 * m)) / denom
        half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / denom
    return np.where(m > 0, centre - half, np.nan), np.where(m > 0, centre + half, np.nan)


def proportion(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """The share ``successes / n`` with its Wilson interval."""
    low, high = wilson_intervals([successes], [n], confidence)
    return Estimate(successes / n if n else None, int(n), _opt(low[0]), _opt(high[0]))


def nps_intervals(
    promoters: ArrayLike, detractors: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[Floats, Floats, Floats]:
    """NPS values (-100..100) and their trinomial Wald intervals, clipped to -100..100."""
    pp, pd_, m = (np.asarray(a, dtype=float) for a in (promoters, detractors, n))
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_plus, p_minus = pp / m, pd_ / m
        diff = p_plus - p_minus
        var = np.maximum(p_plus + p_minus - diff * diff, 0.0) / m
        half = z * np.sqrt(var)
    value = np.where(m > 0, 100 * diff, np.nan)
    low = np.where(m > 0, np.clip(100 * (diff - half), -100, 100), np.nan)
    high = np.where(m > 0, np.clip(100 * (diff + half), -100, 100), np.nan)
    return value, low, high


def nps(promoters: int, detractors: int, n: int, confidence: float = 0.95) -> Estimate:
    """The Net Promoter Score of ``n`` answers (-100..100) with its interval."""
    value, low, high = nps_intervals([promoters], [detractors], [n], confidence)
    return Estimate(_opt(value[0]), int(n), _opt(low[0]), _opt(high[0]))


def mean_intervals(
    mean: ArrayLike, sd: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[Floats, Floats]:
    """Student's t intervals of means (NaN where ``n`` < 2)."""
    from scipy.stats import t

    mu, s, m = (np.asarray(a, dtype=float) for a in (mean, sd, n))
    ok = m >= 2
    dof = np.where(ok, m - 1, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t.ppf(0.5 + confidence / 2, dof) * s / np.sqrt(m)
    return np.where(ok, mu - half, np.nan), np.where(ok, mu + half, np.nan)


def mean_estimate(values: Sequence[float] | ArrayLike, confidence: float = 0.95) -> Estimate:
    """The mean of ``values`` with its t interval."""
    a = np.asarray(values, dtype=float)
    if a.size == 0:
        return Estimate(None, 0, None, None)
    sd = float(a.std(ddof=1)) if a.size > 1 else math.nan
    low, high = mean_intervals([a.mean()], [sd], [a.size], confidence)
    return Estimate(float(a.mean()), int(a.size), _opt(low[0]), _opt(high[0]))


# --------------------------------------------------------------------------- two samples


def two_proportion_ztest(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> TestResult:
    """Whether two shares differ: pooled z-test, Wald interval of ``p1 - p2``."""
    from scipy.stats import norm

    if n1 == 0 or n2 == 0:
        return TestResult("two-proportion z-test", None, None, n1, n2, None, None, None)
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se0 if se0 > 0 else math.nan
    p = 2 * float(norm.sf(abs(z))) if se0 > 0 else math.nan
    half = z_value(confidence) * math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    return TestResult(
        "two-proportion z-test", _opt(z), _opt(p), n1, n2, p1 - p2, p1 - p2 - half, p1 - p2 + half
    )


def welch_from_stats(
    mean1: ArrayLike,
    sd1: ArrayLike,
    n1: ArrayLike,
    mean2: ArrayLike,
    sd2: ArrayLike,
    n2: ArrayLike,
    confidence: float = 0.95,
) -> tuple[Floats, Floats, Floats, Floats, Floats]:
    """Welch's test of many pairs of samples from their summaries.

    Returns
    -------
    tuple of arrays
        ``difference`` (mean1 - mean2), ``low``, ``high``, ``t``, ``p_value``; NaN
        where a sample has fewer than 2 values or both have no spread.
    """
    from scipy.stats import t as student

    m1, s1, k1, m2, s2, k2 = (np.asarray(a, dtype=float) for a in (mean1, sd1, n1, mean2, sd2, n2))
    ok = (k1 >= 2) & (k2 >= 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        v1, v2 = s1 * s1 / k1, s2 * s2 / k2
        se = np.sqrt(v1 + v2)
        dof = (v1 + v2) ** 2 / (v1 * v1 / (k1 - 1) + v2 * v2 / (k2 - 1))
        ok &= se > 0
        dof = np.where(ok, dof, 1.0)
        diff = m1 - m2
        stat = diff / se
        half = student.ppf(0.5 + confidence / 2, dof) * se
        p = 2 * student.sf(np.abs(stat), dof)
    nan = np.nan
    return (
        np.where((k1 >= 1) & (k2 >= 1), diff, nan),
        np.where(ok, diff - half, nan),
        np.where(ok, diff + half, nan),
        np.where(ok, stat, nan),
        np.where(ok, p, nan),
    )


def welch_ttest(sample1: ArrayLike, sample2: ArrayLike, confidence: float = 0.95) -> TestResult:
    """Whether two means differ, without assuming equal variances."""
    a, b = np.asarray(sample1, dtype=float), np.asarray(sample2, dtype=float)
    sd1 = a.std(ddof=1) if a.size > 1 else math.nan
    sd2 = b.std(ddof=1) if b.size > 1 else math.nan
    diff, low, high, stat, p = welch_from_stats(
        [a.mean() if a.size else math.nan],
        [sd1],
        [a.size],
        [b.mean() if b.size else math.nan],
        [sd2],
        [b.size],
        confidence,
    )
    return TestResult(
        "Welch t-test",
        _opt(stat[0]),
        _opt(p[0]),
        int(a.size),
        int(b.size),
        _opt(diff[0]),
        _opt(low[0]),
        _opt(high[0]),
    )


def mann_whitney_u(sample1: ArrayLike, sample2: ArrayLike) -> TestResult:
    """Whether one sample tends to have larger values (two-sided Mann-Whitney U)."""
    from scipy.stats import mannwhitneyu

    a, b = np.asarray(sample1, dtype=float), np.asarray(sample2, dtype=float)
    if a.size == 0 or b.size == 0:
        return TestResult("Mann-Whitney U", None, None, int(a.size), int(b.size), None, None, None)
    result = mannwhitneyu(a, b, alternative="two-sided")
    u = float(result.statistic)
    return TestResult(
        "Mann-Whitney U",
        u,
        _opt(float(result.pvalue)),
        int(a.size),
        int(b.size),
        u / (a.size * b.size),
        None,
        None,
    )


def correlation(r: float | None, n: int, confidence: float = 0.95) -> Correlation:
    """Pearson's ``r`` of ``n`` pairs with Fisher's interval and its two-sided p-value.

    ``r`` comes from wherever it was computed (SQL ``corr``, :func:`numpy.corrcoef`).
    """
    from scipy.stats import t as student

    if r is None or not math.isfinite(r) or n < 2:
        return Correlation(None, None, int(n), None, None, None)
    r = max(-1.0, min(1.0, float(r)))
    low = high = p = None
    if n > 3 and abs(r) < 1:
        z, half = math.atanh(r), z_value(confidence) / math.sqrt(n - 3)
        low, high = math.tanh(z - half), math.tanh(z + half)
    if n > 2:
        p = (
            0.0
            if abs(r) == 1
            else float(2 * student.sf(abs(r) * math.sqrt((n - 2) / (1 - r * r)), n - 2))
        )
    return Correlation(r, r * r, int(n), low, high, p)
