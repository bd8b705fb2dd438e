"""Indicator measures on a hand-made car-share log: every kind, computed by hand.

The log (``test_measures_support.car_share_events``/``car_share_feedback``): three
members in March and April 2025, local time America/Sao_Paulo.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from test_measures_support import at, car_share_events, car_share_feedback, ev, store, workspace

from cojourney.analytics.measures import Status, Trend, measure_series
from cojourney.domain import Indicator, Measure
from cojourney.errors import InputError, NotFound

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


def indicator(
    measure: dict,
    *,
    direction: str = "higher_is_better",
    target: float | None = None,
    warning: float | None = None,
    id: str = "x",
) -> Indicator:
    return Indicator(
        id=id,
        name=id.upper(),
        definition="test",
        unit="u",
        direction=direction,
        target=target,
        warning=warning,
        measure=Measure(**measure),
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory):
    st = store(tmp_path_factory.mktemp("measures"), car_share_events(), car_share_feedback())
    yield st
    st.close()


@pytest.fixture(scope="module")
def ws():
    return workspace()


def values(series) -> list[tuple[date, float | None, int]]:
    return [
        (p.period_start, None if p.value is None else round(p.value, 6), p.n)
        for p in series.periods
    ]


def test_event_share_counts_periods_in_the_workspace_time_zone(source, ws):
    # March: j1 85, j2 95 (31 March 23:30 local = 1 April UTC) -> 2 of 2.
    # April: j1 70; j3 has no soc_pct and does not count -> 0 of 1.
    ind = indicator(
        {
            "kind": "event_share",
            "touchpoints": ["charge-level-at-pickup"],
            "where": [{"attribute": "soc_pct", "op": ">=", "value": 80}],
        },
        target=95,
        warning=90,
    )
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 100.0, 2), (APRIL, 0.0, 1)]
    assert s.overall == pytest.approx(200 / 3) and s.n == 3
    assert s.current is not None and s.current.period_start == APRIL
    assert s.status is Status.OFF_TRACK and s.trend is None  # two periods: no trend


def test_event_share_on_a_canonical_column(source, ws):
    # Share of plug-ins among pickups and plug-ins: March 1 of 3, April 2 of 4.
    ind = indicator(
        {
            "kind": "event_share",
            "touchpoints": ["charge-level-at-pickup", "plug-in-end-trip"],
            "where": [{"attribute": "activity", "op": "==", "value": "plug-in-end-trip"}],
        }
    )
    assert values(measure_series(source, ws, ind)) == [
        (MARCH, round(100 / 3, 6), 3),
        (APRIL, 50.0, 4),
    ]


def test_journey_share_is_by_month_of_the_population_event(source, ws):
    # Sign-ups: j1 and j2 in March (j1 booked), j3 in April (booked).
    ind = indicator(
        {
            "kind": "journey_share",
            "touchpoints": ["first-booking"],
            "among": ["membership-sign-up"],
        },
        target=80,
        warning=40,
    )
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 50.0, 2), (APRIL, 100.0, 1)]
    assert s.overall == pytest.approx(200 / 3)
    assert s.status is Status.ON_TRACK


def test_count_is_a_total_per_period_and_zero_in_empty_periods(source, ws):
    ind = indicator({"kind": "count", "touchpoints": ["plug-in-end-trip"], "factor": 2})
    s = measure_series(source, ws, ind, start=date(2025, 2, 1), end=date(2025, 5, 31))
    assert values(s) == [
        (date(2025, 2, 1), 0.0, 0),
        (MARCH, 2.0, 1),
        (APRIL, 4.0, 2),
        (date(2025, 5, 1), 0.0, 0),
    ]
    assert s.overall == pytest.approx(6 / 4)  # mean total per period
    journeys = indicator({"kind": "count"})
    assert values(measure_series(source, ws, journeys)) == [(MARCH, 2.0, 2), (APRIL, 1.0, 1)]


def test_per_journey_counts_events_per_active_journey_and_period(source, ws):
    # March: j1 1 booking, j2 0 -> 0.5. April: j1 0, j2 1, j3 2 -> 1.0. Overall 4 / 5.
    ind = indicator({"kind": "per_journey", "touchpoints": ["first-booking", "book-car"]})
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 0.5, 2), (APRIL, 1.0, 3)]
    assert s.overall == pytest.approx(0.8)


def test_duration_from_start_to_the_first_following_end(source, ws):
    # j1: 3 March 10:00 -> 4 March 16:00 = 30 h; j3: 24 h; j2 never booked.
    ind = indicator(
        {
            "kind": "duration",
            "start": "membership-sign-up",
            "end": "first-booking",
            "time_unit": "hours",
        },
        direction="lower_is_better",
        target=24,
        warning=36,
    )
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 30.0, 1), (APRIL, 24.0, 1)]
    assert s.overall == pytest.approx(27.0)
    assert s.status is Status.ON_TRACK


def test_duration_ignores_an_end_before_the_start_at_the_same_time(tmp_path: Path, ws):
    t = at("2025-05-02", 9)
    st = store(
        tmp_path,
        [ev("a", "stop", t), ev("a", "go", t), ev("a", "stop", at("2025-05-02", 9, 1, 30))],
    )
    try:
        ind = indicator({"kind": "duration", "start": "go", "end": "stop", "statistic": "max"})
        assert values(measure_series(st, ws, ind)) == [(date(2025, 5, 1), 90.0, 1)]
    finally:
        st.close()


def test_attribute_weights_summed_per_period(source, ws):
    # 10 km, 2 kWh -> 1.58; 20 km, 4 kWh -> 3.16; 5 km, 1 kWh -> 0.79.
    ind = indicator(
        {
            "kind": "attribute",
            "touchpoints": ["plug-in-end-trip"],
            "weights": {"km": 0.17, "kwh": -0.06},
            "statistic": "sum",
        }
    )
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 1.58, 1), (APRIL, 3.95, 2)]
    assert s.overall == pytest.approx((1.58 + 3.95) / 2)


def test_attribute_percentile_interpolates(source, ws):
    # Waits 30, 90, 120 in April: p90 at position 1.8 -> 90 + 0.8 x 30 = 114; median 90.
    p90 = indicator(
        {
            "kind": "attribute",
            "touchpoints": ["late-return-call"],
            "weights": {"wait_seconds": 1},
            "statistic": "p90",
        },
        direction="lower_is_better",
        target=60,
        warning=90,
    )
    s = measure_series(source, ws, p90)
    assert values(s) == [(APRIL, 114.0, 3)] and s.status is Status.OFF_TRACK
    median = indicator(
        {
            "kind": "attribute",
            "touchpoints": ["late-return-call"],
            "weights": {"wait_seconds": 1},
            "statistic": "median",
        }
    )
    assert measure_series(source, ws, median).overall == 90.0


def test_feedback_nps_on_journey_level_answers(source, ws):
    # March: 10 and 6 -> 50% - 50% = 0. April: 8 and 9 -> 50% - 0% = 50.
    # Overall: 2 promoters, 1 passive, 1 detractor of 4 -> 25.
    ind = indicator(
        {"kind": "feedback", "question": "nps", "journey_level": True, "statistic": "nps"}
    )
    s = measure_series(source, ws, ind)
    assert values(s) == [(MARCH, 0.0, 2), (APRIL, 50.0, 2)]
    assert s.overall == 25.0
    # Every nps answer, the touchpoint one too: March 10, 6, 2 -> 33.3% - 66.7%.
    every = indicator({"kind": "feedback", "question": "nps", "statistic": "nps"})
    assert values(measure_series(source, ws, every))[0] == (MARCH, round(-100 / 3, 6), 3)


def test_feedback_csat_mean_and_top_box(source, ws):
    answers = {"kind": "feedback", "question": "csat", "touchpoints": ["post-trip-csat"]}
    csat = measure_series(source, ws, indicator({**answers, "statistic": "csat"}))
    assert values(csat) == [(MARCH, 100.0, 1), (APRIL, 50.0, 2)]
    assert csat.overall == pytest.approx(200 / 3)
    mean = measure_series(source, ws, indicator({**answers, "statistic": "mean"}))
    assert values(mean) == [(MARCH, 5.0, 1), (APRIL, 3.5, 2)] and mean.overall == 4.0
    top = measure_series(source, ws, indicator({**answers, "statistic": "top_box"}))
    assert values(top) == [(MARCH, 100.0, 1), (APRIL, 0.0, 2)]


def test_segment_and_journey_filters(source, ws):
    nps = indicator(
        {"kind": "feedback", "question": "nps", "journey_level": True, "statistic": "nps"}
    )
    # katrina: j1 and j3. March: 10 -> 100. April: 8, 9 -> 50.
    assert values(measure_series(source, ws, nps, segment="katrina")) == [
        (MARCH, 100.0, 1),
        (APRIL, 50.0, 2),
    ]
    measured = indicator(
        {
            "kind": "feedback",
            "question": "nps",
            "journey_level": True,
            "statistic": "nps",
            "segment": "marcos",
        }
    )
    assert values(measure_series(source, ws, measured)) == [(MARCH, -100.0, 1)]
    assert measure_series(source, ws, nps, journeys=["j3"]).overall == 0.0
    relation = source.connection.sql("SELECT 'j2' AS journey_id")
    assert measure_series(source, ws, nps, journeys=relation).overall == -100.0


def test_window_keeps_units_by_local_date(source, ws):
    ind = indicator(
        {"kind": "journey_share", "touchpoints": ["first-booking"], "among": ["membership-sign-up"]}
    )
    s = measure_series(source, ws, ind, start=APRIL, end=date(2025, 4, 30))
    assert values(s) == [(APRIL, 100.0, 1)]
    quarter = measure_series(source, ws, ind, period="quarter")
    assert values(quarter) == [(date(2025, 1, 1), 50.0, 2), (APRIL, 100.0, 1)]


def test_trend_over_the_last_periods(tmp_path: Path, ws):
    # 1, 2 and 4 plug-ins in June, July, August: slope 1.5 per month over mean 7/3 -> +64%.
    days = [
        "2025-06-10",
        "2025-07-10",
        "2025-07-11",
        "2025-08-10",
        "2025-08-11",
        "2025-08-12",
        "2025-08-13",
    ]
    st = store(tmp_path, [ev(f"m{k}", "plug-in-end-trip", at(d)) for k, d in enumerate(days)])
    try:
        rising = indicator({"kind": "count", "touchpoints": ["plug-in-end-trip"]})
        s = measure_series(st, ws, rising)
        assert s.trend is Trend.IMPROVING and s.trend_slope == pytest.approx(1.5 / (7 / 3))
        falling = indicator(
            {"kind": "count", "touchpoints": ["plug-in-end-trip"]}, direction="lower_is_better"
        )
        assert measure_series(st, ws, falling).trend is Trend.WORSENING
    finally:
        st.close()


def test_status_with_and_without_target(source, ws):
    share = {
        "kind": "journey_share",
        "touchpoints": ["first-booking"],
        "among": ["membership-sign-up"],
    }
    assert measure_series(source, ws, indicator(share)).status is Status.NO_TARGET
    # April is 100%: beyond a lower-is-better target of 50 and its warning level of 80.
    assert (
        measure_series(
            source, ws, indicator(share, direction="lower_is_better", target=50, warning=80)
        ).status
        is Status.OFF_TRACK
    )
    empty = measure_series(
        source, ws, indicator(share), start=date(2026, 1, 1), end=date(2026, 1, 31)
    )
    assert empty.status is Status.NO_DATA and values(empty) == [(date(2026, 1, 1), None, 0)]


def test_errors_say_what_to_fix(source, ws):
    with pytest.raises(NotFound, match="no indicator 'nope'"):
        measure_series(source, ws, "nope")
    bare = Indicator(id="bare", name="Bare", definition="d", unit="u", direction="higher_is_better")
    with pytest.raises(InputError, match="has no measure"):
        measure_series(source, ws, bare)
    share = indicator({"kind": "count"})
    with pytest.raises(InputError, match="unknown period"):
        measure_series(source, ws, share, period="fortnight")
    with pytest.raises(InputError, match="window is empty"):
        measure_series(source, ws, share, start=APRIL, end=MARCH)


def test_feedback_without_a_feedback_log_has_a_note(tmp_path: Path, ws, source):
    import pyarrow.parquet as pq

    from cojourney.events.store import EventSource

    pq.write_table(source.events_table(import_ids=False), tmp_path / "events.parquet")
    with EventSource.from_parquet(tmp_path / "events.parquet") as parquet:
        csat = indicator({"kind": "feedback", "question": "csat"})
        s = measure_series(parquet, ws, csat)
        assert s.status is Status.NO_DATA and s.periods == () and "no feedback" in (s.note or "")
        count = measure_series(parquet, ws, indicator({"kind": "count"}))
        assert values(count) == [(MARCH, 2.0, 2), (APRIL, 1.0, 1)]


@pytest.mark.parametrize("name", ["measures_calendar", "measures_results", "measures_stats"])
def test_docstring_examples(name: str):
    import doctest
    import importlib

    module = importlib.import_module(f"cojourney.analytics.{name}")
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_trend_rules_by_hand():
    from cojourney.analytics.measures import PeriodValue, trend_of
    from cojourney.domain import Direction

    def months(*vals):
        return [PeriodValue(date(2025, m + 1, 1), v, 1) for m, v in enumerate(vals)]

    higher = Direction.HIGHER_IS_BETTER
    # Slope 1 over a mean of 101: under 2% per period -> stable.
    assert trend_of(months(100.0, 101.0, 102.0), higher) == (Trend.STABLE, pytest.approx(1 / 101))
    # Only the last six periods count: 1..6 rise after a fall from 50.
    assert trend_of(months(50.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0), higher)[0] is Trend.IMPROVING
    # A mean of 0: any slope is a trend, with no relative slope.
    assert trend_of(months(-1.0, 0.0, 1.0), Direction.LOWER_IS_BETTER) == (Trend.WORSENING, None)
    assert trend_of(months(0.0, 0.0, 0.0), higher) == (Trend.STABLE, None)
    assert trend_of(months(1.0, None), higher) == (None, None)


def test_duration_each_start_to_its_next_end(tmp_path: Path, ws):
    # Two calls and two alerts in one journey: 10 and 5 minutes; the first-pairing
    # measure sees only the first (10); an end without a start counts for nothing.
    events = [
        ev("j", "stop", at("2025-03-03", 9, 0)),
        ev("j", "go", at("2025-03-03", 10, 0)),
        ev("j", "stop", at("2025-03-03", 10, 10)),
        ev("j", "go", at("2025-03-12", 11, 0)),  # answered by no stop before the next go
        ev("j", "go", at("2025-03-20", 15, 0)),
        ev("j", "stop", at("2025-03-20", 15, 5)),
        ev("k", "go", at("2025-03-21", 8, 0)),
    ]  # no stop: no duration
    st = store(tmp_path, events)
    try:
        each = indicator(
            {
                "kind": "duration",
                "start": "go",
                "end": "stop",
                "pairing": "each",
                "time_unit": "minutes",
                "statistic": "mean",
            }
        )
        first = indicator(
            {
                "kind": "duration",
                "start": "go",
                "end": "stop",
                "time_unit": "minutes",
                "statistic": "mean",
            }
        )
        assert values(measure_series(st, ws, each)) == [(MARCH, 7.5, 2)]
        assert values(measure_series(st, ws, first)) == [(MARCH, 10.0, 1)]
        within = indicator(
            {
                "kind": "duration",
                "start": "go",
                "end": "stop",
                "pairing": "each",
                "within": "6m",
                "time_unit": "minutes",
                "statistic": "mean",
            }
        )
        assert values(measure_series(st, ws, within)) == [(MARCH, 5.0, 1)]
    finally:
        st.close()


def test_event_share_with_any_condition(tmp_path: Path, ws):
    # Low-charge returns: soc below 30 OR not plugged in; r3 has neither attribute.
    events = [
        ev("a", "ret", at("2025-03-03"), soc_pct=20, plugged_in=1),
        ev("b", "ret", at("2025-03-04"), soc_pct=80, plugged_in=0),
        ev("c", "ret", at("2025-03-05"), soc_pct=90, plugged_in=1),
        ev("d", "ret", at("2025-03-06"), soc_pct=95),
        ev("e", "ret", at("2025-03-07")),
    ]
    st = store(tmp_path, events)
    try:
        ind = indicator(
            {
                "kind": "event_share",
                "touchpoints": ["ret"],
                "match": "any",
                "where": [
                    {"attribute": "soc_pct", "op": "<", "value": 30},
                    {"attribute": "plugged_in", "op": "==", "value": 0},
                ],
            }
        )
        # a and b are low-charge; c and d are not; e has no attribute and does not count.
        assert values(measure_series(st, ws, ind)) == [(MARCH, 50.0, 4)]
    finally:
        st.close()


def test_event_share_per_booking(tmp_path: Path, ws):
    # Booking b1: alerted, then given another car (two events, one unit that passes);
    # b2: only another car (fails); b3: alerted (passes); an event without booking_id
    # is no unit. Per event it would be 2 of 4; per booking it is 2 of 3.
    events = [
        ev("a", "alert", at("2025-03-03"), booking_id="b1"),
        ev("a", "reassigned", at("2025-03-03", 13), booking_id="b1"),
        ev("b", "reassigned", at("2025-03-04"), booking_id="b2"),
        ev("c", "alert", at("2025-03-05"), booking_id="b3"),
        ev("d", "alert", at("2025-03-06")),
    ]
    st = store(tmp_path, events)
    try:
        where = [{"attribute": "activity", "op": "==", "value": "alert"}]
        per_booking = indicator(
            {
                "kind": "event_share",
                "touchpoints": ["alert", "reassigned"],
                "where": where,
                "unit_attribute": "booking_id",
            }
        )
        per_event = indicator(
            {"kind": "event_share", "touchpoints": ["alert", "reassigned"], "where": where}
        )
        assert values(measure_series(st, ws, per_booking)) == [(MARCH, round(200 / 3, 6), 3)]
        assert values(measure_series(st, ws, per_event)) == [(MARCH, 60.0, 5)]
    finally:
        st.close()
