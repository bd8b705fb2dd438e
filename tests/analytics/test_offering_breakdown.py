"""Breakdowns by offering and by relationship type, against hand-computed groups."""

from __future__ import annotations

import pytest
from offering_sample import JOURNEYS, sample_events, sample_workspace

from cojourney.analytics.offerings import (
    groupings,
    offering_touchpoints,
    segment_relationships,
)
from cojourney.analytics.report import analyze_journey


def test_which_touchpoints_make_a_journey_take_an_offering():
    ws = sample_workspace(["p1", "p2"])
    assert offering_touchpoints(ws, ws.journey("j")) == [
        ("Membership", ["use"]),
        ("Trailer", ["hitch"]),
        ("Newsletter", ["survey"]),  # delivered by its step only: any touchpoint of the step
    ]


def test_relationship_by_segment_and_the_journeys_own_default():
    both = sample_workspace(["p1", "p2"])
    by_segment, default = segment_relationships(both, both.journey("j"))
    assert by_segment["p1"] == "basic" and by_segment["A"] == "basic"
    assert by_segment["p2"] == "cooperative" and by_segment["B"] == "cooperative"
    assert default is None  # its personas' organisations have two types
    one = sample_workspace(["p1"])
    assert segment_relationships(one, one.journey("j"))[1] == "basic"


@pytest.mark.parametrize("personas", [["p1", "p2"], ["p1"]])
def test_breakdowns_add_up_to_the_hand_computed_groups(engine, personas):
    ws = sample_workspace(personas)
    journey = ws.journey("j")
    dims = ("offering", "relationship")
    result = analyze_journey(
        sample_events(),
        journey,
        engine=engine,
        breakdown_by=dims,
        groupings=groupings(ws, journey, dims),
    )
    by = {b.dimension: {r.value: (r.journeys, r.events) for r in b.rows} for b in result.breakdowns}
    assert by["offering"] == {
        "Membership": (2, 4),  # j1, j5
        "Membership + Trailer": (1, 3),  # j2
        "Membership + Trailer + Newsletter": (1, 4),  # j3
        "Membership + Newsletter": (1, 2),  # j6
        "(none)": (1, 1),  # j4 never used the service
    }
    unmatched = "(none)" if personas == ["p1", "p2"] else "basic"
    expected = {"basic": (2, 5), "cooperative": (2, 5)}  # j1, j2 | j3, j4
    expected[unmatched] = (
        expected.get(unmatched, (0, 0))[0] + 2,
        expected.get(unmatched, (0, 0))[1] + 4,
    )
    assert by["relationship"] == expected  # j5 (unknown segment) and j6 (none) fall back
    assert sum(n for n, _ in by["offering"].values()) == len(JOURNEYS)


def test_without_a_grouping_every_journey_is_none(engine):
    ws = sample_workspace(["p1"])
    result = analyze_journey(
        sample_events(), ws.journey("j"), engine=engine, breakdown_by=("offering",)
    )
    assert [(r.value, r.journeys) for r in result.breakdowns[0].rows] == [("(none)", 6)]
