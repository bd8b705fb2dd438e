"""Every journey analysis on one small log (journey_logs.MAIN_LOG), numbers worked out by hand.

The log is analysed once per engine (DuckDB and Spark); each test checks one part of
the result against the numbers written here. Sequences of touchpoint positions and
step indexes of each journey (unknown activities left out):

=====  =====================  =====================  =======================
       positions              steps                  seconds of the events
=====  =====================  =====================  =======================
A      0 1 2 3 4 6            0 3 4 4 5 6            0 100 200 300 400 1000
B      1 2 4 5 4              3 4 5 5 5              0 50 100 200 300
C      4 5 4 1 (+unknown)     5 5 5 3                0 10 20 30 (40)
D      0 1 4 6                0 3 5 6                0 60 120 180
E      0 1 2                  0 3 4                  0 10 20
F      (unknown only)
G      1 3 1 2 4 6            3 4 3 4 5 6            0 10 20 30 40 50
H      0 1 4 6                0 3 5 6                0 20 40 60
=====  =====================  =====================  =======================
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from journey_logs import MAIN_LOG, UNKNOWN, journey_table

from cojourney.analytics.engines import Engine
from cojourney.analytics.journey_results import (
    ActivityNode,
    BreakdownRow,
    FunnelStep,
    GateResult,
    JourneyAnalysis,
    Onboarding,
    OrderViolation,
    StepMove,
    TouchpointEnds,
    TouchpointRework,
    UnknownActivity,
)
from cojourney.analytics.report import analyze_journey
from cojourney.analytics.results import DirectlyFollows, DurationStats, LogCounts

approx = pytest.approx


_RESULTS: dict[str, JourneyAnalysis] = {}


@pytest.fixture
def result(engine: Engine, template: Any) -> JourneyAnalysis:
    """The analysis, computed once per engine (xdist may interleave the engines' tests)."""
    if engine.name not in _RESULTS:
        _RESULTS[engine.name] = analyze_journey(
            journey_table(MAIN_LOG),
            template,
            engine=engine,
            top_variants=3,
            breakdown_by=("segment", "channel", "month", "week"),
        )
    return _RESULTS[engine.name]


def test_counts_and_durations(result: JourneyAnalysis) -> None:
    assert result.journey_id == "main-journey"
    assert result.counts == LogCounts(journeys=8, events=34, activities=8)
    # Durations 1000 300 40 180 20 0 50 60 -> sorted 0 20 40 50 60 180 300 1000.
    assert result.durations == DurationStats(mean=1650 / 8, median=55.0, min=0.0, max=1000.0)


def test_graph_nodes(result: JourneyAnalysis) -> None:
    assert result.graph.nodes == (
        ActivityNode("first-use", 8, 6, True),
        ActivityNode("sign-up", 8, 7, True),
        ActivityNode("identity-check", 4, 4, True),
        ActivityNode("search", 4, 4, True),
        ActivityNode("survey", 4, 4, True),
        ActivityNode(UNKNOWN, 2, 2, False),
        ActivityNode("support-call", 2, 2, True),
        ActivityNode("welcome-guide", 2, 2, True),
    )


def test_graph_edges_frequency_and_performance(result: JourneyAnalysis) -> None:
    # first-use -> survey: A 600, D 60, G 10, H 20 -> sorted 10 20 60 600;
    # median (20 + 60) / 2, p90 at rank 2.7: 60 + 0.7 * 540.
    edges = {(d.source, d.target): d for d in result.graph.edges}
    assert edges[("first-use", "survey")] == DirectlyFollows(
        "first-use", "survey", 4, 4, approx(172.5), approx(40.0), approx(438.0)
    )
    assert edges[("search", "sign-up")] == DirectlyFollows(  # 10 20 60 100
        "search", "sign-up", 4, 4, approx(47.5), approx(40.0), approx(88.0)
    )
    assert edges[("sign-up", "identity-check")] == DirectlyFollows(  # 10 10 50 100
        "sign-up", "identity-check", 4, 4, approx(42.5), approx(30.0), approx(85.0)
    )
    assert edges[("support-call", "first-use")] == DirectlyFollows(  # B 100, C 10
        "support-call", "first-use", 2, 2, approx(55.0), approx(55.0), approx(91.0)
    )
    assert edges[("sign-up", UNKNOWN)] == DirectlyFollows(
        "sign-up", UNKNOWN, 1, 1, 10.0, 10.0, 10.0
    )
    assert [(d.source, d.target, d.events) for d in result.graph.edges] == [
        ("first-use", "survey", 4),
        ("search", "sign-up", 4),
        ("sign-up", "identity-check", 4),
        ("first-use", "support-call", 2),
        ("identity-check", "first-use", 2),
        ("sign-up", "first-use", 2),
        ("support-call", "first-use", 2),
        ("first-use", "sign-up", 1),
        ("identity-check", "welcome-guide", 1),
        ("sign-up", UNKNOWN, 1),
        ("sign-up", "welcome-guide", 1),
        ("welcome-guide", "first-use", 1),
        ("welcome-guide", "sign-up", 1),
    ]
    assert sum(d.events for d in result.graph.edges) == 34 - 8


def test_variants(result: JourneyAnalysis) -> None:
    # D and H share a variant; the rest are single, ranked by their activity names.
    assert result.variants.count == 7
    top = [
        (
            v.activities,
            v.journeys,
            v.share,
            v.mean_duration_seconds,
            v.starts_in_middle,
            v.ends_early,
            v.fitness,
        )
        for v in result.variants.top
    ]
    assert top == [
        (("search", "sign-up", "first-use", "survey"), 2, 0.25, 120.0, False, False, approx(8 / 9)),
        (
            ("first-use", "support-call", "first-use", "sign-up", UNKNOWN),
            1,
            0.125,
            40.0,
            True,
            True,
            0.625,
        ),
        ((UNKNOWN,), 1, 0.125, 0.0, None, None, 0.0),
    ]


def test_entry_and_exit(result: JourneyAnalysis) -> None:
    e = result.entry_exit
    assert (
        e.journeys,
        e.without_touchpoints,
        e.started_in_middle,
        e.worked_back,
        e.ended_early,
    ) == (8, 1, 1, 1, 2)
    assert e.touchpoints == (
        TouchpointEnds("search", 4, 0, True, False),
        TouchpointEnds("sign-up", 2, 1, True, False),
        TouchpointEnds("identity-check", 0, 1, False, False),
        TouchpointEnds("welcome-guide", 0, 0, False, False),
        TouchpointEnds("first-use", 1, 1, False, True),
        TouchpointEnds("support-call", 0, 0, False, False),
        TouchpointEnds("survey", 0, 4, False, True),
    )


def test_rework(result: JourneyAnalysis) -> None:
    r = result.rework
    # Repeats: B (first-use), C (first-use), G (sign-up); moves back: C 5->3, G 4->3.
    assert (
        r.journeys,
        r.journeys_with_repeat,
        r.journeys_with_back_move,
        r.journeys_with_rework,
    ) == (8, 3, 2, 3)
    assert (r.mean_repeats, r.mean_back_moves) == (3 / 8, 2 / 8)
    assert r.touchpoints == (
        TouchpointRework("search", 4, 4, 0, 0),
        TouchpointRework("sign-up", 8, 7, 1, 1),
        TouchpointRework("identity-check", 4, 4, 0, 0),
        TouchpointRework("welcome-guide", 2, 2, 0, 0),
        TouchpointRework("first-use", 8, 6, 2, 2),
        TouchpointRework("support-call", 2, 2, 0, 0),
        TouchpointRework("survey", 4, 4, 0, 0),
    )
    assert r.back_moves == (
        StepMove("onboard", "agree", 1, 1),
        StepMove("co-create", "agree", 1, 1),
    )
    assert r.repeat_distribution == {"0": 5, "1": 3}
    assert r.back_move_distribution == {"0": 6, "1": 2}


def test_step_funnel(result: JourneyAnalysis) -> None:
    # Time in step: per event in the step, seconds to the next touchpoint event.
    # explore: A 100, D 60, E 10, H 20.  agree: A 100, B 50, C 0, D 60, E 10, G 20, H 20.
    # onboard: A 200, B 50, E 0, G 20.   co-create: A 600, B 200, C 30, D 60, G 10, H 20.
    # Who left: C in agree and E in onboard went silent (their last events are over 30
    # days before D's, the data's end); B ends at first-use and A, D, G, H at survey,
    # the exit points: ended.
    assert result.funnel.steps == (
        FunnelStep("explore", "Explore", 4, 4, 0, 0, 40.0),
        FunnelStep("engage", "Engage", 0, 0, 0, 0, None),
        FunnelStep("offer", "Offer", 0, 0, 0, 0, None),
        FunnelStep("agree", "Agree", 7, 6, 0, 1, 20.0, dropped_off=1),
        FunnelStep("onboard", "Onboard", 4, 3, 0, 1, 35.0, dropped_off=1),
        FunnelStep("co-create", "Co-create", 6, 4, 1, 1, 45.0, ended=1),
        FunnelStep("realize", "Realize", 4, 0, 0, 4, 0.0, ended=4),
    )


def test_onboarding(result: JourneyAnalysis) -> None:
    # A, B, E, G reach onboarding; E stays there and goes silent.
    assert result.funnel.onboarding == Onboarding("onboard", 4, 3, 1, 0.75, silent=1)


def test_gates(result: JourneyAnalysis) -> None:
    # First-use is reached by A, B, C, D, G, H; C, D and H had no identity check before.
    assert result.gates == (
        GateResult(
            gate="verified-before-use",
            name="Identity verified before first use",
            requires=("identity-check",),
            before=("first-use",),
            reached=6,
            respected=3,
            bypassed=3,
            missing={"identity-check": 3},
            most_missing="identity-check",
        ),
    )


def test_conformance(result: JourneyAnalysis) -> None:
    # Fitness = 1 - (skipped + violations + unknown) / (mandatory in span + events):
    # A 1, B 1 (the loop is allowed), C 1 - 3/8, D and H 1 - 1/9, E 1, F 1 - 1/1, G 1 - 1/10.
    c = result.conformance
    fitness = [1, 1, 0.625, 8 / 9, 1, 0, 0.9, 8 / 9]
    assert c.journeys == 8
    assert c.mean_fitness == approx(sum(fitness) / 8)
    assert c.median_fitness == approx((8 / 9 + 0.9) / 2)
    assert (c.perfect, c.perfect_share) == (3, 0.375)
    assert c.fitness_distribution == {
        "1.0": 3,
        "0.9-1.0": 1,
        "0.8-0.9": 2,
        "0.7-0.8": 0,
        "0.6-0.7": 1,
        "0.5-0.6": 0,
        "0.4-0.5": 0,
        "0.3-0.4": 0,
        "0.2-0.3": 0,
        "0.1-0.2": 0,
        "0.0-0.1": 1,
    }
    assert (c.journeys_with_skips, c.journeys_with_violations, c.journeys_with_unknown) == (3, 2, 2)
    assert c.skipped == {
        "search": 0,
        "sign-up": 0,
        "identity-check": 3,
        "first-use": 0,
        "survey": 0,
    }
    assert c.violations == (
        OrderViolation("welcome-guide", "sign-up", 1, 1),
        OrderViolation("first-use", "sign-up", 1, 1),
    )
    assert c.unknown_activities == (UnknownActivity(UNKNOWN, 2, 2),)


def test_breakdown_by_segment_and_channel(result: JourneyAnalysis) -> None:
    by = {b.dimension: b.rows for b in result.breakdowns}
    assert by["segment"] == (
        BreakdownRow("commuters", 4, 19, 55.0, approx((0.625 + 8 / 9 + 0.9 + 8 / 9) / 4), 0.25),
        BreakdownRow("students", 3, 14, 300.0, 1.0, approx(1 / 3)),
        BreakdownRow("(none)", 1, 1, 0.0, 0.0, 0.0),
    )
    # The entry channel is the first event's (later events are "sms").
    assert by["channel"] == (
        BreakdownRow("app", 2, 11, 175.0, approx(0.95), 0.0),
        BreakdownRow("phone", 1, 5, 40.0, 0.625, 1.0),
        BreakdownRow("web", 4, 17, 120.0, approx((2 + 16 / 9) / 4), 0.25),
        BreakdownRow("(none)", 1, 1, 0.0, 0.0, 0.0),
    )


def test_breakdown_by_period(result: JourneyAnalysis) -> None:
    by = {b.dimension: b.rows for b in result.breakdowns}
    january_fitness = (1 + 1 + 0.625 + 1 + 0 + 0.9 + 8 / 9) / 7
    assert by["month"] == (
        BreakdownRow("2024-01", 7, 30, 50.0, approx(january_fitness), approx(2 / 7)),
        BreakdownRow("2024-02", 1, 4, 180.0, approx(8 / 9), 0.0),
    )
    assert [(r.value, r.journeys) for r in by["week"]] == [("2024-W01", 7), ("2024-W05", 1)]


def test_to_dict_is_json_ready(result: JourneyAnalysis) -> None:
    import json

    data = json.loads(json.dumps(result.to_dict()))
    assert data["variants"]["top"][0]["activities"] == ["search", "sign-up", "first-use", "survey"]
    assert data["gates"][0]["missing"] == {"identity-check": 3}
    assert data["engine"] == result.engine and data["filters"] == {}


def test_the_entry_channel_is_the_first_events_even_when_missing(
    engine: Engine, template: Any
) -> None:
    # x: no channel on its first event, "web" on the next; y: a tie at the start, broken
    # by the input order ("app" comes first).
    table = journey_table(
        [
            ("x", 0, None, None, [("search", 0), ("sign-up", 10)]),
            ("y", 0, None, "app", [("search", 0), ("sign-up", 0)]),
        ]
    )
    channels = table["channel"].to_pylist()
    channels[1] = "web"
    table = table.set_column(
        table.schema.get_field_index("channel"), "channel", pa.array(channels, pa.string())
    )
    result = analyze_journey(table, template, engine=engine, breakdown_by=("channel",))
    assert [(r.value, r.journeys) for r in result.breakdowns[0].rows] == [("app", 1), ("(none)", 1)]
