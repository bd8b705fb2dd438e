"""The measured map against its design: the overlay's comparisons (hand-made inputs, so
every expected number is computed here) and the "Against design" lane that draws them."""

from __future__ import annotations

import copy

import pytest

from cojourney.analytics.leakage_sources import Wait
from cojourney.domain import SurveyQuestion
from cojourney.render import render_journey_map
from cojourney.render.measured_lane import leak_text, score_text, sla_text, wait_text
from cojourney.report.overlay_marks import (
    add_marks,
    clock_span,
    clock_status,
    leak_place,
    moments_of_truth,
    satisfaction,
    waiting_beyond_design,
    worst_leaks,
)


def _row(question: str, key: str, n: int, value: float, metric: str = "mean") -> dict:
    return {
        "question": question,
        "metric": metric,
        "key": key,
        "n": n,
        "value": value,
        "low": value - 0.1,
        "high": value + 0.1,
        "mean": value,
    }


@pytest.fixture
def experience() -> dict:
    return {
        "answers": 60,
        "breakdowns": [
            {
                "dimension": "touchpoint",
                "rows": [
                    _row("emotion", "plans", 10, 0.4),
                    _row("csat", "plans", 12, 0.75, "csat"),
                    _row("emotion", "ride", 20, 1.5),
                    _row("late", "ride", 8, 3.2),
                    _row("emotion", "terms", 0, 0.0),  # no answers: not a score
                    _row("ces", None, 9, 5.0),  # journey level: no place on the map
                ],
            },
            {
                "dimension": "step",
                "rows": [_row("emotion", "co-create", 20, 1.5), _row("late", "co-create", 8, 3.2)],
            },
        ],
        "moments_of_truth": [
            {  # significant and harmful, not designed: a measured moment of truth
                "touchpoint": "terms",
                "designed": False,
                "significant": True,
                "difference": -0.2,
                "rank": 1,
                "low": -0.3,
                "high": -0.1,
                "journeys_poor": 7,
            },
            {  # significant but poor answers go with better journeys: not one
                "touchpoint": "plans",
                "designed": False,
                "significant": True,
                "difference": 0.1,
                "rank": 2,
                "low": 0.05,
                "high": 0.15,
                "journeys_poor": 4,
            },
            {  # designed, effect not significant: stays a designed one only
                "touchpoint": "sign-up",
                "designed": True,
                "significant": False,
                "difference": -0.05,
                "rank": 3,
                "low": -0.2,
                "high": 0.1,
                "journeys_poor": 3,
            },
        ],
    }


def test_waits_beyond_design_add_up_per_touchpoint(workspace) -> None:
    journey = workspace.journey()
    waits = [
        Wait("plans", "sign-up", 600.0, 3, 3, 1.5),
        Wait("plans", "terms", 600.0, 2, 1, 0.5),
        Wait("friends", "plans", 0.0, 9, 9, 9.0),  # no designed duration: not judged
        Wait("elsewhere", "plans", 60.0, 1, 1, 1.0),  # not in the journey
    ]
    found = waiting_beyond_design(journey, waits)
    assert found["plans"] == {"designed_seconds": 600.0, "waits_beyond": 5.0, "hours_beyond": 2.0}
    assert found["ad"] == {"designed_seconds": 60.0}  # designed, no wait beyond it
    assert "friends" not in found and "elsewhere" not in found
    assert wait_text(found["plans"]) == "5 waits beyond the designed 10 min, 2.0 h beyond in all"
    assert wait_text(found["ad"]) == "no wait beyond the designed 1 min"


def test_satisfaction_prefers_the_touchpoints_own_question_then_csat(workspace, experience) -> None:
    journey = workspace.journey()
    plain = satisfaction(workspace, journey, experience)
    assert plain["touchpoints"]["plans"]["question"] == "csat"  # CSAT before emotion
    assert plain["touchpoints"]["ride"]["question"] == "emotion"  # before an undeclared one
    assert "terms" not in plain["touchpoints"]  # n = 0
    assert plain["steps"]["co-create"]["question"] == "emotion"
    asked = workspace.model_copy(
        update={
            "questions": [
                SurveyQuestion(id="late", name="Late?", low=1, high=5, touchpoints=["ride"])
            ]
        }
    )
    own = satisfaction(asked, journey, experience)
    assert own["touchpoints"]["ride"]["question"] == "late"
    assert own["steps"]["co-create"]["question"] == "late"  # asked at one of its touchpoints
    assert score_text(own["touchpoints"]["ride"]) == "late 3.20 (95% CI 3.10 to 3.30, n 8)"
    assert score_text(plain["touchpoints"]["plans"]) == "CSAT 75% (95% CI 65% to 85%, n 12)"
    assert satisfaction(workspace, journey, {"answers": 0}) == {"touchpoints": {}, "steps": {}}


def test_a_clock_covers_its_span_on_the_designed_path(workspace) -> None:
    journey = workspace.journey()
    assert clock_span(journey, ["sign-up"], ["video"]) == ["sign-up", "terms", "id-check", "video"]
    # the first start and the last stop count
    assert clock_span(journey, ["terms", "sign-up"], ["terms", "video"]) == [
        "sign-up",
        "terms",
        "id-check",
        "video",
    ]
    assert clock_span(journey, ["video"], ["sign-up"]) == []  # stops before it starts
    assert clock_span(journey, ["nowhere"], ["video"]) == []


@pytest.mark.parametrize(
    ("meets", "at_risk", "status"),
    [
        (False, 0, "breached"),
        (False, 3, "breached"),
        (True, 2, "warning"),
        (None, 1, "warning"),
        (True, 0, "compliant"),
        (None, 0, "undecided"),
    ],
)
def test_clock_status(meets, at_risk, status) -> None:
    assert clock_status({"meets": meets, "at_risk": at_risk}) == status


def test_moments_of_truth_designed_and_measured(workspace, experience) -> None:
    found = moments_of_truth(workspace.journey(), experience)
    assert found["terms"]["measured"] is True and found["terms"]["designed"] is False
    assert found["sign-up"] == {
        "designed": True,
        "measured": False,
        "rank": 3,
        "difference": -0.05,
        "low": -0.2,
        "high": 0.1,
        "journeys_poor": 3,
    }
    assert found["first-unlock"] == {"designed": True, "measured": False}  # no answers there
    assert "plans" not in found  # a helpful effect is no moment of truth


def test_leaks_are_placed_where_they_name(workspace) -> None:
    journey = workspace.journey()
    assert leak_place(journey, workspace, "drop_off", "onboard") == {"step": "onboard"}
    assert leak_place(journey, workspace, "waiting", "plans -> sign-up") == {
        "touchpoint": "plans",
        "step": "offer",
    }
    assert leak_place(journey, workspace, "experience", "ride (emotion)") == {
        "touchpoint": "ride",
        "step": "co-create",
    }
    assert leak_place(journey, workspace, "rework", "support") == {
        "touchpoint": "support",
        "step": "co-create",
    }
    assert leak_place(journey, workspace, "loop", "unknown -> ride") == {}
    leaks = {
        "leaks": [
            {
                "rank": i + 1,
                "kind": "drop_off",
                "where": "agree",
                "label": f"leak {i}",
                "journeys": 10 - i,
                "share": 0.1,
                "severity": 0.1 - i / 100,
            }
            for i in range(7)
        ]
    }
    top = worst_leaks(workspace, journey, leaks)
    assert [leak["rank"] for leak in top] == [1, 2, 3, 4, 5]
    assert all(leak["step"] == "agree" for leak in top)
    assert leak_text(top[0]) == "leak #1, drop-off: severity 10.0%"


@pytest.fixture
def marked(workspace, overlay, experience) -> dict:
    journey = workspace.journey()
    clock = {
        "agreement_id": "a",
        "clock_id": "c",
        "clock_name": "Sign-up to first ride",
        "total": {
            "meets": False,
            "at_risk": 0,
            "share_met": 80.0,
            "attainment": 90.0,
            "journeys": 50,
            "met": 40,
            "breached": 10,
        },
    }
    from cojourney.domain.service_levels import SlaClock
    from cojourney.domain.value import Agreement

    agreement = Agreement.model_validate(
        {
            "id": "a",
            "name": "Members",
            "kind": "sla",
            "basis": "agreement",
            "provider": "p",
            "clocks": [
                SlaClock.model_validate(
                    {
                        "id": "c",
                        "name": "Sign-up to first ride",
                        "start": ["sign-up"],
                        "stop": ["first-unlock"],
                        "targets": [{"within": "1d"}],
                    }
                )
            ],
        }
    )
    with_clock = workspace.model_copy(update={"agreements": [agreement]})
    leaks = {
        "leaks": [
            {
                "rank": 1,
                "kind": "experience",
                "where": "dock-full (emotion)",
                "label": "emotion at dock-full",
                "journeys": 40,
                "share": 0.2,
                "severity": 0.12,
            },
            {
                "rank": 2,
                "kind": "drop_off",
                "where": "agree",
                "label": "drop-off in Agree",
                "journeys": 30,
                "share": 0.15,
                "severity": 0.09,
            },
        ]
    }
    return add_marks(
        copy.deepcopy(overlay),
        with_clock,
        journey,
        analysis={"funnel": {"steps": [{"step": "agree", "median_seconds_in_step": 7200.0}]}},
        experience=experience,
        clocks=[clock],
        waits=[Wait("plans", "sign-up", 600.0, 3, 3, 1.5)],
        leakage=leaks,
    )


def test_the_lane_draws_every_comparison(workspace, marked, check) -> None:
    svg = render_journey_map(workspace, fmt="svg", overlay=marked)
    root = check.svg(svg)
    text = check.text(root)
    assert "AGAINST DESIGN" in text
    assert score_text(marked["satisfaction"]["touchpoints"]["plans"]) in svg
    assert wait_text(marked["touchpoints"]["plans"]) in svg
    clock = marked["sla"]["touchpoints"]["sign-up"][0]
    assert clock["status"] == "breached"
    assert sla_text(clock) == "SLA Sign-up to first ride: breached (80% met, 90% required)"
    for tp in ("sign-up", "terms", "video", "first-unlock"):  # id-check is backstage
        assert tp in marked["sla"]["touchpoints"]
    # four touchpoints and the steps agree and onboard, each mark titled with its text
    assert svg.count(f"<title>{sla_text(clock)}</title>") == 4 + 2
    assert "moment of truth (measured)" in svg  # terms
    assert "moment of truth (designed), no measured effect" in svg  # first-unlock
    assert len(check.placed(root, "cj-mark cj-mark-leak")) == 2
    assert "median 2 h in the step" in svg
    assert "SLA compliant / warning / breached" in text  # the legend
    assert not check.overlaps(root)


def test_consumers_see_none_of_the_comparisons(workspace, marked) -> None:
    svg = render_journey_map(workspace, fmt="svg", overlay=marked, audience="consumer")
    assert "AGAINST DESIGN" not in svg
    assert "SLA " not in svg and "leak #" not in svg


def test_the_html_map_carries_the_lane_and_its_legend(workspace, marked, check) -> None:
    page = render_journey_map(workspace, fmt="html", overlay=marked)
    check.html(page)
    assert "AGAINST DESIGN" in page
    assert "One of the worst leaks (#rank)" in page
