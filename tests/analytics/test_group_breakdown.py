"""Breakdowns and filters by persona, cohort, named segment and case attribute, against
numbers worked out by hand from MAIN_LOG (journey_logs.py), on every engine.

Personas: ``student`` (segment students: A, B, E) before ``app-user`` (entry channel app:
B, G; B is a student, the first persona wins); C, D, F, H match none. Cohorts: D in
2024-02, the rest 2024-01. Named segments: ``web-entry`` (an event on the web: A, D, E,
H) and ``texted`` (an sms event: every journey with a channel, all but F), overlapping.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa
import pytest
from journey_logs import MAIN_LOG, journey_table
from pytest import approx

from cojourney.analytics.engines import Engine
from cojourney.analytics.filters import JourneyFilter
from cojourney.analytics.journey_results import BreakdownRow
from cojourney.analytics.report import analyze_journey
from cojourney.analytics.segments import NO_PERSONA, GroupRules
from cojourney.domain.segments import SegmentRule
from cojourney.errors import InputError

RULES = GroupRules(
    personas=(
        ("student", SegmentRule(attribute="segment", equals="students")),
        ("app-user", SegmentRule(attribute="channel", equals="app")),
    ),
    segments=(
        ("web-entry", SegmentRule(attribute="channel", equals="web")),
        ("texted", SegmentRule(attribute="channel", in_=["sms"])),
    ),
)


def _table() -> pa.Table:
    """MAIN_LOG with a ``plan`` attribute: gold on A's first event, basic on D's last."""
    table = journey_table(MAIN_LOG)
    ids = table["journey_id"].to_pylist()
    attributes: list[str | None] = [None] * len(ids)
    attributes[ids.index("A")] = json.dumps({"plan": "gold"})
    attributes[len(ids) - 1 - ids[::-1].index("D")] = json.dumps({"plan": "basic"})
    column = table.schema.get_field_index("attributes")
    return table.set_column(column, "attributes", pa.array(attributes, pa.string()))


def _analysis(engine: Engine, template: Any, dims: tuple[str, ...], **kw: Any) -> Any:
    return analyze_journey(
        _table(),
        template,
        engine=engine,
        filters=JourneyFilter(rules=RULES, **kw),
        breakdown_by=dims,
    )


def test_breakdown_by_persona_cohort_segments_and_attribute(engine: Engine, template: Any) -> None:
    result = _analysis(engine, template, ("persona", "cohort", "segments", "plan"))
    by = {b.dimension: b.rows for b in result.breakdowns}
    commuters_fitness = (0.625 + 8 / 9 + 0 + 8 / 9) / 4  # C, D, F, H
    assert by["persona"] == (
        BreakdownRow("app-user", 1, 6, 50.0, approx(0.9), 0.0),
        BreakdownRow("student", 3, 14, 300.0, 1.0, approx(1 / 3)),
        BreakdownRow(NO_PERSONA, 4, 14, 50.0, approx(commuters_fitness), 0.25),
    )
    student = by["persona"][1]
    # Wilson 95% for 1 of 3, by hand: centre 0.42691, half-width 0.36543.
    assert (student.drop_off_low, student.drop_off_high) == (
        approx(0.06149, abs=1e-4),
        approx(0.79234, abs=1e-4),
    )
    assert [(r.value, r.journeys, r.events) for r in by["cohort"]] == [
        ("2024-01", 7, 30),
        ("2024-02", 1, 4),
    ]
    assert [(r.value, r.journeys) for r in by["segments"]] == [
        ("texted", 7),
        ("web-entry", 4),
        ("(no segment)", 1),
    ]
    assert [(r.value, r.journeys, r.events) for r in by["plan"]] == [
        ("basic", 1, 4),
        ("gold", 1, 6),
        ("(none)", 6, 24),
    ]


def test_filter_by_persona_and_cohort(engine: Engine, template: Any) -> None:
    students = _analysis(engine, template, (), personas=("student",))
    assert students.counts.journeys == 3
    assert students.filters == {"personas": ["student"]}
    february = _analysis(engine, template, ("persona",), cohorts=("2024-02",))
    assert [(r.value, r.journeys) for r in february.breakdowns[0].rows] == [(NO_PERSONA, 1)]
    nobody_in_january = _analysis(
        engine, template, (), personas=(NO_PERSONA,), cohorts=("2024-01",)
    )
    assert nobody_in_january.counts.journeys == 3  # C, F, H


def test_bad_group_filters_are_refused(template: Any) -> None:
    with pytest.raises(InputError, match="a cohort is a month"):
        JourneyFilter(cohorts=("2024-13",))
    with pytest.raises(InputError, match="unknown persona"):
        analyze_journey(
            _table(), template, filters=JourneyFilter(rules=RULES, personas=("nobody",))
        )
    with pytest.raises(InputError, match="no name"):
        analyze_journey(_table(), template, breakdown_by=(" ",))
