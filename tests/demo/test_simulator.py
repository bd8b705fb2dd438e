"""The demo simulator: the contract of docs/demo-data.md, behaviours, determinism, import, CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from scipy import stats

from cojourney.cli.demo_cmd import demo
from cojourney.cli.main import main
from cojourney.demo import example_path
from cojourney.demo.simulator import simulate_tables
from cojourney.demo.simulator.buffers import (
    AnswerBuffer,
    EventBuffer,
    EventMeta,
    IdFormat,
    JourneyRef,
    events_table,
)
from cojourney.demo.simulator.clock import BusinessClock, LocalClock, utc_us
from cojourney.domain import Workspace
from cojourney.errors import InputError
from cojourney.events.feedback_schema import feedback_arrow_schema
from cojourney.events.schema import canonical_arrow_schema
from cojourney.events.store import EventStore
from cojourney.services.simulation import simulate
from cojourney.services.workspaces import init_workspace
from cojourney.spec import load_workspace

ECAMPUS = "ecampus-car-share"
INCIDENTS = "incident-resolution"
#: Local midnight in São Paulo (UTC-3) starting the late-return alert trial.
TRIAL = "TIMESTAMPTZ '2025-09-01 00:00:00-03'"
PRIORITY = "json_extract_string(attributes, '$.priority')"


@pytest.fixture(scope="module")
def ecampus_ws() -> Workspace:
    return load_workspace(example_path(ECAMPUS))


@pytest.fixture(scope="module")
def incident_ws() -> Workspace:
    return load_workspace(example_path(INCIDENTS))


@pytest.fixture(scope="module")
def ecampus(ecampus_ws: Workspace) -> duckdb.DuckDBPyConnection:
    logs = simulate_tables(ecampus_ws, 800, seed=11)
    return _connect(logs.events, logs.feedback)


@pytest.fixture(scope="module")
def incidents(incident_ws: Workspace) -> duckdb.DuckDBPyConnection:
    logs = simulate_tables(incident_ws, 3000, seed=5)
    return _connect(logs.events, logs.feedback)


def _connect(events: pa.Table, feedback: pa.Table) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("ev", events)
    con.register("fb", feedback)
    return con


def row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
    found = con.execute(sql).fetchone()
    assert found is not None
    return found


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return row(con, sql)[0]


def events_where(con: duckdb.DuckDBPyConnection, condition: str) -> int:
    return int(one(con, f"SELECT count(*) FROM ev WHERE {condition}"))  # type: ignore[arg-type]


def moves(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """``{"a>b": count}`` of consecutive activities within journeys."""
    return dict(
        con.execute("""
        SELECT activity || '>' || nxt, count(*) FROM (
            SELECT activity, lead(activity) OVER (PARTITION BY journey_id ORDER BY event_seq) nxt
            FROM ev) GROUP BY 1""").fetchall()
    )


# --------------------------------------------------------------------------- building blocks


def test_business_clock_skips_nights_weekends_and_follows_daylight_saving():
    clock = LocalClock("Europe/Amsterdam", date(2025, 3, 20), date(2025, 4, 10))
    hours = BusinessClock(clock)  # 07:00-19:00 Monday to Friday
    friday_17 = np.array([utc_us(datetime(2025, 3, 28, 16, 0, tzinfo=UTC))])  # 17:00 CET
    monday_8 = utc_us(datetime(2025, 3, 31, 6, 0, tzinfo=UTC))  # 08:00 CEST
    # two support hours are left on Friday (17-19); the third is Monday 07-08 CEST
    assert hours.add(friday_17, 3 * 3600)[0] == monday_8
    assert hours.elapsed(friday_17, np.array([monday_8]))[0] == 3 * 3600
    saturday = np.array([utc_us(datetime(2025, 3, 29, 10, 0, tzinfo=UTC))])
    assert hours.add(saturday, 0)[0] == utc_us(datetime(2025, 3, 31, 5, 0, tzinfo=UTC))


def test_awake_squeezes_the_night_into_the_first_morning_hour():
    clock = LocalClock("America/Sao_Paulo", date(2025, 5, 1), date(2025, 5, 5))  # UTC-3
    at = [utc_us(datetime(2025, 5, 2, h, tzinfo=UTC)) for h in (2, 6, 9, 15)]
    # 23:00, 03:00 and 06:00 local -> 07:00, 07:30 and 07:52:30 local; 12:00 stays
    moved = clock.awake(np.array(at))
    expected = [
        datetime(2025, 5, 2, 10, 0, tzinfo=UTC),
        datetime(2025, 5, 2, 10, 30, tzinfo=UTC),
        datetime(2025, 5, 2, 10, 52, 30, tzinfo=UTC),
    ]
    assert list(moved[:3]) == [utc_us(e) for e in expected]
    assert moved[3] == at[3]


def test_buffers_write_canonical_rows_with_json_attributes():
    ids = IdFormat("m", 6, offset=40)
    buffer = EventBuffer(["a", "b"], ids)
    t0 = utc_us(datetime(2025, 1, 1, tzinfo=UTC))
    buffer.emit(
        "b",
        np.array([1, 0]),
        np.array([t0 + 5, t0 + 9]),
        attrs={"soc_pct": np.array([83.0, 7.5]), "affected_by": JourneyRef(np.array([0, 1]))},
    )
    buffer.emit("a", np.array([1]), np.array([t0 + 5]))  # same instant, emitted later: after
    meta = EventMeta(
        ["a", "b"], ["app", "sms"], [None, "Agent"], [None, "desk"], ["x", "y"], np.array([1, 0])
    )
    table = events_table(buffer.sorted(), ids, meta, np.random.default_rng(0), seq_offset=100)
    assert table.schema == canonical_arrow_schema()
    rows = table.to_pylist()
    assert [r["journey_id"] for r in rows] == ["m000040", "m000041", "m000041"]
    assert [r["activity"] for r in rows] == ["b", "b", "a"]
    assert [r["event_seq"] for r in rows] == [100, 101, 102]
    assert [r["attributes"] for r in rows] == [
        '{"soc_pct": 7.5, "affected_by": "m000041"}',
        '{"soc_pct": 83, "affected_by": "m000040"}',
        None,
    ]
    assert [r["segment"] for r in rows] == ["y", "x", "x"]
    assert [r["channel"] for r in rows] == ["sms", "sms", "app"]
    assert rows[0]["actor"].startswith("desk-") and rows[2]["actor"] is None


def test_answer_buffer_derives_the_step_and_keeps_journey_level_answers_untied():
    answers = AnswerBuffer(["t1", "t2"], ["s1", "s2"], IdFormat("INC", 7))
    answers.add(
        "csat", np.array([0]), np.array([10]), np.array([4.0]), touchpoint="t2", channel="email"
    )
    answers.add(
        "happiness",
        np.array([0]),
        np.array([10]),
        np.array([9.0]),
        touchpoint=None,
        channel="email",
    )
    table = answers.table(pa.array(["u1"]), pa.array(["anna"]))
    assert table.schema == feedback_arrow_schema()
    assert [
        (r["journey_id"], r["question"], r["touchpoint"], r["step"], r["score"])
        for r in table.to_pylist()
    ] == [("INC0000000", "csat", "t2", "s2", 4.0), ("INC0000000", "happiness", None, None, 9.0)]


# --------------------------------------------------------------------------- the contract


def test_same_seed_same_logs_other_seed_other_logs(ecampus_ws: Workspace, incident_ws: Workspace):
    for ws in (ecampus_ws, incident_ws):
        first = simulate_tables(ws, 60, seed=3)
        again = simulate_tables(ws, 60, seed=3)
        other = simulate_tables(ws, 60, seed=4)
        assert first.events.equals(again.events) and first.feedback.equals(again.feedback)
        assert not first.events.equals(other.events)


@pytest.mark.parametrize("name", ["ecampus", "incidents"])
def test_schemas_ids_and_order(name: str, request: pytest.FixtureRequest):
    con = request.getfixturevalue(name)
    events = con.execute("SELECT * FROM ev LIMIT 0").fetch_arrow_table()
    feedback = con.execute("SELECT * FROM fb LIMIT 0").fetch_arrow_table()
    assert events.schema.names == canonical_arrow_schema().names
    assert feedback.schema.names == feedback_arrow_schema().names
    pattern = r"^m\d{6}$" if name == "ecampus" else r"^INC\d{7}$"
    assert events_where(con, f"NOT regexp_matches(journey_id, '{pattern}')") == 0
    n = events_where(con, "true")
    assert row(con, "SELECT count(DISTINCT event_seq), min(event_seq), max(event_seq) FROM ev") == (
        n,
        0,
        n - 1,
    )
    # within a journey, event_seq follows time
    assert (
        one(
            con,
            """SELECT count(*) FROM (SELECT timestamp < lag(timestamp) OVER
                       (PARTITION BY journey_id ORDER BY event_seq) AS back FROM ev)
                       WHERE back""",
        )
        == 0
    )


@pytest.mark.parametrize(("name", "example"), [("ecampus", ECAMPUS), ("incidents", INCIDENTS)])
def test_every_touchpoint_exists_in_the_journey(
    name: str, example: str, request: pytest.FixtureRequest
):
    con = request.getfixturevalue(name)
    journey = load_workspace(example_path(example)).journeys[0]
    steps = journey.step_of()
    activities = {r[0] for r in con.execute("SELECT DISTINCT activity FROM ev").fetchall()}
    assert activities <= set(steps)
    answered = con.execute(
        "SELECT DISTINCT touchpoint, step FROM fb WHERE touchpoint IS NOT NULL"
    ).fetchall()
    assert answered and all(steps[tp] == step for tp, step in answered)
    channels = dict(con.execute("SELECT DISTINCT activity, channel FROM ev").fetchall())
    assert all(channels[tp] == journey.touchpoint(tp).channel.value for tp in channels)


def test_ecampus_journeys_start_in_the_period(ecampus: duckdb.DuckDBPyConnection):
    # local midnight in São Paulo (UTC-3) of 2025-03-01 and of 2025-12-01
    first, last = row(
        ecampus,
        """SELECT min(s), max(s)
        FROM (SELECT min(epoch_us(timestamp)) s FROM ev GROUP BY journey_id)""",
    )
    assert first >= utc_us(datetime(2025, 3, 1, 3, tzinfo=UTC))
    assert last < utc_us(datetime(2025, 12, 1, 3, tzinfo=UTC))
    latest = one(ecampus, "SELECT max(epoch_us(timestamp)) FROM ev")
    assert latest < utc_us(datetime(2025, 12, 1, 3, tzinfo=UTC))
    assert {r[0] for r in ecampus.execute("SELECT DISTINCT segment FROM ev").fetchall()} == {
        "katrina",
        "marcos",
        "diego",
    }


def test_ecampus_attributes_follow_docs(ecampus: duckdb.DuckDBPyConnection):
    def keys(activity: str) -> set[str]:
        rows = ecampus.execute(f"""SELECT DISTINCT attributes FROM ev
                                   WHERE activity = '{activity}' LIMIT 200""").fetchall()
        return set().union(*(json.loads(r[0]).keys() for r in rows))

    assert keys("plug-in-end-trip") == {
        "booking_id",
        "soc_pct",
        "plugged_in",
        "minutes_late",
        "km",
        "kwh",
    }
    assert keys("charge-level-at-pickup") == {"booking_id", "soc_pct"}
    assert keys("late-return-call") == {"booking_id", "wait_seconds"}
    assert keys("late-alert-dispatch") == {"booking_id", "next_journey"}
    assert keys("late-return-alert") == {"booking_id", "affected_by"}
    # every event of a trip has its booking; the state of charge is a percentage
    assert (
        events_where(
            ecampus,
            """
        activity IN ('book-car', 'start-car', 'driving', 'trip-receipt')
        AND json_extract_string(attributes, '$.booking_id') IS NULL""",
        )
        == 0
    )
    low, high = row(
        ecampus,
        """SELECT min(v), max(v) FROM (
        SELECT json_extract(attributes, '$.soc_pct')::INT v FROM ev
        WHERE activity = 'plug-in-end-trip')""",
    )
    assert low >= 0 and high <= 100


def test_ecampus_feedback_questions_and_scales(ecampus: duckdb.DuckDBPyConnection):
    found = ecampus.execute("""SELECT question, min(score), max(score),
                               list(DISTINCT touchpoint ORDER BY touchpoint)
                               FROM fb GROUP BY 1""").fetchall()
    scales = {r[0]: r[1:] for r in found}
    assert set(scales) == {"ces", "csat", "emotion", "late-car", "nps"}
    assert scales["csat"] == (1.0, 5.0, ["post-trip-csat"])
    low, high, tps = scales["nps"]
    assert tps == [None] and low >= 0 and high <= 10
    low, high, tps = scales["ces"]
    assert tps == [None] and low >= 1 and high <= 7
    assert scales["emotion"][0] >= -3 and scales["emotion"][1] <= 3
    assert set(scales["late-car"][2]) == {"car-reassigned", "late-return-alert"}


# --------------------------------------------------------------------------- eCampus behaviours


def test_gates_see_bypasses(ecampus: duckdb.DuckDBPyConnection):
    """Some book before the EV video, or before the licence is verified: the gate sees it."""
    bypass, booked = row(
        ecampus,
        """
        WITH f AS (SELECT journey_id, min(timestamp) FILTER (activity = 'first-booking') booked,
                          min(timestamp) FILTER (activity = 'ev-instruction-video') video,
                          max(timestamp) FILTER (activity = 'licence-verification') checked
                   FROM ev GROUP BY 1)
        SELECT count(*) FILTER (video IS NULL OR video > booked OR checked > booked), count(*)
        FROM f WHERE booked IS NOT NULL""",
    )
    assert 0 < bypass < 0.15 * booked


def test_non_linear_pre_service(ecampus: duckdb.DuckDBPyConnection):
    firsts = dict(
        ecampus.execute("""SELECT activity, count(*) FROM (
        SELECT arg_min(activity, event_seq) activity FROM ev GROUP BY journey_id)
        GROUP BY 1""").fetchall()
    )
    assert firsts.get("membership-sign-up", 0) > 0  # joined on a friend's phone: no discovery
    assert firsts.get("app-download", 0) > 0
    assert firsts.get("university-discount-code", 0) > 0  # the welcome pack
    seen = moves(ecampus)
    assert seen.get("friend-recommendation>membership-sign-up", 0) > 0  # the designed skip
    assert seen.get("terms-acceptance>membership-plans-page", 0) > 0  # back from the terms
    assert seen.get("membership-plans-page>browse-cars-map", 0) > 0  # the designed loop
    assert seen.get("licence-verification>licence-upload", 0) > 0  # a re-upload
    assert seen.get("charge-level-at-pickup>locate-car-in-app", 0) > 0  # looks for another car


def test_onboarding_drop_outs(ecampus: duckdb.DuckDBPyConnection):
    uploaded, booked = row(
        ecampus,
        """SELECT
        count(DISTINCT journey_id) FILTER (activity = 'licence-upload'),
        count(DISTINCT journey_id) FILTER (activity = 'first-booking') FROM ev""",
    )
    assert 0.6 * uploaded < booked < 0.95 * uploaded


def test_trailer_trips_are_mostly_movers(ecampus: duckdb.DuckDBPyConnection):
    diego, total = row(
        ecampus,
        """SELECT count(*) FILTER (segment = 'diego'), count(*) FROM ev
                                   WHERE activity IN ('trailer-pickup', 'trailer-return')""",
    )
    assert total > 0 and diego >= 0.8 * total
    assert events_where(ecampus, "activity = 'trailer-pickup'") == events_where(
        ecampus, "activity = 'trailer-return'"
    )


def test_low_charge_and_late_returns(ecampus: duckdb.DuckDBPyConnection):
    low, late, trips = row(
        ecampus,
        """SELECT
        count(*) FILTER (json_extract(attributes, '$.soc_pct')::INT < 30
                         OR json_extract(attributes, '$.plugged_in')::INT = 0),
        count(*) FILTER (json_extract(attributes, '$.minutes_late')::INT > 15), count(*)
        FROM ev WHERE activity = 'plug-in-end-trip'""",
    )
    assert 0.02 * trips < low < 0.12 * trips
    assert 0.04 * trips < late < 0.14 * trips
    assert (
        one(
            ecampus,
            """SELECT min(json_extract(attributes, '$.wait_seconds')::INT) FROM ev
                           WHERE activity = 'late-return-call'""",
        )
        > 0
    )


def test_late_return_alert_only_from_the_trial(ecampus: duckdb.DuckDBPyConnection):
    assert events_where(ecampus, f"activity = 'late-return-alert' AND timestamp < {TRIAL}") == 0
    assert events_where(ecampus, f"activity = 'late-return-alert' AND timestamp >= {TRIAL}") > 0
    assert events_where(ecampus, f"activity = 'late-alert-dispatch' AND timestamp < {TRIAL}") == 0
    assert events_where(ecampus, f"activity = 'car-reassigned' AND timestamp < {TRIAL}") > 0


def test_alert_links_the_late_member_and_the_next_one(ecampus: duckdb.DuckDBPyConnection):
    unmatched = one(
        ecampus,
        """
        WITH d AS (SELECT journey_id late, json_extract_string(attributes, '$.next_journey') nxt
                   FROM ev WHERE activity = 'late-alert-dispatch'),
             a AS (SELECT journey_id nxt, json_extract_string(attributes, '$.affected_by') late
                   FROM ev WHERE activity = 'late-return-alert')
        SELECT count(*) FROM d ANTI JOIN a USING (late, nxt)""",
    )
    assert unmatched == 0
    assert (
        events_where(
            ecampus,
            """activity = 'late-return-alert'
                          AND json_extract_string(attributes, '$.affected_by') = journey_id""",
        )
        == 0
    )


def test_late_car_answers_improve_with_the_trial(ecampus: duckdb.DuckDBPyConnection):
    scores = ecampus.execute(f"""SELECT timestamp >= {TRIAL}, score FROM fb
                                 WHERE question = 'late-car'""").fetchall()
    before = [s for trial, s in scores if not trial]
    after = [s for trial, s in scores if trial]
    assert np.mean(after) > np.mean(before) + 1.0
    assert stats.ttest_ind(after, before, equal_var=False).pvalue < 1e-6


def test_nps_follows_peak_and_end_more_than_the_mean(ecampus: duckdb.DuckDBPyConnection):
    peak_end, mean = row(
        ecampus,
        """
        WITH n AS (SELECT journey_id, timestamp t, score nps FROM fb WHERE question = 'nps'),
             e AS (SELECT journey_id, timestamp t, score FROM fb WHERE question = 'emotion'),
             x AS (SELECT n.journey_id, n.t, any_value(nps) nps, min(e.score) peak,
                          arg_max(e.score, e.t) final, avg(e.score) mean, count(*) k
                   FROM n JOIN e ON n.journey_id = e.journey_id AND e.t <= n.t GROUP BY 1, 2)
        SELECT corr(nps, peak + final), corr(nps, mean) FROM x WHERE k >= 2""",
    )
    assert peak_end > mean and peak_end > 0.25


# --------------------------------------------------------------------------- incidents


def test_incident_priorities_and_paths(incidents: duckdb.DuckDBPyConnection):
    mix = dict(
        incidents.execute(
            f"SELECT {PRIORITY}, count(DISTINCT journey_id) FROM ev GROUP BY 1"
        ).fetchall()
    )
    assert set(mix) == {"P1", "P2", "P3", "P4"}
    assert mix["P3"] > mix["P4"] > mix["P2"] > mix["P1"] > 0
    assert events_where(incidents, """attributes NOT LIKE '{"priority": "P_"%'""") == 0
    present = {r[0] for r in incidents.execute("SELECT DISTINCT activity FROM ev").fetchall()}
    assert {
        "solution-proposed",
        "solution-rejected",
        "ticket-reopened",
        "workaround-offered",
        "escalation-to-second-line",
        "vendor-escalation",
        "swarming",
        "status-update",
        "portal-report",
        "phone-report",
        "email-report",
        "chat-report",
    } <= present
    seen = moves(incidents)
    assert seen.get("solution-rejected>diagnosis", 0) > 0
    assert seen.get("ticket-reopened>diagnosis", 0) > 0


def test_incident_clock_touchpoints_and_attributes(incidents: duckdb.DuckDBPyConnection):
    n = 3000  # a few incidents opened at the end of the period are still open in the export
    for touchpoint in (
        "ticket-registered",
        "priority-and-eta-told",
        "service-restored",
        "solution-proposed",
    ):
        reached = one(
            incidents,
            f"""SELECT count(DISTINCT journey_id) FROM ev
                                     WHERE activity = '{touchpoint}'""",
        )
        assert 0.99 * n <= reached <= n
    values = incidents.execute("""SELECT DISTINCT json_extract(attributes, '$.eta_met')::INT
                                  FROM ev WHERE activity = 'service-restored'""").fetchall()
    assert {v[0] for v in values} == {0, 1}
    assert (
        one(
            incidents,
            """SELECT min(json_extract(attributes, '$.lost_work_hours')::DOUBLE)
                             FROM ev WHERE activity = 'service-restored'""",
        )
        >= 0
    )


def test_p3_p4_work_happens_in_support_hours(incidents: duckdb.DuckDBPyConnection):
    inside, total = row(
        incidents,
        f"""
        WITH local AS (SELECT timezone('Europe/Amsterdam', timestamp) t FROM ev
                       WHERE activity IN ('triage', 'diagnosis', 'fix-applied')
                         AND {PRIORITY} IN ('P3', 'P4'))
        SELECT count(*) FILTER (hour(t) BETWEEN 7 AND 18 AND isodow(t) <= 5), count(*)
        FROM local""",
    )
    assert inside >= 0.97 * total


def test_incident_feedback(incidents: duckdb.DuckDBPyConnection):
    found = incidents.execute("""SELECT question, min(score), max(score), list(DISTINCT touchpoint)
                                 FROM fb GROUP BY 1""").fetchall()
    scales = {r[0]: r[1:] for r in found}
    assert set(scales) == {"csat", "happiness", "emotion"}
    low, high, tps = scales["csat"]
    assert tps == ["closure-survey"] and low >= 1 and high <= 5
    low, high, tps = scales["happiness"]
    assert tps == [None] and low >= 0 and high <= 10


def test_watermelon_months_green_sla_unhappy_users(incidents: duckdb.DuckDBPyConnection):
    """February-March 2025: P1/P2 resolved as fast as in other months, happiness lower."""
    found = incidents.execute(f"""
        WITH j AS (SELECT journey_id, min(timestamp) FILTER (activity = 'ticket-registered') reg,
                          min(timestamp) FILTER (activity = 'service-restored') rest,
                          any_value({PRIORITY}) p FROM ev GROUP BY 1),
             h AS (SELECT journey_id, score FROM fb WHERE question = 'happiness')
        SELECT month(reg) IN (2, 3), median(epoch(rest - reg)) FILTER (p IN ('P1', 'P2')),
               avg(score) FROM j LEFT JOIN h USING (journey_id) GROUP BY 1""").fetchall()
    by_period = {r[0]: r[1:] for r in found}
    assert by_period[True][0] <= 1.1 * by_period[False][0]
    assert by_period[True][1] < by_period[False][1] - 1.5


# --------------------------------------------------------------------------- service and CLI


def test_other_workspaces_are_refused(tmp_path: Path):
    init_workspace(tmp_path / "ws")
    with pytest.raises(InputError) as caught:
        simulate(tmp_path / "ws", 10)
    assert "ecampus-car-share or incident-resolution" in str(caught.value)


def test_import_into_the_store_and_rerun_adds_nothing(tmp_path: Path):
    folder = tmp_path / "ws"
    init_workspace(folder, example=INCIDENTS)
    first = simulate(folder, 120, seed=2)
    assert not first.already_imported and first.events > 0 and first.answers > 0
    with EventStore.open(folder, read_only=True) as store:
        assert store.count("events") == first.events
        assert store.count("feedback") == first.answers
    again = simulate(folder, 120, seed=2)
    assert again.already_imported and again.events == first.events
    with EventStore.open(folder, read_only=True) as store:
        assert store.count("events") == first.events
        assert len(store.imports()) == 2
    other = simulate(folder, 30, seed=3)
    with EventStore.open(folder, read_only=True) as store:
        assert store.count("events") == first.events + other.events


def test_out_writes_both_parquet_files(tmp_path: Path):
    result = simulate(
        example_path(ECAMPUS),
        40,
        seed=1,
        out=tmp_path / "logs",
        start=date(2025, 6, 1),
        end=date(2025, 6, 30),
    )
    events = pq.read_table(tmp_path / "logs" / "events.parquet")
    feedback = pq.read_table(tmp_path / "logs" / "feedback.parquet")
    assert events.schema == canonical_arrow_schema() and events.num_rows == result.events
    assert feedback.schema == feedback_arrow_schema() and feedback.num_rows == result.answers
    assert not (example_path(ECAMPUS) / "data").exists()


def test_cli_simulate(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(
        demo,
        [
            "simulate",
            str(example_path(INCIDENTS)),
            "--journeys",
            "25",
            "--output",
            str(tmp_path / "out"),
            "--from",
            "2025-02-01",
            "--to",
            "2025-02-28",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Simulated 25 journeys of incident-resolution" in result.output
    assert (tmp_path / "out" / "events.parquet").is_file()
    bad_period = [
        "demo",
        "simulate",
        str(example_path(INCIDENTS)),
        "-n",
        "5",
        "--start",
        "2025-03-01",
        "--end",
        "2025-02-01",
        "--out",
        str(tmp_path / "x"),
    ]
    assert main(bad_period) == 2


def test_docstring_example_runs():
    import doctest

    import cojourney.demo.simulator as package

    failures, tried = doctest.testmod(package)
    assert tried > 0 and failures == 0
