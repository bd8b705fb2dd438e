"""Improvement effects: before/after and A/B comparisons, with hand-computed tests.

The p-values below come from the textbook formulas (pooled two-proportion z, Welch's t
and its Welch-Satterthwaite degrees of freedom), computed here step by step; only the
tail of the t distribution is read from scipy.
"""

from __future__ import annotations

import math
import statistics
from datetime import date
from pathlib import Path

import pytest
from test_measures_support import at, ev, fb, store, workspace

from cojourney.analytics.improvements import evaluate_improvements
from cojourney.domain import Improvement, Indicator, Measure
from cojourney.errors import NotFound


def _indicator(id: str, direction: str, measure: dict, data_source: str | None = None) -> Indicator:
    return Indicator(
        id=id,
        name=id,
        definition="test",
        unit="u",
        direction=direction,
        data_source=data_source,
        measure=Measure(**measure) if measure else None,
    )


LATE = _indicator(
    "late-return-rate",
    "lower_is_better",
    {
        "kind": "event_share",
        "touchpoints": ["plug-in-end-trip"],
        "where": [{"attribute": "minutes_late", "op": ">", "value": 15}],
    },
)
LATE_CAR = _indicator(
    "late-car",
    "higher_is_better",
    {"kind": "feedback", "question": "late-car", "touchpoints": ["late-return-alert"]},
)
BOOKINGS = _indicator(
    "bookings", "higher_is_better", {"kind": "count", "touchpoints": ["book-car"]}
)
WAIT_P90 = _indicator(
    "wait",
    "lower_is_better",
    {
        "kind": "attribute",
        "touchpoints": ["late-return-call"],
        "weights": {"wait_seconds": 1},
        "statistic": "p90",
    },
)
RESOLUTION = _indicator(
    "resolution",
    "lower_is_better",
    {
        "kind": "duration",
        "start": "ticket-registered",
        "end": "service-restored",
        "time_unit": "minutes",
    },
)
APP = _indicator("app-availability", "higher_is_better", {}, data_source="Platform monitoring")


def _events() -> list[dict]:
    rows = []
    # 20 trip ends before 1 September (8 late), 20 on or after it (1 late). Member m0's
    # trips fall on both sides: each counts on the side of its own date.
    for k in range(20):
        rows.append(
            ev(
                f"m{k % 5}",
                "plug-in-end-trip",
                at(f"2025-08-{k + 1:02d}"),
                minutes_late=30 if k < 8 else 0,
            )
        )
        rows.append(
            ev(
                f"m{k % 5}",
                "plug-in-end-trip",
                at(f"2025-09-{k + 1:02d}"),
                minutes_late=30 if k < 1 else 0,
            )
        )
    # Bookings per month: July 3, August 5 (before); September 8, October 10 (after).
    for month, n in (("07", 3), ("08", 5), ("09", 8), ("10", 10)):
        rows += [ev(f"b{month}{k}", "book-car", at(f"2025-{month}-{k + 1:02d}")) for k in range(n)]
    # Caller waits: before 10, 20, 30, 40, 50; after 5, 5, 10, 10, 15.
    for k, (before, after) in enumerate(zip((10, 20, 30, 40, 50), (5, 5, 10, 10, 15), strict=True)):
        rows.append(ev("c1", "late-return-call", at(f"2025-08-{k + 10}"), wait_seconds=before))
        rows.append(ev("c1", "late-return-call", at(f"2025-09-{k + 10}"), wait_seconds=after))
    # A/B on the 'desk' attribute: A resolves in 60 and 90 minutes, B in 30, 40 and 50;
    # i9 carries both values and is left out.
    for inc, desk, minutes in (
        ("i1", "A", 60),
        ("i2", "A", 90),
        ("i3", "B", 30),
        ("i4", "B", 40),
        ("i5", "B", 50),
        ("i9", "A", 5),
    ):
        rows += [
            ev(inc, "ticket-registered", at("2025-06-02", 9), desk=desk),
            ev(
                inc,
                "service-restored",
                at("2025-06-02", 9 + minutes // 60, minutes % 60),
                desk=desk,
            ),
        ]
    rows.append(ev("i9", "triage", at("2025-06-02", 9, 1), desk="B"))
    return rows


def _feedback() -> list[dict]:
    before, after = (2, 1, 3, 2), (4, 5, 4, 3, 5)
    return [
        fb(f"n{k}", "late-car", s, at(f"2025-08-{k + 1:02d}"), "late-return-alert")
        for k, s in enumerate(before)
    ] + [
        fb(f"n{k}", "late-car", s, at(f"2025-09-{k + 1:02d}"), "late-return-alert")
        for k, s in enumerate(after)
    ]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory):
    st = store(tmp_path_factory.mktemp("improvements"), _events(), _feedback())
    yield st
    st.close()


def _workspace(*improvements: Improvement):
    return workspace(
        indicators=[LATE, LATE_CAR, BOOKINGS, WAIT_P90, RESOLUTION, APP],
        improvements=list(improvements),
    )


ALERT = Improvement(
    id="alert",
    name="Late-return alert",
    status="trial",
    started="2025-09-01",
    comparison={"kind": "before_after", "change_date": "2025-09-01"},
    effects=[
        {"indicator": "late-return-rate", "baseline": 40, "target": 10},
        {"indicator": "late-car", "baseline": 2, "target": 4},
        {"indicator": "bookings", "baseline": 4, "target": 9},
        {"indicator": "wait", "baseline": 46, "target": 10},
        {"indicator": "app-availability", "baseline": 99, "target": 99.5},
    ],
)


def _welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Difference of means, t and Welch-Satterthwaite df, by the formulas."""
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    diff = statistics.mean(b) - statistics.mean(a)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return diff, diff / math.sqrt(va + vb), df


def test_before_after_on_a_share_uses_the_two_proportion_z_test(source):
    [result] = evaluate_improvements(source, _workspace(ALERT))
    assert (result.comparison, result.change_date) == ("before_after", date(2025, 9, 1))
    late = result.effects[0]
    assert (late.control.value, late.control.n, late.treatment.value, late.treatment.n) == (
        40.0,
        20,
        5.0,
        20,
    )
    # Pooled p = 9/40; se = sqrt(p(1-p)(1/20 + 1/20)); z = -0.35 / se.
    pooled = 9 / 40
    z = -0.35 / math.sqrt(pooled * (1 - pooled) * 0.1)
    assert late.difference == pytest.approx(-35.0)
    assert late.p_value == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))
    half = 1.959963985 * math.sqrt(0.4 * 0.6 / 20 + 0.05 * 0.95 / 20)
    assert (late.ci_low, late.ci_high) == (
        pytest.approx(100 * (-0.35 - half)),
        pytest.approx(100 * (-0.35 + half)),
    )
    assert late.test == "two-proportion z-test" and late.robust_test == "Fisher exact"
    assert late.significant and late.improved
    assert late.progress == pytest.approx(100 * (5 - 40) / (10 - 40))


def test_before_after_on_scores_uses_welch(source):
    from scipy import stats

    [result] = evaluate_improvements(source, _workspace(ALERT))
    late_car = result.effects[1]
    diff, t, df = _welch([2, 1, 3, 2], [4, 5, 4, 3, 5])
    assert (late_car.control.value, late_car.treatment.value) == (2.0, 4.2)
    assert late_car.difference == pytest.approx(diff) == pytest.approx(2.2)
    assert late_car.p_value == pytest.approx(2 * stats.t.sf(t, df))
    half = stats.t.ppf(0.975, df) * diff / t
    assert late_car.ci_low == pytest.approx(diff - half) and late_car.ci_high == pytest.approx(
        diff + half
    )
    assert late_car.test == "Welch t-test" and late_car.robust_test == "Mann-Whitney U"
    assert late_car.significant and late_car.improved and late_car.progress == pytest.approx(110.0)


def test_totals_compare_the_totals_per_period(source):
    from scipy import stats

    [result] = evaluate_improvements(source, _workspace(ALERT))
    bookings = result.effects[2]
    # Monthly totals 3, 5 before and 8, 10 after: n counts months.
    assert (
        bookings.control.value,
        bookings.control.n,
        bookings.treatment.value,
        bookings.treatment.n,
    ) == (4.0, 2, 9.0, 2)
    _diff, t, df = _welch([3, 5], [8, 10])
    assert bookings.difference == 5.0 and df == pytest.approx(2.0)
    assert bookings.p_value == pytest.approx(2 * stats.t.sf(t, df))
    assert bookings.progress == pytest.approx(100.0)


def test_percentiles_use_a_bootstrap_interval(source):
    [result] = evaluate_improvements(source, _workspace(ALERT))
    wait = result.effects[3]
    # p90 of 10..50 is 46; of 5, 5, 10, 10, 15 it is 13.
    assert (wait.control.value, wait.treatment.value, wait.difference) == (46.0, 13.0, -33.0)
    assert wait.test.startswith("Mann-Whitney U") and wait.ci_low <= -33.0 <= wait.ci_high
    assert wait.improved and wait.progress == pytest.approx(100 * (13 - 46) / (10 - 46))


def test_an_indicator_without_measure_is_noted(source):
    [result] = evaluate_improvements(source, _workspace(ALERT))
    app = result.effects[4]
    assert app.difference is None and "Platform monitoring" in (app.note or "")


def test_ab_comparison_on_an_event_attribute(source):
    from scipy import stats

    trial = Improvement(
        id="swarm",
        name="Swarming",
        status="trial",
        started="2025-06-01",
        comparison={"kind": "ab", "attribute": "desk", "control": "A", "treatment": "B"},
        effects=[{"indicator": "resolution", "baseline": 75, "target": 40}],
    )
    [result] = evaluate_improvements(source, _workspace(trial), improvement_id="swarm")
    assert (result.control_label, result.treatment_label, result.attribute) == ("A", "B", "desk")
    effect = result.effects[0]
    # i9 has desk A and desk B: left out.
    assert (effect.control.value, effect.control.n, effect.treatment.value, effect.treatment.n) == (
        75.0,
        2,
        40.0,
        3,
    )
    diff, t, df = _welch([60, 90], [30, 40, 50])
    assert effect.difference == pytest.approx(diff) and effect.p_value == pytest.approx(
        2 * stats.t.sf(abs(t), df)
    )
    assert effect.progress == pytest.approx(100.0) and effect.improved


def test_without_comparison_started_improvements_are_compared_at_started(source):
    done = Improvement(
        id="done",
        name="Done",
        status="done",
        started="2025-09-01",
        effects=[{"indicator": "late-car", "baseline": 2, "target": 4}],
    )
    proposed = Improvement(
        id="idea",
        name="Idea",
        status="proposed",
        effects=[{"indicator": "late-car", "baseline": 2, "target": 4}],
    )
    few = Improvement(
        id="few",
        name="Few",
        status="trial",
        started="2025-08-04",
        effects=[{"indicator": "late-car", "baseline": 2, "target": 4}],
    )
    d, p, f = evaluate_improvements(source, _workspace(done, proposed, few))
    assert d.comparison == "before_after" and d.effects[0].difference == pytest.approx(2.2)
    assert p.comparison is None and "not started" in (p.effects[0].note or "")
    # Before 4 August: the answers of 1, 2 and 3 August... on or after: the rest.
    assert f.effects[0].control.n == 3 and f.effects[0].treatment.n == 6
    with pytest.raises(NotFound, match="no improvement 'nope'"):
        evaluate_improvements(source, _workspace(done), improvement_id="nope")


def test_too_few_units_and_to_dict(tmp_path: Path):
    st = store(tmp_path, [ev("m", "plug-in-end-trip", at("2025-08-01"), minutes_late=20)])
    try:
        [result] = evaluate_improvements(st, _workspace(ALERT), improvement_id="alert")
        late = result.effects[0]
        assert late.control.n == 1 and late.treatment.n == 0 and late.treatment.value is None
        assert "too few units" in (late.note or "") and late.p_value is None
        data = result.to_dict()
        assert data["effects"][0]["control"] == {"label": "before", "value": 100.0, "n": 1}
        assert data["change_date"] == "2025-09-01" and data["status"] == "trial"
    finally:
        st.close()
