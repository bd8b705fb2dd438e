"""The case attribute filter: a column of the events or a key of their JSON attributes."""

from __future__ import annotations

import ibis
import pytest

from cojourney.analytics.engines.duckdb import DuckDBEngine
from cojourney.analytics.filters import JourneyFilter, filter_cases
from cojourney.errors import InputError


def _kept(rows: dict[str, list[object]], *pairs: tuple[str, str]) -> set[str]:
    engine = DuckDBEngine()
    try:
        events = engine.backend.create_table("ev", ibis.memtable(rows).to_pyarrow())
        kept = filter_cases(events, JourneyFilter(attributes=pairs))
        return {r["journey_id"] for r in engine.rows(kept.select("journey_id").distinct())}
    finally:
        engine.close()


ROWS: dict[str, list[object]] = {
    "journey_id": ["a", "a", "b", "c", "c"],
    "channel": ["app", "web", "web", "phone", None],
    "attributes": ['{"plan": "gold", "n": 3}', None, '{"plan": "basic"}', "{}", '{"n": 4}'],
}


def test_a_column_keeps_whole_journeys_with_a_matching_event() -> None:
    assert _kept(ROWS, ("channel", "web")) == {"a", "b"}
    assert _kept(ROWS, ("channel", "app")) == {"a"}


def test_a_json_attribute_matches_text_and_numbers() -> None:
    assert _kept(ROWS, ("plan", "gold")) == {"a"}
    assert _kept(ROWS, ("n", "4")) == {"c"}
    assert _kept(ROWS, ("missing", "x")) == set()


def test_every_pair_must_hold() -> None:
    assert _kept(ROWS, ("channel", "web"), ("plan", "basic")) == {"b"}
    assert _kept(ROWS, ("channel", "phone"), ("n", "4")) == {"c"}


def test_no_pair_keeps_everything_and_a_blank_key_is_refused() -> None:
    assert _kept(ROWS) == {"a", "b", "c"}
    assert JourneyFilter(attributes=(("plan", "gold"),)).active
    assert JourneyFilter(attributes=(("plan", "gold"),)).to_dict() == {
        "attributes": {"plan": "gold"}
    }
    with pytest.raises(InputError):
        JourneyFilter(attributes=((" ", "x"),))
