"""Section builders and helpers on hand-made data."""

from __future__ import annotations

import pytest

from cojourney.report import html as H
from cojourney.report.overlay import journey_overlay
from cojourney.report.sections import Status, funnel, graph, leakage, maps, summary, value
from cojourney.report.sections.improvements import verdict


def test_number_formats():
    assert H.duration(45) == "45s" and H.duration(720) == "12m"
    assert H.duration(3 * 3600 + 5 * 60) == "3h 05m" and H.duration(86400 * 4 + 6 * 3600) == "4d 6h"
    assert H.duration(None) == "—"
    assert H.percent(0.123) == "12%" and H.percent(0.1234, 1) == "12.3%"
    assert H.number(-0.0028, 2) == "0" and H.number(1234.5) == "1,234" and H.number(2.50) == "2.5"
    assert H.signed(-0.5) == "−0.5" and H.integer(12345) == "12,345"
    assert H.esc('<a href="x">') == "&lt;a href=&#34;x&#34;&gt;"


def test_anchor_ids_follow_the_leakage_rule():
    from cojourney.analytics.leakage import anchor

    for parts in (
        ("funnel-step", "co-create"),
        ("waiting", "Solution proposed", "x/y"),
        ("gate", "ready-to-drive"),
    ):
        assert "#" + H.anchor_id(*parts) == anchor(*parts)


def _node(activity, events, journeys=1):
    return {"id": activity, "events": events, "journeys": journeys}


def _edge(source, target, events):
    return {"source": source, "target": target, "events": events}


def test_graph_detail_keeps_the_top_share_of_activities_then_of_paths():
    nodes = [_node("a", 10), _node("b", 8), _node("c", 5), _node("d", 1)]
    edges = [
        _edge("a", "b", 7),
        _edge("b", "c", 4),
        _edge("c", "a", 2),
        _edge("a", "d", 1),
        _edge("b", "a", 3),
    ]
    assert graph.shown(nodes, edges, 100) == (4, 5)
    # 50%: activities a, b (2 of 4); paths among them a->b, b->a: ceil(2 x 0.5) = 1
    assert graph.shown(nodes, edges, 50) == (2, 1)
    # 5%: ceil(4 x 0.05) = 1 activity, no path between a and itself
    assert graph.shown(nodes, edges, 5) == (1, 0)
    assert graph.default_detail(nodes, edges) == 100


def test_graph_detail_is_lowered_until_the_graph_is_readable():
    nodes = [_node(f"n{i}", 100 - i) for i in range(20)]
    edges = [_edge(f"n{i}", f"n{j}", 1) for i in range(20) for j in range(20) if i != j]  # 380
    detail = graph.default_detail(nodes, edges)
    assert graph.shown(nodes, edges, detail)[1] <= graph.BUSY_EDGES
    assert graph.shown(nodes, edges, detail + 5)[1] > graph.BUSY_EDGES


def test_the_overlay_takes_volumes_drop_off_times_and_emotion():
    journey = {"touchpoints": {"a": {}, "b": {}}, "steps": [{"id": "s1"}, {"id": "s2"}]}
    analysis = {
        "graph": {"nodes": [{"activity": "a", "journeys": 4}, {"activity": "x", "journeys": 1}]},
        "funnel": {
            "steps": [
                {"step": "s1", "reached": 4, "left": 1},
                {"step": "s2", "reached": 0, "left": 0},
            ]
        },
    }
    overlay = journey_overlay(
        analysis,
        journey,
        times={"a": 30.0, "x": 5.0},
        emotion={"touchpoints": {"b": -1.5}, "steps": {"s2": 0.5}},
    )
    assert overlay == {
        "touchpoints": {"a": {"journeys": 4, "median_seconds": 30.0}, "b": {"emotion": -1.5}},
        "steps": {"s1": {"reached": 4, "left": 1}, "s2": {"emotion": 0.5}},
    }


def test_an_unavailable_analysis_is_said_so_and_never_shown_as_numbers():
    from cojourney.report.analyses import attempt

    def missing():
        raise ModuleNotFoundError(
            "No module named 'cojourney.analytics.nothing'", name="cojourney.analytics.nothing"
        )

    result, why = attempt("The nothing analysis", missing)
    assert result is None
    assert why == (
        "The nothing analysis (cojourney.analytics.nothing) is not part of this "
        "version of cojourney yet."
    )

    def broken():
        raise ZeroDivisionError("division by zero")

    result, why = attempt("The broken analysis", broken)
    assert result is None and why.startswith("The broken analysis failed (ZeroDivisionError")

    def third_party():
        raise ModuleNotFoundError("No module named 'somewhere'", name="somewhere")

    with pytest.raises(ModuleNotFoundError):  # a broken install is not hidden
        attempt("x", third_party)


def test_leak_links_go_to_the_evidence_or_to_its_section():
    leaks = [
        {
            "rank": 1,
            "kind": "drop_off",
            "where": "onboard",
            "label": "drop",
            "journeys": 2,
            "share": 0.5,
            "loss_per_journey": 1.0,
            "severity": 0.5,
            "evidence": "#funnel-step-onboard",
            "hours_lost": None,
            "score_lost": None,
        },
        {
            "rank": 2,
            "kind": "waiting",
            "where": "a b",
            "label": "wait",
            "journeys": 1,
            "share": 0.25,
            "loss_per_journey": 0.2,
            "severity": 0.05,
            "evidence": "#waiting-a-b",
            "hours_lost": 2.0,
            "score_lost": None,
        },
    ]
    section = leakage.build({"journeys": 4, "leaks": leaks, "notes": []}, {"funnel-step-onboard"})
    assert '<a href="#funnel-step-onboard">drop</a>' in section.html
    assert '<a href="#journey-graph">wait</a>' in section.html
    assert section.headline["leaks"][1] == {
        "title": "wait",
        "size": "5.0% of journey value, 2h 00m lost",
        "anchor": "journey-graph",
    }


def test_biggest_drop_off_counts_only_silent_journeys():
    journey = {"touchpoints": {"done": {"step": "s3"}}, "exit_points": ["done"], "steps": []}
    steps = [
        {
            "step": "s1",
            "name": "One",
            "reached": 10,
            "moved_on": 8,
            "went_back": 0,
            "left": 2,
            "median_seconds_in_step": 60.0,
            "ended": 0,
            "in_progress": 0,
            "dropped_off": 2,
        },
        {
            "step": "s2",
            "name": "Two",
            "reached": 8,
            "moved_on": 5,
            "went_back": 0,
            "left": 3,
            "median_seconds_in_step": 60.0,
            "ended": 0,
            "in_progress": 2,
            "dropped_off": 1,
        },
        {
            "step": "s3",
            "name": "Three",
            "reached": 5,
            "moved_on": 0,
            "went_back": 0,
            "left": 5,
            "median_seconds_in_step": 0.0,
            "ended": 5,
            "in_progress": 0,
            "dropped_off": 0,
        },
    ]
    analysis = {
        "counts": {"journeys": 10, "events": 40},
        "funnel": {"steps": steps, "onboarding": None},
        "entry_exit": {"journeys": 10, "started_in_middle": 0, "worked_back": 0, "ended_early": 5},
        "rework": {"journeys_with_rework": 0, "touchpoints": []},
        "conformance": {"violations": []},
        "gates": [],
    }
    section = funnel.build(analysis, journey)
    # s3: all 5 ended at the exit point (the designed end); s2: 3 left, but 2 are in
    # progress, 1 of 8 went silent; s1: 2 of 10 went silent, the biggest drop-off.
    assert section.headline["worst_step"] == {"name": "One", "left": 2, "share": 2 / 10}
    assert 'id="funnel-step-s2"' in section.html


def test_value_cards_count_each_indicator_once():
    series = {
        "periods": [
            {"period_start": "2024-01-01", "value": 1.0, "n": 3},
            {"period_start": "2024-02-01", "value": 2.0, "n": 4},
        ],
        "note": None,
    }
    ind = {
        "indicator": "i1",
        "name": "One",
        "unit": "%",
        "aspect": "outcome",
        "description": None,
        "target": 2.0,
        "status": "on_track",
        "trend": "improving",
        "measured": True,
        "current": {"period_start": "2024-02-01", "value": 2.0, "n": 4},
        "series": series,
        "data_source": None,
    }
    missing = {
        **ind,
        "indicator": "i2",
        "name": "Two",
        "measured": False,
        "status": "not_measured",
        "current": None,
        "series": None,
        "data_source": "CRM",
    }
    result = {
        "measured": 1,
        "not_measured": 1,
        "stakeholders": [
            {"stakeholder": "a", "name": "A", "indicators": [ind, missing]},
            {"stakeholder": "b", "name": "B", "indicators": [ind]},
        ],
    }
    section = value.build(result, {"i1": {}, "i2": {}}, has_events=True)
    assert section.headline["counts"] == {"on_track": 1}
    assert section.headline["kpis"][0]["value"] == "1 of 1"
    assert set(section.charts) == {"spark-a-i1", "spark-b-i1"}
    assert "Two" in section.html and "CRM" in section.html
    assert value.build(None, {}, has_events=True).status is Status.NO_DATA


def test_improvement_verdicts():
    assert verdict({"p_value": 0.01, "significant": True, "improved": True}) == (
        "significant improvement",
        "good",
    )
    assert (
        verdict({"p_value": 0.01, "significant": True, "improved": False})[0]
        == "significant worsening"
    )
    assert verdict({"p_value": 0.4, "significant": False})[0] == "no significant difference"
    assert verdict({"p_value": None, "significant": None})[0] == "not tested"


def test_summary_does_not_claim_a_watermelon_check_that_did_not_run():
    from cojourney.report.sections import Section

    checked = Section(
        "agreements", "Agreements", "", headline={"watermelons": [], "watermelon_checked": True}
    )
    unchecked = Section(
        "agreements", "Agreements", "", headline={"watermelons": [], "watermelon_checked": False}
    )
    assert "No watermelon warning" in summary.build([checked], None).html
    text = summary.build([unchecked], None).html
    assert "No watermelon warning" not in text and "not available" in text


def test_stakeholder_map_without_stakeholders_says_so():
    section = maps.stakeholder_map(None, 0)
    assert section.status is Status.NO_DATA and "No stakeholders declared" in section.html
