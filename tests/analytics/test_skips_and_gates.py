"""Allowed skips, loops and several gates, on a small custom design; numbers by hand.

Design: steps ``s1`` (a, b) and ``s2`` (c, d optional, e); order a b c d e
(positions 0-4); skip a -> c (over b); loop e -> c; gate g1: a and b before d or e;
gate g2: c before e. Entry a, exit e (the defaults). No onboarding step.
"""

from __future__ import annotations

import pytest
from journey_logs import journey_table

from cojourney.analytics.design import JourneyDesign
from cojourney.analytics.engines import Engine
from cojourney.analytics.journey_results import FunnelStep, GateResult, JourneyAnalysis
from cojourney.analytics.report import analyze_journey
from cojourney.domain import Journey, Period, Step, Touchpoint

approx = pytest.approx


def small_design() -> Journey:
    steps = [
        Step(id="s1", name="One", period=Period.PRE_SERVICE),
        Step(id="s2", name="Two", period=Period.SERVICE),
    ]
    touchpoints = [
        Touchpoint(
            id=t, name=t.upper(), step="s1" if t in "ab" else "s2", channel="app", optional=t == "d"
        )
        for t in "abcde"
    ]
    return Journey.model_validate(
        {
            "id": "small",
            "name": "Small",
            "steps": steps,
            "touchpoints": touchpoints,
            "path": {"skips": [{"from": "a", "to": "c"}], "loops": [{"from": "e", "to": "c"}]},
            "gates": [
                {"id": "g1", "name": "G1", "requires": ["a", "b"], "before": ["d", "e"]},
                {"id": "g2", "name": "G2", "requires": ["c"], "before": ["e"]},
            ],
        }
    )


def steps(*activities: str) -> list[tuple[str, float]]:
    return [(a, 10 * n) for n, a in enumerate(activities)]


LOG = [
    ("J1", 0, None, None, steps("a", "c", "e")),  # takes the skip a -> c
    ("J2", 100, None, None, steps("a", "b", "c", "d", "e", "c", "e")),  # takes the loop e -> c
    ("J3", 200, None, None, steps("b", "a", "e")),  # b -> a; c skipped
    ("J4", 300, None, None, steps("a", "d")),  # b and c skipped
]


_RESULTS: dict[str, JourneyAnalysis] = {}


@pytest.fixture
def result(engine: Engine) -> JourneyAnalysis:
    """The analysis, computed once per engine (xdist may interleave the engines' tests)."""
    if engine.name not in _RESULTS:
        _RESULTS[engine.name] = analyze_journey(
            journey_table(LOG), small_design(), engine=engine, breakdown_by=()
        )
    return _RESULTS[engine.name]


def test_the_design_compiles_to_positions() -> None:
    design = JourneyDesign.from_journey(small_design())
    assert design.mandatory == (0, 1, 2, 4)
    assert design.skips == ((0, 2),) and design.loops == frozenset({(4, 2)})
    assert design.skips_covering(1) == ((0, 2),) and design.skips_covering(2) == ()
    assert design.onboard_step is None


def test_skips_loops_and_fitness(result: JourneyAnalysis) -> None:
    # J1: span 0-4, mandatory a b c e (4); b is covered by the skip taken: fitness 1.
    # J2: nothing skipped, e -> c is a loop: fitness 1.
    # J3: span 0-4; c skipped (the skip covers b only), b -> a violates: 1 - 2/(4 + 3).
    # J4: span 0-3, mandatory a b c (3); a -> d is not the skip: b and c skipped: 1 - 2/(3 + 2).
    c = result.conformance
    assert c.skipped == {"a": 0, "b": 1, "c": 2, "e": 0}
    assert (c.journeys_with_skips, c.journeys_with_violations, c.perfect) == (2, 1, 2)
    assert c.mean_fitness == approx((1 + 1 + 5 / 7 + 0.6) / 4)
    assert c.median_fitness == approx((5 / 7 + 1) / 2)
    assert [(v.from_touchpoint, v.to_touchpoint, v.moves) for v in c.violations] == [("b", "a", 1)]
    fitness = {v.activities: v.fitness for v in result.variants.top}
    assert fitness[("b", "a", "e")] == approx(5 / 7) and fitness[("a", "d")] == approx(0.6)


def test_several_gates_and_requirements(result: JourneyAnalysis) -> None:
    # g1 (a and b before the first d or e): J1 lacks b, J4 lacks b; J2 and J3 respect it.
    # g2 (c before e): J4 never reaches e; J3 has no c.
    assert result.gates == (
        GateResult(
            "g1",
            "G1",
            ("a", "b"),
            ("d", "e"),
            reached=4,
            respected=2,
            bypassed=2,
            missing={"a": 0, "b": 2},
            most_missing="b",
        ),
        GateResult(
            "g2",
            "G2",
            ("c",),
            ("e",),
            reached=3,
            respected=2,
            bypassed=1,
            missing={"c": 1},
            most_missing="c",
        ),
    )


def test_entry_exit_rework_and_funnel(result: JourneyAnalysis) -> None:
    e = result.entry_exit
    assert (e.started_in_middle, e.worked_back, e.ended_early) == (1, 1, 1)  # J3; J3; J4
    r = result.rework
    assert {t.touchpoint: (t.visits, t.extra_visits) for t in r.touchpoints} == {
        "a": (4, 0),
        "b": (2, 0),
        "c": (3, 1),
        "d": (2, 0),
        "e": (4, 1),
    }
    assert (r.journeys_with_repeat, r.journeys_with_back_move) == (1, 0)  # J2; b -> a stays in s1
    # s1: every journey moves on to s2 and ends there. Seconds in s1: J1 10, J2 20, J3 20,
    # J4 10 (median 15); in s2: J1 10 + 0, J2 10 + 10 + 10 + 10 + 0, J3 0, J4 0 (median 5).
    assert result.funnel.steps == (
        FunnelStep("s1", "One", 4, 4, 0, 0, 15.0),
        # J1-J3 end at the exit point; J4 ends early, minutes before the data's end: in progress.
        FunnelStep("s2", "Two", 4, 0, 0, 4, 5.0, ended=3, in_progress=1),
    )
    assert result.funnel.onboarding is None
    assert result.breakdowns == ()
