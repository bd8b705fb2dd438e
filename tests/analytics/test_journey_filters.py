"""Filters by start time, segment and variant, on journey_logs.MAIN_LOG (numbers by hand).

Journeys start at (seconds after 2024-01-01): A 0, B 10 000, C 20 000, E 30 000,
F 40 000, G 50 000, H 60 000, D in February. Segments: students A B E; commuters
C D G H; F none. Variants: D and H share the most frequent one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from journey_logs import MAIN_LOG, T0, journey_table

from cojourney.analytics.design import JourneyDesign
from cojourney.analytics.engines import Engine
from cojourney.analytics.filters import JourneyFilter
from cojourney.analytics.journeys import journey_variants
from cojourney.analytics.prepared import prepare
from cojourney.analytics.report import analyze_journey
from cojourney.errors import InputError


def kept(
    engine: Engine, template: Any, journey_filter: JourneyFilter
) -> tuple[int, int, tuple[str, ...]]:
    """Journeys and events kept, and the activities of the most frequent variant left."""
    events = engine.load_events(journey_table(MAIN_LOG))
    try:
        with prepare(
            events,
            JourneyDesign.from_journey(template),
            engine,
            journey_filter=journey_filter,
            channel=False,
        ) as data:
            row = engine.rows(
                data.facts.aggregate(journeys=data.facts.count(), events=data.facts.events.sum())
            )[0]
            top = journey_variants(data, top=1).top
    finally:
        engine.release(events)
    return row["journeys"], row["events"], top[0].activities if top else ()


def test_time_range_keeps_journeys_that_start_in_it(engine: Engine, template: Any) -> None:
    window = JourneyFilter(
        start=T0 + dt.timedelta(seconds=10_000), end=T0 + dt.timedelta(seconds=50_000)
    )
    # B, C, E and F start inside [10 000, 50 000); G starts at the end, excluded.
    assert kept(engine, template, window)[:2] == (4, 14)
    assert window.to_dict() == {
        "start": "2024-01-01T02:46:40+00:00",
        "end": "2024-01-01T13:53:20+00:00",
    }


def test_segment_then_variant(engine: Engine, template: Any) -> None:
    assert kept(engine, template, JourneyFilter(segments=("commuters",)))[:2] == (4, 19)
    # Commuters' variants: D/H (2), then C and G (1 each), C first by its activities.
    second = kept(engine, template, JourneyFilter(segments=("commuters",), variant=2))
    assert second == (
        1,
        5,
        ("first-use", "support-call", "first-use", "sign-up", "newsletter-click"),
    )


def test_the_most_frequent_variant_in_a_full_analysis(engine: Engine, template: Any) -> None:
    result = analyze_journey(
        journey_table(MAIN_LOG),
        template,
        engine=engine,
        filters=JourneyFilter(variant=1),
        breakdown_by=("segment",),
    )
    assert (result.counts.journeys, result.variants.count) == (2, 1)
    assert result.conformance.skipped["identity-check"] == 2
    assert [r.value for r in result.breakdowns[0].rows] == ["commuters"]
    assert result.filters == {"variant": 1}


def test_a_variant_number_beyond_the_last_is_refused(engine: Engine, template: Any) -> None:
    with pytest.raises(InputError, match="there are only 7 variants"):
        kept(engine, template, JourneyFilter(variant=8))


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"variant": 0}, "variant number must be 1 or more"),
        ({"start": T0, "end": T0}, "time range is empty"),
    ],
)
def test_impossible_filters(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        JourneyFilter(**arguments)


def test_naive_datetimes_are_utc() -> None:
    naive = JourneyFilter(start=dt.datetime(2024, 1, 1, 12))
    assert naive.to_dict() == {"start": "2024-01-01T12:00:00+00:00"}
    assert not JourneyFilter().active and naive.active
