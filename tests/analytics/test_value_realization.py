"""Value realization: every indicator per stakeholder, measured or listed as a gap."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from test_measures_support import car_share_events, car_share_feedback, store, workspace

from cojourney.analytics.measures import Status
from cojourney.analytics.value_realization import realize_value
from cojourney.domain import Indicator, Measure, Stakeholder, ValueProposition


def _ws():
    onboarding = Indicator(
        id="onboarding",
        name="Onboarding",
        definition="sign-ups that book",
        unit="%",
        direction="higher_is_better",
        target=80,
        warning=40,
        aspect="outcome",
        stakeholder="team",
        measure=Measure(
            kind="journey_share", touchpoints=["first-booking"], among=["membership-sign-up"]
        ),
    )
    pickup = Indicator(
        id="pickup",
        name="Charged at pickup",
        definition="soc >= 80",
        unit="%",
        direction="higher_is_better",
        target=95,
        warning=90,
        aspect="warranty",
        stakeholder="students",
        measure=Measure(
            kind="event_share",
            touchpoints=["charge-level-at-pickup"],
            where=[{"attribute": "soc_pct", "op": ">=", "value": 80}],
        ),
    )
    cost = Indicator(
        id="cost",
        name="Cost per trip",
        definition="price",
        unit="R$",
        direction="lower_is_better",
        target=25,
        aspect="cost",
        data_source="Billing system",
    )
    orphan = Indicator(
        id="orphan",
        name="Orphan",
        definition="no one's",
        unit="x",
        direction="higher_is_better",
        aspect="utility",
    )
    students = ValueProposition(
        id="vp-students",
        stakeholder="students",
        outcomes=[{"description": "Get on board fast", "indicator": "onboarding"}],
        costs=[{"description": "Price", "indicator": "cost"}],
        risks=[{"description": "Flat battery", "indicator": "pickup"}],
    )
    people = [Stakeholder(id=s, name=s.title(), kind="customer") for s in ("team", "students")]
    return workspace(
        stakeholders=people,
        value_propositions=[students],
        indicators=[onboarding, pickup, cost, orphan],
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory):
    st = store(tmp_path_factory.mktemp("value"), car_share_events(), car_share_feedback())
    yield st
    st.close()


def test_indicators_grouped_per_stakeholder(source):
    result = realize_value(source, _ws())
    assert (result.measured, result.not_measured) == (2, 2)
    groups = {g.stakeholder_id: g for g in result.stakeholders}
    # Stakeholder order of the workspace, then indicators nobody names.
    assert [g.stakeholder_id for g in result.stakeholders] == ["team", "students", None]
    students = [(i.indicator_id, i.aspect, i.description) for i in groups["students"].indicators]
    # The value proposition decides the aspect (pickup is a 'risk' to students, not 'warranty').
    assert students == [
        ("onboarding", "outcome", "Get on board fast"),
        ("cost", "cost", "Price"),
        ("pickup", "risk", "Flat battery"),
    ]
    assert [(i.indicator_id, i.aspect, i.description) for i in groups["team"].indicators] == [
        ("onboarding", "outcome", None)
    ]
    assert [i.indicator_id for i in groups[None].indicators] == ["orphan"]
    assert groups[None].name == "(no stakeholder)" and groups["team"].name == "Team"


def test_status_trend_and_gaps(source):
    result = realize_value(source, _ws())
    students = {i.indicator_id: i for i in result.stakeholders[1].indicators}
    # April: onboarding 100% (target 80: on track); pickups 0% (off track).
    assert students["onboarding"].status is Status.ON_TRACK
    assert students["onboarding"].current.value == 100.0
    assert students["pickup"].status is Status.OFF_TRACK and students["pickup"].current.value == 0.0
    cost = students["cost"]
    assert not cost.measured and cost.status is Status.NOT_MEASURED
    assert cost.data_source == "Billing system" and cost.trend is None
    assert result.stakeholders[1].status_counts() == {
        "on_track": 1,
        "not_measured": 1,
        "off_track": 1,
    }


def test_window_and_json(source):
    result = realize_value(source, _ws(), start=date(2025, 3, 1), end=date(2025, 3, 31))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["start"] == "2025-03-01" and data["end"] == "2025-03-31"
    students = {i["indicator"]: i for i in data["stakeholders"][1]["indicators"]}
    # March: j1 and j2 signed up, j1 booked -> 50%, between warning 40 and target 80.
    assert students["onboarding"]["status"] == "at_risk"
    assert students["onboarding"]["current"] == {
        "period_start": "2025-03-01",
        "value": 50.0,
        "n": 2,
    }
    assert students["cost"]["measured"] is False and students["cost"]["series"] is None


def test_flagship_example_value_realization(tmp_path: Path):
    """The eCampus example on the tiny log: measured and unmeasured indicators both show."""
    from cojourney.demo import example_path
    from cojourney.spec import load_workspace

    ws = load_workspace(example_path("ecampus-car-share"))
    st = store(tmp_path, car_share_events(), car_share_feedback())
    try:
        result = realize_value(st, ws)
    finally:
        st.close()
    assert result.measured + result.not_measured == len(ws.indicators)
    assert result.measured >= 12
    by_id = {i.indicator_id: i for g in result.stakeholders for i in g.indicators}
    assert by_id["pickup-charge-level"].current.value == 0.0  # April: j1 at 70%
    assert by_id["nps"].series.overall == 25.0
    assert by_id["axle-revenue-share"].status is Status.NOT_MEASURED
