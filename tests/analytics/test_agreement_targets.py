"""Agreement targets per period: moving targets, priorities, segments, baseline vs current."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_measures_support import at, car_share_events, car_share_feedback, ev, store, workspace

from cojourney.analytics.agreement_targets import TargetStatus, evaluate_targets
from cojourney.domain import Agreement, Indicator, Measure, Target
from cojourney.errors import InputError, NotFound

MARCH, APRIL, MAY = date(2025, 3, 1), date(2025, 4, 1), date(2025, 5, 1)

CSAT = Indicator(
    id="csat",
    name="CSAT",
    definition="mean post-trip rating",
    unit="score 1-5",
    direction="higher_is_better",
    target=4.3,
    baseline=3.0,
    measure=Measure(kind="feedback", question="csat", touchpoints=["post-trip-csat"]),
)
FIRST_RESPONSE = Indicator(
    id="first-response",
    name="First response",
    definition="minutes",
    unit="minutes",
    direction="lower_is_better",
    measure=Measure(
        kind="duration",
        start="ticket-registered",
        end="priority-and-eta-told",
        time_unit="minutes",
        statistic="p95",
    ),
)
UNMEASURED = Indicator(
    id="revenue",
    name="Revenue",
    definition="monthly revenue",
    unit="R$",
    direction="higher_is_better",
    data_source="Billing system",
)


def agreement(
    id: str, kind: str, targets: list[dict], services: list[str] | None = None
) -> Agreement:
    return Agreement(
        id=id,
        name=id.title(),
        kind=kind,
        basis="agreement",
        provider="p",
        services=services or ["svc"],
        targets=[Target(**t) for t in targets],
    )


@pytest.fixture(scope="module")
def car_share(tmp_path_factory: pytest.TempPathFactory):
    st = store(tmp_path_factory.mktemp("targets"), car_share_events(), car_share_feedback())
    yield st
    st.close()


@pytest.fixture(scope="module")
def incidents(tmp_path_factory: pytest.TempPathFactory):
    # First responses in May: P1 after 10 and 20 minutes, P2 after 25 minutes.
    rows = []
    for inc, prio, minutes in (("i1", "P1", 10), ("i2", "P1", 20), ("i3", "P2", 25)):
        rows += [
            ev(inc, "ticket-registered", at("2025-05-06", 9), "anna", priority=prio),
            ev(inc, "priority-and-eta-told", at("2025-05-06", 9, minutes), "anna", priority=prio),
        ]
    st = store(tmp_path_factory.mktemp("incidents"), rows)
    yield st
    st.close()


def test_moving_xla_target_and_baseline_vs_current(car_share):
    # CSAT: March 5.0, April (3 + 4) / 2 = 3.5. The target rises from 4 to 4.5 in April.
    xla = agreement(
        "member-xla",
        "xla",
        [
            {
                "indicator": "csat",
                "comparator": ">=",
                "value": 4,
                "period": "month",
                "baseline": 3.2,
            },
            {
                "indicator": "csat",
                "comparator": ">=",
                "value": 4.5,
                "period": "month",
                "effective_from": "2025-04-01",
            },
        ],
    )
    ws = workspace(indicators=[CSAT], agreements=[xla])
    [series] = evaluate_targets(car_share, ws, "member-xla")
    assert [(p.period_start, p.value, p.n, p.target, p.met) for p in series.periods] == [
        (MARCH, 5.0, 1, 4.0, True),
        (APRIL, 3.5, 2, 4.5, False),
    ]
    assert (series.met, series.missed, series.attainment) == (1, 1, 50.0)
    assert series.status is TargetStatus.MISSED and series.kind.value == "xla"
    assert series.target is not None and series.target.value == 4.5
    assert series.baseline == 3.2 and series.current is not None and series.current.value == 3.5
    assert series.change == pytest.approx(0.3)
    assert series.services == ("svc",) and series.to_dict()["periods"][1]["met"] is False


def test_a_period_before_any_target_is_in_force_is_not_assessed(car_share):
    late = agreement(
        "late",
        "xla",
        [{"indicator": "csat", "comparator": ">=", "value": 3, "effective_from": "2025-04-01"}],
    )
    ws = workspace(indicators=[CSAT], agreements=[late])
    [series] = evaluate_targets(car_share, ws)
    assert [(p.target, p.met) for p in series.periods] == [(None, None), (3.0, True)]
    assert series.baseline == 3.0  # the indicator's own baseline
    assert series.status is TargetStatus.MET and series.attainment == 100.0


def test_targets_per_priority(incidents):
    # P1: p95 of 10 and 20 minutes = 19.5 > 15 (missed). P2: 25 <= 30 (met).
    sla = agreement(
        "incident-sla",
        "sla",
        [
            {
                "indicator": "first-response",
                "comparator": "<=",
                "value": 15,
                "priority": "P1",
                "period": "month",
            },
            {
                "indicator": "first-response",
                "comparator": "<=",
                "value": 30,
                "priority": "P2",
                "period": "month",
            },
        ],
    )
    ws = workspace(indicators=[FIRST_RESPONSE], agreements=[sla])
    p1, p2 = evaluate_targets(incidents, ws)
    assert (p1.priority, p1.current.value, p1.current.n, p1.status) == (
        "P1",
        pytest.approx(19.5),
        2,
        TargetStatus.MISSED,
    )
    assert (p2.priority, p2.current.value, p2.current.n, p2.status) == (
        "P2",
        25.0,
        1,
        TargetStatus.MET,
    )
    assert [p.period_start for p in p1.periods] == [MAY]
    assert p1.clock is None


def test_a_clock_on_the_same_indicator_is_named(incidents):
    from cojourney.domain import SlaClock

    clock = SlaClock(
        id="response-clock",
        name="First response",
        start=["ticket-registered"],
        stop=["priority-and-eta-told"],
        indicator="first-response",
        priority_attribute="priority",
        targets=[{"within": "15m", "priority": "P1"}],
    )
    sla = agreement(
        "incident-sla",
        "sla",
        [{"indicator": "first-response", "comparator": "<=", "value": 15, "priority": "P1"}],
    )
    sla = sla.model_copy(update={"clocks": [clock]})
    [p1] = evaluate_targets(incidents, workspace(indicators=[FIRST_RESPONSE], agreements=[sla]))
    assert p1.clock == "response-clock" and "response-clock" in (p1.note or "")
    assert p1.current.value == pytest.approx(19.5) and p1.to_dict()["clock"] == "response-clock"


def test_target_period_and_segment(car_share):
    # Per quarter: Q1 CSAT 5 (j1); Q2 3.5. katrina (j1, j3): Q1 5, Q2 4.
    xla = agreement(
        "xla",
        "xla",
        [
            {"indicator": "csat", "comparator": ">=", "value": 4, "period": "quarter"},
            {
                "indicator": "csat",
                "comparator": ">=",
                "value": 4,
                "period": "quarterly",
                "segment": "katrina",
            },
            {
                "indicator": "csat",
                "comparator": ">=",
                "value": 4,
                "period": "quarter",
                "segment": "Members whose car came back late",
            },
        ],
    )
    ws = workspace(indicators=[CSAT], agreements=[xla])
    every, katrina, described = evaluate_targets(car_share, ws)
    assert [(p.period_start, p.value) for p in every.periods] == [
        (date(2025, 1, 1), 5.0),
        (APRIL, 3.5),
    ]
    assert every.period == "quarter"
    assert [p.value for p in katrina.periods] == [5.0, 4.0] and katrina.segment_applied
    assert not described.segment_applied and [p.value for p in described.periods] == [5.0, 3.5]


def test_unmeasured_indicator_and_errors(car_share):
    ola = agreement(
        "ola", "outcome_based", [{"indicator": "revenue", "comparator": ">=", "value": 1}]
    )
    ws = workspace(indicators=[CSAT, UNMEASURED], agreements=[ola])
    [series] = evaluate_targets(car_share, ws, start=MARCH, end=date(2025, 4, 30))
    assert series.status is TargetStatus.NOT_MEASURED and not series.measured
    assert "Billing system" in (series.note or "") and series.periods == ()
    with pytest.raises(NotFound, match=r"no agreement 'nope'.*ola"):
        evaluate_targets(car_share, ws, "nope")
    bad = agreement(
        "bad", "sla", [{"indicator": "csat", "comparator": ">=", "value": 1, "period": "fortnight"}]
    )
    with pytest.raises(InputError, match=r"unknown period") as info:
        evaluate_targets(car_share, workspace(indicators=[CSAT], agreements=[bad]))
    assert info.value.problems[0].location.field == "agreements[0].targets[0].period"


def test_no_data_in_the_window(car_share):
    sla = agreement("sla", "sla", [{"indicator": "csat", "comparator": ">=", "value": 4}])
    ws = workspace(indicators=[CSAT], agreements=[sla])
    [series] = evaluate_targets(car_share, ws, start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert series.status is TargetStatus.NO_DATA and series.current is None
    assert series.attainment is None and series.change is None


def test_doctests_of_the_target_module():
    import doctest

    from cojourney.analytics import agreement_targets

    failures, tried = doctest.testmod(agreement_targets)
    assert tried > 0 and failures == 0


def test_example_workspace_targets_evaluate(tmp_path: Path):
    """Every target of the flagship examples evaluates (on a tiny log, mostly without data)."""
    from cojourney.demo import example_path
    from cojourney.spec import load_workspace

    st = store(tmp_path, car_share_events(), car_share_feedback())
    try:
        ws = load_workspace(example_path("ecampus-car-share"))
        result = evaluate_targets(st, ws)
        assert len(result) == sum(len(a.targets) for a in ws.agreements)
        pickup = next(
            s
            for s in result
            if s.agreement_id == "member-sla" and s.indicator_id == "pickup-charge-level"
        )
        assert [(p.period_start, p.value, p.met) for p in pickup.periods] == [
            (MARCH, 100.0, True),
            (APRIL, 0.0, False),
        ]
        uptake = next(s for s in result if s.indicator_id == "university-discount-uptake")
        assert uptake.period == "semester" and uptake.status is TargetStatus.NOT_MEASURED
    finally:
        st.close()
