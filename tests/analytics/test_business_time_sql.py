"""Business time in SQL against the numpy reference, on random calendars, journeys and pauses.

The numpy path (:func:`cojourney.analytics.sla._time_group`, the arithmetic of
:func:`cojourney.analytics.sla.time_clock`) is the oracle: elapsed and paused business
time and the deadline computed by :func:`cojourney.analytics.business_time_sql.timing_ctes`
on DuckDB must agree with it within 1e-6 s, across time zones with DST changes,
holidays, overnight blocks and pauses that push deadlines or not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cojourney.analytics.business_time_sql import CalendarViews, calendar_tables, timing_ctes
from cojourney.analytics.sla import _time_group
from cojourney.analytics.sla_events import ClockEvents
from cojourney.domain import BusinessCalendar, Holiday, WorkingHours

H = 3600.0
DAY = 86_400.0
#: Monday 2025-03-24: the week before the EU DST change, three before the end of US DST's year.
BASE = datetime(2025, 3, 24, tzinfo=UTC).timestamp()
ZONES = ["UTC", "Europe/Amsterdam", "America/Sao_Paulo", "America/New_York", "Asia/Kolkata"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    blocks = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, 23))
        end = draw(st.integers(start + 1, 24))
        blocks.append(
            WorkingHours(
                days=draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True)),
                start=time(start, draw(st.sampled_from([0, 30]))),
                end=time(0, 0) if end == 24 else time(end, 0),
            )
        )
    holidays = [
        Holiday(day=date(2025, 3, 24) + timedelta(days=d))
        for d in draw(st.lists(st.integers(0, 40), max_size=4, unique=True))
    ]
    return BusinessCalendar(
        id="cal",
        name="Cal",
        time_zone=draw(st.sampled_from(ZONES)),
        hours=blocks,
        holidays=holidays,
        holidays_stop_clock=draw(st.booleans()),
    )


@st.composite
def journeys(draw: st.DrawFn) -> list[tuple[float, float, float, list[tuple[float, float]]]]:
    """(start, end, allowed, pauses) per journey; pauses sorted and disjoint in the run."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        start = BASE + draw(st.floats(0, 20 * DAY)) + draw(st.integers(0, 999_999)) / 1e6
        length = draw(st.floats(0, 15 * DAY))
        end = start + length
        cuts = sorted(draw(st.lists(st.floats(0, 1), max_size=6)))
        cuts = cuts[: len(cuts) // 2 * 2]
        pauses = [
            (start + cuts[i] * length, start + cuts[i + 1] * length) for i in range(0, len(cuts), 2)
        ]
        # No 0 s allowed here: with a pause at the very start, whether it begins "before"
        # the deadline (the start itself) is decided by float noise in the numpy path.
        allowed = draw(st.sampled_from([H, 4 * H, 8 * H, 30 * H, 5 * DAY]))
        out.append((start, end, allowed, pauses))
    return out


def reference(calendar: BusinessCalendar | None, rows: list) -> tuple[np.ndarray, ...]:
    n = len(rows)
    pj = np.array([i for i, r in enumerate(rows) for _ in r[3]], dtype=np.int64)
    ps = np.array([p[0] for r in rows for p in r[3]], dtype=np.float64)
    pe = np.array([p[1] for r in rows for p in r[3]], dtype=np.float64)
    nothing = np.empty(n, dtype=object)
    events = ClockEvents(
        journey_id=np.array([f"j{i:03d}" for i in range(n)], dtype=object),
        start=np.array([r[0] for r in rows]),
        stop=np.array([r[1] for r in rows]),
        priority=nothing,
        segment=nothing,
        period=np.zeros(n, dtype="datetime64[D]"),
        pause_journey=pj,
        pause_start=ps,
        pause_end=pe,
    )
    elapsed, paused, deadline = np.full(n, np.nan), np.zeros(n), np.full(n, np.nan)
    allowed = np.array([r[2] for r in rows])
    _time_group(
        events,
        np.ones(n, dtype=bool),
        calendar,
        events.stop,
        pe,
        allowed,
        elapsed,
        paused,
        deadline,
    )
    return elapsed, paused, deadline


def on_duckdb(calendar: BusinessCalendar | None, rows: list) -> tuple[np.ndarray, ...]:
    connection = duckdb.connect()
    connection.register(
        "jn",
        pa.table(
            {
                "j": [f"j{i:03d}" for i in range(len(rows))],
                "cal": pa.array([0] * len(rows), pa.int32()),
                "start_s": [r[0] for r in rows],
                "end_s": [r[1] for r in rows],
                "allowed": [r[2] for r in rows],
            }
        ),
    )
    pauses = [(f"j{i:03d}", p[0], p[1]) for i, r in enumerate(rows) for p in r[3]]
    connection.register(
        "pz",
        pa.table(
            {
                "j": pa.array([p[0] for p in pauses], pa.string()),
                "ps": pa.array([p[1] for p in pauses], pa.float64()),
                "pe": pa.array([p[2] for p in pauses], pa.float64()),
            }
        ),
    )
    first = min(r[0] for r in rows)
    last = max(r[1] for r in rows)
    reach = max(r[2] for r in rows) + DAY
    with CalendarViews(connection, [calendar], first, last, reach) as views:
        sql = f"""WITH {timing_ctes("jn", "pz", views)}
SELECT elapsed, paused, deadline FROM bt_out ORDER BY j"""
        got = connection.execute(sql).fetchnumpy()
    names = {r[0] for r in connection.execute("SHOW TABLES").fetchall()}
    assert not any(n.startswith("cojourney_sql_calendar") for n in names)  # unregistered
    return tuple(np.asarray(got[k], dtype=np.float64) for k in ("elapsed", "paused", "deadline"))


def assert_close(sql: np.ndarray, numpy: np.ndarray) -> None:
    assert np.isnan(sql).tolist() == np.isnan(numpy).tolist()
    both = ~np.isnan(numpy)
    np.testing.assert_allclose(sql[both], numpy[both], rtol=0, atol=1e-6)


# A fixed sequence of examples (derandomize): CI must not fail on a run's own draw; 400
# random examples with 0 s allowed included passed once by hand (2026-12-07).
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(calendars(), journeys())
def test_sql_business_time_agrees_with_numpy(calendar: BusinessCalendar | None, rows: list) -> None:
    for sql, numpy in zip(on_duckdb(calendar, rows), reference(calendar, rows), strict=True):
        assert_close(sql, numpy)


def test_a_pause_before_the_deadline_pushes_it_and_one_after_does_not() -> None:
    # 24x7: 4 h allowed from 00:00; a 2 h pause at 01:00 pushes the deadline to 06:00;
    # a pause at 07:00 (after it) does not; paused time counts both (3 h in all).
    rows = [(BASE, BASE + 10 * H, 4 * H, [(BASE + H, BASE + 3 * H), (BASE + 7 * H, BASE + 8 * H)])]
    elapsed, paused, deadline = on_duckdb(None, rows)
    assert elapsed.tolist() == [7 * H]
    assert paused.tolist() == [3 * H]
    assert deadline.tolist() == [BASE + 6 * H]


def test_the_tables_grow_with_days_not_with_instants() -> None:
    office = BusinessCalendar(
        id="office",
        name="Office",
        time_zone="Europe/Amsterdam",
        hours=[WorkingHours(days=DAYS[:5], start=time(9), end=time(17))],
    )
    timeline, inverse = calendar_tables([office, None], BASE, BASE + 365 * DAY, 5 * DAY)
    # Per calendar and day: at most a gap, a working piece and a gap (and 24x7 one piece).
    assert timeline.num_rows < 4 * 380 + 380
    assert inverse.num_rows < 2 * 380 + 380
    assert set(timeline.column("cal").to_pylist()) == {0, 1}


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/New_York"])
def test_readings_across_a_dst_change_match_numpy(zone: str) -> None:
    # 24 h days (no hours) in a DST zone with holidays: the day of the change is 23 h.
    calendar = BusinessCalendar(
        id="c", name="C", time_zone=zone, holidays=[Holiday(day=date(2025, 4, 1))]
    )
    rows = [(BASE + k * DAY + 0.25, BASE + (k + 9) * DAY, 30 * H, []) for k in range(0, 20)]
    for sql, numpy in zip(on_duckdb(calendar, rows), reference(calendar, rows), strict=True):
        assert_close(sql, numpy)


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("seed", [4, 5])
def test_evaluate_clocks_equals_the_numpy_path(tmp_path: Path, resume: bool, seed: int) -> None:
    # The whole clock on the engine (targets by priority, calendars, journeys that end or
    # go silent, status) against time_clock over clock_events, journey by journey.
    from test_sla import INCIDENTS, RESOLUTION, store_with, workspace
    from test_sla_reference import random_log

    from cojourney.analytics.sla import _calendars, evaluate_clocks, time_clock
    from cojourney.analytics.sla_events import clock_events

    clock = RESOLUTION.model_copy(update={"resume": ["resumed"] if resume else []})
    space = workspace(clock)
    rows = INCIDENTS + [(f"R{j}", a, t, {"priority": "P3"}) for j, a, t, _ in random_log(seed)]
    with store_with(tmp_path, rows) as store:
        result = evaluate_clocks(store, space)[0]
        events = clock_events(store, clock, as_of=result.as_of, time_zone="Europe/Amsterdam")
        want = time_clock(events, clock, _calendars(space, clock, (0, 0)), result.as_of.timestamp())
    got = result.journeys
    assert got.journey_id.tolist() == want.journey_id.tolist()
    assert len(got) > 40
    assert got.status.tolist() == want.status.tolist()
    assert set(got.status.tolist()) >= {"met", "breached"}
    for name in ("elapsed_seconds", "paused_seconds", "deadline", "allowed_seconds"):
        assert_close(getattr(got, name), getattr(want, name))
    assert (got.paused_seconds[np.isfinite(got.paused_seconds)] > 0).any()
