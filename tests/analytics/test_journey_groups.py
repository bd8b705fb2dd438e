"""Personas, named segments and cohorts by rule (analytics/segments.py), on every engine.

The expected groups are worked out by hand from the tiny log below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from cojourney.analytics.engines import Engine
from cojourney.analytics.segments import (
    NO_PERSONA,
    GroupRules,
    journey_groups,
    journey_groups_sql,
    keep_journeys,
)
from cojourney.domain.segments import SegmentRule, persona_rule
from cojourney.errors import InputError
from cojourney.events.schema import canonical_arrow_schema


def _utc(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 12, tzinfo=dt.UTC)


#: journey, first day, segment, channel, attributes of its events
LOG: list[tuple[str, dt.datetime, str | None, str | None, list[str | None]]] = [
    # a: student on the app, age 21 on one event only
    ("a", _utc(2025, 3, 31), "katrina", "app", ['{"member_type": "student", "age": 21}', None]),
    # b: staff, age "45.0" as text, on the web
    ("b", _utc(2025, 4, 1), "marcos", "web", ['{"member_type": "staff", "age": "45.0"}']),
    # c: no member type at all, segment diego
    ("c", _utc(2025, 4, 15), "diego", "web", [None, '{"age": "n/a"}']),
    # d: a student AND segment marcos: both persona rules hold -> the first wins
    ("d", _utc(2024, 12, 31), "marcos", None, ['{"member_type": "student", "age": 30}']),
    # e: nothing at all
    ("e", _utc(2025, 3, 1), None, None, [None]),
]


def _events() -> pa.Table:
    rows: list[dict[str, Any]] = []
    for journey, first, segment, channel, attrs in LOG:
        for k, attributes in enumerate(attrs):
            rows.append(
                {
                    "journey_id": journey,
                    "activity": f"t{k}",
                    "timestamp": first + dt.timedelta(hours=k),
                    "event_seq": len(rows),
                    "segment": segment,
                    "channel": channel,
                    "attributes": attributes,
                }
            )
    return pa.Table.from_pylist(rows, schema=canonical_arrow_schema())


def rule(data: dict[str, Any]) -> SegmentRule:
    return SegmentRule.model_validate(data)


RULES = GroupRules(
    personas=(
        ("student", rule({"attribute": "member_type", "in": ["student"]})),
        ("marcos", persona_rule("marcos", None)),  # the naming convention
        ("older", rule({"attribute": "age", "gte": 40})),
    ),
    segments=(
        ("web", rule({"attribute": "channel", "equals": "web"})),
        ("not-student", rule({"attribute": "member_type", "not_in": ["student"]})),
        ("no-type", rule({"attribute": "member_type", "exists": False})),
        (
            "young-or-diego",
            rule(
                {
                    "any": [
                        {"attribute": "age", "lt": 25},
                        {"attribute": "segment", "equals": "diego"},
                    ]
                }
            ),
        ),
        (
            "age-30",
            rule(
                {
                    "all": [
                        {"attribute": "age", "equals": 30},
                        {"not": {"attribute": "channel", "exists": True}},
                    ]
                }
            ),
        ),
    ),
)


def _groups(engine: Engine, rules: GroupRules, attributes: tuple[str, ...] = ()) -> dict[str, Any]:
    events = engine.load_events(_events().to_batches())
    try:
        found = engine.rows(journey_groups(events, rules, attributes))
        return {r["journey_id"]: r for r in found}
    finally:
        engine.release(events)


@pytest.mark.parametrize(
    "engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)], indirect=True
)
def test_personas_segments_and_cohorts_by_rule(engine: Engine) -> None:
    groups = _groups(engine, RULES, ("member_type",))
    assert {j: g["persona"] for j, g in groups.items()} == {
        "a": "student",
        "b": "marcos",  # also "older" (45.0 >= 40): the earlier persona wins
        "c": NO_PERSONA,
        "d": "student",  # also marcos by segment: the first persona wins
        "e": NO_PERSONA,
    }
    assert {j: sorted(g["segments"]) for j, g in groups.items()} == {
        "a": ["young-or-diego"],
        "b": ["not-student", "web"],
        "c": ["no-type", "web", "young-or-diego"],
        "d": ["age-30"],
        "e": ["no-type"],
    }
    assert {j: g["cohort"] for j, g in groups.items()} == {
        "a": "2025-03",
        "b": "2025-04",
        "c": "2025-04",
        "d": "2024-12",
        "e": "2025-03",
    }
    assert {j: g["member_type"] for j, g in groups.items()} == {
        "a": "student",
        "b": "staff",
        "c": None,
        "d": "student",
        "e": None,
    }


def test_keep_journeys_by_persona_cohort_and_segment() -> None:
    from cojourney.analytics.engines.duckdb import DuckDBEngine

    with DuckDBEngine() as engine:
        events = engine.load_events(_events().to_batches())

        def kept(**kw: Any) -> set[str]:
            table = keep_journeys(events, RULES, **kw)
            return {r["journey_id"] for r in engine.rows(table.select("journey_id").distinct())}

        assert kept() == {"a", "b", "c", "d", "e"}
        assert kept(personas=["student"]) == {"a", "d"}
        assert kept(personas=[NO_PERSONA]) == {"c", "e"}
        assert kept(cohorts=["2025-04"]) == {"b", "c"}
        assert kept(personas=[NO_PERSONA], cohorts=["2025-03"]) == {"e"}
        assert kept(segments=["web", "age-30"]) == {"b", "c", "d"}
        with pytest.raises(InputError, match="unknown persona"):
            kept(personas=["nobody"])
        with pytest.raises(InputError, match="unknown segment"):
            kept(segments=["nowhere"])
        sql = journey_groups_sql(events, RULES)
        assert "GROUP BY" in sql.upper()


def test_no_personas_means_every_journey_has_none() -> None:
    from cojourney.analytics.engines.duckdb import DuckDBEngine

    with DuckDBEngine() as engine:
        groups = _groups(engine, GroupRules())
    assert {g["persona"] for g in groups.values()} == {NO_PERSONA}
    assert all(list(g["segments"]) == [] for g in groups.values())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"attribute": "a"}, "exactly one test"),
        ({"attribute": "a", "equals": 1, "in": [2]}, "exactly one test"),
        ({"equals": 1}, "needs an attribute"),
        (
            {
                "all": [],
            },
            "at least one rule",
        ),
        (
            {
                "all": [{"attribute": "a", "exists": True}],
                "any": [{"attribute": "a", "exists": True}],
            },
            "together",
        ),
        ({"attribute": "a", "equals": 1, "not": {"attribute": "b", "exists": True}}, "cannot also"),
        ({"attribute": "a", "in": []}, "at least 1"),
        ({"attribute": "a", "like": "x"}, "Extra inputs"),
    ],
)
def test_bad_rules_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SegmentRule.model_validate(data)
