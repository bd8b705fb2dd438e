"""Indicators measured from imported measurements: status and trend computed by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from test_measures_support import at, car_share_events, store, workspace

from cojourney.analytics.measured_indicators import measured_indicator_ids, measurement_series
from cojourney.analytics.measures import Status, Trend
from cojourney.analytics.value_realization import realize_value
from cojourney.domain import Indicator, Measure


def _indicator(iid: str, direction: str = "higher_is_better", **extra) -> Indicator:
    return Indicator(
        id=iid,
        name=iid.title(),
        definition="d",
        unit="%",
        direction=direction,
        target=20,
        warning=17,
        **extra,
    )


# (indicator, local day, value): fleet has two January values (mean 15), then 18 and 21;
# the 31 January 23:30 local value is 1 February in UTC but January locally.
MEASURED = [
    ("fleet", at("2025-01-10"), 10.0),
    ("fleet", at("2025-01-31", 23, 30), 20.0),
    ("fleet", at("2025-02-15"), 18.0),
    ("fleet", at("2025-03-15"), 21.0),
    ("cost", at("2025-01-15"), 30.0),
    ("cost", at("2025-02-15"), 24.0),
    ("cost", at("2025-03-15"), 18.0),
]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory):
    st = store(tmp_path_factory.mktemp("measured"), car_share_events())
    table = pa.table(
        {
            "indicator": [m[0] for m in MEASURED],
            "timestamp": pa.array([m[1] for m in MEASURED], pa.timestamp("us", tz="UTC")),
            "measurement_seq": list(range(len(MEASURED))),
            "value": [m[2] for m in MEASURED],
            "segment": pa.array([None] * len(MEASURED), pa.string()),
            "unit": pa.array([None] * len(MEASURED), pa.string()),
        }
    )
    st.import_batches(table.to_batches(), source_name="m", source_sha256="m", kind="measurements")
    yield st
    st.close()


def test_monthly_mean_status_and_trend(source):
    ws = workspace(indicators=[_indicator("fleet")])
    series = measurement_series(source, ws, ws.indicators[0])
    assert [(p.period_start, p.value, p.n) for p in series.periods] == [
        (date(2025, 1, 1), 15.0, 2),
        (date(2025, 2, 1), 18.0, 1),
        (date(2025, 3, 1), 21.0, 1),
    ]
    # March 21 >= target 20: on track; slope 3 per month over a mean of 18: improving.
    assert series.status is Status.ON_TRACK and series.current.value == 21.0
    assert series.trend is Trend.IMPROVING and series.trend_slope == pytest.approx(3 / 18)
    assert series.overall == pytest.approx(69 / 4) and series.n == 4


def test_window_moves_the_current_period(source):
    ws = workspace(indicators=[_indicator("fleet")])
    series = measurement_series(source, ws, ws.indicators[0], end=date(2025, 2, 28))
    # February 18: below target 20, at or above warning 17: at risk; two periods: no trend.
    assert series.status is Status.AT_RISK and series.current.value == 18.0
    assert series.trend is None


def test_lower_is_better(source):
    ws = workspace(indicators=[_indicator("cost", "lower_is_better")])
    series = measurement_series(source, ws, ws.indicators[0], end=date(2025, 2, 28))
    # February 24 > warning 17 (lower is better): off track.
    assert series.status is Status.OFF_TRACK
    full = measurement_series(source, ws, ws.indicators[0])
    assert full.status is Status.ON_TRACK and full.trend is Trend.IMPROVING


def test_value_names_each_figures_source(source):
    measured = _indicator("fleet")
    by_events = _indicator(
        "pickups",
        measure=Measure(
            kind="journey_share", touchpoints=["first-booking"], among=["membership-sign-up"]
        ),
    )
    gap = _indicator("nowhere", data_source="A spreadsheet")
    result = realize_value(source, workspace(indicators=[measured, by_events, gap]))
    values = {i.indicator_id: i for g in result.stakeholders for i in g.indicators}
    assert values["fleet"].source == "measurements"
    assert values["fleet"].status is Status.ON_TRACK
    assert values["pickups"].source == "events"
    assert values["nowhere"].source is None and values["nowhere"].status is Status.NOT_MEASURED
    assert (result.measured, result.not_measured) == (2, 1)
    assert measured_indicator_ids(source) == {"fleet", "cost"}


def test_a_store_without_measurements_measures_nothing(tmp_path: Path):
    st = store(tmp_path, car_share_events())
    try:
        result = realize_value(st, workspace(indicators=[_indicator("fleet")]))
        assert result.measured == 0
    finally:
        st.close()
