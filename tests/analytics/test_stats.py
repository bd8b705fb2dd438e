"""Intervals and two-sample tests: hand-computed values and scipy as the independent peer."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from cojourney.analytics.stats import (
    correlation,
    mann_whitney_u,
    mean_estimate,
    mean_intervals,
    nps,
    nps_intervals,
    proportion,
    two_proportion_ztest,
    welch_from_stats,
    welch_ttest,
    wilson_intervals,
    z_value,
)

Z = 1.959963984540054


def test_z_value() -> None:
    assert z_value() == pytest.approx(Z)
    assert z_value(0.90) == pytest.approx(1.644854, abs=1e-6)
    with pytest.raises(ValueError):
        z_value(1.5)


def test_wilson_interval_by_hand_and_against_scipy() -> None:
    # 8 of 10: centre (0.8 + 1.92073/10) / 1.384146 = 0.716754,
    # half 1.959964 * sqrt(0.016 + 0.0096037) / 1.384146 = 0.226561.
    p = proportion(8, 10)
    assert (p.value, p.n) == (0.8, 10)
    assert (p.low, p.high) == (
        pytest.approx(0.4901625, abs=1e-6),
        pytest.approx(0.9433178, abs=1e-6),
    )
    for x, n in ((0, 10), (1, 3), (37, 40), (10, 10)):
        ci = sps.binomtest(x, n).proportion_ci(method="wilson")
        est = proportion(x, n)
        assert (est.low, est.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    # 0 of 10: the upper bound is z^2 / (n + z^2) = 3.841459 / 13.841459.
    assert proportion(0, 10).high == pytest.approx(3.841459 / 13.841459)
    empty = proportion(0, 0)
    assert (empty.value, empty.low, empty.high) == (None, None, None)
    low, high = wilson_intervals(np.array([8, 0]), np.array([10, 0]))
    assert low[0] == pytest.approx(0.4901625, abs=1e-6) and math.isnan(high[1])


def test_nps_and_its_trinomial_interval() -> None:
    # 50 promoters, 20 detractors of 100: NPS 30; variance (0.5 + 0.2 - 0.3^2) / 100 = 0.0061,
    # half width 1.959964 * 0.0781025 = 0.153078.
    est = nps(50, 20, 100)
    assert est.value == pytest.approx(30.0)
    assert (est.low, est.high) == (
        pytest.approx(14.6922, abs=1e-4),
        pytest.approx(45.3078, abs=1e-4),
    )
    every = nps(7, 0, 7)
    assert (every.value, every.low, every.high) == (100.0, 100.0, 100.0)
    # Clipped to -100..100: 1 promoter, 2 detractors of 3.
    small = nps(1, 2, 3)
    assert small.value == pytest.approx(-100 / 3) and small.low == -100.0
    value, low, _high = nps_intervals([50, 0], [20, 0], [100, 0])
    assert value[0] == pytest.approx(30.0) and math.isnan(value[1]) and math.isnan(low[1])


def test_mean_t_interval_against_scipy() -> None:
    values = [4, 5, 6, 3, 7, 5]
    est = mean_estimate(values)
    low, high = sps.t.interval(0.95, 5, loc=np.mean(values), scale=sps.sem(values))
    assert (est.value, est.n) == (5.0, 6)
    assert (est.low, est.high) == (pytest.approx(low), pytest.approx(high))
    # By hand: sd = sqrt(10 / 5) = 1.414214, t(0.975, 5) = 2.570582: half width 1.484126.
    assert est.high == pytest.approx(5 + 2.570582 * 1.414214 / math.sqrt(6), abs=1e-5)
    one = mean_estimate([4.0])
    assert (one.value, one.n, one.low) == (4.0, 1, None)
    assert mean_estimate([]).value is None
    lows, _ = mean_intervals([5.0, 2.0], [1.414214, 0.0], [6, 1])
    assert lows[0] == pytest.approx(low, abs=1e-5) and math.isnan(lows[1])


def test_two_proportion_ztest_by_hand_and_against_chi_square() -> None:
    # 45/100 against 30/100: pooled 0.375, se0 = sqrt(0.375 * 0.625 * 0.02) = 0.0684653,
    # z = 0.15 / 0.0684653 = 2.19089; Wald half width 1.959964 * sqrt(0.004575) = 0.132569.
    t = two_proportion_ztest(45, 100, 30, 100)
    assert t.statistic == pytest.approx(2.19089, abs=1e-5)
    assert t.difference == pytest.approx(0.15)
    assert (t.low, t.high) == (pytest.approx(0.017431, abs=1e-5), pytest.approx(0.282569, abs=1e-5))
    chi2, p, _, _ = sps.chi2_contingency([[45, 55], [30, 70]], correction=False)
    assert t.statistic**2 == pytest.approx(chi2) and t.p_value == pytest.approx(p)
    assert two_proportion_ztest(1, 0, 3, 4).p_value is None


def test_welch_ttest_against_scipy() -> None:
    a, b = [1, 2, 3, 4], [2, 4, 6, 9, 10]
    t = welch_ttest(a, b)
    ref = sps.ttest_ind(a, b, equal_var=False)
    ci = ref.confidence_interval()
    assert (t.statistic, t.p_value) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue))
    assert (t.difference, t.low, t.high) == (
        pytest.approx(2.5 - 6.2),
        pytest.approx(ci.low),
        pytest.approx(ci.high),
    )
    assert (t.n1, t.n2, t.method) == (4, 5, "Welch t-test")
    # By hand: s1^2 = 5/3, s2^2 = 44.8/4 = 11.2; t = -3.7 / sqrt(5/12 + 2.24) = -2.270038.
    assert t.statistic == pytest.approx(-3.7 / math.sqrt(5 / 12 + 11.2 / 5))
    assert t.statistic == pytest.approx(-2.270038, abs=1e-6)
    diff, low, _, stat, p = welch_from_stats(
        [2.5, 1.0], [math.sqrt(5 / 3), 1.0], [4, 1], [6.2, 2.0], [math.sqrt(11.2), 1.0], [5, 3]
    )
    assert stat[0] == pytest.approx(ref.statistic) and p[0] == pytest.approx(ref.pvalue)
    assert diff[1] == -1.0 and math.isnan(low[1]) and math.isnan(p[1])  # one value: no test


def test_mann_whitney_u_by_hand_and_against_scipy() -> None:
    # Complete separation of 3 and 3: U1 = 0, exact two-sided p = 2 / C(6, 3) = 0.1.
    t = mann_whitney_u([1, 2, 3], [4, 5, 6])
    assert (t.statistic, t.p_value, t.difference) == (0.0, pytest.approx(0.1), 0.0)
    a, b = [3, 4, 2, 6, 2, 5], [9, 7, 5, 10, 6, 8, 7]
    ref = sps.mannwhitneyu(a, b, alternative="two-sided")
    t = mann_whitney_u(a, b)
    assert (t.statistic, t.p_value) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue))
    assert t.difference == pytest.approx(ref.statistic / 42)
    assert mann_whitney_u([], [1]).p_value is None


def test_correlation_with_fisher_interval_against_scipy() -> None:
    x, y = [1, 2, 3, 4, 5], [2, 1, 4, 3, 5]
    ref = sps.pearsonr(x, y)
    c = correlation(0.8, 5)
    ci = ref.confidence_interval()
    assert (c.r, c.r_squared, c.n) == (0.8, pytest.approx(0.64), 5)
    assert (c.low, c.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert c.p_value == pytest.approx(ref.pvalue)
    # By hand: atanh(0.8) = 1.098612, half width 1.959964 / sqrt(2) = 1.385904.
    assert c.low == pytest.approx(math.tanh(1.098612 - 1.385904), abs=1e-6)
    assert correlation(None, 10).r is None and correlation(0.5, 1).r is None
    perfect = correlation(1.0, 4)
    assert (perfect.r, perfect.p_value, perfect.low) == (1.0, 0.0, None)


def test_docstring_examples() -> None:
    import doctest

    from cojourney.analytics import stats

    failures, tried = doctest.testmod(stats)
    assert tried > 0 and failures == 0
